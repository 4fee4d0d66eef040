"""Voice from the desktop: the agent's softphone settings and control of their live call.

The agent on a call (or a supervisor) holds, resumes, hangs up and transfers it: blind to an
agent or a queue, or attended (consult another agent, then complete or cancel). The call
itself lives in the SIP endpoint (`channels/voice/calls.py`); these routes only find it,
check who asks, and report the outcome.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from omnicenter.api.deps import CurrentAgent, ServicesDep, require
from omnicenter.bootstrap import Services
from omnicenter.channels.voice import AgentTarget
from omnicenter.channels.voice.calls import CallState, InboundCall
from omnicenter.channels.voice.retention import find_recording
from omnicenter.domain import Agent, AgentRole
from omnicenter.live.phone.accounts import sip_password
from omnicenter.live.phone.phone import Phone as VoiceHandle
from omnicenter.services.calls import recording_known

__all__ = ["router"]

router = APIRouter(tags=["voice"])

_SUPERVISING = (AgentRole.SUPERVISOR, AgentRole.ADMIN)


class SipAccount(BaseModel):
    username: str
    password: str
    realm: str
    registrar: str = Field(description="host:port to register with (UDP and TCP)")
    domain: str


class CallView(BaseModel):
    call_id: str
    state: CallState
    role: Literal["agent", "consulted", "supervisor"]
    caller: str
    caller_name: str | None
    case_id: str | None
    agent_id: str | None
    consult_agent_id: str | None
    queue: str | None
    connected_at: datetime | None


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_agent_id: str | None = Field(default=None, max_length=80)
    to_queue: str | None = Field(default=None, max_length=80)

    @model_validator(mode="after")
    def one_target(self) -> TransferIn:
        if (self.to_agent_id is None) == (self.to_queue is None):
            raise ValueError("give exactly one of to_agent_id and to_queue")
        return self


class ConsultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to_agent_id: str = Field(min_length=1, max_length=80)


def _voice(services: Services) -> VoiceHandle:
    handle: VoiceHandle | None = services.voice
    if handle is None:
        raise HTTPException(404, "voice is not enabled on this server")
    return handle


def _view(handle: VoiceHandle, call: InboundCall, me: Agent) -> CallView:
    if call.agent is not None and call.agent.agent_id == me.id:
        role: Literal["agent", "consulted", "supervisor"] = "agent"
    elif call.consult_agent is not None and call.consult_agent.agent_id == me.id:
        role = "consulted"
    else:
        role = "supervisor"
    return CallView(
        call_id=call.call_id,
        state=call.state,
        role=role,
        caller=call.info.caller,
        caller_name=call.info.caller_name,
        case_id=handle.service.case_of(call.call_id),
        agent_id=call.agent.agent_id if call.agent else None,
        consult_agent_id=call.consult_agent.agent_id if call.consult_agent else None,
        queue=call.queue.name if call.queue else None,
        connected_at=call.connected_at,
    )


def _mine(call: InboundCall, me: Agent) -> bool:
    return any(a is not None and a.agent_id == me.id for a in (call.agent, call.consult_agent))


def _call(handle: VoiceHandle, call_id: str, me: Agent) -> InboundCall:
    call = handle.endpoint.find_call(call_id)
    if call is None or call.state is CallState.ENDED:
        raise HTTPException(404, f"no live call {call_id}")
    if call.agent is None or (call.agent.agent_id != me.id and me.role not in _SUPERVISING):
        raise HTTPException(403, "only the agent on the call or a supervisor controls it")
    return call


def _target(handle: VoiceHandle, agent_id: str) -> AgentTarget:
    target = handle.service.phone_of(agent_id)
    if target is None:
        raise HTTPException(409, f"agent {agent_id} has no registered phone")
    return target


def _done(ok: bool, handle: VoiceHandle, call: InboundCall, me: Agent, what: str) -> CallView:
    if not ok:
        raise HTTPException(409, f"cannot {what} a call that is {call.state.value}")
    return _view(handle, call, me)


@router.get("/me/sip", response_model=SipAccount, summary="My softphone's SIP account")
async def my_sip(services: ServicesDep, agent: CurrentAgent) -> SipAccount:
    handle = _voice(services)
    settings = handle.endpoint.settings
    host = settings.advertised_host
    return SipAccount(
        username=agent.username,
        password=sip_password(services.secret, agent.username),
        realm=settings.realm,
        registrar=f"{host}:{handle.endpoint.port}",
        domain=host,
    )


def _queues(services: Services, handle: VoiceHandle) -> set[str]:
    known = set(handle.endpoint.settings.menu.queues)
    if services.router is not None:
        known |= set(services.router.engine.config.queues)
    return known


@router.get("/voice/queues", response_model=list[str], summary="Queues a call can go to")
async def voice_queues(services: ServicesDep, _: CurrentAgent) -> list[str]:
    return sorted(_queues(services, _voice(services)))


@router.get("/me/calls", response_model=list[CallView], summary="My live calls")
async def my_calls(services: ServicesDep, agent: CurrentAgent) -> list[CallView]:
    handle = _voice(services)
    calls = [c for c in list(handle.endpoint.calls.values()) if _mine(c, agent)]
    return [_view(handle, c, agent) for c in calls if c.state is not CallState.ENDED]


@router.get("/calls", response_model=list[CallView], summary="All live calls (supervisor)")
async def all_calls(
    services: ServicesDep,
    me: Annotated[Agent, Depends(require(AgentRole.SUPERVISOR))],
) -> list[CallView]:
    """Every call the endpoint has now: in the menu or queued (no agent yet), ringing,
    connected, on hold or in a consultation, oldest first."""
    handle = _voice(services)
    calls = [c for c in list(handle.endpoint.calls.values()) if c.state is not CallState.ENDED]
    return [_view(handle, c, me) for c in sorted(calls, key=lambda c: c.info.started_at)]


@router.post("/calls/{call_id}/hold", response_model=CallView)
async def hold(call_id: str, services: ServicesDep, agent: CurrentAgent) -> CallView:
    handle = _voice(services)
    call = _call(handle, call_id, agent)
    ok = call.state is CallState.CONNECTED
    await call.hold()
    return _done(ok, handle, call, agent, "hold")


@router.post("/calls/{call_id}/resume", response_model=CallView)
async def resume(call_id: str, services: ServicesDep, agent: CurrentAgent) -> CallView:
    handle = _voice(services)
    call = _call(handle, call_id, agent)
    ok = call.state is CallState.HELD
    await call.resume()
    return _done(ok, handle, call, agent, "resume")


@router.post("/calls/{call_id}/hangup", status_code=204)
async def hangup(call_id: str, services: ServicesDep, agent: CurrentAgent) -> None:
    call = _call(_voice(services), call_id, agent)
    await call.hangup()


@router.post("/calls/{call_id}/transfer", response_model=CallView, summary="Blind transfer")
async def transfer(
    call_id: str, body: TransferIn, services: ServicesDep, agent: CurrentAgent
) -> CallView:
    handle = _voice(services)
    call = _call(handle, call_id, agent)
    if body.to_queue is not None:
        if body.to_queue not in _queues(services, handle):
            raise HTTPException(422, f"unknown queue {body.to_queue!r}")
        ok = await call.transfer_to_queue(body.to_queue)
        return _done(ok, handle, call, agent, "transfer")
    assert body.to_agent_id is not None
    target = _target(handle, body.to_agent_id)
    if call.agent is not None and call.agent.agent_id == target.agent_id:
        raise HTTPException(409, "the call is already with that agent")
    state = call.state
    if not await call.transfer(target):
        if state in (CallState.CONNECTED, CallState.HELD):
            raise HTTPException(409, f"agent {target.agent_id} did not answer")
        raise HTTPException(409, f"cannot transfer a call that is {state.value}")
    return _view(handle, call, agent)


@router.post("/calls/{call_id}/consult", response_model=CallView, summary="Attended transfer")
async def consult(
    call_id: str, body: ConsultIn, services: ServicesDep, agent: CurrentAgent
) -> CallView:
    """Rings the other agent while the caller hears music; answers once they picked up."""
    handle = _voice(services)
    call = _call(handle, call_id, agent)
    target = _target(handle, body.to_agent_id)
    if call.agent is not None and call.agent.agent_id == target.agent_id:
        raise HTTPException(409, "cannot consult the agent already on the call")
    state = call.state
    if state not in (CallState.CONNECTED, CallState.HELD):
        raise HTTPException(409, f"cannot consult on a call that is {state.value}")
    if not await call.consult(target):
        raise HTTPException(409, f"agent {target.agent_id} did not answer")
    return _view(handle, call, agent)


@router.post("/calls/{call_id}/complete-transfer", response_model=CallView)
async def complete_transfer(call_id: str, services: ServicesDep, agent: CurrentAgent) -> CallView:
    handle = _voice(services)
    call = _call(handle, call_id, agent)
    return _done(await call.complete_transfer(), handle, call, agent, "complete a transfer of")


@router.post("/calls/{call_id}/cancel-consult", response_model=CallView)
async def cancel_consult(call_id: str, services: ServicesDep, agent: CurrentAgent) -> CallView:
    handle = _voice(services)
    call = _call(handle, call_id, agent)
    return _done(await call.cancel_consult(), handle, call, agent, "cancel a consultation on")


@router.get(
    "/calls/{call_id}/recording",
    response_class=FileResponse,
    responses={410: {"description": "deleted by the retention policy"}},
    summary="A call's recording (WAV: caller left, agent right)",
)
async def recording(call_id: str, services: ServicesDep, _: CurrentAgent) -> FileResponse:
    handle = _voice(services)
    if not call_id.replace("_", "").isalnum():
        raise HTTPException(422, "not a call id")
    found = find_recording(handle.endpoint.settings.recordings_dir, call_id)
    if found is not None:
        return FileResponse(found, media_type="audio/wav", filename=found.name)
    if await services.runtime.read(recording_known, call_id):
        raise HTTPException(410, "the recording expired (retention policy) and was deleted")
    raise HTTPException(404, f"no recording of call {call_id}")
