"""The ``hubcheck`` command line.

One place maps errors to exit codes: 0 success, 1 only from ``check`` for NOT_ELIGIBLE,
2 bad input (with a message on stderr that says what to fix).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from api.cli import (
    _alloc,  # noqa: F401  (first: it configures the allocator before polars loads)
    _batch,
    _charging,
    _check,
    _cpl,
    _quality,
    _risk,
    _service,
    _synth,
)
from api.cli._common import State, err_console
from eligibility.errors import DataError, HubcheckError

__all__ = ["EXIT_BAD_INPUT", "EXIT_NOT_ELIGIBLE", "EXIT_OK", "app", "main"]

EXIT_OK = 0
EXIT_NOT_ELIGIBLE = 1
EXIT_BAD_INPUT = 2

app = typer.Typer(
    name="hubcheck",
    help="Can this Communications Hub still be upgraded over the air and commissioned, "
    "and should it be charged for?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="HUBCHECK_DB",
            help="Store: an SQLAlchemy URL or an SQLite file path (default: a file in the user data dir).",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
) -> None:
    ctx.obj = State(db=db, json=json_out)


app.add_typer(_cpl.cpl_app, name="cpl")
app.add_typer(_cpl.catalogue_app, name="catalogue")
app.command("check")(_check.check)
app.command("plan")(_check.plan)
app.command("synth")(_synth.synth)
app.add_typer(_service.keys_app, name="keys")
app.add_typer(_service.inventory_app, name="inventory")
app.command("serve")(_service.serve)
app.command("batch")(_batch.batch)
app.command("charging")(_charging.charging)
app.command("risk")(_risk.risk)
app.add_typer(_quality.quality_app, name="quality")


def _report(exc: HubcheckError) -> None:
    if isinstance(exc, DataError) and exc.problems:
        err_console.print(f"error: {exc.summary} ({len(exc.problems)} problem(s)):", markup=False)
        err_console.print(str(exc).split("\n", 1)[1], markup=False, soft_wrap=True)
    else:
        err_console.print(f"error: {exc}", markup=False, soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (and exits with it when run as the console script)."""
    command = typer.main.get_command(app)
    try:
        command(args=list(argv) if argv is not None else None, prog_name="hubcheck")
        code = EXIT_OK  # pragma: no cover - click's standalone mode always raises SystemExit
    except SystemExit as exc:
        # click exits 2 on usage errors (unknown option, missing argument, bad choice)
        code = exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_BAD_INPUT)
    except HubcheckError as exc:
        _report(exc)
        code = EXIT_BAD_INPUT
    if argv is None:
        sys.exit(code)
    return code
