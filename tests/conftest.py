"""Shared fixtures: the real data in ../shared/data, the sample data, and fresh stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings

from api.app import Settings, create_app
from api.store import Store
from cpl_data.cpl import CplImport, read_cpl
from cpl_data.real_data import shared_data_dir
from cpl_data.sample import sample_cpl
from eligibility.cpl import Cpl
from eligibility.reference import Reference
from tests.service_support import Keys, demo_store

REPO = Path(__file__).resolve().parents[1]

# Hypothesis' default 200 ms deadline times each example by the wall clock: on a shared 2-core CI
# machine that fails tests at random. Timing is measured in bench/, never asserted by a test.
settings.register_profile("hubcheck", deadline=None)
settings.load_profile("hubcheck")


#: Lines a test module asks to see at the end of the run (how many inputs a suite tried ...).
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the lines test modules left in :data:`SUMMARY`."""
    for line in SUMMARY:
        terminalreporter.write_line(line)


SHARED = shared_data_dir()
CPL_DIR = SHARED / "cpl"
DUIS_DIR = SHARED / "duis"
REAL_CSV = CPL_DIR / "CPL_v2.051_2022-09-21__saveable-in-CSV__ParserChallenge.csv"
REAL_SHEET = CPL_DIR / "CPL_v2.051_2022-09-21__sheet_Central_Products_List.csv"
REAL_HISTORY = CPL_DIR / "CPL_v2.051_2022-09-21__sheet_Version_Control.csv"
REAL_WORKBOOK = CPL_DIR / "CPL_v2.051_2022-09-21__workbook_rebuilt.xlsx"
MANGLED = CPL_DIR / "CPL_v2.051_2022-09-21__MANGLED-leading-zeros__Nested_hash.csv"
DICTIONARY = CPL_DIR / "CPL_v2.051_2022-09-21__sheet_CPL_New_Entry__data-dictionary.csv"
SAMPLE_DIR = REPO / "sample"


@pytest.fixture(scope="session")
def real_import() -> CplImport:
    """The real CPL v2.051, read from its workbook (history from its own sheet)."""
    return read_cpl(REAL_WORKBOOK)


@pytest.fixture(scope="session")
def real_cpl(real_import: CplImport) -> Cpl:
    """The real CPL v2.051 with its timeline."""
    return real_import.cpl


@pytest.fixture(scope="session")
def real_reference(real_cpl: Cpl) -> Reference:
    """The real CPL without a catalogue."""
    return Reference(real_cpl)


@pytest.fixture(scope="session")
def sample_import() -> CplImport:
    """The sample CPL as committed in sample/."""
    return read_cpl(SAMPLE_DIR / "sample-cpl.csv", SAMPLE_DIR / "sample-cpl-version-control.csv")


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite store."""
    return f"sqlite:///{tmp_path / 'hubcheck.sqlite'}"


#: A PostgreSQL server the store tests may create databases in (CI starts one: see .ci/run),
#: as an SQLAlchemy URL to a database of it, e.g. postgresql+psycopg://hubcheck:hubcheck@127.0.0.1/postgres
POSTGRES_ENV = "HUBCHECK_TEST_POSTGRES"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards (skipped when no server is configured)."""
    from api.store.scratch import scratch_database

    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} (CI does) to run the store tests on it too")
    with scratch_database(server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """A fresh store on each backend the store supports."""
    fixture = "db_url" if request.param == "sqlite" else "postgres_url"
    url = request.getfixturevalue(fixture)
    assert isinstance(url, str)
    return url


@pytest.fixture(scope="session")
def sample_generated() -> Cpl:
    """The sample CPL straight from its generator (undated)."""
    return sample_cpl()


@pytest.fixture
def demo(db_url: str, tmp_path: Path) -> tuple[Store, Keys]:
    """A store with the sample CPL and catalogue, two suppliers' hubs and a key per role."""
    return demo_store(db_url, tmp_path)


@pytest.fixture
def client(demo: tuple[Store, Keys], db_url: str) -> Iterator[TestClient]:
    """The service over the ``demo`` store, driven in process (errors become answers, as served)."""
    with TestClient(create_app(Settings(db=db_url)), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def sample_db(db_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A fresh store holding the sample CPL and catalogue (as ``make run`` loads them)."""
    from api.cli import main

    cpl = ["cpl", "import", str(SAMPLE_DIR / "sample-cpl.csv")]
    assert main(["--db", db_url, *cpl, "--history", str(SAMPLE_DIR / "sample-cpl-version-control.csv")]) == 0
    assert main(["--db", db_url, "catalogue", "import", str(SAMPLE_DIR / "sample-catalogue.toml")]) == 0
    capsys.readouterr()
    return db_url
