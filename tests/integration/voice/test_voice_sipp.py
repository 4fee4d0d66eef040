"""Interoperability with sipp (Debian's sip-tester): scenarios in tests/fixtures/sip."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from voice_helpers import FIXTURES, agent_phone, require_tool

from omnicenter.channels.voice import (
    CallEventKind,
    SimpleVoiceService,
    VoiceEndpoint,
    VoiceSettings,
)
from omnicenter.channels.voice.softphone import Softphone


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_sipp(
    endpoint: VoiceEndpoint, scenario: str, tmp_path: Path, *, calls: int = 1
) -> None:
    sipp = require_tool("sipp")
    proc = await asyncio.create_subprocess_exec(
        sipp,
        f"{endpoint.host}:{endpoint.port}",
        "-sf",
        str(FIXTURES / scenario),
        "-m",
        str(calls),
        "-i",
        "127.0.0.1",
        "-p",
        str(_free_port()),
        "-mp",
        str(_free_port()),
        "-timeout",
        "20",
        "-timeout_error",
        "-bg" if False else "-nostdin",
        "-trace_err",
        "-error_file",
        str(tmp_path / "sipp_errors.log"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    out, _ = await proc.communicate()
    errors = (
        (tmp_path / "sipp_errors.log").read_text()
        if (tmp_path / "sipp_errors.log").exists()
        else ""
    )
    assert proc.returncode == 0, (
        f"sipp failed ({proc.returncode}):\n{errors[-3000:]}\n{out.decode()[-2000:]}"
    )


async def test_sipp_call_reaches_an_agent(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone], tmp_path: Path
) -> None:
    agent = await agent_phone(endpoint, phones)
    ended = asyncio.ensure_future(service.next_event(CallEventKind.ENDED))
    await run_sipp(endpoint, "uac_ivr_agent.xml", tmp_path)
    event = await asyncio.wait_for(ended, 5)
    assert event.data["reason"] == "remote_bye" and event.agent_id == "agt_1"
    assert CallEventKind.CONNECTED in [e.kind for e in service.events]
    agent_call = agent.incoming.get_nowait()
    await asyncio.wait_for(agent_call.leg.ended, 5)
    assert service.abandoned == 0


async def test_sipp_hangup_in_queue_is_abandoned(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, tmp_path: Path
) -> None:
    await run_sipp(endpoint, "uac_abandon.xml", tmp_path)
    await asyncio.wait_for(_until(lambda: service.abandoned == 1), 5)
    assert CallEventKind.ABANDONED in [e.kind for e in service.events]


async def test_sipp_callback_request(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, tmp_path: Path
) -> None:
    await run_sipp(endpoint, "uac_callback.xml", tmp_path)
    assert [number for _, number, _ in service.callbacks] == ["+48601234567"]
    assert service.abandoned == 0


async def test_sipp_cancel_before_answer(settings: VoiceSettings, tmp_path: Path) -> None:
    service = SimpleVoiceService()
    endpoint = VoiceEndpoint(replace(settings, answer_after=5.0), service)
    await endpoint.start()
    try:
        await run_sipp(endpoint, "uac_cancel.xml", tmp_path)
        await asyncio.wait_for(_until(lambda: not endpoint.calls), 5)
        assert CallEventKind.CONNECTED not in [e.kind for e in service.events]
    finally:
        await endpoint.aclose()


async def test_sipp_malformed_messages(endpoint: VoiceEndpoint, tmp_path: Path) -> None:
    await run_sipp(endpoint, "malformed.xml", tmp_path)
    assert endpoint.stats["rejected"] == 4
    assert endpoint.stats["dropped"] >= 1


async def _until(condition: object) -> None:
    assert callable(condition)
    while not condition():
        await asyncio.sleep(0.02)


@pytest.fixture(autouse=True)
def _sipp_present() -> None:
    require_tool("sipp")
