"""``eligibility`` is the pure core: no web framework, no database, no file or network I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

FORBIDDEN_IMPORTS = {
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "sqlite3",
    "httpx",
    "requests",
    "socket",
    "urllib",
    "pathlib",
    "os",
    "io",
    "shutil",
    "tempfile",
    "cpl_data",
    "api",
}
FORBIDDEN_CALLS = {"open", "exec", "eval", "__import__"}


def _core_files() -> list[Path]:
    return sorted((REPO / "eligibility").rglob("*.py"))


def test_core_imports_nothing_that_does_io() -> None:
    offenders = []
    for path in _core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN_IMPORTS:
                    offenders.append(f"{path.name}: import {name}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in FORBIDDEN_CALLS
            ):
                offenders.append(f"{path.name}:{node.lineno}: {node.func.id}()")
    assert offenders == []


_PROBE = r"""
import sys
import eligibility, eligibility.listing, eligibility.window, eligibility.timeline, eligibility.catalogue
from datetime import date
from eligibility.cpl import Cpl, CplEntry
from eligibility.reference import Reference
from eligibility.identifiers import DeviceModel
from eligibility.listing import model_listing

def hook(event, args):
    if event in ("open", "socket.connect", "sqlite3.connect", "subprocess.Popen", "os.listdir"):
        raise RuntimeError(f"I/O in the core: {event} {args!r}")

entries = tuple(
    CplEntry(number=n, status="Current", device_type="Communications Hub", manufacturer="1086",
             model="54311F52", firmware=f"0C{n:02X}0000", listed_on=date(2020, 1, n))
    for n in range(1, 6)
)
ref = Reference(Cpl(version="1.0", issued_on=date(2020, 2, 1), entries=entries))
sys.addaudithook(hook)
listing = model_listing(ref, DeviceModel("1086", "54311F52"), date(2020, 1, 3))
assert listing.window.n == "0C030000", listing.window
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {"fastapi", "sqlalchemy", "starlette", "uvicorn", "cpl_data", "api"})
print("LOADED:" + ",".join(loaded))
"""


def test_core_runs_without_fastapi_sqlalchemy_or_file_access() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "LOADED:"
