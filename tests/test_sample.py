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
    assert len(cpl.entries) == 35
    assert {e.manufacturer for e in cpl.entries} == {"F0A1", "F0A7", "F0B2", "F0C3", "F0D4", "F0E5", "F0F6"}
    # entry 35 is listed in 1.19 but its note forgets to name it: the fallback rule dates it; and
    # Contoso's restarted numbering is a listing inversion (its catalogue states the order)
    assert sample_import.warnings[0] == (
        "entry 000035: no Version Control note adds it; listed_on 2026-04-20 inferred from entry 000034, "
        "the nearest lower-numbered entry with a date"
    )
    assert all(w.startswith("listing inversion, F0B2/B2100300: ") for w in sample_import.warnings[1:])
    assert len(sample_import.warnings) == 1 + 9  # each of 0B000007, 0B010002, 0B020001 after each 1x version
    removed = sorted(e.number for e in cpl.entries if e.status == "Removed")
    assert removed == [8, 16, 17, 21]
    # Litware's notes name its versions, as real notes do ("WNC 2.20")
    names = {e.firmware: e.version_name for e in cpl.entries if e.manufacturer == "F0F6"}
    assert names == {"01000000": "1.0", "01020003": "1.2", "01030001": "1.3", "02000004": "2.0"}
    # Adatum's hub is a SMETS1 hub
    assert {e.smets_chts for e in cpl.entries if e.manufacturer == "F0A7"} == {"SMETS V1.2"}
