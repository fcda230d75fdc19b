"""Driving the app at the ASGI level: what a real server hands it, and how much body it pulled.

Starlette's TestClient decodes the path a second time and sends a body whole; these tests need
the path exactly as a server decodes it and a ``receive`` that counts every chunk the app takes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

__all__ = ["CHUNK", "Exchange", "drive"]

KIB = 1024
CHUNK = 16 * KIB
#: A client that has sent this much of a body "without end" disconnects (a test must end).
GIVE_UP = 2 * 1024 * KIB


@dataclass
class Exchange:
    """One request driven through the app: what it answered and how much body it pulled."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    pulled: int = 0
    receives: int = 0


def drive(
    app: FastAPI,
    method: str,
    path: str,
    headers: dict[str, str],
    *,
    total: int | None = None,
    chunk: bytes = b"x" * CHUNK,
    prefix: bytes = b"",
) -> Exchange:
    """Send ``prefix`` then ``chunk`` after ``chunk`` (``total`` bytes in all, or without end)."""
    out = Exchange()
    sent = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        out.receives += 1
        if (total is not None and sent >= total) or sent > GIVE_UP:
            return {"type": "http.disconnect"}  # (GIVE_UP: a body without end must end somewhere)
        piece = prefix if sent == 0 and prefix else chunk
        if total is not None:
            piece = piece[: total - sent]
        sent += len(piece)
        out.pulled = sent
        return {"type": "http.request", "body": piece, "more_body": total is None or sent < total}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out.status = message["status"]
            out.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            out.body += message.get("body", b"")

    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "app": app,
        "state": {},
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return out
