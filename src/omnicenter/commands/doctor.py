"""`omnicenter doctor`: what this installation is missing, and how to fix each thing.

Every check returns a `Check`: OK, MISSING (required: the command exits 1) or WARN (an
optional part is off, e.g. spoken prompts without espeak-ng). Checks read the settings
only; none writes anything, so the command is safe on a production host.
"""

from __future__ import annotations

import os
import shutil
import socket
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from omnicenter.settings import Settings, load_settings

__all__ = [
    "Check",
    "Status",
    "check_chromium",
    "check_database",
    "check_espeak",
    "check_messaging",
    "check_ports",
    "check_sip",
    "check_sms",
    "check_smtp_relay",
    "register",
    "run_checks",
]

console = Console()

# How long a reachability probe may take: doctor answers in seconds even when a host is down.
PROBE_TIMEOUT_S = 3.0


class Status(StrEnum):
    OK = "OK"
    WARN = "WARN"  # optional, off: the installation works without it
    MISSING = "MISSING"  # required: doctor exits non-zero


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def _ok(name: str, detail: str) -> Check:
    return Check(name, Status.OK, detail)


# -- database -------------------------------------------------------------------------------


def check_database(settings: Settings) -> Check:
    """Reachable, exists, and migrated to the newest schema."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from omnicenter.store.db import alembic_config, database_exists, missing_database_help

    url = settings.sqlalchemy_url()
    shown = make_url(url).render_as_string(hide_password=True)
    name = "database"
    try:
        exists = database_exists(url)
    except SQLAlchemyError as exc:
        return Check(
            name,
            Status.MISSING,
            f"cannot reach {shown}: {getattr(exc, 'orig', None) or exc}",
            "start the database server, or correct OMNICENTER_DATABASE_URL (host, port, "
            "user, password)",
        )
    if not exists:
        fix = (
            "`omnicenter db create` (makes the data directory), then `omnicenter db upgrade`"
            if make_url(url).get_backend_name() == "sqlite"
            else missing_database_help(url)
        )
        return Check(name, Status.MISSING, f"{shown} does not exist", fix)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        return Check(
            name,
            Status.MISSING,
            f"cannot open {shown}: {getattr(exc, 'orig', None) or exc}",
            "check the URL's user and password, and that the role may connect",
        )
    finally:
        engine.dispose()
    if current != head:
        return Check(
            name,
            Status.MISSING,
            f"schema at {current or 'nothing (empty database)'}, newest is {head}",
            "`omnicenter db upgrade` (or `omnicenter serve`, which migrates on start)",
        )
    return _ok(name, f"{shown}, schema at {head}")


# -- ports ----------------------------------------------------------------------------------


def _port_free(host: str, port: int, kind: socket.SocketKind) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, kind) as sock:
        if kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _omnicenter_answers(host: str, port: int) -> bool:
    """Whether the HTTP port is held by a running omnicenter (its OpenAPI title says so)."""
    import json
    import urllib.request

    try:
        with urllib.request.urlopen(
            f"http://{host}:{port}/openapi.json", timeout=PROBE_TIMEOUT_S
        ) as answer:
            title = json.loads(answer.read()).get("info", {}).get("title", "")
    except (OSError, ValueError):
        return False
    return isinstance(title, str) and title.lower().startswith("omnicenter")


def check_ports(settings: Settings) -> list[Check]:
    """HTTP, SMTP and SIP listeners: free to bind, or held by a running omnicenter."""
    ours = not _port_free(
        settings.http_host, settings.http_port, socket.SOCK_STREAM
    ) and _omnicenter_answers(settings.http_host, settings.http_port)
    wanted = [
        ("HTTP", settings.http_host, settings.http_port, socket.SOCK_STREAM, "HTTP_PORT"),
        ("SMTP", settings.smtp_host, settings.smtp_port, socket.SOCK_STREAM, "SMTP_PORT"),
    ]
    # `serve` switches the phone on unless OMNICENTER_VOICE_ENABLED says otherwise
    if settings.voice_enabled or "OMNICENTER_VOICE_ENABLED" not in os.environ:
        wanted.append(("SIP", settings.sip_host, settings.sip_port, socket.SOCK_DGRAM, "SIP_PORT"))
    checks = []
    for label, host, port, kind, env in wanted:
        name = f"{label} port {host}:{port}{'/udp' if kind == socket.SOCK_DGRAM else ''}"
        if _port_free(host, port, kind):
            checks.append(_ok(name, "free"))
        elif ours:
            checks.append(_ok(name, "in use by the running omnicenter"))
        else:
            checks.append(
                Check(
                    name,
                    Status.MISSING,
                    "in use by another program (or not allowed for this user)",
                    f"stop that program, or choose another port: OMNICENTER_{env}=...",
                )
            )
    return checks


# -- channels -------------------------------------------------------------------------------


def check_smtp_relay(settings: Settings) -> Check:
    """Outgoing email: the relay answers when one is set; without one mail waits in the outbox."""
    name = "email: SMTP relay"
    if not settings.smtp_relay_host:
        return Check(
            name,
            Status.WARN,
            "none set: outgoing email stays in the outbox (GET /api/v1/outbox?channel=email)",
            "to send email: OMNICENTER_SMTP_RELAY_HOST=smtp.example.com (and _PORT, _USERNAME, "
            "_PASSWORD, _STARTTLS)",
        )
    where = f"{settings.smtp_relay_host}:{settings.smtp_relay_port}"
    try:
        with socket.create_connection(
            (settings.smtp_relay_host, settings.smtp_relay_port), timeout=PROBE_TIMEOUT_S
        ) as sock:
            sock.settimeout(PROBE_TIMEOUT_S)
            banner = sock.recv(512).decode("ascii", "replace")
    except OSError as exc:
        return Check(
            name,
            Status.MISSING,
            f"{where} unreachable: {exc}",
            "check OMNICENTER_SMTP_RELAY_HOST and _PORT, and that a firewall lets this host out",
        )
    if not banner.startswith("220"):
        return Check(
            name,
            Status.MISSING,
            f"{where} answered {banner.strip()[:60]!r}, not an SMTP greeting",
            "OMNICENTER_SMTP_RELAY_PORT must be the relay's SMTP port (25, 587)",
        )
    return _ok(name, f"{where} answers")


def check_sms(settings: Settings) -> Check:
    name = "SMS provider"
    if settings.sms_provider != "twilio":
        return Check(
            name,
            Status.WARN,
            "outbox: SMS replies wait in the outbox (GET /api/v1/outbox?channel=sms)",
            "to send SMS: OMNICENTER_SMS_PROVIDER=twilio with OMNICENTER_TWILIO_ACCOUNT_SID "
            "and OMNICENTER_TWILIO_AUTH_TOKEN",
        )
    missing = [
        env
        for env, value in (
            ("OMNICENTER_TWILIO_ACCOUNT_SID", settings.twilio_account_sid),
            ("OMNICENTER_TWILIO_AUTH_TOKEN", settings.twilio_auth_token.get_secret_value()),
        )
        if not value
    ]
    if missing:
        return Check(
            name,
            Status.MISSING,
            "twilio chosen, but " + " and ".join(missing) + " empty",
            "set " + ", ".join(f"{m}=..." for m in missing) + " (Twilio console, Account Info)",
        )
    return _ok(name, f"twilio, account {settings.twilio_account_sid}")


def check_sip(settings: Settings) -> Check:
    """The phone's settings file, when one is named, reads as a `[voice]` table."""
    name = "phone: SIP settings"
    if not settings.voice_config:
        return _ok(name, f"defaults, listening on {settings.sip_host}:{settings.sip_port}")
    from omnicenter.channels.voice.config import VoiceSettings

    path = Path(settings.voice_config)
    try:
        with path.open("rb") as fh:
            VoiceSettings.from_mapping(tomllib.load(fh).get("voice", {}))
    except (OSError, ValueError, TypeError) as exc:
        return Check(
            name,
            Status.MISSING,
            f"{path}: {exc}",
            "fix the [voice] table in OMNICENTER_VOICE_CONFIG (docs/channels/voice.md)",
        )
    return _ok(name, f"{path}")


def check_espeak(which: Callable[[str], str | None] = shutil.which) -> Check:
    name = "phone: espeak-ng (spoken answers)"
    found = which("espeak-ng")
    if found is None:
        return Check(
            name,
            Status.WARN,
            "not installed: prompts without a recording play a beep",
            "apt-get install espeak-ng",
        )
    return _ok(name, found)


# A messaging channel works when all of its settings are set, and is off when none is;
# partly filled is a mistake.
_MESSAGING: dict[str, tuple[str, ...]] = {
    "whatsapp": ("meta_app_secret", "whatsapp_access_token", "whatsapp_phone_number_id"),
    "messenger": ("meta_app_secret", "messenger_page_access_token"),
    "instagram": ("meta_app_secret", "instagram_access_token"),
    "telegram": ("telegram_bot_token", "telegram_secret_token"),
}


def _is_set(settings: Settings, field: str) -> bool:
    value = getattr(settings, field)
    return bool(value.get_secret_value() if hasattr(value, "get_secret_value") else value)


def _own_fields(channel: str) -> tuple[str, ...]:
    # the Meta app secret is shared: it alone does not switch a channel on
    return tuple(f for f in _MESSAGING[channel] if f != "meta_app_secret")


def check_messaging(settings: Settings) -> list[Check]:
    checks = []
    for channel, needed in _MESSAGING.items():
        own = [f for f in _own_fields(channel) if _is_set(settings, f)]
        missing = [f for f in needed if not _is_set(settings, f)]
        name = f"{channel}"
        if not own:
            checks.append(_ok(name, f"off (to switch on: docs/channels/{channel}.md)"))
        elif missing:
            checks.append(
                Check(
                    name,
                    Status.MISSING,
                    "partly set: " + ", ".join(f.upper() for f in missing) + " empty",
                    "set "
                    + ", ".join(f"OMNICENTER_{f.upper()}=..." for f in missing)
                    + f" (docs/channels/{channel}.md), or clear the others",
                )
            )
        else:
            checks.append(_ok(name, "configured"))
    return checks


def check_chromium(
    which: Callable[[str], str | None] = shutil.which, configured: str | None = None
) -> Check:
    name = "chromium (browser tests)"
    configured = configured or os.environ.get("OMNICENTER_CHROMIUM", "/usr/bin/chromium")
    found = configured if Path(configured).is_file() else which("chromium")
    if found is None:
        return Check(
            name,
            Status.WARN,
            "not installed: tests/browser are skipped",
            "apt-get install chromium (or OMNICENTER_CHROMIUM=/path/to/chromium)",
        )
    return _ok(name, found)


def run_checks(settings: Settings) -> list[Check]:
    return [
        check_database(settings),
        *check_ports(settings),
        check_smtp_relay(settings),
        check_sms(settings),
        check_sip(settings),
        check_espeak(),
        *check_messaging(settings),
        check_chromium(),
    ]


_STYLE = {Status.OK: "green", Status.WARN: "yellow", Status.MISSING: "bold red"}


def _table(checks: Iterable[Check]) -> Table:
    table = Table(title="omnicenter doctor", show_lines=False)
    for column in ("check", "status", "found", "how to fix"):
        table.add_column(column, overflow="fold")
    for c in checks:
        table.add_row(c.name, f"[{_STYLE[c.status]}]{c.status}[/]", c.detail, c.fix)
    return table


def doctor() -> None:
    """Check the database, the ports and each channel's settings; say how to fix what is
    missing (exit code 1 when something required is)."""
    checks = run_checks(load_settings())
    console.print(_table(checks), highlight=False)
    missing = [c for c in checks if c.status is Status.MISSING]
    if missing:
        console.print(f"[bold red]{len(missing)} required item(s) missing[/]", highlight=False)
        raise typer.Exit(1)
    console.print("[green]everything required is in place[/]")


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
