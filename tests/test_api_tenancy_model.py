"""Two suppliers against one service, in random interleavings (issue 10: the model-based test).

A hypothesis state machine drives supplier A, supplier B, an installer of each and the DCC
through imports, hub reads, batches and risk queries. Both suppliers draw Device IDs from one
small pool, so they keep importing the same IDs (CHFs naming GPFs the other holds, GPF rows
for the other's CHFs). The model is what each supplier imported, and nothing else. After every
step:

- every answer to a supplier or its installer equals what the engine says for *that
  supplier's rows alone* (a hub read: its own CHF with its own GPF; a 404 for an id it does
  not hold, word for word the 404 of an id nobody holds; a risk report: its own fleet), so no
  answer to A holds anything of B's, and B's verdicts cannot depend on A's rows;
- a batch's answer depends on its body alone;
- the DCC sees each holder's hub, a 409 for a Device ID two hold, and exactly the model's
  duplicate Device IDs in ``/v1/quality/duplicate-devices``;
- the store holds, for each supplier, exactly the rows the model says.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import text

from api.app import Settings, create_app
from api.app._batch import stream_verdicts
from api.store import Store, hub_from_rows
from api.store._audit import bump
from api.store._db import write
from cpl_data.catalogue import read_catalogue
from cpl_data.cpl import read_cpl
from cpl_data.inventory import read_inventory
from eligibility.engine import Engine
from eligibility.risk import fleet_risk
from eligibility.smi import parse_policy
from eligibility.verdict import VERDICT_ADAPTER
from tests.service_support import SAMPLE_DIR

A, B = "Northwind Energy", "Southern Power"
D = date(2026, 11, 28)
CHFS = [f"10-F0-A1-00-00-00-00-0{i}" for i in range(4)]
GPFS = [f"10-F0-A1-00-00-00-01-0{i}" for i in range(4)]
NOBODY = "10-F0-A1-FF-FF-FF-FF-FF"  # never imported: the answer "does not exist" is compared with
HEAD = "device_id,gpf_device_id,device_type,manufacturer,model,firmware,status,status_since,status_history\n"
RETURNED = "Commissioned:2019-03-01;Decommissioned:2024-12-01;Pending:2025-01-10"
POLICIES = ["sec-ac-7.2", "history-aware"]
STEPS = 0  # counted across runs, printed at the end


def _row(device: str) -> st.SearchStrategy[str]:
    """One inventory row for ``device`` (a CHF names its GPF of the same index, or none)."""
    i = (CHFS + GPFS).index(device) % 4
    firmware = st.sampled_from(["03000000", "02000000", "01000000"])
    if device in CHFS:
        gpf = st.sampled_from([GPFS[i], ""])
        status = st.sampled_from(["Pending", "InstalledNotCommissioned", "Decommissioned"])
        since = st.sampled_from(["2026-09-01", "2025-01-10", "2024-06-01"])
        return st.builds(
            lambda g, f, s, d: f"{device},{g},CHF,F0A1,A1010100,{f},{s},{d},\n", gpf, firmware, status, since
        )
    shape = st.sampled_from(
        [
            "Pending,2026-09-01,",
            f"Pending,2025-01-10,{RETURNED}",
            "Decommissioned,2026-10-01,",
            "Pending,2024-01-01,",
        ]
    )
    return st.builds(lambda f, s: f"{device},,GPF,F0A1,A1010100,{f},{s}\n", firmware, shape)


#: A file of 1 to 4 rows, one per Device ID.
FILES = st.lists(st.sampled_from(CHFS + GPFS), min_size=1, max_size=4, unique=True).flatmap(
    lambda ids: st.tuples(*(_row(d) for d in ids)).map("".join)
)


def _rows(csv: str) -> dict[str, dict[str, Any]]:
    """The normalised rows of an inventory text, by Device ID (supplier left out: the model knows)."""
    frame = read_inventory((HEAD + csv).encode(), source="model.csv").frame
    return {r["device_id"]: r for r in frame.iter_rows(named=True)}


class TwoSuppliers(RuleBasedStateMachine):
    """The service and the model of what each supplier imported."""

    def __init__(self, client: TestClient, store: Store, keys: dict[str, str]) -> None:
        super().__init__()
        self.client, self.store, self.keys = client, store, keys
        with write(store.engine) as conn:  # every run starts from an empty inventory
            conn.execute(text("DELETE FROM inventory"))
            bump(conn)
        self.model: dict[str, dict[str, dict[str, Any]]] = {A: {}, B: {}}
        svc = client.app.state.service  # type: ignore[attr-defined]
        self.engine: Engine = svc.refresh_now().snapshot.require()

    # -- what the model says ----------------------------------------------------------------

    def _expected_hub(self, supplier: str, device: str, policy: str) -> dict[str, Any] | None:
        rows = self.model[supplier]
        row = rows.get(device)
        if row is None:
            return None
        if row["device_type"] == "GPF":
            row = next((r for r in rows.values() if r["gpf_device_id"] == device), row)
        gpf = rows.get(row["gpf_device_id"]) if row["gpf_device_id"] else None
        hub = hub_from_rows({**row, "supplier": supplier}, gpf)
        doc: dict[str, Any] = json.loads(
            VERDICT_ADAPTER.dump_json(self.engine.verdict(hub, D, parse_policy(policy)), by_alias=True)
        )
        return doc

    def _get(self, who: str, device: str, policy: str, supplier: str | None = None) -> Any:
        params = {"install_date": D.isoformat(), "policy": policy} | (
            {"supplier": supplier} if supplier else {}
        )
        return self.client.get(f"/v1/hubs/{device}/eligibility", params=params, headers=self._auth(who))

    def _auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    # -- rules ---------------------------------------------------------------------------------

    @rule(supplier=st.sampled_from([A, B]), csv=FILES, by_dcc=st.booleans())
    def import_rows(self, supplier: str, csv: str, by_dcc: bool) -> None:
        """A supplier imports its rows (or the DCC imports them for it)."""
        who, query = ("dcc", f"?supplier={supplier}") if by_dcc else (supplier, "")
        r = self.client.post(
            f"/v1/inventory/imports{query}",
            content=(HEAD + csv).encode(),
            headers={**self._auth(who), "content-type": "text/csv"},
        )
        assert r.status_code == 201, r.text
        self.model[supplier].update(_rows(csv))

    @rule(supplier=st.sampled_from([A, B]), csv=FILES)
    def import_naming_the_other(self, supplier: str, csv: str) -> None:
        """A supplier's file naming the other supplier is refused whole."""
        other = B if supplier == A else A
        named = "".join(line.rstrip("\n") + f",{other}\n" for line in csv.splitlines(keepends=True))
        head = HEAD.rstrip("\n") + ",supplier\n"
        r = self.client.post(
            "/v1/inventory/imports",
            content=(head + named).encode(),
            headers={**self._auth(supplier), "content-type": "text/csv"},
        )
        assert r.status_code == 422, r.text
        assert other not in json.dumps(
            [p for p in r.json().get("problems", []) if p.get("column") != "supplier"]
        )

    @rule(
        supplier=st.sampled_from([A, B]),
        installer=st.booleans(),
        device=st.sampled_from(CHFS + GPFS),
        policy=st.sampled_from(POLICIES),
    )
    def read_hub(self, supplier: str, installer: bool, device: str, policy: str) -> None:
        """A supplier (or its installer) reads a hub: exactly its own rows' verdict, or the 404 of nothing."""
        who = f"{supplier}/installer" if installer else supplier
        r = self._get(who, device, policy)
        expected = self._expected_hub(supplier, device, policy)
        if expected is None:
            nothing = self._get(who, NOBODY, policy)
            assert r.status_code == nothing.status_code == 404
            assert r.text.replace(device, "X") == nothing.text.replace(NOBODY, "X")
        else:
            assert r.status_code == 200, r.text
            assert r.json() == expected

    @rule(
        device=st.sampled_from(CHFS + GPFS),
        policy=st.sampled_from(POLICIES),
        name=st.sampled_from([None, A, B]),
    )
    def dcc_reads_hub(self, device: str, policy: str, name: str | None) -> None:
        """The DCC sees the holder's hub; for a Device ID both hold it must say whose."""
        holders = [s for s in (A, B) if device in self.model[s]]
        r = self._get("dcc", device, policy, name)
        if name is not None:
            expected = self._expected_hub(name, device, policy)
            assert (r.status_code, r.json() if expected else None) == (
                (200, expected) if expected else (404, None)
            )
        elif not holders:
            assert r.status_code == 404
        elif len(holders) == 2:
            assert r.status_code == 409, r.text
        else:
            assert r.json() == self._expected_hub(holders[0], device, policy)

    @rule(supplier=st.sampled_from([A, B]), csv=FILES, policy=st.sampled_from(POLICIES))
    def batch(self, supplier: str, csv: str, policy: str) -> None:
        """A batch is judged on its body alone, whatever either supplier holds."""
        r = self.client.post(
            f"/v1/eligibility/batch?install_date={D}&policy={policy}",
            content=(HEAD + csv).encode(),
            headers={**self._auth(supplier), "content-type": "text/csv"},
        )
        assert r.status_code == 200, r.text
        frame = read_inventory((HEAD + csv).encode(), source="request body").frame
        expected = b"".join(stream_verdicts(frame, self.engine, D, parse_policy(policy)))
        assert [json.loads(x) for x in r.content.splitlines()] == [
            json.loads(x) for x in expected.splitlines()
        ]

    @rule(supplier=st.sampled_from([A, B]), policy=st.sampled_from(POLICIES))
    def risk(self, supplier: str, policy: str) -> None:
        """A supplier's risk report is that of its own rows alone."""
        body = {"from": D.isoformat(), "months": 12, "policies": [policy]}
        r = self.client.post("/v1/risk/queries", json=body, headers=self._auth(supplier))
        assert r.status_code == 200, r.text
        rows = sorted(self.model[supplier].values(), key=lambda r: r["device_id"])
        frame = (
            pl.DataFrame(rows, schema=self.store.inventory_frame().schema).with_columns(
                supplier=pl.lit(supplier)
            )
            if rows
            else self.store.inventory_frame().clear()
        )
        report = fleet_risk(
            frame, D, 12, [parse_policy(policy)], self.engine.reference, supplier=supplier, engine=self.engine
        )
        assert r.json() == json.loads(json.dumps(report.to_json()))

    @rule()
    def dcc_reads_duplicates(self) -> None:
        """The DCC's finding lists exactly the Device IDs both suppliers hold; suppliers may not ask."""
        both = sorted(self.model[A].keys() & self.model[B].keys())
        r = self.client.get("/v1/quality/duplicate-devices", headers=self._auth("dcc"))
        assert r.status_code == 200
        assert [d["device_id"] for d in r.json()["devices"]] == both
        for who in (A, B, f"{A}/installer"):
            assert (
                self.client.get("/v1/quality/duplicate-devices", headers=self._auth(who)).status_code == 403
            )

    @invariant()
    def each_supplier_holds_exactly_its_own_rows(self) -> None:
        global STEPS
        STEPS += 1
        for supplier in (A, B):
            held = self.store.inventory_frame(supplier)
            assert held["device_id"].to_list() == sorted(self.model[supplier])
            assert set(held["supplier"].to_list()) <= {supplier}
            for row in held.iter_rows(named=True):
                assert {**row, "supplier": None} == {
                    **self.model[supplier][row["device_id"]],
                    "supplier": None,
                }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A store file with the sample reference data and a key per party (copied for the test)."""
    path = tmp_path_factory.mktemp("model") / "template.sqlite"
    store = Store(f"sqlite:///{path}")
    store.import_cpl(read_cpl(SAMPLE_DIR / "sample-cpl.csv", SAMPLE_DIR / "sample-cpl-version-control.csv"))
    store.import_catalogue(read_catalogue(SAMPLE_DIR / "sample-catalogue.toml", store.load_cpl()))
    keys = {
        A: store.create_key("supplier", A)[1],
        B: store.create_key("supplier", B)[1],
        f"{A}/installer": store.create_key("installer", A)[1],
        f"{B}/installer": store.create_key("installer", B)[1],
        "dcc": store.create_key("dcc")[1],
    }
    store.engine.dispose()
    return path, keys


@pytest.fixture
def served(
    template: tuple[Path, dict[str, str]], tmp_path: Path
) -> Iterator[tuple[TestClient, Store, dict[str, str]]]:
    path, keys = template
    shutil.copy(path, tmp_path / "model.sqlite")
    url = f"sqlite:///{tmp_path / 'model.sqlite'}"
    with TestClient(create_app(Settings(db=url)), raise_server_exceptions=False) as client:
        yield client, Store(url), keys


def test_two_suppliers_in_random_interleavings(
    served: tuple[TestClient, Store, dict[str, str]], request: pytest.FixtureRequest
) -> None:
    client, store, keys = served
    run_state_machine_as_test(
        lambda: TwoSuppliers(client, store, keys),  # type: ignore[arg-type]
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print(f"\nmodel-based test of two suppliers: {STEPS} steps checked")
