"""Transfer from the agent's phone: a REFER (RFC 3515) in the agent's call names another
agent; the endpoint accepts it (202), rings that agent, reports progress by NOTIFY (sipfrag)
and moves the caller. Unknown targets, phones not registered and Replaces are refused."""

from __future__ import annotations

import asyncio

from voice_desk import heard
from voice_helpers import AGENT_TONE, PROMPT_TONES, agent_phone, new_phone

from omnicenter.channels.voice import CallEventKind, SimpleVoiceService, VoiceEndpoint
from omnicenter.channels.voice.media.audio import tone
from omnicenter.channels.voice.sip import SipResponse
from omnicenter.channels.voice.softphone import PhoneCall, Softphone

AGENT2_TONE = 1400.0


class TransferringPhone(Softphone):
    """A softphone that takes the NOTIFYs about its REFER (RFC 3515)."""

    allowed = (*Softphone.allowed, "NOTIFY")


def notifications(call: PhoneCall) -> asyncio.Queue[str]:
    """The sipfrag status lines NOTIFYed in this call's dialog."""
    got: asyncio.Queue[str] = asyncio.Queue()
    call.leg.on_notify = lambda request: got.put_nowait(request.body.decode().strip())
    return got


async def refer(phone: Softphone, call: PhoneCall, refer_to: str) -> SipResponse:
    dialog = call.leg.dialog
    assert dialog is not None
    request = dialog.request("REFER", phone.via_host)
    request.headers.add("Refer-To", refer_to)
    request.headers.add("Referred-By", f"<sip:{phone.username}@{phone.host}>")
    return await phone.send_request(request, dialog.peer).final


async def answered_by_agent1(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone]
) -> tuple[PhoneCall, Softphone, PhoneCall]:
    agent1 = TransferringPhone(
        "agent1",
        (endpoint.host, endpoint.port),
        password="secret1",
        answer_with=tone(AGENT_TONE, 1.0),
        t1=0.1,
    )
    await agent1.start()
    phones.append(agent1)
    assert (await agent1.register()).status == 200
    connected = asyncio.ensure_future(service.next_event(CallEventKind.CONNECTED))
    caller = await new_phone(endpoint, phones, "+48601234567")
    call = await caller.call("ivr")
    await heard(call, PROMPT_TONES["welcome"])
    await call.dtmf("1")
    await asyncio.wait_for(connected, 10)
    await heard(call, AGENT_TONE)
    return call, agent1, await agent1.incoming.get()


async def test_blind_refer_from_the_agent_phone_moves_the_caller(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone]
) -> None:
    call, agent1, agent1_side = await answered_by_agent1(endpoint, service, phones)
    agent2 = await agent_phone(endpoint, phones, 2, freq=AGENT2_TONE)
    transferred = asyncio.ensure_future(service.next_event(CallEventKind.TRANSFERRED))
    notified = notifications(agent1_side)
    response = await refer(agent1, agent1_side, f"<sip:agent2@{endpoint.host}:{endpoint.port}>")
    assert response.status == 202
    assert await asyncio.wait_for(notified.get(), 5) == "SIP/2.0 100 Trying"
    assert await asyncio.wait_for(notified.get(), 10) == "SIP/2.0 200 OK"
    event = await asyncio.wait_for(transferred, 5)
    assert event.agent_id == "agt_1" and event.data == {"to_agent": "agt_2", "transfer": "refer"}
    await asyncio.wait_for(agent2.incoming.get(), 5)
    await heard(call, AGENT2_TONE)  # caller and agent2 talk
    await asyncio.wait_for(agent1_side.leg.ended, 5)  # agent1's leg is released
    await call.hangup()


async def test_refer_to_nobody_or_with_replaces_is_refused(
    endpoint: VoiceEndpoint, service: SimpleVoiceService, phones: list[Softphone]
) -> None:
    call, agent1, agent1_side = await answered_by_agent1(endpoint, service, phones)
    host = f"{endpoint.host}:{endpoint.port}"
    assert (await refer(agent1, agent1_side, f"<sip:nobody@{host}>")).status == 404
    assert (await refer(agent1, agent1_side, f"<sip:agent2@{host}>")).status == 480  # no phone
    replaces = f"<sip:agent2@{host}?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2>"
    assert (await refer(agent1, agent1_side, replaces)).status == 501
    assert (await refer(agent1, agent1_side, "not a uri")).status == 400
    await heard(call, AGENT_TONE)  # still with agent1
    await call.hangup()
