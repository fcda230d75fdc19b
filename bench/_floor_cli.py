"""The stack's floor for ``hubcheck check``: the libraries a check cannot do without, and nothing
of hubcheck.

A typer app (the CLI library, which builds a pydantic adapter for each option it parses) whose
``check`` command takes as many optional string options as hubcheck's, with pydantic imported
(the library of hubcheck's models, which every check loads), printing a rich panel (as the
verdict is printed); given ``plan``, it imports networkx too (the upgrade graph's library, which a
hub needing a plan loads). Run: ``python bench/_floor_cli.py N in|plan check [--o0 VALUE ...]``.
"""

from __future__ import annotations

import inspect
import sys
from typing import Annotated

import pydantic.main  # noqa: F401  (what hubcheck's models are made with)
import typer

OPTIONS, PLAN = int(sys.argv[1]), sys.argv[2] == "plan"
del sys.argv[1:3]


def check(**options: str | None) -> None:
    """Print a verdict's panel; with ``plan``, after importing networkx."""
    if PLAN:
        import networkx  # noqa: F401
    from rich.console import Console
    from rich.panel import Panel

    Console().print(Panel("ELIGIBLE"))


check.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter(
            f"o{i}",
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[str | None, typer.Option()],
        )
        for i in range(OPTIONS)
    ]
)

app = typer.Typer()
app.command()(check)
app.command("other")(lambda: None)  # a group, as hubcheck's commands are

if __name__ == "__main__":
    app()
