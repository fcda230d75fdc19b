"""``GET /``: the installer page (one HTML file, its CSS and script inline: no network in a plant room)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE = Path(__file__).resolve().parents[1] / "static" / "installer.html"


@cache
def _html() -> bytes:
    return _PAGE.read_bytes()


@router.get("/", response_class=HTMLResponse)
async def installer_page() -> HTMLResponse:
    """The page; it calls ``GET /v1/hubs/{id}/eligibility`` with the key kept on the device."""
    return HTMLResponse(
        _html(),
        headers={
            "Cache-Control": "no-cache",
            # Nothing may load from elsewhere: the page must work with no network but the server.
            "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'",
        },
    )
