"""The store itself (see the package docstring)."""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError

from api.auth import Principal
from api.store import _audit, _hubs, _inventory, _keys, _reference
from api.store._audit import Actor
from api.store._db import open_engine, write
from api.store._location import resolve_db_url
from api.store.migrate import upgrade
from api.store.schema import audit, catalogues, cpl_entries, cpl_history, cpl_versions, inventory
from cpl_data.catalogue import CatalogueImport
from cpl_data.cpl import CplImport
from cpl_data.inventory import InventoryRead
from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl, CplEntry
from eligibility.errors import DataError, HubcheckError, InputError, NotFound
from eligibility.reference import Reference
from eligibility.suppliers import same_supplier, supplier_key
from eligibility.verdict import DeviceRecord, Hub

__all__ = ["Actor", "ImportOutcome", "Store", "hub_from_rows"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: ``created`` False means the same content was already there.

    ``id`` is the stored object's (CPL version, catalogue); ``import_id`` the audit row's, which
    the API answers with; ``counts`` what was read and written.
    """

    id: int
    created: bool
    detail: str
    import_id: int = 0
    counts: dict[str, Any] = field(default_factory=dict)


_now = _audit.now


def _reference_changed(conn: Connection) -> None:
    """The CPL or the active catalogue changed in this transaction: move the counter, and write
    the snapshot readers take in its place (``api.store.snapshot``), in the same transaction."""
    _audit.bump(conn, reference=True)
    _reference.save_snapshot(conn)


def _settled(
    conn: Connection,
    actor: Actor,
    event: str,
    imp: CplImport | CatalogueImport,
    row_id: int,
    counts: dict[str, Any],
    detail: str,
    *,
    created: bool,
    bump: bool,
) -> ImportOutcome:
    """Audit a reference-data import that landed (or changed nothing), in its transaction."""
    status = "committed" if created else "unchanged"
    aid = _audit.record(
        conn, actor, event, status, what=imp.source, sha256=imp.sha256, counts=counts, detail=detail
    )
    if bump:
        _reference_changed(conn)
    return ImportOutcome(row_id, created, detail, aid, counts)


class Store:
    """Reference data (CPL versions, catalogues), the inventory, API keys and the audit trail."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.url = resolve_db_url(url) if engine is None else str(engine.url)
        try:
            self.engine = open_engine(self.url) if engine is None else engine
            if engine is None:
                # the store owns the engine it opened: its pooled connections close with it
                weakref.finalize(self, self.engine.dispose)
            upgrade(self.engine)
        except (ArgumentError, DatabaseError, ImportError) as exc:  # DatabaseError: not a database
            raise InputError(
                f"--db: cannot open the store {self.url!r} ({exc.__class__.__name__}: {exc}); give a file path "
                "or an SQLAlchemy URL such as sqlite:///hubcheck.sqlite or postgresql+psycopg://user@host/db",
                field="--db",
            ) from exc

    # -- CPL ---------------------------------------------------------------------------------

    # -- audit ---------------------------------------------------------------------------------

    def _audited(
        self,
        event: str,
        actor: Actor | None,
        what: str,
        sha256: str | None,
        work: Callable[[Connection, Actor], _T],
    ) -> _T:
        """Run ``work`` in a write transaction; a refusal is recorded in its own transaction."""
        actor = actor or Actor.cli()
        try:
            with write(self.engine) as conn:
                return work(conn, actor)
        except HubcheckError as exc:
            self.record_refused(event, actor, what, sha256, str(exc))
            raise

    def record_refused(
        self, event: str, actor: Actor | None, what: str, sha256: str | None, error: str
    ) -> int:
        """Audit an import refused before it reached the store (its file could not be read)."""
        with write(self.engine) as conn:
            return _audit.record(
                conn, actor or Actor.cli(), event, "refused", what=what, sha256=sha256, detail=error[:20_000]
            )

    def get_import(self, import_id: int, *, party: str | None = None) -> dict[str, Any]:
        """One import's audit row; with ``party``, only that party's own imports are found.

        Raises NotFound.
        """
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(audit).where(audit.c.id == import_id, audit.c.event.like("%_import")))
                .mappings()
                .first()
            )
        if row is None or (party is not None and not same_supplier(row["party"], party)):
            raise NotFound(f"no import {import_id}; the id is the one an import answered with")
        return {**row, "counts": json.loads(row["counts"])}

    def audit_events(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest audit rows, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(audit).order_by(audit.c.id.desc()).limit(limit)).mappings()
            return [{**r, "counts": json.loads(r["counts"])} for r in rows]

    def generation(self) -> tuple[int, int]:
        """(change counter, reference counter): they move with every committed import or key event."""
        with self.engine.connect() as conn:
            return _audit.generation(conn)

    # -- CPL ---------------------------------------------------------------------------------

    def import_cpl(
        self, imp: CplImport, *, replace: bool = False, actor: Actor | None = None
    ) -> ImportOutcome:
        """Store a CPL version with its entries and history, in one transaction.

        Re-importing a version with the same entries is a no-op. A version already stored
        with different entries is refused unless ``replace`` (e.g. a first import lacked
        the history); raises DataError then.
        """
        return self._audited(
            "cpl_import", actor, imp.source, imp.sha256, lambda c, a: self._import_cpl(c, a, imp, replace)
        )

    def _import_cpl(self, conn: Connection, actor: Actor, imp: CplImport, replace: bool) -> ImportOutcome:
        cpl = imp.cpl
        summary = imp.summary()
        counts = {k: summary[k] for k in ("cpl_version", "entries", "device_models", "dated", "warnings")}
        row = conn.execute(
            select(cpl_versions.c.id, cpl_versions.c.source).where(cpl_versions.c.version == cpl.version)
        ).first()
        if row is not None:
            existing = self._entries(conn, row.id)
            if existing == list(cpl.entries):
                detail = f"CPL {cpl.version} is already imported; nothing changed"
                return _settled(
                    conn, actor, "cpl_import", imp, row.id, counts, detail, created=False, bump=False
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
                imported_by=actor.name,
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
        detail = f"CPL {cpl.version} imported"
        return _settled(conn, actor, "cpl_import", imp, int(cpl_id), counts, detail, created=True, bump=True)

    @staticmethod
    def _entries(conn: Connection, cpl_id: int) -> list[CplEntry]:
        return _reference.entries(conn, cpl_id)

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
            return _reference.load_cpl(conn, version)

    def reference(self) -> Reference:
        """The latest CPL and the active catalogue: the stored snapshot when it is current.

        Otherwise (a store migrated from before snapshots, or a snapshot of another format) the
        reference is built from the rows and the snapshot written again, when the store can be
        written, for the next reader. Raises ReferenceDataMissing when no CPL is stored.
        """
        with self.engine.connect() as conn:
            got = _reference.load_snapshot(conn)
            if got is not None:
                return got
            ref = Reference(_reference.load_cpl(conn), _reference.active_catalogue(conn))
        try:
            with write(self.engine) as conn:
                if _reference.load_snapshot(conn) is None:
                    _reference.save_snapshot(conn)
        except DBAPIError:
            pass  # a store this user may only read: the next reader builds afresh too
        return ref

    # -- catalogue ---------------------------------------------------------------------------

    def import_catalogue(self, imp: CatalogueImport, *, actor: Actor | None = None) -> ImportOutcome:
        """Store a catalogue and make it the active one; the same content again is a no-op."""
        return self._audited(
            "catalogue_import", actor, imp.source, imp.sha256, lambda c, a: self._import_catalogue(c, a, imp)
        )

    def _import_catalogue(self, conn: Connection, actor: Actor, imp: CatalogueImport) -> ImportOutcome:
        counts = imp.summary()
        row = conn.execute(select(catalogues.c.id).where(catalogues.c.sha256 == imp.sha256)).first()
        if row is not None:
            conn.execute(update(catalogues).values(active=False))
            conn.execute(update(catalogues).where(catalogues.c.id == row.id).values(active=True))
            detail = "this catalogue is already imported; it is the active one"
            # making it active again may change the reference data: the counter moves
            return _settled(
                conn, actor, "catalogue_import", imp, row.id, counts, detail, created=False, bump=True
            )
        conn.execute(update(catalogues).values(active=False))
        key = conn.execute(
            insert(catalogues).values(
                name=imp.catalogue.name or imp.source,
                source=imp.source,
                sha256=imp.sha256,
                content=imp.text,
                imported_at=_now(),
                imported_by=actor.name,
                active=True,
            )
        ).inserted_primary_key
        assert key is not None
        cat_id = key[0]
        detail = f"catalogue {imp.catalogue.name or imp.source} imported"
        return _settled(
            conn, actor, "catalogue_import", imp, int(cat_id), counts, detail, created=True, bump=True
        )

    def active_catalogue(self) -> Catalogue | None:
        """The active catalogue, or None when none was imported."""
        with self.engine.connect() as conn:
            return _reference.active_catalogue(conn)

    def clear_catalogue(self) -> None:
        """Make no catalogue active (verdicts then use the CPL alone)."""
        with write(self.engine) as conn:
            conn.execute(update(catalogues).values(active=False))
            _reference_changed(conn)

    # -- inventory ---------------------------------------------------------------------------

    def import_inventory(
        self,
        read: InventoryRead,
        *,
        supplier: str | None = None,
        owner: str | None = None,
        sha256: str | None = None,
        actor: Actor | None = None,
    ) -> ImportOutcome:
        """Upsert an inventory read by ``cpl_data.inventory``, whole or not at all.

        ``supplier`` fills empty supplier cells and refuses rows naming another (DataError);
        so does ``owner`` (a supplier's key: it writes its own rows only). Rows are keyed by
        (supplier, Device ID): a device the supplier holds is updated, any other is its new row,
        whoever else holds the same Device ID (that is a finding of :meth:`duplicate_devices`).
        """
        actor = actor or Actor.cli()
        try:
            if read.frame.height == 0:
                raise DataError(
                    f"{read.source}: no rows to import (only a header, or nothing); give one row per device"
                )
            frame = _inventory.check_suppliers(read.frame, supplier, read.source)
            if owner is not None:
                frame = _inventory.check_suppliers(frame, owner, read.source)
            with self.engine.connect() as conn:
                try:
                    _inventory.stage(conn, _inventory.own(conn, frame))
                    conn.execution_options(hubcheck_write=True)
                    with conn.begin():
                        aid = _audit.record(
                            conn, actor, "inventory_import", "committed", what=read.source, sha256=sha256
                        )
                        counts = _inventory.upsert_staged(conn, import_id=aid, now=_now())
                        counts["rows_read"] = read.rows_read
                        _audit.set_counts(conn, aid, counts)
                        _audit.bump(conn)
                finally:
                    conn.execution_options(hubcheck_write=False)
                    _inventory.drop_stage(conn)
        except HubcheckError as exc:
            self.record_refused("inventory_import", actor, read.source, sha256, str(exc))
            raise
        detail = f"{counts['rows']} device(s) imported: {counts['inserted']} new, {counts['updated']} updated"
        return ImportOutcome(aid, True, detail, aid, counts)

    def inventory_frame(self, supplier: str | None = None) -> pl.DataFrame:
        """The inventory (or one supplier's part, its name matched as ``eligibility.suppliers``
        says) in the normalised schema, by Device ID.

        Columns ``cpl_data.inventory.INVENTORY_COLUMNS`` with dates as dates: what
        ``read_inventory`` returns for a file.
        """
        with self.engine.connect() as conn:
            return _inventory.inventory_frame(conn, supplier)

    def inventory_count(self, supplier: str | None = None) -> int:
        """How many devices the inventory holds (of ``supplier``)."""
        q = select(func.count()).select_from(inventory)
        if supplier is not None:
            q = q.where(inventory.c.supplier_key == supplier_key(supplier))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    # -- API keys ----------------------------------------------------------------------------

    def create_key(
        self, role: str, party: str | None = None, *, label: str | None = None, actor: Actor | None = None
    ) -> tuple[str, str]:
        """A new API key; returns (key id, key). The key is not stored, only its hash.

        Raises UnknownChoice for a role not in ``api.auth.ROLES``, InputError for a wrong party.
        """
        with write(self.engine) as conn:
            return _keys.create(conn, role, party, label, actor or Actor.cli())

    def list_keys(self) -> list[dict[str, Any]]:
        """Every key's id, role, party, label, creation and revocation (never the key)."""
        with self.engine.connect() as conn:
            return _keys.listing(conn)

    def revoke_key(self, key_id: str, *, actor: Actor | None = None) -> bool:
        """Revoke a key; False if it already was. Raises NotFound for an unknown id."""
        with write(self.engine) as conn:
            return _keys.revoke(conn, key_id, actor or Actor.cli())

    def principal(self, key: str) -> Principal | None:
        """Who a key stands for; None for an unknown or revoked key."""
        with self.engine.connect() as conn:
            return _keys.lookup(conn, key)

    def supplier_names(self) -> list[str]:
        """Every supplier the inventory holds rows of, as the store spells it."""
        with self.engine.connect() as conn:
            return _hubs.supplier_names(conn)

    def supplier_spelling(self, name: str) -> str | None:
        """The store's spelling of supplier ``name``, or None when it holds no row of it."""
        with self.engine.connect() as conn:
            return _hubs.spelling(conn, name)

    def find_supplier(self, name: str, *, field: str = "supplier") -> str:
        """The store's spelling of supplier ``name``; raises NotFound when it holds no row of it."""
        with self.engine.connect() as conn:
            return _hubs.find_supplier(conn, name, field=field)

    def duplicate_devices(self, limit: int = 1000) -> tuple[int, list[dict[str, Any]]]:
        """Device IDs held by more than one supplier (a data quality finding, for the DCC).

        Returns how many there are and the first ``limit`` of them, each with its suppliers' rows.
        """
        with self.engine.connect() as conn:
            return _hubs.duplicate_devices(conn, limit)

    def get_hub(self, device_id: str, *, supplier: str | None = None) -> Hub:
        """The hub whose CHF (or GPF) has ``device_id``, with its GPF's record if the store has one.

        With ``supplier`` (a name, matched as ``eligibility.suppliers`` says) only that
        supplier's rows are read: another supplier's hub is not found, exactly like a missing
        one, with the same queries; a CHF pairs only with its own supplier's GPF row. Without
        it, a Device ID two suppliers hold is refused (DuplicateDevice: say whose). Raises
        NotFound, and DataError for a stored row hubcheck cannot judge (a date out of range).
        """
        with self.engine.connect() as conn:
            row, gpf_row = _hubs.hub_rows(conn, device_id, supplier)
        try:
            return _hub_of(row, gpf_row)
        except InputError as exc:
            raise DataError(
                f"the store's record of hub {device_id} cannot be judged: {exc}; import the hub again "
                "with correct values"
            ) from exc


def hub_from_rows(row: Any, gpf_row: Any | None = None) -> Hub:
    """The hub of an inventory row (a mapping of the inventory columns) and its GPF's row."""
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
