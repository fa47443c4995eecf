"""The CLI of the web workspace: `brandwatch web` serves it, `brandwatch users …` manages its accounts.

Kept apart so that the other commands do not import Flask (Flask loads only when these run).
"""

from __future__ import annotations

import sys

import click

from ..errors import BrandwatchError


def _store(ctx: click.Context):
    from ..store import Store
    from .common import _config

    return Store(_config(ctx).database)  # made when missing: users may be added before the first run


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep 127.0.0.1 and put a TLS reverse proxy in front (README).")
@click.option("--port", type=click.IntRange(1, 65535), default=8750, show_default=True, help="Port to listen on.")
@click.option("--insecure-cookies", is_flag=True,
              help="Send the session cookie over plain HTTP to a name other than localhost (a trusted LAN only).")
@click.pass_context
def web(ctx: click.Context, host: str, port: int, insecure_cookies: bool) -> None:
    """Serve the legal team's web workspace (review hits, evidence, reports) until interrupted."""
    from ..web import serve

    with _store(ctx) as store:
        if not store.users():
            raise BrandwatchError("no users yet; add one first: brandwatch users add NAME --role admin")
    click.echo(f"brandwatch web workspace on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    from .common import _config_path

    serve(_config_path(ctx), host, port, secure_cookies=not insecure_cookies)


@click.group()
def users() -> None:
    """Accounts of the web workspace: viewer (reads), reviewer (+ reviews, bundles, exports), admin (+ users)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(("viewer", "reviewer", "admin")), required=True, help="What the user may do.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str, password_stdin: bool) -> None:
    """Add NAME with ROLE; the password is prompted (twice) and kept only as an argon2 hash."""
    from ..accounts import add_user

    password = _password(password_stdin)
    with _store(ctx) as store:
        add_user(store, name, role, password, by="cli")
    click.echo(f"added {name} ({role})")


@users.command("set")
@click.argument("name")
@click.option("--role", type=click.Choice(("viewer", "reviewer", "admin")), default=None, help="A new role.")
@click.option("--password", "new_password", is_flag=True, help="Set a new password (prompted).")
@click.option("--password-stdin", is_flag=True, help="With --password: read it from standard input.")
@click.option("--disable/--enable", default=None, help="Stop (or allow again) signing in; past decisions stay.")
@click.pass_context
def users_set(ctx: click.Context, name: str, role: str | None, new_password: bool, password_stdin: bool,
              disable: bool | None) -> None:
    """Change NAME's role or password, or disable or enable the account."""
    from ..accounts import set_user

    if role is None and not new_password and disable is None:
        raise click.UsageError("give --role, --password, --disable or --enable")
    password = _password(password_stdin) if new_password else None
    with _store(ctx) as store:
        user = set_user(store, name, role=role, password=password, disabled=disable)
    click.echo(f"updated {user.name} ({user.role})")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """The accounts: name, role, when made and by whom, and whether disabled."""
    with _store(ctx) as store:
        rows = store.users()
    for u in rows:
        state = f"disabled {u['disabled_at']}" if u["disabled_at"] else "active"
        click.echo(f"{u['name']}\t{u['role']}\t{state}\tcreated {u['created_at']} by {u['created_by'] or '-'}")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)
