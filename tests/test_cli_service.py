"""``hubcheck keys``, ``hubcheck inventory import``: keys shown once, imports whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from api.store import Store
from tests.service_support import DEMO_CSV, NORTH, SOUTH


def test_keys_create_prints_the_key_last_and_keeps_only_its_hash(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "keys", "create", "--role", "supplier", "--party", NORTH]) == 0
    out = capsys.readouterr().out.splitlines()
    key = out[-1]
    assert key.startswith("hck_")
    store = Store(db_url)
    who = store.principal(key)
    assert who is not None
    assert (who.role, who.party) == ("supplier", NORTH)
    assert main(["--db", db_url, "--json", "keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert who.key_id in listed
    assert key not in listed
    assert main(["--db", db_url, "keys", "revoke", who.key_id]) == 0
    assert store.principal(key) is None


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--role", "supplier"], "--party"),  # a supplier key names its supplier
        (["--role", "dcc", "--party", "X"], "leave --party out"),  # the DCC sees everyone
        (["--role", "boss"], "not a role"),
    ],
)
def test_keys_create_refuses_bad_roles(
    db_url: str, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert main(["--db", db_url, "keys", "create", *args]) == 2
    assert says in capsys.readouterr().err


def test_keys_demo_replaces_the_demo_keys(
    demo: tuple[Store, object], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = demo[0]
    assert main(["--db", db_url, "keys", "demo"]) == 0
    first = [line.split()[-1] for line in capsys.readouterr().out.splitlines()]
    assert len(first) == 4
    assert main(["--db", db_url, "keys", "demo"]) == 0
    second = [line.split()[-1] for line in capsys.readouterr().out.splitlines()]
    assert all(store.principal(k) is None for k in first)
    roles = [store.principal(k) for k in second]
    assert [(p.role, p.party) for p in roles if p] == [
        ("installer", NORTH),
        ("supplier", NORTH),
        ("dcc", None),
        ("admin", None),
    ]


def test_inventory_import_cli(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "inv.csv"
    src.write_text(DEMO_CSV)
    assert main(["--db", db_url, "inventory", "import", str(src)]) == 0
    assert "5 device(s) imported: 5 new, 0 updated" in capsys.readouterr().out
    assert Store(db_url).inventory_count(SOUTH) == 1
    # --supplier refuses rows naming another supplier, and nothing lands
    assert main(["--db", db_url, "inventory", "import", str(src), "--supplier", NORTH]) == 2
    assert "name another supplier" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("device_id,manufacturer,model,firmware,status\nnope,F0A1,A1010100,03000000,Pending\n")
    assert main(["--db", db_url, "inventory", "import", str(bad)]) == 2
    assert Store(db_url).inventory_count() == 5
