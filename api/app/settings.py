"""The service's one settings class: every knob, from ``HUBCHECK_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

MIB = 1024 * 1024


class Settings(BaseSettings):
    """Service settings; each field is read from ``HUBCHECK_<NAME>`` (e.g. ``HUBCHECK_DB``)."""

    model_config = SettingsConfigDict(env_prefix="HUBCHECK_", frozen=True)

    db: str | None = Field(
        None, description="Store: an SQLAlchemy URL or an SQLite file path (default: the user data dir)."
    )
    max_import_bytes: int = Field(512 * MIB, gt=0, description="Largest import body (413 beyond).")
    max_batch_bytes: int = Field(32 * MIB, gt=0, description="Largest batch body (413 beyond).")
    max_batch_rows: int = Field(200_000, gt=0, description="Most rows in one batch request (413 beyond).")
    max_check_bytes: int = Field(64 * 1024, gt=0, description="Largest ad-hoc check body (413 beyond).")
    verdict_cache: int = Field(200_000, ge=0, description="Verdicts kept per worker until the data changes.")
    window_back: int = Field(1, ge=0, description="Versions before N the support window keeps.")
    max_hops: int = Field(8, ge=1, description="Longest upgrade plan.")
    default_policy: str = Field("sec-ac-7.2", description="Housekeeping policy when a request names none.")
    max_staleness_ms: int | None = Field(
        None,
        ge=0,
        le=1000,
        description="How long a worker may answer before it reads the store's change counters again "
        "(default: 5 ms on SQLite, 50 ms on a server database, whose read is a network round trip; "
        "0: every request). A commit made elsewhere is served within this bound.",
    )
    fast_paths: bool = Field(
        True,
        description="Answer cached hub verdicts and well-formed ad-hoc checks before routing "
        "(0: every request takes the full route, for diagnosis; the answers are the same).",
    )
    telemetry: bool = Field(
        False,
        description="FastAPI's OpenTelemetry instrumentation: spans, metrics and logs to the providers "
        "an OpenTelemetry SDK in the process configures (run under opentelemetry-instrument). Off, a "
        "request skips FastAPI's look for configured providers, ~40 µs of a check's ~200 µs.",
    )
    duis_xsd: str | None = Field(
        None, description="Folder of the DUIS schemas (v5.1, v5.3a, v5.4 ...) for DUIS XML bodies."
    )
