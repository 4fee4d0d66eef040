"""`omnicenter db ...`: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from omnicenter.settings import load_settings

db_app = typer.Typer(help="Database schema: migrate to the newest version.", no_args_is_help=True)
console = Console()


@db_app.command("upgrade")
def upgrade(revision: str = "head") -> None:
    """Apply Alembic migrations (creates the schema on an empty database)."""
    from omnicenter.store import Database

    settings = load_settings()
    db = Database(settings.sqlalchemy_url())
    with console.status("migrating…"):
        db.migrate(revision)
    console.print(
        f"[green]schema at {revision}[/] on {db.engine.url.render_as_string(hide_password=True)}"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
