"""`omnicenter serve`: HTTP, SMTP (and SIP when voice is enabled) on the embedded default."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from omnicenter import hugepages
from omnicenter.settings import load_settings

console = Console()


def serve(
    demo: Annotated[bool, typer.Option(help="Load demo agents, customers and cases")] = False,
    host: Annotated[str | None, typer.Option(help="HTTP host (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (default 8080)")] = None,
    smtp_port: Annotated[int | None, typer.Option(help="SMTP port (default 2525)")] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning")] = "info",
) -> None:
    """Start the contact center: API, agent desktop, chat widget, SMTP listener."""
    # before the service builds its state: the routing engine's objects then live on huge
    # pages (see omnicenter.hugepages; OMNICENTER_HUGE_PAGES=0 leaves them on small ones)
    state = hugepages.enable()
    overrides: dict[str, object] = {}
    if host:
        overrides["http_host"] = host
    if port is not None:
        overrides["http_port"] = port
    if smtp_port is not None:
        overrides["smtp_port"] = smtp_port
    if "OMNICENTER_VOICE_ENABLED" not in os.environ:
        overrides["voice_enabled"] = True
    examples = Path(__file__).resolve().parents[3] / "examples"
    if demo and "OMNICENTER_BOT_ENABLED" not in os.environ and examples.is_dir():
        overrides.update(
            bot_enabled=True,
            bot_flow=str(examples / "flows" / "shop.yaml"),
            bot_catalog=str(examples / "catalog"),
        )
        # The demo phone line runs the keypad version of the shop flow.
        os.environ.setdefault("OMNICENTER_VOICE_FLOW", str(examples / "flows" / "phone.yaml"))
    if demo:
        overrides.update(_demo_settings(examples))
    settings = load_settings(**overrides)
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP verb
    logging.getLogger("omnicenter").info("huge-page arenas: %s", state)

    from omnicenter.api import create_app
    from omnicenter.bootstrap import Services
    from omnicenter.commands.db import require_database

    require_database(settings.sqlalchemy_url())  # a missing database: the fix, not a traceback
    services = Services(settings)
    app = create_app(settings, services=services)
    if demo:
        from omnicenter.demo import DEMO_AGENTS, DEMO_PASSWORD, load_demo

        async def seed() -> None:
            await asyncio.to_thread(services.db.migrate)
            await services.runtime.write(load_demo)

        asyncio.run(seed())
        table = Table(title="Demo accounts (password: " + DEMO_PASSWORD + ")")
        table.add_column("username")
        table.add_column("role")
        for agent in DEMO_AGENTS:
            table.add_row(agent.username, agent.role.value)
        console.print(table)
        secrets = Table(title="Demo webhook secrets (sign test requests with these)")
        secrets.add_column("setting")
        secrets.add_column("value")
        for name in DEMO_SECRETS:
            value = getattr(settings, name).get_secret_value()
            secrets.add_row(f"OMNICENTER_{name.upper()}", value)
        console.print(secrets)
    base = f"http://{settings.http_host}:{settings.http_port}"
    console.print(
        f"[bold]omnicenter[/] desktop {base}/ · widget {base}/widget · API {base}/api/docs · "
        f"SMTP {settings.smtp_host}:{settings.smtp_port} · "
        + (f"SIP {settings.sip_host}:{settings.sip_port} · " if settings.voice_enabled else "")
        + f"data {settings.sqlalchemy_url()}"
    )
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level=log_level,
        ws_ping_interval=20,
    )


def register(app: typer.Typer) -> None:
    app.command()(serve)


# The demo's webhook secrets: every channel works out of the box, signed as a provider would
# sign it (docs/channels/<name>.md show how). Never use them outside the demo.
DEMO_SECRETS = {
    "twilio_auth_token": "demo-twilio-token",
    "meta_app_secret": "demo-meta-secret",
    "meta_verify_token": "demo-verify-token",
    "telegram_secret_token": "demo-telegram-secret",
}


def _demo_settings(examples: Path) -> dict[str, object]:
    """What `--demo` sets that the environment did not: webhook secrets, engagement rules."""
    chosen: dict[str, object] = {
        k: v for k, v in DEMO_SECRETS.items() if f"OMNICENTER_{k.upper()}" not in os.environ
    }
    rules = examples / "engagement" / "rules.yaml"
    if "OMNICENTER_ENGAGEMENT_RULES" not in os.environ and rules.is_file():
        chosen["engagement_rules"] = str(rules)
    return chosen
