"""The stack's floor for the service rows: a bare ASGI app under uvicorn, no hubcheck at all.

It answers every request with the same bytes (``$HUBCHECK_FLOOR_BODY``, a file holding a real
verdict document, so the same bytes cross the wire), reading a POST's body first. Served with
the settings ``hubcheck serve`` uses (httptools, uvloop, no access log) and measured with the
same wrk scripts, it is what the server, the event loop and the load generator cost on this
machine before any request is understood: no service in this stack answers faster.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any, Final

__all__ = ["app"]

_BODY: Final = Path(os.environ["HUBCHECK_FLOOR_BODY"]).read_bytes()
_HEADERS: Final = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
]

Message = MutableMapping[str, Any]


async def app(
    scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
) -> None:
    """Read the request's body, answer 200 with the document."""
    if scope["type"] != "http":  # lifespan: nothing to start or stop
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})
