"""Synthetic fleets: deterministic, well-formed inventories that look like a real fleet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

import cpl_data.synth as synth
from cpl_data.inventory import INVENTORY_COLUMNS, SCHEMA, normalise_inventory
from cpl_data.sample import sample_reference
from cpl_data.synth import FleetMix, synth_fleet, write_fleet
from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl
from eligibility.dates import add_months
from eligibility.errors import InputError, ReferenceDataMissing
from eligibility.identifiers import DeviceModel
from eligibility.reference import Reference
from eligibility.window import support_window

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def sample() -> tuple[Cpl, Catalogue]:
    return sample_reference()


@pytest.fixture(scope="module")
def fleet(sample: tuple[Cpl, Catalogue]) -> pl.DataFrame:
    # the sample's fictional Northwind stands for the North CSP's manufacturer
    return synth_fleet(*sample, hubs=20_000, seed=11, as_of=AS_OF, mix=FleetMix(north=frozenset({"F0A1"})))


def test_same_seed_same_fleet_other_seed_other_fleet(sample: tuple[Cpl, Catalogue]) -> None:
    a = synth_fleet(*sample, hubs=500, seed=3, as_of=AS_OF)
    assert a.equals(synth_fleet(*sample, hubs=500, seed=3, as_of=AS_OF))
    assert not a.equals(synth_fleet(*sample, hubs=500, seed=4, as_of=AS_OF))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_streamed_file_is_the_same_fleet_across_chunks(
    sample: tuple[Cpl, Catalogue], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    # small chunks so that the file is written in three of them
    monkeypatch.setattr(synth, "CHUNK_HUBS", 100)
    path = tmp_path / f"fleet{suffix}"
    seen: list[int] = []
    rows = write_fleet(path, *sample, hubs=250, seed=5, as_of=AS_OF, progress=seen.append)
    assert rows == 500
    assert seen == [100, 200, 250]
    back = pl.read_parquet(path) if suffix == ".parquet" else pl.read_csv(path, schema=SCHEMA)
    assert back.equals(synth_fleet(*sample, hubs=250, seed=5, as_of=AS_OF))


def test_layout_is_chf_then_its_gpf(fleet: pl.DataFrame) -> None:
    assert fleet.columns == list(INVENTORY_COLUMNS)
    assert fleet.schema == SCHEMA
    chf, gpf = fleet[0::2], fleet[1::2]
    assert set(chf["device_type"]) == {"CHF"}
    assert set(gpf["device_type"]) == {"GPF"}
    # the CHF names its GPF, which is the next row and shares the Device Model and firmware
    assert chf["gpf_device_id"].equals(gpf["device_id"], check_names=False)
    assert gpf["gpf_device_id"].null_count() == gpf.height
    for col in ("manufacturer", "model", "firmware", "supplier", "csp_region", "han_variant"):
        assert chf[col].equals(gpf[col]), col
    assert fleet["device_id"].n_unique() == fleet.height


def test_the_inventory_reader_accepts_it_unchanged(fleet: pl.DataFrame) -> None:
    read = normalise_inventory(fleet, source="fleet")
    assert read.rejects.height == 0
    assert read.frame.equals(fleet)


def test_statuses_in_the_proportions_asked(fleet: pl.DataFrame) -> None:
    mix = FleetMix()
    chf = fleet.filter(pl.col("device_type") == "CHF")
    share = dict(chf.group_by("status").len().with_columns(pl.col("len") / chf.height).iter_rows())
    assert share["Pending"] == pytest.approx(mix.stock + mix.returned, abs=0.01)
    assert share["InstalledNotCommissioned"] == pytest.approx(mix.installed_not_commissioned, abs=0.005)
    assert share["Commissioned"] == pytest.approx(1 - mix.stock - mix.returned - 0.015, abs=0.01)


def test_only_hub_models_and_their_firmware(fleet: pl.DataFrame, sample: tuple[Cpl, Catalogue]) -> None:
    cpl, cat = sample
    ref = Reference(cpl, cat)
    hubs = {(e.manufacturer, e.model) for e in cpl.entries if e.device_type == "Communications Hub"}
    pairs = fleet.group_by("manufacturer", "model", "firmware").len()
    odd_model = odd_fw = 0
    for m, mo, fw, n in pairs.iter_rows():
        if (m, mo) not in hubs:
            odd_model += n
            continue
        rel = ref.releases(DeviceModel(m, mo))
        assert rel is not None
        if rel.get(fw) is None:
            odd_fw += n
    # the rare odd hubs, at about the rates asked (x2: each hub is two rows)
    mix = FleetMix()
    assert odd_model / fleet.height == pytest.approx(mix.unlisted_model, abs=0.0008)
    assert odd_fw / fleet.height == pytest.approx(mix.unknown_firmware, abs=0.001)


def test_stock_runs_the_firmware_production_ran_at_delivery(
    fleet: pl.DataFrame, sample: tuple[Cpl, Catalogue]
) -> None:
    # warehouse stock with a history was delivered on its one date; its firmware is N or N-1 then
    ref = Reference(*sample)
    stock = fleet.filter(
        (pl.col("device_type") == "CHF") & pl.col("status_history").str.contains(r"^Pending:[0-9-]+$")
    )
    assert stock.height > 200
    checked = 0
    for m, mo, fw, since in stock.select("manufacturer", "model", "firmware", "status_since").iter_rows():
        rel = ref.releases(DeviceModel(m, mo))
        if rel is None or rel.get(fw) is None:
            continue  # an odd hub
        w = support_window(rel, since, 1)
        assert fw in {w.n, w.n_minus_1} or w.n is None, (m, mo, fw, since)
        checked += 1
    assert checked > 200


def test_dates_and_histories_are_consistent(fleet: pl.DataFrame) -> None:
    assert fleet["status_since"].max() <= AS_OF  # type: ignore[operator]
    h = fleet.filter(pl.col("status_history").is_not_null())
    last = h["status_history"].str.extract(r"([A-Za-z]+):([0-9-]+)$", 1)
    assert last.equals(h["status"], check_names=False)
    kinds = set(h["status_history"].str.replace_all(r":[0-9-]+", ""))
    assert kinds == {
        "Pending",
        "Pending;InstalledNotCommissioned",
        "Pending;Commissioned;Decommissioned;Pending",
    }
    chf = fleet.filter(pl.col("device_type") == "CHF")
    # TSAT installation end: delivery + 48 months, delivery being the history's first date
    first = chf.filter(pl.col("status_history").is_not_null()).select(
        pl.col("status_history").str.extract(r"^Pending:([0-9-]+)", 1).str.to_date(), "tsat_install_end"
    )
    for delivered, tsat in first.head(300).iter_rows():
        assert tsat == add_months(delivered, 48)
    # some undated stock, some returned hubs, regions of both CSPs and the SMETS1 service
    assert chf.filter(pl.col("status_since").is_null()).height > 0
    assert {"North", "Central", "South", "SMETS1"} <= set(chf["csp_region"])


def test_bad_requests(sample: tuple[Cpl, Catalogue]) -> None:
    with pytest.raises(InputError, match="hubs"):
        synth_fleet(*sample, hubs=-1, seed=0, as_of=AS_OF)
    with pytest.raises(ReferenceDataMissing, match="no SMETS2 Communications Hub on or before 2000-01-01"):
        synth_fleet(*sample, hubs=1, seed=0, as_of=date(2000, 1, 1))
    with pytest.raises(ValueError, match="shares"):
        FleetMix(stock=0.9, returned=0.2)
    assert synth_fleet(*sample, hubs=0, seed=0, as_of=AS_OF).schema == SCHEMA


# -- a fleet that looks like the real one (issue 9) -------------------------------------------------


@pytest.fixture(scope="module")
def real_fleet(real_cpl: Cpl) -> pl.DataFrame:
    return synth_fleet(real_cpl, None, hubs=60_000, seed=2022, as_of=real_cpl.issued_on)


def test_regions_follow_the_csps(real_fleet: pl.DataFrame, real_cpl: Cpl) -> None:
    chf = real_fleet.filter(pl.col("device_type") == "CHF")
    ref = Reference(real_cpl)
    smets1 = {str(dm) for dm in ref.device_models() if getattr(ref.releases(dm), "smets1_hub", False)}
    regions = chf.with_columns(pl.concat_str("manufacturer", pl.lit("/"), "model").alias("dm")).with_columns(
        pl.col("csp_region").str.replace("4G ", "").alias("csp")
    )
    listed = regions.filter(
        pl.col("dm").is_in({str(dm) for dm in real_cpl.device_models("Communications Hub")})
    )
    by = dict(
        listed.filter(~pl.col("dm").is_in(smets1))
        .group_by("manufacturer")
        .agg(pl.col("csp").unique().sort())
        .iter_rows()
    )
    # Arqiva (North) delivers EDMI's hubs; Telefonica/VMO2 (Central and South) Toshiba's and WNC's
    assert by["106C"] == ["North"]
    for toshiba_or_wnc in ("1086", "1072", "5401"):
        assert by[toshiba_or_wnc] == ["Central", "South"]
    assert set(listed.filter(pl.col("dm").is_in(smets1))["csp_region"]) == {"SMETS1"}


def test_no_smets1_hub_is_dcc_stock(real_fleet: pl.DataFrame) -> None:
    chf = real_fleet.filter(pl.col("device_type") == "CHF")
    s1 = chf.filter(pl.col("csp_region") == "SMETS1")
    assert s1.height > 1000  # installed SMETS1 hubs are part of the fleet ...
    # ... but never pending, returned or waiting for commissioning, and they have no TSAT end date
    assert set(s1["status"]) <= {"Commissioned", "Decommissioned", "Withdrawn", "Suspended"}
    assert s1["tsat_install_end"].null_count() == s1.height


def test_a_model_listed_for_13_days_holds_almost_no_stock(real_fleet: pl.DataFrame) -> None:
    # 5401/57310001 was on the CPL from 2016-12-29 to 2017-01-11: deliveries are drawn day first, so it
    # gets hubs only on those days, and its pending hubs are a sliver of the pending stock
    pending = real_fleet.filter((pl.col("device_type") == "CHF") & (pl.col("status") == "Pending"))
    wnc_13_days = pending.filter((pl.col("manufacturer") == "5401") & (pl.col("model") == "57310001")).height
    assert wnc_13_days <= pending.height * 0.001
    # stock is young: its median age is near the mix's mean (240 days), not clipped to years-old models
    stock = pending.filter(pl.col("status_history").str.count_matches(";").fill_null(0) == 0)
    age = stock.select((pl.lit(date(2022, 9, 21)) - pl.col("status_since")).dt.total_days().median()).item()
    assert 100 < age < 300
