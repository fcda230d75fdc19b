"""The embedded store: SQLite by default, any SQLAlchemy URL through ``--db``/``HUBCHECK_DB``.

Every import is one transaction: it lands whole or not at all.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, OperationalError

from api.store.schema import catalogues, cpl_entries, cpl_history, cpl_versions, inventory, metadata
from cpl_data.catalogue import CatalogueImport, load_catalogue
from cpl_data.cpl import CplImport
from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl, CplEntry, CplIssue
from eligibility.errors import DataError, InputError, NotFound, ReferenceDataMissing
from eligibility.verdict import DeviceRecord, Hub

__all__ = ["ENV_DB", "ImportOutcome", "Store", "default_db_path", "resolve_db_url"]

ENV_DB = "HUBCHECK_DB"


def default_db_path() -> Path:
    """The default SQLite file, in the user's data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hubcheck", appauthor=False)) / "hubcheck.sqlite"


def resolve_db_url(value: str | None = None) -> str:
    """An SQLAlchemy URL from ``--db``, else ``HUBCHECK_DB``, else the default SQLite file.

    A value without ``://`` is a file path for SQLite.
    """
    raw = value or os.environ.get(ENV_DB) or str(default_db_path())
    if "://" in raw:
        return raw
    path = Path(raw).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: ``created`` False means the same content was already there."""

    id: int
    created: bool
    detail: str


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Reference data (CPL versions, catalogues) in a relational database."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.url = resolve_db_url(url) if engine is None else str(engine.url)
        try:
            if engine is None:
                engine = create_engine(self.url)
                if engine.dialect.name == "sqlite":
                    event.listen(engine, "connect", _sqlite_pragmas)
            self.engine = engine
            metadata.create_all(self.engine)
        except (ArgumentError, OperationalError, ImportError) as exc:
            raise InputError(
                f"--db: cannot open the store {self.url!r} ({exc.__class__.__name__}: {exc}); give a file path "
                "or an SQLAlchemy URL such as sqlite:///hubcheck.sqlite or postgresql+psycopg://user@host/db",
                field="--db",
            ) from exc

    # -- CPL ---------------------------------------------------------------------------------

    def import_cpl(self, imp: CplImport, *, replace: bool = False, actor: str | None = None) -> ImportOutcome:
        """Store a CPL version with its entries and history, in one transaction.

        Re-importing a version with the same entries is a no-op. A version already stored
        with different entries is refused unless ``replace`` (e.g. a first import lacked
        the history); raises DataError then.
        """
        cpl = imp.cpl
        with self.engine.begin() as conn:
            row = conn.execute(
                select(cpl_versions.c.id, cpl_versions.c.source).where(cpl_versions.c.version == cpl.version)
            ).first()
            if row is not None:
                existing = self._entries(conn, row.id)
                if existing == list(cpl.entries):
                    return ImportOutcome(
                        row.id, False, f"CPL {cpl.version} is already imported; nothing changed"
                    )
                if not replace:
                    raise DataError(
                        f"CPL {cpl.version} is already imported (from {row.source}) with different entries or "
                        "dates; a CPL version does not change - pass --replace to replace it (for example "
                        "when the first import had no --history)"
                    )
                conn.execute(delete(cpl_versions).where(cpl_versions.c.id == row.id))
            key = conn.execute(
                insert(cpl_versions).values(
                    version=cpl.version,
                    issued_on=cpl.issued_on,
                    source=imp.source,
                    shape=imp.shape,
                    history_source=imp.history_source,
                    sha256=imp.sha256,
                    imported_at=_now(),
                    imported_by=actor,
                    warnings=json.dumps(list(imp.warnings)),
                )
            ).inserted_primary_key
            assert key is not None
            cpl_id = key[0]
            conn.execute(
                insert(cpl_entries),
                [{"cpl_id": cpl_id, **e.model_dump()} for e in cpl.entries],
            )
            if cpl.history:
                conn.execute(
                    insert(cpl_history),
                    [{"cpl_id": cpl_id, "seq": i, **h.model_dump()} for i, h in enumerate(cpl.history)],
                )
        return ImportOutcome(int(cpl_id), True, f"CPL {cpl.version} imported")

    @staticmethod
    def _entries(conn: Connection, cpl_id: int) -> list[CplEntry]:
        rows = conn.execute(
            select(cpl_entries).where(cpl_entries.c.cpl_id == cpl_id).order_by(cpl_entries.c.number)
        ).mappings()
        return [CplEntry.model_validate({k: v for k, v in r.items() if k != "cpl_id"}) for r in rows]

    def cpl_versions(self) -> list[dict[str, Any]]:
        """Every stored CPL version, newest issue first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(cpl_versions).order_by(cpl_versions.c.issued_on.desc(), cpl_versions.c.id.desc())
            ).mappings()
            return [dict(r) for r in rows]

    def load_cpl(self, version: str | None = None) -> Cpl:
        """The CPL of ``version``, or the latest issued one.

        Raises ReferenceDataMissing when no CPL (or not that version) is stored.
        """
        with self.engine.connect() as conn:
            q = select(cpl_versions)
            if version is not None:
                q = q.where(cpl_versions.c.version == version)
            row = (
                conn.execute(q.order_by(cpl_versions.c.issued_on.desc(), cpl_versions.c.id.desc()).limit(1))
                .mappings()
                .first()
            )
            if row is None:
                if version is not None:
                    raise ReferenceDataMissing(
                        f"CPL version {version} is not in the store; `hubcheck cpl list` shows what is"
                    )
                raise ReferenceDataMissing(
                    "no CPL has been imported into this store; import one first: hubcheck cpl import FILE"
                )
            entries = self._entries(conn, row["id"])
            history = [
                CplIssue(version=h.version, issued_on=h.issued_on, notes=h.notes)
                for h in conn.execute(
                    select(cpl_history).where(cpl_history.c.cpl_id == row["id"]).order_by(cpl_history.c.seq)
                )
            ]
        return Cpl(
            version=row["version"], issued_on=row["issued_on"], entries=tuple(entries), history=tuple(history)
        )

    # -- catalogue ---------------------------------------------------------------------------

    def import_catalogue(self, imp: CatalogueImport, *, actor: str | None = None) -> ImportOutcome:
        """Store a catalogue and make it the active one; the same content again is a no-op."""
        with self.engine.begin() as conn:
            row = conn.execute(select(catalogues.c.id).where(catalogues.c.sha256 == imp.sha256)).first()
            if row is not None:
                conn.execute(update(catalogues).values(active=False))
                conn.execute(update(catalogues).where(catalogues.c.id == row.id).values(active=True))
                return ImportOutcome(
                    row.id, False, "this catalogue is already imported; it is the active one"
                )
            conn.execute(update(catalogues).values(active=False))
            key = conn.execute(
                insert(catalogues).values(
                    name=imp.catalogue.name or imp.source,
                    source=imp.source,
                    sha256=imp.sha256,
                    content=imp.text,
                    imported_at=_now(),
                    imported_by=actor,
                    active=True,
                )
            ).inserted_primary_key
            assert key is not None
            cat_id = key[0]
        return ImportOutcome(int(cat_id), True, f"catalogue {imp.catalogue.name or imp.source} imported")

    def active_catalogue(self) -> Catalogue | None:
        """The active catalogue, or None when none was imported."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(catalogues.c.content, catalogues.c.source)
                .where(catalogues.c.active.is_(True))
                .limit(1)
            ).first()
        if row is None:
            return None
        return load_catalogue(row.content.encode(), source=row.source).catalogue

    def clear_catalogue(self) -> None:
        """Make no catalogue active (verdicts then use the CPL alone)."""
        with self.engine.begin() as conn:
            conn.execute(update(catalogues).values(active=False))

    # -- inventory ---------------------------------------------------------------------------

    def get_hub(self, device_id: str, *, supplier: str | None = None) -> Hub:
        """The hub whose CHF (or GPF) has ``device_id``, with its GPF's record if the store has one.

        With ``supplier``, a hub of another supplier is not found, exactly like a missing one.
        Raises NotFound.
        """
        with self.engine.connect() as conn:
            q = select(inventory).where(inventory.c.device_id == device_id)
            row = conn.execute(q).mappings().first()
            if row is not None and row["device_type"] == "GPF":
                chf = (
                    conn.execute(select(inventory).where(inventory.c.gpf_device_id == device_id))
                    .mappings()
                    .first()
                )
                row = chf or row
            if row is None or (supplier is not None and row["supplier"] != supplier):
                raise NotFound(
                    f"no hub {device_id} in the store's inventory; import the inventory first, or give "
                    "--manufacturer, --model and --firmware"
                )
            gpf_row = None
            if row["gpf_device_id"]:
                gpf_row = (
                    conn.execute(select(inventory).where(inventory.c.device_id == row["gpf_device_id"]))
                    .mappings()
                    .first()
                )
        return _hub_of(row, gpf_row)


def _record_of(row: Any) -> DeviceRecord:
    return DeviceRecord.parse(
        device_id=row["device_id"],
        device_type=row["device_type"],
        status=row["status"],
        status_since=row["status_since"].isoformat() if row["status_since"] else None,
        history=row["status_history"] or None,
    )


def _hub_of(row: Any, gpf_row: Any | None) -> Hub:
    return Hub(
        manufacturer=row["manufacturer"],
        model=row["model"],
        firmware=row["firmware"],
        chf=_record_of(row),
        gpf=_record_of(gpf_row) if gpf_row is not None else None,
        tsat_install_end=row["tsat_install_end"],
        supplier=row["supplier"],
    )
