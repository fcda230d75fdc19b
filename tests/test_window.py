"""Release order and the support window, on real hub models of CPL v2.051."""

from __future__ import annotations

from datetime import date

import pytest

from eligibility.catalogue import Catalogue, CatalogueModel, CatalogueRelease
from eligibility.cpl import Cpl
from eligibility.identifiers import DeviceModel
from eligibility.reference import Reference
from eligibility.window import support_window

TOSHIBA_SKU1 = DeviceModel("1086", "54311F52")
TOSHIBA_SKU3_FIRST = DeviceModel("1086", "54332152")
TOSHIBA_SKU1_60 = DeviceModel("1086", "54312260")
EDMI_REV_C = DeviceModel("106C", "433100AC")
WNC_0001 = DeviceModel("5401", "57310001")
WNC_0100 = DeviceModel("1072", "57310100")
WNC_0101 = DeviceModel("1072", "57310101")
TOSHIBA_SKU3 = DeviceModel("1086", "54342152")


def test_release_order_is_numeric_not_listing_order(real_reference: Reference) -> None:
    rel = real_reference.releases(EDMI_REV_C)
    assert rel is not None
    order = [r.firmware for r in rel.releases]
    # EDMI listed 1220665A ("1.34") after 124074DA ("1.36"): the numbers, and the vendor's names, say 1.34 is older
    assert order == sorted(order, key=lambda fw: int(fw, 16))
    assert order[:6] == ["1220665A", "124074DA", "12407768", "125080E0", "125083AE", "126094D0"]
    # 125083AE has two entries (40 and 128); it is listed from the earlier one
    r = rel.get("125083AE")
    assert r is not None
    assert [e.number for e in r.entries] == [40, 128]
    assert r.listed_on == date(2017, 8, 23)


@pytest.mark.parametrize(
    ("model", "on", "n", "n_minus_1", "why"),
    [
        # issue 9: entry 1 (124074DA) was on the first issue (2016-10-28, inferred); 1220665A listed 2016-11-07;
        # 12407768 only on 2016-12-20
        (EDMI_REV_C, date(2016, 12, 1), "124074DA", "1220665A", "numeric order, not listing order"),
        # issue 9: 02140003 ("2.20") listed 2019-10-22, after 030A0001 (2019-08-28)
        (WNC_0101, date(2019, 11, 1), "030A0001", "02140003", "numeric order, not listing order"),
        # the sibling listed them the other way round: the same answer
        (WNC_0100, date(2019, 11, 1), "030A0001", "02140003", "listing order agrees here"),
        # Toshiba listed 000A7200 (entry 11) and 000A7100 (entry 12) the same day
        (TOSHIBA_SKU3, date(2016, 11, 18), "000A7200", "000A7100", "entry number is not release order"),
    ],
)
def test_issue_9_windows(
    real_reference: Reference, model: DeviceModel, on: date, n: str, n_minus_1: str, why: str
) -> None:
    rel = real_reference.releases(model)
    assert rel is not None
    w = support_window(rel, on)
    assert (w.n, w.n_minus_1) == (n, n_minus_1), why


@pytest.mark.parametrize(
    ("model", "on", "n", "n_minus_1", "why"),
    [
        # entry 4 (no note adds it: on the first issue, 2016-10-28) is the only version at first
        (TOSHIBA_SKU3_FIRST, date(2016, 11, 6), "000A6900", None, "only entry 4"),
        (TOSHIBA_SKU3_FIRST, date(2016, 11, 10), "000A7100", "000A6900", "entry 7 listed 2016-11-07"),
        # the removal of entry 7 (v1.4, 2016-11-18) takes N back to 000A6900
        (TOSHIBA_SKU3_FIRST, date(2016, 11, 18), "000A6900", None, "entry 7 removed: a removal changes N"),
        (TOSHIBA_SKU1, date(2022, 8, 29), "0C240000", "0C1D0000", "before the Compal/Inventec 13.5 entries"),
        (TOSHIBA_SKU1, date(2022, 8, 30), "0D050002", "0C240000", "entry 715 listed in v2.045"),
        (TOSHIBA_SKU1, date(2026, 11, 28), "0D050002", "0C240000", "nothing later on CPL 2.051"),
        (EDMI_REV_C, date(2017, 8, 1), "125080E0", "12407768", "entry 24 listed 2017-07-17"),
        # entry 24 removed and its replacement 40 listed the same day (v1.22)
        (EDMI_REV_C, date(2017, 8, 23), "125083AE", "12407768", "24 removed, 40 listed"),
        # entry 629 is removed on 2022-08-25, but entry 710 (listed the day before) keeps 0C240000 on the CPL
        (TOSHIBA_SKU1_60, date(2022, 8, 25), "0C240000", None, "710 keeps it listed"),
        (TOSHIBA_SKU1_60, date(2022, 8, 30), "0D050002", "0C240000", "717 listed"),
    ],
)
def test_real_windows(
    real_reference: Reference, model: DeviceModel, on: date, n: str, n_minus_1: str | None, why: str
) -> None:
    rel = real_reference.releases(model)
    assert rel is not None
    w = support_window(rel, on)
    assert (w.n, w.n_minus_1, w.n_plus_1) == (n, n_minus_1, None), why
    assert w.members == tuple(x for x in (n_minus_1, n) if x)


def test_no_version_in_production_leaves_an_empty_window(real_reference: Reference) -> None:
    rel = real_reference.releases(WNC_0001)  # its only entry (15) was removed in v1.8
    assert rel is not None
    assert support_window(rel, date(2017, 1, 10)).n == "010C0000"
    w = support_window(rel, date(2017, 1, 11))
    assert (w.n, w.members) == (None, ())


def test_window_back_reaches_further(real_reference: Reference) -> None:
    rel = real_reference.releases(TOSHIBA_SKU1)
    assert rel is not None
    w = support_window(rel, date(2022, 9, 1), window_back=3)
    assert w.older == ("0C240000", "0C1D0000", "0B1F0000")
    assert w.role("0B1F0000") == "N-3"
    assert w.members == ("0B1F0000", "0C1D0000", "0C240000", "0D050002")
    assert support_window(rel, date(2022, 9, 1), window_back=0).members == ("0D050002",)
    with pytest.raises(ValueError, match="window_back"):
        support_window(rel, date(2022, 9, 1), window_back=-1)


def _cat(*releases: CatalogueRelease) -> Catalogue:
    return Catalogue(models=(CatalogueModel(manufacturer="1086", model="54311F52", releases=releases),))


def test_catalogue_gives_n_plus_1_and_holds_back_production(real_cpl: Cpl) -> None:
    # 0D050002 in pilot from 2022-08-30, production from 2022-10-01
    cat = _cat(
        CatalogueRelease(firmware="0D050002", pilot_from=date(2022, 8, 30), production_from=date(2022, 10, 1))
    )
    rel = Reference(real_cpl, cat).releases(TOSHIBA_SKU1)
    assert rel is not None
    w = support_window(rel, date(2022, 9, 15))
    assert (w.n_minus_1, w.n, w.n_plus_1) == ("0C1D0000", "0C240000", "0D050002")
    assert w.role("0D050002") == "N+1"
    w = support_window(rel, date(2022, 10, 1))
    assert (w.n_minus_1, w.n, w.n_plus_1) == ("0C240000", "0D050002", None)


def test_not_in_pilot_is_not_n_plus_1(real_cpl: Cpl) -> None:
    # on the CPL but production only later, and no pilot date: neither N nor N+1
    cat = _cat(CatalogueRelease(firmware="0D050002", production_from=date(2022, 10, 1)))
    rel = Reference(real_cpl, cat).releases(TOSHIBA_SKU1)
    assert rel is not None
    w = support_window(rel, date(2022, 9, 15))
    assert (w.n, w.n_plus_1) == ("0C240000", None)


def test_future_release_is_never_in_the_window(real_cpl: Cpl) -> None:
    cat = _cat(CatalogueRelease(firmware="0E000000", future=True, pilot_from=date(2023, 1, 1)))
    rel = Reference(real_cpl, cat).releases(TOSHIBA_SKU1)
    assert rel is not None
    assert rel.releases[-1].firmware == "0E000000"
    assert rel.releases[-1].future
    w = support_window(rel, date(2024, 1, 1))
    assert "0E000000" not in w.members
