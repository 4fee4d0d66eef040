"""`omnicenter db ...`: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from omnicenter.settings import load_settings

db_app = typer.Typer(
    help="Database: create it, migrate the schema to the newest version.", no_args_is_help=True
)
console = Console()


def require_database(url: str) -> None:
    """Stop with one paragraph naming the fix, not a driver traceback, if the database is missing."""
    from omnicenter.store.db import database_exists, missing_database_help

    if not database_exists(url):
        console.print(f"[red]{missing_database_help(url)}[/]")
        raise typer.Exit(1)


@db_app.command("create")
def create() -> None:
    """Create the settings' database if it does not exist (PostgreSQL: needs CREATEDB)."""
    from omnicenter.store.db import DatabaseMissing, create_database

    url = load_settings().sqlalchemy_url()
    try:
        created = create_database(url)
    except DatabaseMissing as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    console.print("created the database" if created else "the database exists already")
    console.print("next: `omnicenter db upgrade` (or `omnicenter serve`, which migrates on start)")


@db_app.command("upgrade")
def upgrade(revision: str = "head") -> None:
    """Apply Alembic migrations (creates the schema on an empty database)."""
    from omnicenter.store import Database

    settings = load_settings()
    require_database(settings.sqlalchemy_url())
    db = Database(settings.sqlalchemy_url())
    with console.status("migrating…"):
        db.migrate(revision)
    console.print(
        f"[green]schema at {revision}[/] on {db.engine.url.render_as_string(hide_password=True)}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
