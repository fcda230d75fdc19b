"""The TOML catalogue: parsed, validated with line numbers, checked against the CPL."""

from __future__ import annotations

from datetime import date

import pytest

from cpl_data.catalogue import load_catalogue
from cpl_data.cpl import CplImport
from cpl_data.sample import SAMPLE_CATALOGUE_TOML
from eligibility.cpl import Cpl
from eligibility.errors import DataError
from tests.conftest import SAMPLE_DIR

GOOD = """\
[[model]]
manufacturer = "1086"
model = "54311F52"
display_format = "quad"

[[model.release]]
firmware = "0C1D0000"
stepping_stone = true
withdrawn_on = 2024-01-01

[[model.release]]
firmware = "0D050002"
pilot_from = 2022-08-30
production_from = 2022-10-01
image_size = 412000
min_source = "0C1D0000"
"""


def test_product_md_example_reads(real_cpl: Cpl) -> None:
    cat = load_catalogue(GOOD.encode(), source="c.toml", cpl=real_cpl).catalogue
    m = cat.models[0]
    assert m.display_format == "quad"
    r = m.release("0D050002")
    assert r is not None
    assert (r.pilot_from, r.production_from, r.image_size, r.min_source) == (
        date(2022, 8, 30),
        date(2022, 10, 1),
        412000,
        "0C1D0000",
    )
    step = m.release("0C1D0000")
    assert step is not None
    assert step.stepping_stone
    assert step.withdrawn_on == date(2024, 1, 1)


def test_every_problem_reported_with_its_line(real_cpl: Cpl) -> None:
    bad = """\
[[model]]
manufacturer = "1086"
model = "54311F5"
display_format = "semver"

[[model.release]]
firmware = "0C1D000G"
image_size = -4
colour = "red"
"""
    with pytest.raises(DataError) as info:
        load_catalogue(bad.encode(), source="bad.toml", cpl=real_cpl)
    got = {(p.line, p.column) for p in info.value.problems}
    assert got == {
        (3, "model[0].model"),
        (4, "model[0].display_format"),
        (7, "model[0].release[0].firmware"),
        (8, "model[0].release[0].image_size"),
        (9, "model[0].release[0].colour"),
    }
    text = str(info.value)
    assert "line 3, column model[0].model" in text
    assert "8 hex digits" in text


def test_toml_syntax_error_has_its_line() -> None:
    with pytest.raises(DataError) as info:
        load_catalogue(b'[[model]]\nmanufacturer = "1086\n', source="x.toml")
    assert info.value.problems[0].line == 2


def test_catalogue_must_agree_with_the_cpl(real_cpl: Cpl) -> None:
    text = """\
[[model]]
manufacturer = "1086"
model = "54311F52"

[[model.release]]
firmware = "0D050003"

[[model.release]]
firmware = "0D060000"
future = true
min_source = "0C1D0001"

[[model]]
manufacturer = "FFFF"
model = "00000000"

[[model.release]]
firmware = "01000000"
"""
    with pytest.raises(DataError) as info:
        load_catalogue(text.encode(), source="x.toml", cpl=real_cpl)
    problems = {(p.line, p.column): p.message for p in info.value.problems}
    assert "never listed on CPL 2.051" in problems[(6, "model[0].release[0].firmware")]
    assert "min_source names 0C1D0001" in problems[(11, "model[0].release[1].min_source")]
    assert "not on CPL 2.051" in problems[(15, "model[1].model")]
    assert len(problems) == 3  # the declared future release itself is fine


def test_sample_catalogue_agrees_with_sample_cpl(sample_import: CplImport) -> None:
    text = (SAMPLE_DIR / "sample-catalogue.toml").read_text(encoding="utf-8")
    assert text == SAMPLE_CATALOGUE_TOML
    imp = load_catalogue(text.encode(), source="sample-catalogue.toml", cpl=sample_import.cpl)
    assert imp.summary()["future_releases"] == 1
    assert imp.catalogue.name == "sample catalogue 2026-11"


ORDERED = """\
[[model]]
manufacturer = "106C"
model = "433400DB"
order = [{order}]
"""


def test_a_stated_order_must_name_every_version_once(real_cpl: Cpl) -> None:
    # 106C/433400DB has one entry (20D0D3F6); the order names it, and a version it never had
    ok = load_catalogue(ORDERED.format(order='"20D0D3F6"').encode(), cpl=real_cpl).catalogue
    assert ok.models[0].order == ("20D0D3F6",)
    with pytest.raises(DataError) as err:
        load_catalogue(ORDERED.format(order='"01000000"').encode(), source="c.toml", cpl=real_cpl)
    text = str(err.value)
    assert "line 4" in text
    assert "names 01000000, not a version of 106C/433400DB" in text
    assert "leaves out 20D0D3F6" in text
    with pytest.raises(DataError, match="more than once"):
        load_catalogue(ORDERED.format(order='"20D0D3F6", "20d0d3f6"').encode(), cpl=real_cpl)


def test_the_sample_catalogue_orders_the_restarted_numbering(sample_import: CplImport) -> None:
    from eligibility.identifiers import DeviceModel
    from eligibility.reference import Reference

    cat = load_catalogue(SAMPLE_CATALOGUE_TOML.encode(), cpl=sample_import.cpl).catalogue
    rel = Reference(sample_import.cpl, cat).releases(DeviceModel("F0B2", "B2100300"))
    assert rel is not None
    # numerically 0B... < 10...: the catalogue's order puts the 0B series last
    assert [r.firmware for r in rel.releases] == [
        "10150000", "10200000", "11030000", "0B000007", "0B010002", "0B020001",
    ]  # fmt: skip
