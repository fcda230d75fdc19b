"""Issue 10, items 9 and 10: the CLI fed a new user's mistakes, and formula cells in every CSV written.

Each test here reproduces one refusal that did not hold (it failed before the fix): wrong or binary
inventories judged as "0 hubs", outputs that cannot be written ending in a traceback after the
work, an empty catalogue activated, a whole huge file read to find its header wrong, folders and
stores made by read-only commands, a library's internals in a message, and spreadsheet formulas
written back out as they came in.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from api.cli import main
from tests.conftest import SAMPLE_DIR

FLEET = SAMPLE_DIR / "sample-fleet.csv"
ON = ["--install-date", "2026-11-28"]
#: A library's exception class in a message ("ComputeError: ...", "ArrowInvalid: ...").
INTERNALS = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Invalid)\b:|polars|pyarrow|Traceback")


@pytest.fixture
def db(sample_db: str) -> str:
    return sample_db


def _wrong_columns(tmp: Path) -> Path:
    path = tmp / "wrongcols.csv"
    path.write_text("meter,reading\n1,2\n3,4\n")
    return path


def _binary(tmp: Path) -> Path:
    path = tmp / "binary.bin"
    path.write_bytes(bytes(range(256)) * 40)
    return path


def _refused(capsys: pytest.CaptureFixture[str], code: int, *says: str) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    for s in says:
        assert s in err
    assert not INTERNALS.search(err), err
    return err


# -- batch refuses what inventory import refuses -----------------------------------------------


def test_batch_refuses_wrong_columns(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.parquet"
    code = main(["--db", db, "batch", str(_wrong_columns(tmp_path)), "-o", str(out), *ON])
    _refused(capsys, code, "columns missing: device_id, manufacturer, model, firmware, status")
    assert not out.exists()


@pytest.mark.parametrize("command", ["batch", "inventory", "charging", "risk"])
def test_binary_inventory_is_refused_in_plain_words(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    binary = str(_binary(tmp_path))
    out = tmp_path / "x.parquet"
    args = {
        "batch": ["batch", binary, "-o", str(out), *ON],
        "inventory": ["inventory", "import", binary],
        "charging": ["charging", binary, "--date", "2026-11-28"],
        "risk": ["risk", binary, "--from", "2026-11-28"],
    }[command]
    _refused(capsys, main(["--db", db, *args]), "binary.bin", "not an inventory")
    assert not out.exists()


def test_truncated_parquet_is_refused_in_plain_words(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    whole = tmp_path / "fleet.parquet"
    pl.read_csv(FLEET, infer_schema=False).write_parquet(whole)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    for args in (
        ["batch", str(cut), "-o", str(tmp_path / "v.csv"), *ON],
        ["inventory", "import", str(cut)],
    ):
        _refused(capsys, main(["--db", db, *args]), "cut.parquet")


# -- outputs that cannot be written are refused before any work -------------------------------


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["risk", "missing.csv", "--from", "2026-11-28", "--report", "/nonexistdir/r.html"], "--report"),
        (["charging", "missing.csv", "--date", "2026-11-28", "-o", "/nonexistdir/e.csv"], "--output"),
        (
            ["risk", "missing.csv", "--from", "2026-11-28", "--hubs-out", "/nonexistdir/h.parquet"],
            "--hubs-out",
        ),
        (["batch", "missing.csv", "-o", "/nonexistdir/v.parquet", *ON], "--output"),
        (["batch", "missing.csv", "-o", "v.csv", "--rejects", "/nonexistdir/r.csv", *ON], "--rejects"),
        (["synth", "--hubs", "10", "-o", "/nonexistdir/f.parquet"], "--output"),
    ],
)
def test_unwritable_output_refused_before_work(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], names: str
) -> None:
    # the inventory does not exist either: the refusal names the output, so no work was started
    err = _refused(capsys, main(["--db", db, *args]), names, "/nonexistdir")
    assert "folder" in err
    assert not Path("/nonexistdir").exists()


def test_output_that_is_a_folder_is_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", db, "charging", str(FLEET), "--date", "2026-11-28", "-o", str(tmp_path)])
    _refused(capsys, code, "--output", "is a folder")


# -- an empty catalogue is not a catalogue ----------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n# nothing yet\n", 'name = "empty"\n'])
def test_empty_catalogue_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text(text)
    for command in ("import", "check"):
        _refused(capsys, main(["--db", db, "catalogue", command, str(empty)]), "empty.toml", "[[model]]")
    # the sample catalogue imported by the fixture is still the active one
    assert (
        main(["--db", db, "--json", "cpl", "versions", "--manufacturer", "F0A1", "--model", "A1010100"]) == 0
    )
    assert '"catalogue": "sample catalogue 2026-11"' in capsys.readouterr().out


# -- a huge file with a bad header: the header is judged first -------------------------------


class _Fifo:
    """A named pipe that serves a bad header then endless rows, counting the bytes a reader took.

    Each open by a reader gets the header again; the writer stops at ``cap`` bytes per open. A
    command that reads only the header takes a pipe buffer's worth at most per open.
    """

    def __init__(self, path: Path, header: bytes, cap: int = 16 << 20) -> None:
        self.path = path
        self.header = header
        self.cap = cap
        self.sent = 0
        self.stop = threading.Event()
        os.mkfifo(path)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        row = b"10-F0-A1-00-00-00-00-00,F0A1,A1010100,03000000,Pending\n" * 1000
        while not self.stop.is_set():
            fd = os.open(self.path, os.O_WRONLY)  # blocks until a reader opens
            if self.stop.is_set():
                os.close(fd)
                return
            try:
                sent = os.write(fd, self.header)
                while sent < self.cap:
                    sent += os.write(fd, row)
            except BrokenPipeError:
                pass
            finally:
                self.sent += sent
                os.close(fd)

    def close(self) -> None:
        self.stop.set()
        try:  # wake a writer blocked in open()
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass
        self.thread.join(timeout=10)


@pytest.fixture
def huge_bad_header(tmp_path: Path) -> Iterator[_Fifo]:
    fifo = _Fifo(tmp_path / "huge.csv", b"id,maker,model,fw,state\n")
    yield fifo
    fifo.close()


@pytest.mark.parametrize(
    "args",
    [
        ["inventory", "import", "{}"],
        ["charging", "{}", "--date", "2026-11-28"],
        ["risk", "{}", "--from", "2026-11-28"],
        ["batch", "{}", "-o", "{out}", *ON],
    ],
)
def test_bad_header_refused_after_reading_the_header_only(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], huge_bad_header: _Fifo, args: list[str]
) -> None:
    path = str(huge_bad_header.path)
    argv = [a.format(path, out=str(tmp_path / "v.parquet")) for a in args]
    _refused(capsys, main(["--db", db, *argv]), "columns missing: device_id, manufacturer")
    huge_bad_header.close()
    # a reader that read the file would have taken the writer's 16 MiB; a pipe buffer is 64 KiB
    assert huge_bad_header.sent < 1 << 20


# -- read-only commands make no folders and no stores ----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", "10-F0-A1-02-78-DD-E6-C4"],
        ["check", "--manufacturer", "F0A1", "--model", "A1010100", "--firmware", "03000000"],
        ["plan", "--manufacturer", "F0A1", "--model", "A1010100", "--firmware", "03000000"],
        ["cpl", "list"],
        ["cpl", "versions", "--manufacturer", "F0A1", "--model", "A1010100"],
        ["catalogue", "check", str(SAMPLE_DIR / "sample-catalogue.toml")],
        ["keys", "list"],
        ["batch", str(FLEET), "-o", "{out}"],
        ["charging", "--date", "2026-11-28"],
        ["risk", "--from", "2026-11-28"],
        ["synth", "--hubs", "10", "-o", "{out}"],
    ],
)
def test_read_only_commands_make_no_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    where = tmp_path / "nonexistdir" / "x.sqlite"
    argv = [a.format(out=str(tmp_path / "out.parquet")) for a in args]
    _refused(capsys, main(["--db", str(where), *argv]), "no store at", "cpl import")
    assert not where.parent.exists()
    _refused(capsys, main(["--db", f"sqlite:///{where}", *argv]), "no store at")
    assert not where.parent.exists()


# -- formula cells in CSV outputs (OWASP CSV injection) ---------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1)", "+1+1", "-2+3", "\tTAB", "\rCR", '=HYPERLINK("http://x")']


def _cells(path: Path) -> list[str]:
    return [
        c for c in pl.read_csv(path, infer_schema=False).to_dict(as_series=False).values() for c in c if c
    ]


def _no_formula(path: Path) -> None:
    for cell in _cells(path):
        assert cell[0] not in "=+-@\t\r", f"{path.name}: {cell!r}"


def _fleet_with_formula_suppliers(tmp: Path) -> Path:
    fleet = pl.read_csv(FLEET, infer_schema=False)
    suppliers = fleet["supplier"].unique().sort().to_list()
    mapping = {s: FORMULAS[i % len(FORMULAS)] + f" {i}" for i, s in enumerate(suppliers)}
    path = tmp / "formula-fleet.csv"
    fleet.with_columns(pl.col("supplier").replace(mapping)).write_csv(path)
    return path


def test_rejects_file_neutralises_formulas(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = FLEET.read_text().splitlines()
    for i, f in enumerate(FORMULAS, start=3):
        cells = lines[i].split(",")
        cells[5] = '"' + f.replace('"', '""') + '"'  # firmware: a bad cell, kept as typed in the rejects
        lines[i] = ",".join(cells)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "v.csv"
    assert main(["--db", db, "batch", str(bad), "-o", str(out), *ON, "--skip-invalid"]) == 0
    rejects = tmp_path / "v.csv.rejects.csv"
    values = pl.read_csv(rejects, infer_schema=False)["value"].to_list()
    assert {v.lstrip("'") for v in values} >= set(FORMULAS)
    _no_formula(rejects)
    _no_formula(out)


def test_charging_output_neutralises_formulas(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "exclusions.csv"
    fleet = _fleet_with_formula_suppliers(tmp_path)
    assert main(["--db", db, "charging", str(fleet), "--date", "2026-11-28", "-o", str(out)]) == 0
    suppliers = pl.read_csv(out, infer_schema=False)["supplier"].to_list()
    assert any(s.startswith("'=") for s in suppliers)  # the inventory strips the tab and CR ones
    _no_formula(out)


def test_risk_hubs_out_neutralises_formulas(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "hubs.csv"
    fleet = _fleet_with_formula_suppliers(tmp_path)
    assert (
        main(
            ["--db", db, "risk", str(fleet), "--from", "2026-11-28", "--months", "3", "--hubs-out", str(out)]
        )
        == 0
    )
    frame = pl.read_csv(out, infer_schema=False)
    if "supplier" in frame.columns:
        assert any(s.startswith("'=") for s in frame["supplier"].drop_nulls())
    _no_formula(out)


def test_synth_csv_has_no_formula_cells(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fleet.csv"
    assert main(["--db", db, "synth", "--hubs", "200", "--as-of", "2026-11-01", "-o", str(out)]) == 0
    _no_formula(out)


@pytest.mark.parametrize(
    ("db", "says"),
    [
        ("x://", "no driver for 'x'"),
        ("postgresql+nosuch://u@h/db", "no driver for 'postgresql+nosuch'"),
        ("mysql://u@h/db", "no driver for 'mysql'"),
        ("sqlite:////nonexistdir/x.sqlite", "the folder /nonexistdir does not exist"),
    ],
)
def test_a_store_that_cannot_be_opened_is_said_in_plain_words(
    db: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # an import may create a store, so these reach the driver: its own words stay out of the message
    _refused(capsys, main(["--db", db, "cpl", "import", str(SAMPLE_DIR / "sample-cpl.csv")]), "--db", says)
