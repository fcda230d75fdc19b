"""Every CLI command fed bad input by hypothesis: exit 2 with a message, no traceback, the store unchanged.

Each input is bad by construction: a wrong type, a value past its bounds, a date out of range or
in a foreign form, a binary or truncated file, a formula or a unicode trick in a checked cell, an
unknown option. Every command answers exit 2 with a message on stderr that names no library's
internals, and the store (every table but the audit trail, where refusals are recorded on
purpose) is what it was. The module prints how many inputs it tried.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.cli import main
from tests.conftest import SAMPLE_DIR, SUMMARY

FLEET: Final = SAMPLE_DIR / "sample-fleet.csv"
CPL: Final = SAMPLE_DIR / "sample-cpl.csv"
CATALOGUE: Final = SAMPLE_DIR / "sample-catalogue.toml"
INTERNALS: Final = re.compile(
    r"\b[A-Z][A-Za-z]*(Error|Exception|Invalid)\b:|Traceback|polars|pyarrow|sqlalchemy"
)
TRIED: list[str] = []
#: In CI the same inputs every run (a red run is then the code's doing); elsewhere new ones each time.
FIXED: Final = bool(os.environ.get("CI"))

# -- the store, and what "unchanged" means ----------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'hubcheck.sqlite'}"
    history = str(SAMPLE_DIR / "sample-cpl-version-control.csv")
    assert main(["--db", url, "cpl", "import", str(CPL), "--history", history]) == 0
    assert main(["--db", url, "catalogue", "import", str(CATALOGUE)]) == 0
    assert main(["--db", url, "inventory", "import", str(FLEET)]) == 0
    assert main(["--db", url, "keys", "create", "--role", "dcc", "--label", "fuzz"]) == 0
    return url


@pytest.fixture(scope="module", autouse=True)
def _count() -> Iterator[None]:
    yield
    if TRIED:
        SUMMARY.append(f"CLI bad-input suite: {len(TRIED)} inputs tried over {len(set(TRIED))} commands")


def fingerprint(url: str) -> str:
    """Every row of every table but ``audit``, hashed (refusals are audited by design)."""
    path = url.removeprefix("sqlite:///")
    digest = hashlib.sha256()
    with sqlite3.connect(path) as conn:
        tables = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        for t in tables:
            if t == "audit":
                continue
            rows = conn.execute(f'SELECT * FROM "{t}"').fetchall()
            digest.update(t.encode() + repr(sorted(map(repr, rows))).encode())
    return digest.hexdigest()


def refused(db: str, command: str, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Run ``argv``; hold the answer to exit 2, a message, no internals, the store unchanged."""
    TRIED.append(command)
    before = fingerprint(db)
    code = main(["--db", db, *argv])
    out, err = capsys.readouterr()
    assert code == 2, f"{argv!r} -> exit {code}\n{out}\n{err}"
    assert err.strip(), f"{argv!r}: no message"
    assert not INTERNALS.search(err), f"{argv!r}: {err}"
    assert fingerprint(db) == before, f"{argv!r} changed the store"


# -- bad values -------------------------------------------------------------------------------

#: Invisible and not blank (a no-break space is a space: statuses ignore spaces on purpose).
_UNICODE_TRICKS: Final = ["\u200b", "\u202e", "\ufeff", "\u2060", "\u200d"]


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in text)


def tricked(valid: str) -> st.SearchStrategy[str]:
    """``valid`` spoiled so that a person would not see it: zero-width, fullwidth, lookalikes.

    Inside the value only: blanks at its edges are trimmed on purpose (a copied cell often has one).
    """
    return st.one_of(
        st.builds(
            lambda i, z: valid[:i] + z + valid[i:],
            st.integers(1, len(valid) - 1),
            st.sampled_from(_UNICODE_TRICKS),
        ),
        st.just(_fullwidth(valid)).filter(lambda s: s != valid),
        st.just(valid.replace("A", "\u0410").replace("E", "\u0415").replace("0", "\u041e")).filter(
            lambda s: s != valid
        ),
    )


FAR_DATES = st.one_of(
    st.dates(max_value=date(1989, 12, 31)),
    st.dates(min_value=date(2101, 1, 1)),
).map(date.isoformat)
_FOREIGN: Final = ["20261105", "2026-W48-1", "28/11/2026", "2026-11-28T00:00", "2026-02-30", "2026-13-01",
                   "+10000-01-01", "٢٠٢٦-١١-٢٨", "", " ", "today", "2026-11-2"]  # fmt: skip
FOREIGN_DATES = st.one_of(
    st.sampled_from(_FOREIGN),
    tricked("2026-11-28"),
)
BAD_DATES = st.one_of(FAR_DATES, FOREIGN_DATES)
NOT_INTS = st.one_of(
    st.sampled_from(["abc", "1.5", "", "0x10", "1e3", "٣", "１２", "nan", "--1"]),
    st.integers(max_value=-1).map(str),
)
HUGE_INTS = st.integers(min_value=10**9, max_value=10**40).map(str)
BAD_FLOATS = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e309", "abc", "", "1,5", "-0.01"]),
    st.floats(min_value=1e5, max_value=1e300).map(repr),
    st.floats(max_value=-1e-6, min_value=-1e300).map(repr),
)
_NOT_POLICIES: Final = ["forever", "months=0", "months=-1", "months=abc", "months=999999999999",
                        "exclude=XYZ", "sec-ac-7.3", "", ";", "months=x;exclude=CHF"]  # fmt: skip
BAD_POLICIES = st.one_of(
    st.sampled_from(_NOT_POLICIES),
    tricked("secmp0060"),
)
BAD_IDS = st.one_of(
    st.sampled_from(
        ["", "10-F0-A1", "10-F0-A1-02-78-DD-E6-C4-00", "ZZ-F0-A1-02-78-DD-E6-C4", "10_F0_A1_02_78_DD_E6_C4"]
    ),
    tricked("10-F0-A1-02-78-DD-E6-C4"),
    st.text(min_size=1, max_size=40).filter(
        lambda s: not re.fullmatch(r"[0-9A-Fa-f-]+", s) and not s.startswith("-")
    ),
)
BAD_HEX4 = st.one_of(st.sampled_from(["F0A", "F0A1F", "GGGG", "", "0xF0A1"]), tricked("F0A1"))
BAD_HEX8 = st.one_of(st.sampled_from(["A101010", "A10101000", "A101G100", ""]), tricked("A1010100"))
BAD_FIRMWARE = st.one_of(st.sampled_from(["", "123456789", "0G000000", "v3.0"]), tricked("03000000"))

_HUB = ["--manufacturer", "F0A1", "--model", "A1010100", "--firmware", "03000000"]


def _with(base: list[str], option: str, value: str) -> list[str]:
    return [*base, f"{option}={value}"] if value.startswith("-") else [*base, option, value]


#: For each command, options and the bad values they are given: (command, argv, option, values).
OPTIONS: Final[list[tuple[str, list[str], str, st.SearchStrategy[str]]]] = [
    ("check", _HUB, "--install-date", BAD_DATES),
    ("check", _HUB, "--status-since", BAD_DATES),
    ("check", _HUB, "--tsat-install-end", BAD_DATES),
    ("check", _HUB, "--gpf-status-since", BAD_DATES),
    ("check", _HUB, "--history", st.builds(lambda d: f"Pending:{d}", FAR_DATES)),
    ("check", _HUB, "--policy", BAD_POLICIES),
    ("check", _HUB, "--window-back", st.one_of(NOT_INTS, HUGE_INTS)),
    ("check", _HUB, "--max-hops", st.one_of(NOT_INTS, HUGE_INTS, st.just("0"))),
    (
        "check",
        _HUB,
        "--status",
        st.one_of(st.sampled_from(["Installed", "", "PENDING!"]), tricked("Pending")),
    ),
    ("check", _HUB, "--device-type", st.sampled_from(["METER", "", "C\u200bHF", "CHF-GPF"])),
    ("check", ["--manufacturer", "F0A1", "--model", "A1010100"], "--firmware", BAD_FIRMWARE),
    ("check", ["--model", "A1010100", "--firmware", "03000000"], "--manufacturer", BAD_HEX4),
    ("check", ["--manufacturer", "F0A1", "--firmware", "03000000"], "--model", BAD_HEX8),
    ("check", [], "", BAD_IDS),  # a DEVICE_ID argument
    ("plan", _HUB, "--install-date", BAD_DATES),
    ("plan", ["--manufacturer", "F0A1", "--model", "A1010100"], "--firmware", BAD_FIRMWARE),
    ("cpl versions", ["--manufacturer", "F0A1", "--model", "A1010100"], "--date", BAD_DATES),
    ("cpl versions", ["--model", "A1010100"], "--manufacturer", BAD_HEX4),
    ("cpl versions", ["--manufacturer", "F0A1", "--model", "A1010100"], "--window-back", NOT_INTS),
    (
        "cpl versions",
        ["--manufacturer", "F0A1", "--model", "A1010100"],
        "--cpl-version",
        st.sampled_from(["9.99", "", "1.19\u200b"]),
    ),
    ("batch", [str(FLEET), "-o", "{tmp}/v.csv"], "--install-date", BAD_DATES),
    ("batch", [str(FLEET), "-o", "{tmp}/v.csv"], "--policy", BAD_POLICIES),
    (
        "batch",
        [str(FLEET), "-o", "{tmp}/v.csv"],
        "--chunk-rows",
        st.one_of(NOT_INTS, HUGE_INTS, st.just("10")),
    ),
    ("batch", [str(FLEET), "-o", "{tmp}/v.csv"], "--format", st.sampled_from(["xlsx", "CSV ", "", "json"])),
    ("batch", [str(FLEET)], "-o", st.sampled_from(["/nonexistdir/v.csv", "{tmp}", "/proc/v.csv"])),
    ("charging", [str(FLEET)], "--date", BAD_DATES),
    ("charging", [str(FLEET), "--date", "2026-11-28"], "--tariff", BAD_FLOATS),
    (
        "charging",
        [str(FLEET), "--date", "2026-11-28"],
        "--return-redeployable",
        st.sampled_from(["-1", "abc", ""]),
    ),
    ("charging", [str(FLEET), "--date", "2026-11-28"], "--policy", BAD_POLICIES),
    (
        "charging",
        [str(FLEET), "--date", "2026-11-28"],
        "-o",
        st.sampled_from(["/nonexistdir/e.csv", "{tmp}"]),
    ),
    ("risk", [str(FLEET)], "--from", BAD_DATES),
    (
        "risk",
        [str(FLEET), "--from", "2026-11-28"],
        "--months",
        st.one_of(NOT_INTS, HUGE_INTS, st.sampled_from(["0", "601"])),
    ),
    ("risk", [str(FLEET), "--from", "2026-11-28"], "--policies", BAD_POLICIES),
    ("risk", [str(FLEET), "--from", "2026-11-28"], "--tariff", BAD_FLOATS),
    (
        "risk",
        [str(FLEET), "--from", "2026-11-28"],
        "--report",
        st.sampled_from(["/nonexistdir/r.html", "{tmp}"]),
    ),
    ("risk", [str(FLEET), "--from", "2026-11-28"], "--hubs-out", st.sampled_from(["/nonexistdir/h.parquet"])),
    (
        "synth",
        ["-o", "{tmp}/f.parquet"],
        "--hubs",
        st.one_of(NOT_INTS, st.integers(10**8 + 1, 10**30).map(str)),
    ),
    ("synth", ["--hubs", "10", "-o", "{tmp}/f.parquet"], "--as-of", BAD_DATES),
    ("synth", ["--hubs", "10", "-o", "{tmp}/f.parquet"], "--seed", NOT_INTS),
    ("synth", ["--hubs", "10"], "-o", st.sampled_from(["/nonexistdir/f.parquet", "{tmp}"])),
    ("serve", [], "--port", st.one_of(NOT_INTS, st.sampled_from(["0", "65536", "99999999999"]))),
    ("serve", [], "--workers", st.one_of(NOT_INTS, st.just("0"))),
    ("keys create", [], "--role", st.one_of(st.sampled_from(["boss", "", "DCC-", "root"]), tricked("dcc"))),
    (
        "keys create",
        ["--role", "dcc"],
        "--party",
        st.text(min_size=1, max_size=20).filter(lambda s: not s.startswith("-")),
    ),
    ("keys create", ["--role", "supplier"], "--label", st.just("no-party")),  # a supplier key needs --party
    ("keys revoke", [], "", st.one_of(st.sampled_from(["nope", "0000000", ""]), tricked("deadbeef"))),
    ("keys demo", [], "--env", st.sampled_from(["/nonexistdir/demo.env", "{tmp}"])),
    ("inventory import", [str(FLEET)], "--supplier", st.just("Nobody Energy")),  # rows name others
    ("cpl list", [], "--bogus", st.just("1")),
    ("catalogue clear", [], "", st.just("extra-argument")),
    ("keys list", [], "--role", st.just("dcc")),
    ("quality duplicates", [], "--limit", st.one_of(NOT_INTS, st.sampled_from(["0", "-1", "100001"]))),
]


@pytest.fixture
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="hubcheck-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=240, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=FIXED)
@given(data=st.data())
def test_bad_option_values(
    db: str, scratch: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    command, base, option, values = data.draw(st.sampled_from(OPTIONS), label="where")
    value = data.draw(values, label="value").replace("{tmp}", str(scratch))
    args = [a.replace("{tmp}", str(scratch)) for a in base]
    if command == "keys create" and option == "--label":
        argv = [*args, "--label", value]
    elif option:
        argv = _with(args, option, value)
    else:
        argv = [*args, "--", value] if value.startswith("-") else [*args, value]
    refused(db, command, [*command.split(), *argv], capsys)


# -- bad files --------------------------------------------------------------------------------

FORMULAS = st.one_of(
    st.sampled_from(
        ["=cmd|' /C calc'!A0", "@SUM(1)", "+1+1", "-2+3", '=HYPERLINK("http://x")', "\t=1", "\r=1"]
    ),
    st.builds(lambda c, t: c + t, st.sampled_from("=+-@"), st.text(max_size=10)),
)
#: The inventory's checked columns (a formula or a trick there is a bad cell, never a silent value).
CHECKED: Final = {
    "device_id": 0,
    "manufacturer": 3,
    "model": 4,
    "firmware": 5,
    "status": 6,
    "status_since": 7,
}


def _fleet_lines() -> list[str]:
    return FLEET.read_text(encoding="utf-8").splitlines()


def bad_inventory(kind: str, data: st.DataObject) -> bytes:
    """An inventory file that no command may accept."""
    lines = _fleet_lines()[:41]
    if kind == "binary":
        blob = data.draw(st.binary(min_size=1, max_size=4096))
        return b"\x00" + blob  # a NUL: never text
    if kind == "truncated-csv":
        # cut inside one of a row's required cells: the row cannot be whole
        row = data.draw(st.integers(1, len(lines) - 1))
        cells = lines[row].split(",")
        col = data.draw(st.integers(0, 6))
        # at least a character of a Device ID: a row cut before it is no row (an empty file is not bad)
        keep = data.draw(st.integers(1 if col == 0 else 0, max(1, len(cells[col]) - 1)))
        cut = ",".join([*cells[:col], cells[col][:keep]])
        return ("\n".join([*lines[:row], cut]) + ("\n" if data.draw(st.booleans()) else "")).encode()
    if kind == "truncated-parquet":
        whole = pl.read_csv(FLEET, infer_schema=False).head(40)
        path = Path(tempfile.mkstemp(suffix=".parquet")[1])
        whole.write_parquet(path)
        whole_file = path.read_bytes()
        path.unlink()
        at = data.draw(st.integers(1, len(whole_file) - 1))
        return whole_file[:at]
    row = data.draw(st.integers(1, len(lines) - 1))
    column = data.draw(st.sampled_from(sorted(CHECKED)))
    cells = lines[row].split(",")
    if kind == "formula":
        value = data.draw(FORMULAS)
    elif kind == "far-date":
        value = (
            data.draw(FAR_DATES)
            if column in ("status_since",)
            else data.draw(tricked(cells[CHECKED[column]] or "x"))
        )
    else:  # unicode trick
        value = data.draw(tricked(cells[CHECKED[column]] or "Pending"))
    cells[CHECKED[column]] = '"' + value.replace('"', '""') + '"'
    lines[row] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode()


INVENTORY_COMMANDS: Final = {
    "inventory import": ["inventory", "import", "{file}"],
    "batch": ["batch", "{file}", "-o", "{tmp}/v.parquet", "--install-date", "2026-11-28"],
    "charging": ["charging", "{file}", "--date", "2026-11-28"],
    "risk": ["risk", "{file}", "--from", "2026-11-28", "--months", "3"],
}


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=FIXED)
@given(data=st.data())
def test_bad_inventory_files(
    db: str, scratch: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    command = data.draw(st.sampled_from(sorted(INVENTORY_COMMANDS)), label="command")
    kind = data.draw(
        st.sampled_from(["binary", "truncated-csv", "truncated-parquet", "formula", "far-date", "unicode"]),
        label="kind",
    )
    content = bad_inventory(kind, data)
    name = data.draw(st.sampled_from(["inventory.csv", "inventory.parquet", "inventory", "in ventory.txt"]))
    file = scratch / name
    file.write_bytes(content)
    argv = [
        a.replace("{file}", str(file)).replace("{tmp}", str(scratch)) for a in INVENTORY_COMMANDS[command]
    ]
    refused(db, command, argv, capsys)


def bad_reference(kind: str, data: st.DataObject) -> tuple[str, bytes]:
    """A CPL or catalogue file that no import may accept: (command, content)."""
    if kind == "cpl-binary":
        blob = data.draw(st.binary(min_size=1, max_size=2048))
        return "cpl import", b"\x00" + blob
    if kind == "cpl-cell":
        lines = CPL.read_text(encoding="utf-8").splitlines()
        row = data.draw(st.integers(1, len(lines) - 1))
        col = data.draw(st.sampled_from([1, 2, 3, 4, 5, 6, 9]))  # number, status, type, hex cells
        cells = lines[row].split(",")
        value = data.draw(st.one_of(FORMULAS, tricked(cells[col])))
        cells[col] = '"' + value.replace('"', '""') + '"'
        lines[row] = ",".join(cells)
        return "cpl import", ("\n".join(lines) + "\n").encode()
    text = CATALOGUE.read_text(encoding="utf-8")
    if kind == "catalogue-truncated":
        quotes = [m.start() + 1 for m in re.finditer('"', text)][::2]  # inside an opening string
        at = data.draw(st.sampled_from(quotes))
        return "catalogue import", text[:at].encode()
    if kind == "catalogue-deep":
        depth = data.draw(st.integers(2_000, 20_000))
        return "catalogue import", ("a = " + "[" * depth + "]" * depth + "\n").encode()
    if kind == "catalogue-binary":
        blob = data.draw(st.binary(min_size=1, max_size=512))
        return "catalogue check", b"\xff\xfe\x00" + blob
    # a release the CPL never listed, spelt with a trick
    fw = data.draw(tricked("03000000"))
    return "catalogue import", text.replace('firmware = "03000000"', f'firmware = "{fw}"', 1).encode()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=FIXED)
@given(data=st.data())
def test_bad_reference_files(
    db: str, scratch: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    kind = data.draw(
        st.sampled_from(
            [
                "cpl-binary",
                "cpl-cell",
                "catalogue-truncated",
                "catalogue-deep",
                "catalogue-binary",
                "catalogue-trick",
            ]
        ),
        label="kind",
    )
    command, content = bad_reference(kind, data)
    file = scratch / ("ref.csv" if command == "cpl import" else "ref.toml")
    file.write_bytes(content)
    extra = ["--replace"] if command == "cpl import" and data.draw(st.booleans()) else []
    refused(db, command, [*command.split(), str(file), *extra], capsys)


def test_far_dates_do_not_slip_through_a_day_at_a_time(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    # the bounds themselves: 1990-01-01 and 2100-12-31 are accepted, a day either side is not
    for day, ok in ((date(1990, 1, 1), True), (date(1989, 12, 31), False), (date(2100, 12, 31), True),
                    (date(2100, 12, 31) + timedelta(days=1), False)):  # fmt: skip
        argv = ["check", *_HUB, "--status-since", day.isoformat(), "--install-date", "2026-11-28"]
        if ok:
            assert main(["--db", db, *argv]) in (0, 1)
            capsys.readouterr()
        else:
            refused(db, "check", argv, capsys)


def test_every_command_is_fed_bad_input() -> None:
    from tests.test_cli_options import CALLS  # every command, kept complete by its own test

    fed = (
        {c for c, *_ in OPTIONS}
        | set(INVENTORY_COMMANDS)
        | {"cpl import", "catalogue import", "catalogue check"}
    )
    assert fed == {*CALLS, "serve"}
