"""Every example in the README and docs/ runs against ``make run``'s data and gives the answer shown.

A fenced block whose info string is ``console`` is an example: each ``$ `` line is a command (a
trailing backslash continues it), the lines after it up to the next command are what it prints
(stdout and stderr, as on an 80-column terminal), where ``...`` stands for any text. A command
must exit 0, unless the next command is ``echo $?``, which then shows its code. A block marked
``sh`` is not run (``make run`` itself, installing things); it may hold no ``hubcheck`` or ``curl``
command, so that no example escapes this test.

How it runs, as a reader would: ``make data`` (what ``make run`` loads) builds the store once; for
each document a copy of it is served on a free port, ``keys demo --env var/demo.env`` writes the
demo's shell variables (``$INSTALLER_KEY``, ``$HUBCHECK_URL`` ...), and each block runs in bash
from a folder holding ``sample/`` and ``var/``, after ``. var/demo.env``. The blocks of one
document share its store, in order, as a reader going down the page would.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, SUMMARY
from tests.make_run import make_run_data
from tests.service_support import Server

DOCS = [REPO / "README.md", *sorted(p for p in (REPO / "docs").rglob("*.md"))]
_FENCE = re.compile(r"^```(\S*)\s*$")
_CHECKER = doctest.OutputChecker()


@dataclass
class Example:
    """One command of a block and the output the document shows for it."""

    command: str
    expected: str
    line: int  # in the document, for messages


@dataclass
class Block:
    """A fenced block: its info string, first line and text."""

    info: str
    line: int
    text: list[str]


def blocks(doc: Path) -> list[Block]:
    """Every fenced block of ``doc``."""
    out: list[Block] = []
    current: Block | None = None
    for i, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
        m = _FENCE.match(line)
        if current is None and m:
            current = Block(m.group(1), i, [])
        elif current is not None and line.startswith("```"):
            out.append(current)
            current = None
        elif current is not None:
            current.text.append(line)
    return out


def _open_quote(command: str) -> bool:
    try:
        shlex.split(command)
    except ValueError:  # "No closing quotation": the command goes on on the next line
        return True
    return False


def examples(block: Block) -> list[Example]:
    """The commands of a ``console`` block with their expected output."""
    out: list[Example] = []
    lines = iter(enumerate(block.text, start=block.line + 1))
    for n, line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\") or _open_quote(command):  # bash reads on, as typed
                command += "\n" + next(lines)[1]
            out.append(Example(command, "", n))
        elif out:
            out[-1].expected += line + "\n"
        elif line.strip():
            raise AssertionError(f"line {n}: output before any '$ ' command")
    return out


def _runnable(doc: Path) -> list[Block]:
    return [b for b in blocks(doc) if b.info == "console"]


def _marks(doc: Path) -> list[str]:
    """Blocks that look like examples but are not marked runnable."""
    bad = []
    for b in blocks(doc):
        if b.info in ("sh", "bash", "shell", "") and any(
            re.match(r"\s*(\$ )?(hubcheck|curl)\b", line) for line in b.text
        ):
            bad.append(f"{doc.relative_to(REPO)}:{b.line}: a '{b.info}' block runs hubcheck or curl")
    return bad


def test_every_example_is_marked_runnable() -> None:
    bad = [m for doc in DOCS for m in _marks(doc)]
    assert not bad, "mark these ```console, with the output they give:\n" + "\n".join(bad)


@pytest.fixture(scope="session")
def make_run_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store ``make run`` loads, made by the Makefile itself (its ``data`` target)."""
    return make_run_data(tmp_path_factory.mktemp("make-run"))


@dataclass
class Reader:
    """A reader's shell after ``make run``: a folder with sample/ and var/, the service running."""

    folder: Path
    server: Server


@pytest.fixture
def reader(make_run_store: Path, tmp_path: Path) -> Iterator[Reader]:
    var = tmp_path / "var"
    var.mkdir()
    store = var / "hubcheck.sqlite"
    with sqlite3.connect(make_run_store) as src, sqlite3.connect(store) as dst:
        src.backup(dst)  # a whole, consistent copy (the source is in WAL mode)
    (tmp_path / "sample").symlink_to(REPO / "sample")
    url = f"sqlite:///{store}"
    server = Server(url)
    try:
        subprocess.run(
            [str(Path(sys.prefix) / "bin" / "hubcheck"), "--db", url, "keys", "demo",
             "--env", str(var / "demo.env"), "--url", server.url],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        yield Reader(tmp_path, server)
    finally:
        server.stop()


_MARK = "@@hubcheck-example@@"


def run_block(block: list[Example], folder: Path) -> list[tuple[str, int]]:
    """Run a block's commands in one bash, as typed; returns each one's output and exit code."""
    script = [". var/demo.env", "export COLUMNS=80 PYTHONUNBUFFERED=1", "rc=0"]
    for ex in block:
        # $? is the last command's code for the next one (an "echo $?" reads it), not printf's
        script += [f"printf '\\n{_MARK}\\n'", "(exit $rc)", "{ " + ex.command + "\n} 2>&1", "rc=$?"]
        script.append(f"printf '\\n{_MARK} %d\\n' $rc")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBCHECK_", "COLUMNS"))}
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )
    parts = done.stdout.split(f"\n{_MARK}")
    results = []
    for body, tail in zip(parts[1::2], parts[2::2], strict=False):
        code = int(tail.split("\n", 1)[0].strip() or -1)
        results.append((body.removeprefix("\n"), code))
    assert len(results) == len(block), done.stdout + done.stderr
    return results


def _trim(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()) + "\n"


def _same(expected: str, got: str) -> bool:
    return _CHECKER.check_output(_trim(expected), _trim(got), doctest.ELLIPSIS)


_RUN: list[int] = []


@pytest.fixture(scope="module", autouse=True)
def _count() -> Iterator[None]:
    yield
    if _RUN:
        SUMMARY.append(f"docs examples: {sum(_RUN)} commands run from {len(_RUN)} documents")


@pytest.mark.slow
@pytest.mark.parametrize("doc", [d for d in DOCS if _runnable(d)], ids=lambda d: str(d.relative_to(REPO)))
def test_examples_give_the_documented_answer(doc: Path, reader: Reader) -> None:
    failures = []
    commands = 0
    for b in _runnable(doc):
        block = examples(b)
        for i, (ex, (got, code)) in enumerate(zip(block, run_block(block, reader.folder), strict=True)):
            commands += 1
            where = f"{doc.relative_to(REPO)}:{ex.line}: $ {ex.command}"
            shown = i + 1 < len(block) and block[i + 1].command.strip() == "echo $?"
            if code != 0 and not shown:
                failures.append(f"{where}\n  exit code {code} (show it with a following '$ echo $?')\n{got}")
            elif not _same(ex.expected, got):
                failures.append(f"{where}\n--- documented\n{ex.expected}--- printed\n{got}")
    _RUN.append(commands)
    assert commands
    assert not failures, "\n\n".join(failures)


def test_examples_parse() -> None:
    # the parser itself, on a block of its own
    b = Block("console", 1, ["$ echo a \\", "  b", "a b", "$ false", "$ echo $?", "1", "$ echo 'x", "y'"])
    got = examples(b)
    assert [e.command for e in got] == ["echo a \\\n  b", "false", "echo $?", "echo 'x\ny'"]
    assert [e.expected for e in got] == ["a b\n", "", "1\n", ""]
    assert _same("a ...\n", "a lot\nof lines\n")
    assert not _same("a\n", "b\n")
