"""The generated references (docs/reference/) are what the Typer app and the OpenAPI document say today."""

from __future__ import annotations

import difflib

import pytest

from api.cli._reference import REFERENCES
from tests.conftest import REPO


@pytest.mark.parametrize("name", list(REFERENCES))
def test_reference_is_current(name: str) -> None:
    path = REPO / "docs" / name
    want = REFERENCES[name]()
    have = path.read_text(encoding="utf-8") if path.exists() else ""
    if have != want:
        diff = "".join(
            list(difflib.unified_diff(have.splitlines(True), want.splitlines(True), str(path), "generated"))[
                :40
            ]
        )
        pytest.fail(f"docs/{name} is stale: run `make docs` and commit it\n{diff}")


def test_every_command_and_endpoint_is_in_a_reference() -> None:
    import typer

    from api.app import Settings, create_app
    from api.cli import app

    cli = REFERENCES["reference/cli.md"]()
    root = typer.main.get_command(app)
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", {name: cmd})
        for sub in subs:
            path = name if sub == name else f"{name} {sub}"
            assert f"### `hubcheck {path}`" in cli
    http = REFERENCES["reference/http.md"]()
    for path, item in create_app(Settings(db="sqlite:///:memory:")).openapi()["paths"].items():
        for method in item:
            assert f"### `{method.upper()} {path}`" in http


def test_links_between_the_docs_resolve() -> None:
    import re

    broken = []
    for md in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        for m in re.finditer(r"\]\(([^)#\s]+)(#[^)]*)?\)", md.read_text(encoding="utf-8")):
            if not m.group(1).startswith(("http://", "https://")) and not (md.parent / m.group(1)).exists():
                broken.append(f"{md.relative_to(REPO)}: {m.group(1)}")
    assert not broken
