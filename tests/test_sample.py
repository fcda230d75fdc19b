"""The committed sample data is exactly what its generator writes, and imports as documented."""

from __future__ import annotations

from pathlib import Path

from cpl_data.cpl import CplImport
from cpl_data.sample import write_sample_reference
from tests.conftest import SAMPLE_DIR


def test_committed_sample_matches_generator(tmp_path: Path) -> None:
    written = write_sample_reference(tmp_path)
    for path in written.values():
        committed = SAMPLE_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale: run `make sample`"


def test_sample_imports_with_one_fallback(sample_import: CplImport) -> None:
    cpl = sample_import.cpl
    assert cpl.version == "1.19"
    assert len(cpl.entries) == 29
    assert {e.manufacturer for e in cpl.entries} == {"F0A1", "F0B2", "F0C3", "F0D4", "F0E5"}
    # entry 29 is listed in 1.19 but its note forgets to name it: the fallback rule dates it
    assert sample_import.warnings == (
        "entry 000029: no Version Control note adds it; listed_on taken from entry 000028 (2026-04-20), "
        "the nearest lower-numbered entry with a date",
    )
    removed = sorted(e.number for e in cpl.entries if e.status == "Removed")
    assert removed == [8, 15, 16]
