"""Desktop call control over real HTTP, with real SIP phones and the live routing engine.

The agent's softphone account comes from GET /me/sip; voice capacity follows the phone's
registration; hold, resume, hang-up, blind transfer (to an agent or a queue) and attended
transfer (consult, then complete or cancel) move the caller's audio where they should.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from voice_desk import CALLER, Desk, heard, running_desk
from voice_helpers import AGENT_TONE, CALLER_TONE, MUSIC

from omnicenter.channels.voice.media.audio import tone
from omnicenter.channels.voice.softphone import PhoneCall
from omnicenter.domain import Channel, Presence
from omnicenter.live.phone.accounts import sip_password

BEN_TONE = 1200.0


def offered(desk: Desk, agent_id: str) -> int:
    assert desk.services.router is not None
    return desk.services.router.engine.agent(agent_id).offered


def load(desk: Desk, agent_id: str) -> dict[Channel, int]:
    assert desk.services.router is not None
    return dict(desk.services.router.engine.agent(agent_id).load)


def waiting(desk: Desk) -> int:
    assert desk.services.router is not None
    return desk.services.router.engine.waiting_count()


async def connected_call(desk: Desk) -> tuple[str, PhoneCall, PhoneCall]:
    """anna (phone registered) takes a call: (call id, the caller, anna's side)."""
    anna_id = await desk.agent("anna")
    anna = await desk.agent_phone("anna", AGENT_TONE)
    mark = desk.timeline.mark()
    call = await desk.queue_call()
    connected = await desk.timeline.wait("connected", after=mark)
    assert connected.meta["agent_id"] == anna_id
    await heard(call, AGENT_TONE)
    return str(connected.meta["call_id"]), call, await anna.incoming.get()


async def test_me_sip_gives_a_working_softphone_account(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as desk:
        await desk.agent("anna")
        api = await desk.client("anna")
        r = await api.get("/me/sip")
        assert r.status_code == 200
        account = r.json()
        assert account["username"] == "anna"
        assert account["password"] == sip_password(desk.services.secret, "anna")
        ep = desk.voice.endpoint
        assert account["registrar"] == f"{ep.host}:{ep.port}"
        phone = await desk.phone(account["username"], password=account["password"])
        assert (await phone.register()).status == 200
        anonymous = await api.get("/me/sip", headers={"Authorization": "Bearer nope"})
        assert anonymous.status_code == 401


async def test_voice_capacity_follows_the_phone_registration(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as desk:
        anna_id = await desk.agent("anna")
        await desk.voice.service.drain()
        mark = desk.timeline.mark()
        call = await desk.queue_call()
        await desk.timeline.wait("queued", after=mark)
        assert waiting(desk) == 1 and offered(desk, anna_id) == 0  # no phone, no offer

        anna = await desk.agent_phone("anna", AGENT_TONE)  # the phone comes: the call goes
        connected = await desk.timeline.wait("connected", after=mark)
        assert connected.meta["agent_id"] == anna_id
        await heard(call, AGENT_TONE)
        await call.hangup()
        await desk.timeline.wait("ended", after=mark)

        assert (await anna.register(expires=0)).status == 200  # the phone signs off
        await desk.voice.service.drain()
        before = offered(desk, anna_id)
        mark = desk.timeline.mark()
        second = await desk.queue_call()
        await desk.timeline.wait("queued", after=mark)
        assert waiting(desk) == 1 and offered(desk, anna_id) == before
        await second.hangup()
        await desk.timeline.wait("abandoned", after=mark)


async def test_an_expired_registration_stops_offers(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as desk:
        anna_id = await desk.agent("anna")
        gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        registrar = desk.voice.endpoint.registrar
        notify = registrar.on_change

        def watch(username: str, binding: object) -> None:
            assert notify is not None
            notify(username, binding)
            if binding is None and not gone.done():
                gone.set_result(None)

        registrar.on_change = watch
        await desk.agent_phone("anna", AGENT_TONE, expires=1)
        await asyncio.wait_for(gone, 10)  # the endpoint drops it when it runs out
        await desk.voice.service.drain()
        mark = desk.timeline.mark()
        call = await desk.queue_call()
        await desk.timeline.wait("queued", after=mark)
        assert waiting(desk) == 1 and offered(desk, anna_id) == 0
        await call.hangup()


async def test_attended_transfer_consult_then_complete(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as desk:
        call_id, call, anna_side = await connected_call(desk)
        anna_api = await desk.client("anna")
        mine = (await anna_api.get("/me/calls")).json()
        assert [(c["call_id"], c["state"], c["caller"]) for c in mine] == [
            (call_id, "connected", CALLER)
        ]
        assert mine[0]["case_id"] == desk.voice.service.case_of(call_id)
        # a supervisor sees every live call, an agent may not list them
        await desk.agent("sara", role="supervisor")
        everyone = (await (await desk.client("sara")).get("/calls")).json()
        assert [(c["call_id"], c["role"], c["agent_id"]) for c in everyone] == [
            (call_id, "supervisor", mine[0]["agent_id"])
        ]
        assert (await anna_api.get("/calls")).status_code == 403

        ben_id = await desk.agent("ben")
        ben = await desk.agent_phone("ben", BEN_TONE)
        r = await anna_api.post(f"/calls/{call_id}/consult", json={"to_agent_id": ben_id})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "consulting" and r.json()["consult_agent_id"] == ben_id
        ben_side = await ben.incoming.get()
        await heard(call, MUSIC)  # the caller waits with music
        await heard(anna_side, BEN_TONE)  # anna and ben talk
        await heard(ben_side, AGENT_TONE)
        ben_api = await desk.client("ben")
        assert [c["role"] for c in (await ben_api.get("/me/calls")).json()] == ["consulted"]

        mark = desk.timeline.mark()
        r = await anna_api.post(f"/calls/{call_id}/complete-transfer")
        assert r.status_code == 200, r.text
        transferred = await desk.timeline.wait("transferred", after=mark)
        assert transferred.meta["to_agent"] == ben_id
        assert transferred.meta["transfer"] == "attended"
        await heard(call, BEN_TONE)  # caller and ben hear each other
        call.leg.rtp.play(tone(CALLER_TONE, 1.0), loop=True)
        await heard(ben_side, CALLER_TONE)
        await asyncio.wait_for(anna_side.leg.ended, 5)  # anna's leg is released
        assert (await anna_api.get("/me/calls")).json() == []
        assert [c["state"] for c in (await ben_api.get("/me/calls")).json()] == ["connected"]
        anna_id = (await anna_api.get("/me")).json()["id"]
        await desk.voice.service.drain()
        assert load(desk, ben_id) == {Channel.VOICE: 1} and load(desk, anna_id) == {}

        r = await ben_api.post(f"/calls/{call_id}/hangup")
        assert r.status_code == 204
        assert await asyncio.wait_for(call.leg.ended, 5) == "remote_bye"


async def test_hold_resume_cancel_consult_and_blind_transfer(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as desk:
        call_id, call, _anna_side = await connected_call(desk)
        anna_api = await desk.client("anna")
        ben_id = await desk.agent("ben")
        ben_api = await desk.client("ben")

        assert (await ben_api.post(f"/calls/{call_id}/hold")).status_code == 403  # not theirs
        assert (await anna_api.post(f"/calls/{call_id}/resume")).status_code == 409
        r = await anna_api.post(f"/calls/{call_id}/consult", json={"to_agent_id": ben_id})
        assert r.status_code == 409 and "no registered phone" in r.json()["detail"]
        both = {"to_agent_id": ben_id, "to_queue": "sales"}
        assert (await anna_api.post(f"/calls/{call_id}/transfer", json=both)).status_code == 422
        assert (await anna_api.post("/calls/call_nope/hold")).status_code == 404

        r = await anna_api.post(f"/calls/{call_id}/hold")
        assert r.status_code == 200 and r.json()["state"] == "held"
        await heard(call, MUSIC)
        r = await anna_api.post(f"/calls/{call_id}/resume")
        assert r.status_code == 200 and r.json()["state"] == "connected"
        await heard(call, AGENT_TONE)

        ben = await desk.agent_phone("ben", BEN_TONE)
        r = await anna_api.post(f"/calls/{call_id}/consult", json={"to_agent_id": ben_id})
        assert r.status_code == 200, r.text
        ben_side = await ben.incoming.get()
        r = await anna_api.post(f"/calls/{call_id}/cancel-consult")
        assert r.status_code == 200 and r.json()["state"] == "connected"
        await asyncio.wait_for(ben_side.leg.ended, 5)
        await heard(call, AGENT_TONE)  # back with anna

        r = await anna_api.post(f"/calls/{call_id}/transfer", json={"to_agent_id": ben_id})
        assert r.status_code == 200, r.text
        await heard(call, BEN_TONE)
        assert [c["call_id"] for c in (await ben_api.get("/me/calls")).json()] == [call_id]
        await call.hangup()


async def test_blind_transfer_to_a_queue_reaches_another_agent(tmp_path: Path) -> None:
    async with running_desk(tmp_path) as desk:
        call_id, call, anna_side = await connected_call(desk)
        anna_api = await desk.client("anna")
        anna_id = (await anna_api.get("/me")).json()["id"]
        await desk.presence(anna_id, Presence.AWAY)  # so the queue offers it to ben
        ben_id = await desk.agent("ben")
        await desk.agent_phone("ben", BEN_TONE)
        mark = desk.timeline.mark()
        r = await anna_api.post(f"/calls/{call_id}/transfer", json={"to_queue": "support"})
        assert r.status_code == 200, r.text
        await asyncio.wait_for(anna_side.leg.ended, 5)
        queued = await desk.timeline.wait("queued", after=mark)
        assert queued.meta["queue"] == "support"
        connected = await desk.timeline.wait("connected", after=mark)
        assert connected.meta["agent_id"] == ben_id
        await heard(call, BEN_TONE)
        await call.hangup()
        await desk.timeline.wait("ended", after=mark)
