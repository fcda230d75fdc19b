"""The service's own errors, added under hubcheck's one tree (``eligibility.errors``)::

    HubcheckError
     ├── InputError ─ PayloadTooLarge         a body past the configured bound (413)
     │              └ UnsupportedMediaType    a Content-Type no reader takes (415)
     ├── Unauthorized                         no API key, or not a valid one (401)
     ├── Forbidden                            the key's role may not do this (403)
     ├── DuplicateDevice                      a Device ID two suppliers hold, asked for without saying whose (409)
     └── StoreBusy                            the store could not be reached or stayed locked (503)

``api.app.problems`` maps the whole tree to HTTP status codes in one place; the CLI maps it to
exit code 2.
"""

from __future__ import annotations

from eligibility.errors import HubcheckError, InputError, Problem

__all__ = [
    "DuplicateDevice",
    "Forbidden",
    "PayloadTooLarge",
    "StoreBusy",
    "Unauthorized",
    "UnsupportedMediaType",
]


class Unauthorized(HubcheckError):
    """No API key was given, or it is unknown or revoked."""


class Forbidden(HubcheckError):
    """The caller is known but its role (or party) may not do this; ``problems`` may say where."""

    def __init__(self, message: str, problems: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


class DuplicateDevice(HubcheckError):
    """A Device ID more than one supplier holds was asked for without saying whose hub is meant."""


class PayloadTooLarge(InputError):
    """A request body is larger than the service accepts."""


class UnsupportedMediaType(InputError):
    """A request body's Content-Type is not one the endpoint reads."""


class StoreBusy(HubcheckError):
    """The store is unreachable, or stayed locked by another writer past the timeout."""
