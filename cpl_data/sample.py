"""The project's own sample data: a CPL of fictional manufacturers, a catalogue, and a fleet on them.

The real CPL is never shipped. This sample has the same shape and the same kinds of mess
(an entry removed and replaced by a corrected one, a removal by certificate withdrawal, a
manufacturer whose numbering restarts so that its catalogue states the release order, an entry
the notes forget to name), so every command can be tried on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from cpl_data.catalogue import load_catalogue
from cpl_data.cpl import load_cpl
from cpl_data.cpl_writer import cpl_csv_text, history_csv_text, write_cpl_workbook
from cpl_data.csv_out import write_csv
from cpl_data.synth import FleetMix, synth_fleet
from eligibility.catalogue import Catalogue
from eligibility.cpl import Cpl, CplEntry, CplIssue

__all__ = [
    "SAMPLE_CATALOGUE_TOML",
    "SAMPLE_FLEET_AS_OF",
    "SAMPLE_FLEET_HUBS",
    "SAMPLE_FLEET_MIX",
    "SAMPLE_FLEET_SEED",
    "sample_cpl",
    "sample_fleet",
    "sample_inventory_csv",
    "sample_reference",
    "write_sample_reference",
]

HUB = "Communications Hub"


@dataclass(frozen=True)
class _Product:
    name: str
    device_type: str
    manufacturer: str
    model: str
    smets1: bool = False
    #: the vendor's version names its notes give beside the hex, as real notes do ("WNC 2.20")
    names: tuple[tuple[str, str], ...] = ()

    def spec(self, gbcs: str) -> str:
        """The SMETS or CHTS version that goes with a GBCS version, as real entries pair them."""
        if self.smets1:
            return "SMETS V1.2"  # a SMETS1 hub: enrolled through the DCC's SMETS1 service, never stock
        if self.device_type == HUB:
            return {"1.1": "CHTS V1.0", "2.0": "CHTS V1.1", "2.1": "CHTS V1.1"}.get(gbcs, "CHTS V1.3")
        return {"2.0": "SMETS V2.0", "2.1": "SMETS V3.1"}.get(gbcs, "SMETS V4.2")


_P = {
    "nw1": _Product("Northwind Hubs NH-100 Single Band SKU1", HUB, "F0A1", "A1010100"),
    "nw2": _Product("Northwind Hubs NH-200 Dual Band SKU2", HUB, "F0A1", "A1020100"),
    "cc": _Product("Contoso Comms CX-3 Communications Hub", HUB, "F0B2", "B2100300"),
    "fab": _Product("Fabrikam Metering FH-1 Communications Hub", HUB, "F0C3", "C3010101"),
    "gas": _Product("Tailspin Meters TG-4 Gas Smart Meter", "Gas Smart Meter", "F0D4", "D4200100"),
    "esme": _Product(
        "Tailspin Meters TE-1 Electricity Meter",
        "Single Element Electricity Metering Equipment",
        "F0D4",
        "D4100100",
    ),
    "ppmid": _Product("Wingtip Displays W3 PPMID", "Pre-Payment Interface Device", "F0E5", "E5300000"),
    # no catalogue describes it: its verdicts say what they assume
    "lw": _Product(
        "Litware LH-5 Communications Hub",
        HUB,
        "F0F6",
        "F6050100",
        names=(("01000000", "1.0"), ("01020003", "1.2"), ("01030001", "1.3"), ("02000004", "2.0")),
    ),
    "s1": _Product("Adatum S1 SMETS1 Communications Hub", HUB, "F0A7", "A7010100", smets1=True),
}

# (version, issue date, [(action, product, firmware, gbcs, note)]): action "add", "remove" (the
# latest entry of that product+firmware), "add-unnamed" (listed but the notes forget it),
# or "text" (a free sentence).
_ISSUES: list[tuple[str, date, list[tuple[str, str, str, str, str]]]] = [
    ("1.0", date(2019, 1, 15), [("text", "", "", "", "Initial blank version for publication.")]),
    (
        "1.1",
        date(2019, 2, 11),
        [
            ("add", "nw1", "01000000", "2.0", ""),
            ("add", "nw2", "01000000", "2.0", ""),
            ("add", "gas", "00010000", "2.0", ""),
        ],
    ),
    ("1.2", date(2019, 6, 3), [("add", "cc", "10150000", "2.0", ""), ("add", "esme", "00010000", "2.0", "")]),
    (
        "1.3",
        date(2019, 9, 16),
        [
            ("add", "nw1", "01010000", "2.0", "updated firmware"),
            ("add", "nw2", "01010000", "2.0", "updated firmware"),
        ],
    ),
    (
        "1.4",
        date(2020, 3, 2),
        [("add", "fab", "0A000001", "1.1", ""), ("add", "ppmid", "01000000", "2.0", "")],
    ),
    (
        "1.5",
        date(2020, 5, 18),
        [
            ("add", "nw1", "01020000", "2.0", "updated firmware"),
            ("add", "nw2", "01020000", "2.0", "updated firmware"),
        ],
    ),
    (
        "1.6",
        date(2020, 11, 9),
        [("add", "cc", "10200000", "2.0", "updated firmware"), ("add", "lw", "01000000", "2.0", "")],
    ),
    (
        "1.7",
        date(2021, 4, 12),
        [
            ("add", "nw1", "02000000", "2.1", "updated firmware"),
            ("add", "nw2", "02000000", "2.1", "updated firmware"),
            ("add", "fab", "0A010001", "1.1", "updated firmware"),
        ],
    ),
    (
        "1.8",
        date(2021, 9, 20),
        [
            ("remove", "fab", "0A000001", "", ""),
            ("text", "", "", "", "The CPA Certificate for the listed Device Model was withdrawn by NCSC."),
        ],
    ),
    (
        "1.9",
        date(2022, 2, 14),
        [
            ("add", "nw1", "02010000", "2.1", "updated firmware"),
            ("add", "nw2", "02010000", "2.1", "updated firmware"),
        ],
    ),
    (
        "1.10",
        date(2022, 3, 1),
        [
            (
                "remove",
                "nw1",
                "02010000",
                "",
                "Incorrect details submitted. A revised entry is provided as entry number {next}",
            ),
            ("add", "nw1", "02010000", "2.1", "corrected details"),
        ],
    ),
    (
        "1.11",
        date(2022, 8, 22),
        [
            ("add", "cc", "11030000", "2.1", "updated firmware"),
            ("add", "lw", "01020003", "2.1", "updated firmware"),
        ],
    ),
    (
        "1.12",
        date(2023, 1, 16),
        [
            ("remove", "fab", "0A010001", "", ""),
            ("text", "", "", "", "Removed following approval by the Security Sub-Committee (SSC)."),
            ("add", "s1", "00120000", "0.0", ""),
        ],
    ),
    (
        "1.13",
        date(2023, 6, 5),
        [
            ("add", "nw1", "02020000", "2.1", "updated firmware"),
            ("add", "nw2", "02020000", "2.1", "updated firmware"),
        ],
    ),
    (
        "1.14",
        date(2023, 11, 20),
        [
            ("add", "cc", "0B000007", "3.2", "new firmware numbering"),
            ("remove", "lw", "01020003", "", "defect identified"),
            ("add", "lw", "01030001", "2.1", "updated firmware"),
        ],
    ),
    (
        "1.15",
        date(2024, 9, 9),
        [
            ("add", "nw1", "03000000", "3.2", "updated firmware"),
            ("add", "nw2", "03000000", "3.2", "updated firmware"),
        ],
    ),
    (
        "1.16",
        date(2025, 3, 10),
        [
            ("add", "cc", "0B010002", "3.2", "updated firmware"),
            ("add", "s1", "00130000", "0.0", "updated firmware"),
        ],
    ),
    (
        "1.17",
        date(2025, 11, 3),
        [
            ("add", "nw1", "03010000", "3.2", "updated firmware"),
            ("add", "lw", "02000004", "3.2", "updated firmware"),
        ],
    ),
    (
        "1.18",
        date(2026, 4, 20),
        [
            ("add", "gas", "00020000", "3.2", "updated firmware"),
            ("add", "ppmid", "01010000", "3.2", "updated firmware"),
        ],
    ),
    ("1.19", date(2026, 10, 15), [("add-unnamed", "cc", "0B020001", "3.2", "")]),
]

_COUNT = ["No", "One", "Two", "Three", "Four", "Five", "Six"]


def _hexcolon(fw: str) -> str:
    return ":".join(fw[i : i + 2] for i in range(0, 8, 2))


def sample_cpl() -> Cpl:
    """The sample CPL (version 1.19 of a fictional list), entries undated: import dates them."""
    entries: dict[int, CplEntry] = {}
    latest: dict[tuple[str, str], int] = {}
    history: list[CplIssue] = []
    number = 0
    for version, issued, actions in _ISSUES:
        added_lines: list[str] = []
        removed_lines: list[str] = []
        text_lines: list[str] = []
        unnamed = 0
        for action, key, fw, gbcs, note in actions:
            if action == "text":
                text_lines.append(note)
                continue
            p = _P[key]
            if action in ("add", "add-unnamed"):
                number += 1
                entries[number] = CplEntry(
                    number=number,
                    status="Current",
                    device_type=p.device_type,
                    manufacturer=p.manufacturer,
                    model=p.model,
                    firmware=fw,
                    smets_chts=p.spec(gbcs),
                    gbcs=f"GBCS Version {gbcs}",
                )
                latest[(key, fw)] = number
                if action == "add":
                    suffix = f" ({note})" if note else ""
                    name = dict(p.names).get(fw)
                    shown = f"{name} {_hexcolon(fw)}" if name else _hexcolon(fw)
                    added_lines.append(f"{number:06d} - {p.name} {shown}{suffix}")
                else:
                    unnamed += 1
            else:
                n = latest[(key, fw)]
                entries[n] = entries[n].model_copy(update={"status": "Removed"})
                why = f" ({note.format(next=f'{number + 1:06d}')})" if note else ""
                removed_lines.append(f"{n:06d} - {p.name} {_hexcolon(fw)}{why}")
        parts: list[str] = []
        if removed_lines:
            s = "s" if len(removed_lines) > 1 else ""
            parts.append(f"{_COUNT[len(removed_lines)]} Device Model{s} removed:")
            parts += removed_lines
        n_added = len(added_lines) + unnamed
        if n_added:
            s = "s" if n_added > 1 else ""
            parts.append(f"{_COUNT[n_added]} New Device Model{s} added:")
            parts += added_lines
        parts += text_lines
        history.append(CplIssue(version=version, issued_on=issued, notes="\n".join(parts)))
    return Cpl(
        version=_ISSUES[-1][0],
        issued_on=_ISSUES[-1][1],
        entries=tuple(entries[k] for k in sorted(entries)),
        history=tuple(history),
    )


SAMPLE_CATALOGUE_TOML = """\
# hubcheck sample firmware catalogue, for the sample CPL of fictional manufacturers.
# Dates are TOML dates (YYYY-MM-DD). See docs/formats.md, "The firmware catalogue".
name = "sample catalogue 2026-11"

[[model]]
manufacturer = "F0A1"
model = "A1010100"            # Northwind NH-100 SKU1
display_format = "quad"

[[model.release]]
firmware = "01000000"
withdrawn_on = 2023-01-01     # the image is no longer distributed

[[model.release]]
firmware = "01020000"
stepping_stone = true         # every older hub must pass through it
image_size = 380000

[[model.release]]
firmware = "02000000"
min_source = "01020000"
image_size = 410000

[[model.release]]
firmware = "02010000"
image_size = 415000

[[model.release]]
firmware = "02020000"
image_size = 420000

[[model.release]]
firmware = "03000000"
pilot_from = 2024-09-09
production_from = 2024-10-01
min_source = "02000000"
image_size = 450000

[[model.release]]
firmware = "03010000"
pilot_from = 2025-11-03
production_from = 2026-12-15  # in pilot now: the window's N+1
image_size = 455000

[[model.release]]
firmware = "03020000"
future = true                 # announced, not yet on the CPL
pilot_from = 2027-03-01
production_from = 2027-05-01

[[model]]
manufacturer = "F0A1"
model = "A1020100"            # Northwind NH-200 SKU2
display_format = "quad"

[[model.release]]
firmware = "01020000"
stepping_stone = true
withdrawn_on = 2024-06-30     # hubs still below it strand on this date

[[model.release]]
firmware = "02000000"
min_source = "01020000"

[[model]]
manufacturer = "F0B2"
model = "B2100300"            # Contoso CX-3: BCD versions, numbering restarted at 0B
display_format = "bcd"
# its numbers do not rise with time (the 0B series came after the 1x one), so the order is stated
order = ["10150000", "10200000", "11030000", "0B000007", "0B010002", "0B020001"]

[[model.release]]
firmware = "0B000007"
min_source = "10200000"
image_size = 512000

[[model.release]]
firmware = "0B010002"
sources = ["0B000007"]        # a delta image: only from 0B000007
image_size = 96000

[[model.release]]
firmware = "0B020001"
sources = ["0B010002"]
image_size = 88000
"""


def sample_reference() -> tuple[Cpl, Catalogue]:
    """The sample CPL dated from its own Version Control notes (as an import dates it), and its catalogue."""
    cpl = sample_cpl()
    imported = load_cpl(
        cpl_csv_text(cpl).encode(),
        source="sample-cpl.csv",
        history=history_csv_text(cpl).encode(),
        history_source="sample-cpl-version-control.csv",
    )
    cat = load_catalogue(SAMPLE_CATALOGUE_TOML.encode(), source="sample-catalogue.toml", cpl=imported.cpl)
    return imported.cpl, cat.catalogue


#: The sample fleet: a few hundred hubs on the sample CPL, richer in odd cases than a real fleet so
#: that every reason code shows up at its date.
SAMPLE_FLEET_HUBS = 300
SAMPLE_FLEET_SEED = 2026
SAMPLE_FLEET_AS_OF = date(2026, 11, 1)
SAMPLE_FLEET_MIX = FleetMix(
    stock=0.35,
    returned=0.1,
    installed_not_commissioned=0.05,
    other=0.05,
    stock_undated=0.05,
    gpf_later=0.05,
    gpf_undated=0.02,
    unknown_firmware=0.02,
    unlisted_model=0.01,
    wrong_type_model=0.01,
    north=frozenset({"F0A1"}),  # Northwind's hubs come from the North CSP, the others from Central and South
)


def sample_fleet() -> pl.DataFrame:
    """The sample fleet (``sample/sample-fleet.csv``): two inventory rows per hub, CHF then GPF."""
    cpl, cat = sample_reference()
    return synth_fleet(cpl, cat, SAMPLE_FLEET_HUBS, SAMPLE_FLEET_SEED, SAMPLE_FLEET_AS_OF, SAMPLE_FLEET_MIX)


def write_sample_reference(directory: Path, *, workbook: bool = False) -> dict[str, Path]:
    """Write the sample CPL (CSV export and Version Control CSV), catalogue and fleet.

    With ``workbook`` also the CPL as an .xlsx (not deterministic byte for byte: openpyxl
    stamps the time, so it is not committed).
    """
    directory.mkdir(parents=True, exist_ok=True)
    cpl = sample_cpl()
    out = {
        "cpl": directory / "sample-cpl.csv",
        "history": directory / "sample-cpl-version-control.csv",
        "catalogue": directory / "sample-catalogue.toml",
    }
    out["cpl"].write_text(cpl_csv_text(cpl), encoding="utf-8", newline="")
    out["history"].write_text(history_csv_text(cpl), encoding="utf-8", newline="")
    if workbook:
        out["workbook"] = directory / "sample-cpl.xlsx"
        write_cpl_workbook(cpl, out["workbook"])
    out["catalogue"].write_text(SAMPLE_CATALOGUE_TOML, encoding="utf-8")
    out["fleet"] = directory / "sample-fleet.csv"
    write_csv(sample_fleet(), out["fleet"])
    return out


def sample_inventory_csv(hubs: int, supplier: str = "Northwind Energy", *, start: int = 0x10_0000) -> bytes:
    """``hubs`` Pending CHFs of the sample CPL's F0A1/A1010100 as inventory CSV, built columnar.

    Device IDs count up from ``start``; firmware cycles through an in-window, an upgradable and an
    older version, and status dates through three ages: a load for the service's tests and
    benchmark (a realistic fleet is ``hubcheck synth``).
    """
    import polars as pl

    ids = pl.int_range(start, start + hubs, eager=True)
    hexed = ids.map_elements(lambda i: f"{i:016X}", return_dtype=pl.String)
    frame = pl.DataFrame(
        {
            "device_id": hexed.str.replace(r"^(..)(..)(..)(..)(..)(..)(..)(..)$", "$1-$2-$3-$4-$5-$6-$7-$8"),
            "manufacturer": ["F0A1"] * hubs,
            "model": ["A1010100"] * hubs,
            "firmware": pl.Series(["03000000", "02000000", "02020000", "01020000"]).gather(ids % 4),
            "status": ["Pending"] * hubs,
            "status_since": pl.Series(["2026-09-01", "2026-03-15", "2025-10-01"]).gather(ids % 3),
            "supplier": [supplier] * hubs,
        }
    )
    return frame.write_csv().encode()
