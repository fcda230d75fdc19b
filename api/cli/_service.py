"""``hubcheck serve``, ``hubcheck keys ...`` and ``hubcheck inventory import``: the service's commands."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli._common import console, emit_json, state, writable_file

__all__ = ["inventory_app", "keys_app", "serve"]

keys_app = typer.Typer(help="API keys of the service: create, list, revoke.", no_args_is_help=True)
inventory_app = typer.Typer(help="The store's hub inventory.", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="installer, supplier, dcc or admin.")],
    party: Annotated[
        str | None, typer.Option(help="The supplier an installer or supplier key acts for.")
    ] = None,
    label: Annotated[str | None, typer.Option(help="A note to tell keys apart (e.g. 'demo').")] = None,
) -> None:
    """Make an API key. The key is printed once, on the last line of stdout; only its hash is kept."""
    st = state(ctx)
    key_id, key = st.store().create_key(role, party, label=label)
    if st.json:
        sys.stdout.write(json.dumps({"id": key_id, "role": role, "party": party, "label": label}) + "\n")
    else:
        who = f"{role}" + (f" for {party}" if party else "")
        sys.stdout.write(f"created key {key_id} ({who}); it is shown once, keep it now:\n")
    sys.stdout.write(key + "\n")


@keys_app.command("list")
def keys_list(ctx: typer.Context) -> None:
    """Every key: id, role, party, label, when made and by whom, when revoked (never the key)."""
    from rich.table import Table

    st = state(ctx)
    rows = st.store().list_keys()
    if st.json:
        emit_json(rows)
        return
    # 80 columns: days, not seconds, and whether the key still works (--json has every time)
    t = Table(box=None, pad_edge=False)
    for head in ("id", "role"):
        t.add_column(head, no_wrap=True)
    t.add_column("party")
    t.add_column("label")
    for head in ("created", "by", "state"):
        t.add_column(head, no_wrap=True)
    for r in rows:
        t.add_row(
            r["id"],
            r["role"],
            r["party"] or "",
            r["label"] or "",
            r["created_at"].date().isoformat(),
            r["created_by"],
            "revoked" if r["revoked_at"] else "live",
        )
    console.print(t)


@keys_app.command("revoke")
def keys_revoke(
    ctx: typer.Context,
    key_id: Annotated[str | None, typer.Argument(help="The key's id (or the key itself).")] = None,
    label: Annotated[str | None, typer.Option(help="Revoke every live key with this label.")] = None,
) -> None:
    """Revoke a key (it stops working at once, in every server process)."""
    st = state(ctx)
    store = st.store()
    if (key_id is None) == (label is None):
        from eligibility.errors import InputError

        raise InputError("give a KEY_ID or --label, not both", field="key_id")
    ids = (
        [key_id]
        if key_id is not None
        else [r["id"] for r in store.list_keys() if r["label"] == label and r["revoked_at"] is None]
    )
    done = {k: store.revoke_key(k) for k in ids}
    if st.json:
        emit_json([{"id": k, "revoked": now} for k, now in done.items()])
        return
    for k, now in done.items():
        console.print(f"key {k} {'revoked' if now else 'was already revoked'}")


@keys_app.command("demo")
def keys_demo(
    ctx: typer.Context,
    env: Annotated[
        Path | None,
        typer.Option(
            callback=writable_file,
            help="Also write the keys as shell variables (INSTALLER_KEY ...), with HUBCHECK_DB and PATH.",
        ),
    ] = None,
    url: Annotated[
        str, typer.Option(help="With --env: the service's address, as HUBCHECK_URL.")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Revoke the previous demo keys and print a new one per role (for `make run`), key last on each line.

    Installer and supplier keys act for the supplier with the most hubs in the inventory. With
    --env FILE, ``. FILE`` in another shell gives it the keys, the store and the ``hubcheck`` command.
    """
    st = state(ctx)
    store = st.store()
    for r in store.list_keys():
        if r["label"] == "demo" and r["revoked_at"] is None:
            store.revoke_key(r["id"])
    suppliers = store.inventory_frame()["supplier"].drop_nulls().value_counts(sort=True)
    party = suppliers["supplier"][0] if suppliers.height else "Demo Supplier"
    keys = []
    for role in ("installer", "supplier", "dcc", "admin"):
        acts_for = party if role in ("installer", "supplier") else None
        _, key = store.create_key(role, acts_for, label="demo")
        keys.append({"role": role, "party": acts_for, "key": key})
    if env is not None:
        _write_env(env, store.url, url, keys)
    if st.json:
        emit_json(keys)
        return
    for k in keys:
        who = f"{k['role']} ({k['party']})" if k["party"] else str(k["role"])
        sys.stdout.write(f"{who:<30} {k['key']}\n")


def _write_env(path: Path, db: str, url: str, keys: list[dict[str, str | None]]) -> None:
    """The demo's shell variables: the keys by role, the store, the service, this installation's commands."""
    lines = [
        "# written by hubcheck keys demo (make run): . this file in a shell to use the demo",
        f"export HUBCHECK_DB={shlex.quote(db)}",
        f"export HUBCHECK_URL={shlex.quote(url)}",
        f'export PATH={shlex.quote(str(Path(sys.prefix) / "bin"))}:"$PATH"',
        *(f"export {str(k['role']).upper()}_KEY={k['key']}" for k in keys),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)  # keys: readable by their owner only


@inventory_app.command("import")
def inventory_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(dir_okay=False, help="Inventory: CSV or Parquet.")],
    supplier: Annotated[
        str | None, typer.Option(help="Supplier of the rows that name none; rows naming another are refused.")
    ] = None,
) -> None:
    """Import hubs into the store's inventory, keyed by Device ID, whole or not at all."""
    import hashlib

    from cpl_data.inventory import read_inventory

    st = state(ctx)
    read = read_inventory(file)
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    out = st.store().import_inventory(read, supplier=supplier, sha256=sha)
    if st.json:
        emit_json({"id": out.import_id, "source": read.source, "sha256": sha, **out.counts})
    else:
        console.print(f"[bold]{out.detail}[/bold] from {read.source} (import {out.import_id})")


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (each holds its own caches).")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Serve the API (OpenAPI at /docs) and the installer page (/) with uvicorn."""
    import uvicorn

    store = state(ctx).store()  # opens and migrates the store once, before any worker starts
    if workers > 1 and _in_memory(store.url):
        from eligibility.errors import InputError

        raise InputError(
            f"--workers {workers}: the store {store.url!r} is an in-memory SQLite database, which each "
            "worker process would open empty and alone; give a file (--db hubcheck.sqlite) or a "
            "PostgreSQL URL that every worker shares",
            field="--workers",
        )
    os.environ["HUBCHECK_DB"] = store.url  # what the workers' Settings read (api.store.ENV_DB)
    from sqlalchemy.engine import make_url

    shown = make_url(store.url).render_as_string(hide_password=True)  # never the password on screen
    console.print(f"hubcheck serving {shown} on http://{host}:{port} (installer page at /, API at /docs)")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http="httptools",
        loop="uvloop",
        access_log=access_log,
        log_level="info",
    )


def _in_memory(url: str) -> bool:
    """Whether ``url`` is an SQLite database that lives in one process's memory (no file to share)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return False
    db = u.database or ""
    return db in ("", ":memory:") or u.query.get("mode") == "memory" or "mode=memory" in db
