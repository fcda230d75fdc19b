"""``make run``'s data, made by the Makefile itself, for the docs' examples and the screenshots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

__all__ = ["make_run_data"]


def make_run_data(folder: Path) -> Path:
    """Run ``make data`` (what ``make run`` loads before it serves) into ``folder``; returns the store.

    The running interpreter's environment is the venv (``make -o`` keeps make from reinstalling it).
    """
    venv = Path(sys.prefix)
    store = folder / "hubcheck.sqlite"
    subprocess.run(
        ["make", "-s", "-o", str(venv / ".installed-stamp"), "data", f"VENV={venv}", f"DB={store}",
         f"DEMO_ENV={folder / 'demo.env'}"],
        cwd=REPO, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return store
