"""What one server process holds: the store, reference data in the engine's precomputed form, caches.

Reference data lives in an immutable :class:`Snapshot` (the CPL and catalogue as a
:class:`~eligibility.engine.Engine` whose windows and graphs for today are built before it is
used). A :class:`View` pairs the snapshot with the store's change counter and owns the caches
of that state (API keys, verdict documents). A request takes the current view once and uses
only it, so it never mixes two states; a change is a new object swapped in whole, never an
edit in place: readers never see half an import.

Every import or key event moves the store's counters in its own transaction. Each request
reads them (one primary-key row; microseconds on SQLite), or on a server database, where the
read is a round trip, at most every ``HUBCHECK_MAX_STALENESS_MS`` (50 ms by default: a commit
elsewhere is served within that). A moved ``generation`` gives a new view with empty caches; a
moved ``reference_generation`` also rebuilds the snapshot, in a background thread while the old
one keeps answering (the process that ran the import rebuilds before it answers, so its caller
reads its own write).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from api.app.settings import Settings
from api.auth import Principal
from api.errors import StoreBusy
from api.store import Store
from eligibility.engine import Engine, EngineSettings
from eligibility.errors import ReferenceDataMissing
from eligibility.policy_timeline import PolicyTimeline, parse_timeline
from eligibility.reference import Reference

__all__ = ["Service", "Snapshot", "VerdictKey", "View"]

log = logging.getLogger("hubcheck.api")

#: A cached verdict's key: whose rows (a supplier key, None for any supplier's), Device ID,
#: install date, policy text (see ``api.app._hub``).
VerdictKey = tuple[str | None, str, date, str]

#: Unknown keys are remembered too (a client retrying a bad key costs no query); bounded.
_KEY_CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class Snapshot:
    """Reference data as of ``reference_generation``; ``engine`` None when there is no CPL yet."""

    reference_generation: int
    engine: Engine | None
    missing: str | None = None

    def require(self) -> Engine:
        """The engine; raises ReferenceDataMissing when no CPL has been imported."""
        if self.engine is None:
            raise ReferenceDataMissing(self.missing or "no reference data loaded")
        return self.engine


@dataclass
class View:
    """One state of the store as this process serves it, with the caches valid for it."""

    generation: int
    snapshot: Snapshot
    keys: dict[str, Principal | None] = field(default_factory=dict)
    verdicts: dict[VerdictKey, bytes] = field(default_factory=dict)


def build_snapshot(store: Store, reference_generation: int, settings: EngineSettings, on: date) -> Snapshot:
    """Load the newest CPL and the active catalogue and precompute every model's window and graph."""
    try:
        ref = Reference(store.load_cpl(), store.active_catalogue())
    except ReferenceDataMissing as exc:
        return Snapshot(reference_generation, None, str(exc))
    engine = Engine(ref, settings)
    for dm in ref.device_models():
        engine.window(dm, on)
        engine.graph(dm, on)
    return Snapshot(reference_generation, engine)


class _Probe:
    """Reads the store's counters on one connection kept for the purpose (the hot path's only query).

    The connection is in autocommit mode where the driver allows it (SQLite as the store opens
    it; psycopg and most others by a flag): each read is then its own statement and sees every
    commit made before it, in one round trip. Otherwise a rollback after each read ends its
    transaction, a second round trip (on PostgreSQL over loopback, ~200 µs a request instead of
    ~80 µs: ``python -m bench.service --workers`` prints the figure).
    """

    SQL = "SELECT generation, reference_generation FROM store_state WHERE id = 1"

    def __init__(self, store: Store) -> None:
        self._store = store
        self._conn: Any = None
        self._autocommit = False
        self._lock = threading.Lock()

    def _connect(self) -> Any:
        conn = self._store.engine.raw_connection()
        self._autocommit = self._store.engine.dialect.name == "sqlite"  # the store's own BEGINs only
        if not self._autocommit:
            try:
                driver: Any = conn.dbapi_connection
                driver.autocommit = True  # kept by the probe: never back in the pool
                self._autocommit = True
            except Exception:  # a driver without the flag: a rollback after each read instead
                self._autocommit = False
        return conn

    def __call__(self) -> tuple[int, int]:
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                cur = self._conn.cursor()
                try:
                    cur.execute(self.SQL)
                    row = cur.fetchone()
                finally:
                    cur.close()
                if not self._autocommit:
                    self._conn.rollback()  # end the read transaction: the next read sees new commits
            except Exception as exc:  # the driver's own errors: drop the connection, answer 503
                conn, self._conn = self._conn, None
                if conn is not None:
                    conn.invalidate()
                raise StoreBusy(
                    f"the store could not be read ({exc.__class__.__name__}); retry shortly"
                ) from exc
        return int(row[0]), int(row[1])

    def close(self) -> None:
        """Close the probe's connection (a later read opens another); never back into the pool,
        where its autocommit mode would surprise the store's transactions."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.invalidate()


#: How long a worker on a server database may answer between reads of its counters, by default.
SERVER_STALENESS_MS: Final = 50
#: The same on SQLite. The read is local there (~10-25 µs), but a cached GET read for every
#: request took 39-48 µs of app time in process, against 20-28 µs read at most every 5 ms; 5 ms
#: is far below what anyone could act within after a commit made by another process.
SQLITE_STALENESS_MS: Final = 5


def _staleness(settings: Settings, store: Store) -> int:
    """HUBCHECK_MAX_STALENESS_MS, or its default: :data:`SQLITE_STALENESS_MS` on SQLite,
    :data:`SERVER_STALENESS_MS` on a server, where the read is a round trip (100-300 µs on loopback
    here, more than the rest of a cached answer). Either way the read costs a worker well under 1%
    of its time at saturation; 0 reads for every request."""
    if settings.max_staleness_ms is not None:
        return settings.max_staleness_ms
    return SQLITE_STALENESS_MS if store.engine.dialect.name == "sqlite" else SERVER_STALENESS_MS


class Service:
    """The state of one server process; shared by every request it serves."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings.db)
        self.engine_settings = EngineSettings(window_back=settings.window_back, max_hops=settings.max_hops)
        self._probe = _Probe(self.store)
        self._staleness_s = _staleness(settings, self.store) / 1000
        self._probed_at = float("-inf")
        self._reload_lock = threading.Lock()
        self._reloading = False
        self._policies: dict[str, PolicyTimeline] = {}
        gen, ref_gen = self._probe()
        self.view = View(gen, build_snapshot(self.store, ref_gen, self.engine_settings, date.today()))

    def close(self) -> None:
        """Release what the process holds of the store (at shutdown)."""
        self._probe.close()

    # -- the current state -------------------------------------------------------------------

    def current(self) -> View:
        """The view for the store's committed state (a new one when the counters moved)."""
        view = self.view
        now = time.monotonic()
        if now - self._probed_at < self._staleness_s:
            return view  # read the counters less than HUBCHECK_MAX_STALENESS_MS ago
        gen, ref_gen = self._probe()
        self._probed_at = now
        if ref_gen != view.snapshot.reference_generation:
            self._reload_in_background(ref_gen)
        if gen != view.generation:
            # A new view drops the caches; it keeps the snapshot until the rebuild swaps it.
            view = View(gen, self.view.snapshot)
            self.view = view
        return view

    def refresh_now(self) -> View:
        """Bring the snapshot up to date before returning (after this process's own import)."""
        gen, ref_gen = self._probe()
        snap = self.view.snapshot
        if ref_gen != snap.reference_generation:
            snap = build_snapshot(self.store, ref_gen, self.engine_settings, date.today())
        self.view = View(gen, snap)
        return self.view

    def _reload_in_background(self, ref_gen: int) -> None:
        with self._reload_lock:
            if self._reloading:
                return
            self._reloading = True
        threading.Thread(target=self._reload, args=(ref_gen,), name="hubcheck-reload", daemon=True).start()

    def _reload(self, ref_gen: int) -> None:
        try:
            snap = build_snapshot(self.store, ref_gen, self.engine_settings, date.today())
            if snap.reference_generation > self.view.snapshot.reference_generation:
                self.view = View(self.view.generation, snap)  # keys and verdicts of the old data go too
        except Exception:  # a failed rebuild keeps the old snapshot; the next request tries again
            log.exception("reloading reference data failed")
        finally:
            with self._reload_lock:
                self._reloading = False

    # -- what requests ask for ---------------------------------------------------------------

    def principal(self, view: View, key: str) -> Principal | None:
        """Who ``key`` stands for in this view (cached until a key event)."""
        if key in view.keys:
            return view.keys[key]
        if len(view.keys) >= _KEY_CACHE_LIMIT:
            view.keys.clear()
        who = view.keys[key] = self.store.principal(key)
        return who

    def policy(self, text: str | None) -> PolicyTimeline:
        """A housekeeping policy or policy timeline from its text (the settings' default when None); parsed once."""
        text = text or self.settings.default_policy
        got = self._policies.get(text)
        if got is None:
            got = parse_timeline(text, field="policy")
            if len(self._policies) < 1000:
                self._policies[text] = got
        return got

    def ready(self) -> dict[str, Any]:
        """What /readyz reports; raises StoreBusy or ReferenceDataMissing when not ready."""
        view = self.current()
        engine = view.snapshot.require()
        info = engine.reference.info
        return {
            "status": "ready",
            "cpl_version": info.cpl_version,
            "catalogue": info.catalogue,
            "generation": view.generation,
        }
