"""Recording retention: old recordings (by the call's date in the name, or the file's age)
are deleted by the running service's sweep and by `omnicenter voice purge-recordings`; the
call's timeline then says the recording expired, and its link answers 410."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner
from voice_desk import heard, running_desk
from voice_helpers import AGENT_TONE

from omnicenter.channels.voice.media.audio import tone, write_wav
from omnicenter.channels.voice.menu import MenuDefinition, MenuError
from omnicenter.channels.voice.retention import (
    expired_by_queue,
    expired_recordings,
    find_recording,
)
from omnicenter.cli import app
from omnicenter.store import Database

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def wav(path: Path, *, age_days: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, tone(440.0, 0.1))
    stamp = time.time() - age_days * 86400
    os.utime(path, (stamp, stamp))
    return path


def test_age_is_the_call_date_in_the_name_else_the_file_time(tmp_path: Path) -> None:
    old_call = wav(tmp_path / "20260101T090000Z-call_old1.wav")  # fresh file, old call
    wav(tmp_path / f"{NOW:%Y%m%dT%H%M%SZ}-call_new1.wav", age_days=400)  # old file, new call
    old_file = wav(tmp_path / "imported.wav", age_days=(datetime.now(UTC) - NOW).days + 100)
    wav(tmp_path / "fresh.wav")
    found = expired_recordings(tmp_path, 90, NOW)
    assert {r.path for r in found} == {old_call, old_file}
    assert {r.call_id for r in found} == {"call_old1", None}
    assert expired_recordings(tmp_path, 0, NOW) == []  # 0 keeps everything
    assert expired_recordings(tmp_path / "missing", 90, NOW) == []


def test_a_queue_keeps_its_recordings_for_its_own_time(tmp_path: Path) -> None:
    def call(folder: str, days_ago: int, call_id: str) -> Path:
        stamp = NOW - timedelta(days=days_ago)
        return wav(tmp_path / folder / f"{stamp:%Y%m%dT%H%M%SZ}-{call_id}.wav")

    top_old, top_new = call("", 100, "call_t1"), call("", 60, "call_t2")
    support = call("support", 40, "call_s1")  # support keeps 30 days
    sales = call("sales", 40, "call_a1")  # sales has no time of its own: 90 days
    legal = call("legal", 4000, "call_l1")  # legal keeps everything (0)
    found = expired_by_queue(tmp_path, 90, {"support": 30, "legal": 0}, NOW)
    assert [r.path for r in found] == [top_old, support]  # oldest first
    assert top_new.exists() and sales.exists() and legal.exists()
    assert find_recording(tmp_path, "call_s1") == support
    assert find_recording(tmp_path, "call_t2") == top_new
    assert find_recording(tmp_path, "call_none") is None
    menu = {"nodes": {"main": {"prompt": "welcome", "options": {"1": "queue:support"}}}}
    bad = {**menu, "queues": {"support": {"retention_days": -1}}}
    with pytest.raises(MenuError, match="retention_days"):
        MenuDefinition.from_mapping(bad)
    ok = {**menu, "queues": {"support": {"recording": True, "retention_days": 30}}}
    assert MenuDefinition.from_mapping(ok).queues["support"].retention_days == 30


async def test_the_sweep_deletes_an_old_recording_and_the_timeline_says_so(
    tmp_path: Path, db: Database
) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    async with running_desk(tmp_path, database_url=url, recordings_sweep_interval=0.2) as desk:
        await desk.agent("anna")
        anna = await desk.agent_phone("anna", AGENT_TONE)
        call = await desk.queue_call("2")  # support: recorded
        await desk.timeline.wait("connected")
        await anna.incoming.get()
        await heard(call, AGENT_TONE)
        await call.hangup()
        recorded = await desk.timeline.wait("recording")
        url = str(recorded.meta["url"])
        call_id = str(recorded.meta["call_id"])
        api = await desk.client("anna")
        got = await api.get(url.removeprefix("/api/v1"))
        assert got.status_code == 200 and got.headers["content-type"] == "audio/wav"

        path = Path(str(recorded.meta["path"]))
        assert path.parent.name == "support"  # a queue's recordings are in its folder
        old = path.with_name(
            f"{datetime.now(UTC) - timedelta(days=91):%Y%m%dT%H%M%SZ}-{call_id}.wav"
        )
        path.rename(old)  # as if the call was 91 days ago
        expired = await desk.timeline.wait("recording_expired")
        assert expired.meta["call_id"] == call_id
        assert expired.interaction_id == recorded.interaction_id
        assert not old.exists()
        gone = await api.get(url.removeprefix("/api/v1"))
        assert gone.status_code == 410 and "expired" in gone.json()["detail"]
        assert (await api.get("/calls/call_unknown/recording")).status_code == 404


def test_purge_recordings_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNICENTER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OMNICENTER_VOICE_CONFIG", raising=False)
    monkeypatch.delenv("OMNICENTER_VOICE_DATA_DIR", raising=False)
    recordings = tmp_path / "voice" / "recordings"
    old = wav(recordings / "20200101T000000Z-call_a1.wav")
    old_file = wav(recordings / "legacy.wav", age_days=120)
    keep = wav(recordings / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-call_b2.wav")
    run = CliRunner().invoke

    r = run(app, ["voice", "purge-recordings", "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "2 recordings would be deleted" in r.output and old.exists()
    assert run(app, ["voice", "purge-recordings", "--days", "0"]).exit_code == 2

    r = run(app, ["voice", "purge-recordings"])
    assert r.exit_code == 0, r.output
    assert "deleted 2 recordings" in r.output
    assert not old.exists() and not old_file.exists() and keep.exists()
    r = run(app, ["voice", "purge-recordings"])
    assert "no recordings older than 90 days" in r.output
