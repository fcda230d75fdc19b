"""The ``hubcheck`` command line.

One place maps errors to exit codes: 0 success, 1 only from ``check`` for NOT_ELIGIBLE,
2 bad input (with a message on stderr that says what to fix). The options every command takes
(``--json``, ``--details``) are accepted before the command and after it alike: :func:`hoist`
moves them in front of it, so a command written later takes them too.

Start-up is kept short (``hubcheck --help`` in a quarter of a second): the command modules import
their engines, readers and the store inside the commands, and :func:`main` hands click only the
command the arguments name (:func:`command_app`), so typer reads one command's signature, not
thirty.
"""

from __future__ import annotations

import copy
import gc
import inspect
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Final

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
from api.cli._common import State, writable_file
from api.cli._problems import print_refusal, say
from eligibility.errors import DataError, HubcheckError

__all__ = ["EXIT_BAD_INPUT", "EXIT_NOT_ELIGIBLE", "EXIT_OK", "app", "command_app", "hoist", "main"]

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


_JSON_HELP = "Machine-readable JSON on stdout (before or after the command)."
_DETAILS_HELP = "Write every problem or warning in full to FILE (a terminal shows the first 20)."


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
    json_out: Annotated[bool, typer.Option("--json", help=_JSON_HELP)] = False,
    details: Annotated[
        Path | None, typer.Option("--details", metavar="FILE", help=_DETAILS_HELP, callback=writable_file)
    ] = None,
) -> None:
    st = ctx.ensure_object(State)  # main() passes one in, to know --details when a command fails
    st.db = db
    st.json = st.json or json_out
    st.details = st.details or details


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


#: The options every command takes, before the command or after it.
_EVERYWHERE: Final = {"--json": False, "--details": True}  # option: takes a value


def _option(cmd: Any, token: str) -> Any | None:
    """The option of ``cmd`` that ``token`` (``--name`` or ``--name=value``) names, if any."""
    name = token.split("=", 1)[0]
    for p in cmd.params:
        if name in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ())):
            return p
    return None


def _takes_value(cmd: Any, token: str) -> bool:
    p = _option(cmd, token)
    return (
        p is not None
        and "=" not in token
        and not getattr(p, "is_flag", False)
        and not getattr(p, "count", False)
    )


def hoist(args: Sequence[str], root: Any) -> tuple[list[str], str | None]:
    """``args`` with ``--json`` and ``--details FILE`` given after the command moved before it.

    Returns the arguments and the command's path (``"cpl import"``; None when the arguments do not
    name one, which click then reports). A token that is another option's value stays where it is.
    """
    args = list(args)
    cmd, i, path = root, 0, []
    while i < len(args) and getattr(cmd, "commands", None) is not None:
        token = args[i]
        if token.startswith("-"):
            i += 2 if _takes_value(cmd, token) else 1
        elif token in cmd.commands:
            path.append(token)
            cmd = cmd.commands[token]
            i += 1
        else:
            return args, None
    if getattr(cmd, "commands", None) is not None:
        return args, None
    front: list[str] = []
    rest: list[str] = []
    j = i
    while j < len(args):
        token = args[j]
        name = token.split("=", 1)[0]
        if token == "--":
            rest.extend(args[j:])
            break
        width = (
            2
            if _takes_value(cmd, token) or (name in _EVERYWHERE and _EVERYWHERE[name] and "=" not in token)
            else 1
        )
        if name in _EVERYWHERE and _option(cmd, token) is None:
            front.extend(args[j : j + width])
        else:
            rest.extend(args[j : j + width])
        j += width
    return [*front, *args[:i], *rest], " ".join(path)


def _report(exc: HubcheckError, details: Path | None) -> None:
    if isinstance(exc, DataError) and exc.problems:
        print_refusal(exc, details)
    else:
        say(f"error: {exc}")


def _named(args: Sequence[str]) -> str | None:
    """The command (or group) ``args`` name: the first word that is not a global option or its value."""
    values = {"--db", "--details"}  # the global options that take a value
    skip = False
    for token in args:
        if skip:
            skip = False
        elif token == "--":
            return None
        elif token.startswith("-"):
            skip = token in values
        else:
            return token
    return None


def _listing_only(cmd: Any) -> Any:
    """A copy of a command's registration that keeps its name and help but reads no parameters."""

    def listed() -> None:  # pragma: no cover - never run: main() builds the real command to run it
        raise AssertionError("a listing stub was run")

    stub = copy.copy(cmd)
    stub.help = cmd.help if cmd.help is not None else inspect.getdoc(cmd.callback)
    stub.callback = listed
    return stub


def command_app(args: Sequence[str]) -> typer.Typer:
    """The app as far as ``args`` need it: the command they name alone, or else (help, no command,
    a misspelt one) every command with its help but none of its options, enough to list them.

    Building a command makes typer read every option of its function; for thirty commands that is
    a large part of a start-up, and one command needs only its own.
    """
    name = _named(args)
    small = copy.copy(app)
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands or groups:
        small.registered_commands, small.registered_groups = commands, groups
        return small
    small.registered_commands = [_listing_only(c) for c in app.registered_commands]
    small.registered_groups = []
    for g in app.registered_groups:
        stub = copy.copy(g)
        assert g.typer_instance is not None
        stub.typer_instance = copy.copy(g.typer_instance)
        stub.typer_instance.registered_commands = [
            _listing_only(c) for c in g.typer_instance.registered_commands
        ]
        small.registered_groups.append(stub)
    return small


#: pydantic looks for plugins by reading the entry points of every installed distribution, the
#: first time a model is built: a tenth of a second of a 0.3 s ``check`` in a venv of ninety
#: packages, for plugins (observability hooks) no command uses. The service (``serve``) keeps
#: them; anyone may keep them everywhere by setting the variable, even to "".
_NO_PYDANTIC_PLUGINS: Final = ("PYDANTIC_DISABLE_PLUGINS", "__all__")


def _run(argv: Sequence[str] | None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if _named(given) != "serve":
        os.environ.setdefault(*_NO_PYDANTIC_PLUGINS)
    cli = typer.main.get_command(command_app(given))
    args, path = hoist(given, cli)
    st = State(command=path)
    try:
        cli(args=args, prog_name="hubcheck", obj=st)
        return EXIT_OK  # pragma: no cover - click's standalone mode always raises SystemExit
    except SystemExit as exc:
        # click exits 2 on usage errors (unknown option, missing argument, bad choice)
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_BAD_INPUT)
    except HubcheckError as exc:
        _report(exc, st.details)
        return EXIT_BAD_INPUT


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (and exits with it when run as the console script)."""
    try:
        code = _run(argv)
    except BrokenPipeError:
        # the reader went away (``hubcheck ... | head``): stop quietly, as other tools do, and keep
        # Python from complaining again when it flushes the closed streams at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            os.dup2(devnull, stream.fileno())
        code = EXIT_OK
    if argv is None:
        # the process ends now: what it made need not pass through the collector once more. After
        # a batch (polars, pyarrow, networkx loaded) that last collection took ~0.15 s; what must
        # be closed is closed before this (files by the commands, the store at exit by its finalizer)
        gc.freeze()
        sys.exit(code)
    return code
