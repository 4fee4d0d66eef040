"""`omnicenter agent ...`: accounts and API keys from the command line (first admin, scripts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from omnicenter.domain import AgentRole
from omnicenter.settings import load_settings

if TYPE_CHECKING:
    from omnicenter.store import Database

agent_app = typer.Typer(help="Agent accounts and API keys.", no_args_is_help=True)
console = Console()


def _db() -> Database:
    from omnicenter.store import Database  # imported on use: `--help` stays fast

    db = Database(load_settings().sqlalchemy_url())
    db.migrate()
    return db


@agent_app.command("create")
def create(
    username: str,
    display_name: Annotated[str, typer.Option("--name")] = "",
    role: Annotated[AgentRole, typer.Option()] = AgentRole.AGENT,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create an agent (the first admin, typically)."""
    from omnicenter.services.agents import AgentError, NewAgent, create_agent
    from omnicenter.services.uow import UnitOfWork

    db = _db()
    try:
        with db.transaction() as conn:
            agent = create_agent(
                UnitOfWork(conn),
                NewAgent(username, display_name or username, role, password or None),
                actor="cli",
            )
    except AgentError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    console.print(f"created {agent.role.value} [bold]{agent.username}[/] ({agent.id})")


@agent_app.command("api-key")
def api_key(username: str, name: Annotated[str, typer.Option()] = "cli") -> None:
    """Issue a long-lived API key for an agent; it is shown once."""
    from sqlalchemy import select

    from omnicenter.services.agents import issue_token
    from omnicenter.services.uow import UnitOfWork
    from omnicenter.store import tables as t

    db = _db()
    with db.transaction() as conn:
        row = conn.execute(select(t.agents.c.id).where(t.agents.c.username == username)).first()
        if row is None:
            console.print(f"[red]no agent {username!r}[/]")
            raise typer.Exit(1)
        token = issue_token(UnitOfWork(conn), row.id, name)
    console.print(token)


def register(app: typer.Typer) -> None:
    app.add_typer(agent_app, name="agent")
