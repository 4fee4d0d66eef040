"""Whole calls through a real endpoint on loopback: IVR, queue, agent, bridge, recording.

Each prompt is a tone of its own pitch, so "the caller heard the menu" is checked by
detecting that pitch in the RTP the caller received, and "audio flowed" by detecting the
other party's tone on each side.
"""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np
import pytest
from voice_helpers import (
    AGENT_TONE,
    CALLER_TONE,
    MUSIC,
    PROMPT_TONES,
    agent_phone,
    new_phone,
)

from omnicenter.channels.voice import (
    AgentTarget,
    CallEventKind,
    CallState,
    SimpleVoiceService,
    VoiceEndpoint,
    VoiceSettings,
)
from omnicenter.channels.voice.media.audio import goertzel_power, tone
from omnicenter.channels.voice.softphone import PhoneCall, Softphone


async def heard(call: PhoneCall, freq: float, *, within: float = 5.0, share: float = 0.6) -> None:
    """Wait until the last 200 ms the phone received is mostly `freq`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while loop.time() < deadline:
        audio = call.audio()
        if len(audio) >= 1600 and goertzel_power(audio[-1600:], freq) > share:
            return
        await asyncio.sleep(0.05)
    pytest.fail(f"never heard {freq} Hz")


async def connect_caller(
    endpoint: VoiceEndpoint, phones: list[Softphone], digit: str = "2", *, info: bool = False
) -> PhoneCall:
    caller = await new_phone(endpoint, phones, "+48601234567")
    call = await caller.call("ivr")
    await heard(call, PROMPT_TONES["welcome"])
    await call.dtmf(digit, info=info)
    return call


@pytest.mark.parametrize("info", [False, True], ids=["rfc4733", "sip-info"])
async def test_caller_navigates_ivr_and_talks_to_an_agent(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone], info: bool
) -> None:
    agent = await agent_phone(endpoint, phones)
    connected = asyncio.ensure_future(service.next_event(CallEventKind.CONNECTED))
    call = await connect_caller(endpoint, phones, "1", info=info)
    event = await asyncio.wait_for(connected, 10)
    assert event.agent_id == "agt_1" and event.data["queue"] == "sales"
    agent_call = await asyncio.wait_for(agent.incoming.get(), 5)

    call.leg.rtp.play(tone(CALLER_TONE, 3.0), loop=True)
    await heard(call, AGENT_TONE)
    await heard(agent_call, CALLER_TONE)

    ended = asyncio.ensure_future(service.next_event(CallEventKind.ENDED))
    await call.hangup()
    event = await asyncio.wait_for(ended, 5)
    assert event.agent_id == "agt_1" and event.data["reason"] == "remote_bye"
    await asyncio.wait_for(agent_call.leg.ended, 5)  # the agent's phone got the BYE
    kinds = [e.kind for e in service.events]
    assert kinds[:5] == [
        CallEventKind.STARTED,
        CallEventKind.IVR_CHOICE,
        CallEventKind.QUEUED,
        CallEventKind.RINGING,
        CallEventKind.CONNECTED,
    ]
    started = service.calls[event.call_id]
    assert started.caller == "+48601234567"
    assert service.idle_agents() == ["agt_1"]
    assert service.abandoned == 0


async def test_recording_keeps_both_directions(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone]
) -> None:
    await agent_phone(endpoint, phones)
    connected = asyncio.ensure_future(service.next_event(CallEventKind.CONNECTED))
    call = await connect_caller(endpoint, phones, "2")  # support records
    await asyncio.wait_for(connected, 10)
    call.leg.rtp.play(tone(CALLER_TONE, 3.0), loop=True)
    await heard(call, AGENT_TONE)
    await asyncio.sleep(0.5)  # let half a second of conversation reach the recorder
    recorded = asyncio.ensure_future(service.next_event(CallEventKind.RECORDING))
    await call.hangup()
    path = Path((await asyncio.wait_for(recorded, 5)).data["path"])
    with wave.open(str(path)) as wav:
        assert wav.getnchannels() == 2
        stereo = np.frombuffer(wav.readframes(wav.getnframes()), "<i2").reshape(-1, 2)
    tail = stereo[-2400:-400]
    assert goertzel_power(tail[:, 0], CALLER_TONE) > 0.6
    assert goertzel_power(tail[:, 1], AGENT_TONE) > 0.6


async def test_caller_hanging_up_in_queue_is_abandoned(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone]
) -> None:
    call = await connect_caller(endpoint, phones, "1")
    await heard(call, PROMPT_TONES["queued"])
    await heard(call, MUSIC)
    assert len(service.queued()) == 1
    abandoned = asyncio.ensure_future(service.next_event(CallEventKind.ABANDONED))
    await call.hangup()
    assert (await asyncio.wait_for(abandoned, 5)).data["queue"] == "sales"
    assert service.abandoned == 1
    assert service.queued() == []


async def test_callback_request_is_kept_by_an_outbound_call(
    settings: VoiceSettings, phones: list[Softphone]
) -> None:
    customer = Softphone("+48601234567", ("127.0.0.1", 9), answer_with=tone(CALLER_TONE, 1.0))
    await customer.start()
    phones.append(customer)
    from dataclasses import replace

    service = SimpleVoiceService()
    endpoint = VoiceEndpoint(
        replace(settings, trunk=f"127.0.0.1:{customer.port}", caller_id="+48221234567"), service
    )
    await endpoint.start()
    try:
        customer.server = type(customer.server)("UDP", endpoint.host, endpoint.port)
        call = await customer.call("ivr", caller="+48601234567")
        await heard(call, PROMPT_TONES["welcome"])
        await call.dtmf("1")
        await heard(call, MUSIC)
        requested = asyncio.ensure_future(service.next_event(CallEventKind.CALLBACK_REQUESTED))
        await call.dtmf("9")
        event = await asyncio.wait_for(requested, 5)
        assert event.data["number"] == "+48601234567"
        await heard(call, PROMPT_TONES["callback_ok"])
        await asyncio.wait_for(call.leg.ended, 5)  # we hung up after the confirmation
        assert len(service.callbacks) == 1

        connected = asyncio.ensure_future(service.next_event(CallEventKind.CONNECTED))
        agent = await agent_phone(endpoint, phones)  # an agent becomes free: the promise is kept
        assert (await asyncio.wait_for(connected, 10)).data["callback"] == "+48601234567"
        agent_call = await asyncio.wait_for(agent.incoming.get(), 5)
        callback = await asyncio.wait_for(customer.incoming.get(), 5)
        assert callback.leg.dialog is not None
        assert "+48221234567" in callback.leg.dialog.remote_uri  # our caller ID
        await heard(callback, AGENT_TONE)
        await heard(agent_call, CALLER_TONE)
        await callback.hangup()
        await asyncio.wait_for(agent_call.leg.ended, 5)
    finally:
        await endpoint.aclose()


async def test_hold_plays_music_and_transfer_moves_the_caller(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone]
) -> None:
    await agent_phone(endpoint, phones, 1)
    connected = asyncio.ensure_future(service.next_event(CallEventKind.CONNECTED))
    call = await connect_caller(endpoint, phones, "1")
    event = await asyncio.wait_for(connected, 10)
    agent2 = await agent_phone(endpoint, phones, 2, freq=1400.0)
    live = endpoint.find_call(event.call_id)
    assert live is not None
    await heard(call, AGENT_TONE)

    await live.hold()
    assert live.state is CallState.HELD
    await heard(call, MUSIC)
    await live.resume()
    await heard(call, AGENT_TONE)

    assert await live.transfer(AgentTarget("agt_2", "agent2"))
    await asyncio.wait_for(agent2.incoming.get(), 5)
    await heard(call, 1400.0)
    kinds = [e.kind for e in service.events]
    assert CallEventKind.HOLD in kinds and CallEventKind.RESUME in kinds
    assert CallEventKind.TRANSFERRED in kinds
    await call.hangup()


async def test_agent_who_does_not_answer_gives_the_call_back_to_the_queue(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone]
) -> None:
    silent = await new_phone(endpoint, phones, "agent1", password="secret1", answer=False)
    assert (await silent.register()).status == 200
    no_answer = asyncio.ensure_future(service.next_event(CallEventKind.NO_ANSWER))
    call = await connect_caller(endpoint, phones, "1")
    event = await asyncio.wait_for(no_answer, 10)
    assert event.agent_id == "agt_1" and event.data["status"] == 408
    ringing = await silent.incoming.get()
    await asyncio.wait_for(ringing.leg.ended, 5)  # our CANCEL reached the phone
    await call.hangup()


async def test_hours_menu_then_goodbye(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone]
) -> None:
    call = await connect_caller(endpoint, phones, "3")
    await heard(call, PROMPT_TONES["hours"])
    await heard(call, PROMPT_TONES["goodbye"])
    await asyncio.wait_for(call.leg.ended, 5)
    assert service.abandoned == 0
