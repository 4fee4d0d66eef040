"""Interoperability with baresip as the agent's softphone: digest REGISTER, auto-answer,
and audio both ways (baresip's `sndfile` module dumps what it decoded)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from voice_helpers import AGENT_TONE, CALLER_TONE, require_tool

from omnicenter.channels.voice import CallEventKind, SimpleVoiceService, VoiceEndpoint
from omnicenter.channels.voice.media.audio import goertzel_power, load_wav, tone, write_wav
from omnicenter.channels.voice.softphone import Softphone


def baresip_config(directory: Path, endpoint: VoiceEndpoint, source: Path, dumps: Path) -> Path:
    config = directory / "baresip"
    config.mkdir()
    # aufile plays a WAV as the microphone; aubridge is a silent speaker; sndfile records.
    (config / "config").write_text(
        "module_path /usr/lib/baresip/modules\n"
        "sip_listen 127.0.0.1:0\n"
        f"audio_source aufile,{source}\n"
        "audio_player aubridge,speaker\n"
        "audio_alert aubridge,speaker\n"
        f"snd_path {dumps}\n"
        "module g711.so\nmodule aufile.so\nmodule aubridge.so\nmodule sndfile.so\n"
        "module_app account.so\n"
    )
    (config / "accounts").write_text(
        f"<sip:agent1@127.0.0.1:{endpoint.port};transport=udp>;auth_pass=secret1;"
        "answermode=auto;regint=600;ptime=20;audio_codecs=PCMU,PCMA\n"
    )
    return config


async def test_baresip_agent_registers_answers_and_audio_flows(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone], tmp_path: Path
) -> None:
    baresip = require_tool("baresip")
    source, dumps = tmp_path / "agent.wav", tmp_path / "dumps"
    dumps.mkdir()
    write_wav(source, tone(AGENT_TONE, 20.0))
    config = baresip_config(tmp_path, endpoint, source, dumps)
    proc = await asyncio.create_subprocess_exec(
        baresip,
        "-f",
        str(config),
        "-t",
        "60",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        while not service.idle_agents():  # registered through digest auth
            await asyncio.sleep(0.05)
            assert proc.returncode is None, "baresip exited"
        caller = Softphone("+48601234567", (endpoint.host, endpoint.port), t1=0.1)
        await caller.start()
        phones.append(caller)
        connected = asyncio.ensure_future(service.next_event(CallEventKind.CONNECTED))
        call = await caller.call("ivr")
        await asyncio.sleep(0.2)
        await call.dtmf("1")
        await asyncio.wait_for(connected, 15)
        call.leg.rtp.play(tone(CALLER_TONE, 5.0), loop=True)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while loop.time() < deadline:
            audio = call.audio()
            if len(audio) > 1600 and goertzel_power(audio[-1600:], AGENT_TONE) > 0.6:
                break
            await asyncio.sleep(0.05)
        assert goertzel_power(call.audio()[-1600:], AGENT_TONE) > 0.6  # baresip -> caller
        await asyncio.sleep(1.0)
        ended = asyncio.ensure_future(service.next_event(CallEventKind.ENDED))
        await call.hangup()
        await asyncio.wait_for(ended, 5)
    finally:
        proc.terminate()
        await proc.wait()
    decoded = next(dumps.glob("*-dec.wav"))  # what baresip heard
    heard = load_wav(decoded)
    assert goertzel_power(heard[-8000:-800], CALLER_TONE) > 0.5  # caller -> baresip
