"""`omnicenter doctor`: each check finds what is missing and names the fix."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from omnicenter.commands.doctor import (
    Status,
    check_chromium,
    check_database,
    check_espeak,
    check_messaging,
    check_ports,
    check_sip,
    check_sms,
    check_smtp_relay,
)
from omnicenter.settings import Settings
from omnicenter.store import Database


def _free_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_database_missing_then_unmigrated_then_ok(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    missing = check_database(settings)
    assert missing.status is Status.MISSING and "omnicenter db create" in missing.fix
    (tmp_path / "data").mkdir()
    empty = check_database(settings)
    assert empty.status is Status.MISSING and "omnicenter db upgrade" in empty.fix
    db = Database(settings.sqlalchemy_url())
    try:
        db.migrate()
    finally:
        db.dispose()
    assert check_database(settings).status is Status.OK


def test_an_unreachable_database_server_is_named() -> None:
    port = _free_port()
    url = f"postgresql+psycopg://oc:pw@127.0.0.1:{port}/oc?connect_timeout=2"
    found = check_database(Settings(database_url=url))
    assert found.status is Status.MISSING and "cannot reach" in found.detail
    assert "pw" not in found.detail  # the password is never printed


def test_ports_free_or_taken_by_another_program(tmp_path: Path) -> None:
    http, smtp, sip = _free_port(), _free_port(), _free_port(socket.SOCK_DGRAM)
    settings = Settings(http_port=http, smtp_port=smtp, sip_port=sip, voice_enabled=True)
    assert [c.status for c in check_ports(settings)] == [Status.OK] * 3
    with socket.socket() as other:
        other.bind(("127.0.0.1", smtp))
        other.listen()
        taken = {c.name: c for c in check_ports(settings)}
    smtp_check = taken[f"SMTP port 127.0.0.1:{smtp}"]
    assert smtp_check.status is Status.MISSING and "OMNICENTER_SMTP_PORT" in smtp_check.fix


@pytest.fixture()
def smtp_greeter() -> Iterator[int]:
    """A listener that greets like an SMTP server, once."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def greet() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"220 relay.example ESMTP\r\n")

    thread = threading.Thread(target=greet, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    thread.join(timeout=5)
    server.close()


def test_smtp_relay_reachable_or_not(smtp_greeter: int) -> None:
    assert check_smtp_relay(Settings()).status is Status.WARN  # none: the outbox keeps mail
    ok = check_smtp_relay(Settings(smtp_relay_host="127.0.0.1", smtp_relay_port=smtp_greeter))
    assert ok.status is Status.OK
    down = check_smtp_relay(Settings(smtp_relay_host="127.0.0.1", smtp_relay_port=_free_port()))
    assert down.status is Status.MISSING and "OMNICENTER_SMTP_RELAY_HOST" in down.fix


def test_twilio_needs_its_token() -> None:
    assert check_sms(Settings()).status is Status.WARN
    half = check_sms(Settings(sms_provider="twilio", twilio_account_sid="AC1"))
    assert half.status is Status.MISSING and "OMNICENTER_TWILIO_AUTH_TOKEN" in half.fix
    full = Settings(
        sms_provider="twilio", twilio_account_sid="AC1", twilio_auth_token=SecretStr("t")
    )
    assert check_sms(full).status is Status.OK


def test_messaging_channels_partly_set_are_missing() -> None:
    off = check_messaging(Settings())
    assert all(c.status is Status.OK for c in off)
    half = {c.name: c for c in check_messaging(Settings(whatsapp_access_token=SecretStr("tok")))}
    assert half["whatsapp"].status is Status.MISSING
    assert "OMNICENTER_WHATSAPP_PHONE_NUMBER_ID" in half["whatsapp"].fix
    assert "OMNICENTER_META_APP_SECRET" in half["whatsapp"].fix
    assert half["telegram"].status is Status.OK  # untouched: off
    telegram = Settings(telegram_bot_token=SecretStr("b"), telegram_secret_token=SecretStr("s"))
    assert {c.name: c.status for c in check_messaging(telegram)}["telegram"] is Status.OK


def test_sip_settings_file_is_read(tmp_path: Path) -> None:
    bad = tmp_path / "voice.toml"
    bad.write_text("[voice]\nno_such_setting = 1\n")
    found = check_sip(Settings(voice_config=str(bad)))
    assert found.status is Status.MISSING and "no_such_setting" in found.detail
    assert check_sip(Settings()).status is Status.OK


def test_optional_tools_warn_with_the_install_command(tmp_path: Path) -> None:
    def nothing(_: str) -> str | None:
        return None

    espeak = check_espeak(nothing)
    assert espeak.status is Status.WARN and espeak.fix == "apt-get install espeak-ng"
    assert check_espeak(lambda name: f"/usr/bin/{name}").status is Status.OK
    chromium = check_chromium(nothing, configured=str(tmp_path / "no-chromium"))
    assert chromium.status is Status.WARN and "apt-get install chromium" in chromium.fix


def test_doctor_exits_non_zero_with_the_fix_on_a_fresh_data_dir(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "OMNICENTER_DATA_DIR": str(tmp_path / "fresh"),
        "OMNICENTER_HTTP_PORT": str(_free_port()),
        "OMNICENTER_SMTP_PORT": str(_free_port()),
        "OMNICENTER_SIP_PORT": str(_free_port(socket.SOCK_DGRAM)),
        "COLUMNS": "200",
        "PYTHONWARNINGS": "ignore",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from omnicenter.cli import main; main()", "doctor"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MISSING" in done.stdout and "omnicenter db create" in done.stdout
