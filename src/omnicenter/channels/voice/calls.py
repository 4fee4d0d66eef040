"""One call through the contact center: IVR, queue, agent, bridge (a B2BUA).

`InboundCall.run` is the script. The caller hanging up at any point cancels the script;
its `finally` block then tells the service what happened (abandoned in queue, ended after
talking) from the state the call had reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from omnicenter.channels.voice.ivr import IvrProvider, IvrRunner, play, wait_prompt
from omnicenter.channels.voice.legs import CallFailed, CallLeg, InboundLeg, OutboundLeg
from omnicenter.channels.voice.media.rtp import RtpPacket
from omnicenter.channels.voice.media.session import RtpSession
from omnicenter.channels.voice.menu import QueueSettings
from omnicenter.channels.voice.recording import Recorder
from omnicenter.channels.voice.retention import queue_folder
from omnicenter.channels.voice.service import (
    AgentTarget,
    CallEvent,
    CallEventKind,
    CallInfo,
    QueueRequest,
)
from omnicenter.channels.voice.sip import NameAddr, SipParseError, SipRequest

if TYPE_CHECKING:
    from omnicenter.channels.voice.endpoint import VoiceEndpoint

__all__ = ["CallState", "InboundCall", "bridge", "unbridge"]

log = logging.getLogger(__name__)


class CallState(enum.StrEnum):
    IVR = "ivr"
    QUEUED = "queued"
    RINGING = "ringing"
    CONNECTED = "connected"
    HELD = "held"
    CONSULTING = "consulting"  # caller on hold, the agent talks to another agent
    ENDED = "ended"


def bridge(a: CallLeg, b: CallLeg) -> None:
    """Relay media both ways: each packet from one leg goes out on the other."""
    a.rtp.stop_playing()
    b.rtp.stop_playing()

    def a_to_b(src: RtpSession, packet: RtpPacket) -> None:
        b.rtp.relay_from(src, packet)

    def b_to_a(src: RtpSession, packet: RtpPacket) -> None:
        a.rtp.relay_from(src, packet)

    a.rtp.sink = a_to_b
    b.rtp.sink = b_to_a


def unbridge(a: CallLeg, b: CallLeg | None) -> None:
    a.rtp.sink = None
    if b is not None:
        b.rtp.sink = None


class InboundCall:
    def __init__(self, endpoint: VoiceEndpoint, leg: InboundLeg, info: CallInfo) -> None:
        self.endpoint = endpoint
        self.service = endpoint.service
        self.caller = leg
        self.info = info
        self.state = CallState.IVR
        self.agent: AgentTarget | None = None
        self.agent_leg: OutboundLeg | None = None
        self.queue: QueueSettings | None = None
        self.recorder: Recorder | None = None
        self.connected_at: datetime | None = None
        self.consult_agent: AgentTarget | None = None
        self.consult_leg: OutboundLeg | None = None
        self._consult_dial: asyncio.Future[OutboundLeg] | None = None
        self._requeue_to: str | None = None  # blind transfer to a queue: queue again
        self._agent_switch = asyncio.Event()  # transfer: the agent leg changed under the bridge

    @property
    def call_id(self) -> str:
        return self.info.call_id

    async def emit(self, kind: CallEventKind, **data: Any) -> None:
        agent_id = self.agent.agent_id if self.agent else None
        await self.service.on_event(
            CallEvent(kind, self.call_id, datetime.now(UTC), agent_id, data)
        )

    # --- the script ------------------------------------------------------------------------

    async def run(self) -> None:
        script = asyncio.ensure_future(self._script())
        try:
            waitables: set[asyncio.Future[Any]] = {script, self.caller.ended}
            await asyncio.wait(waitables, return_when=asyncio.FIRST_COMPLETED)
            if not script.done() and self.state is not CallState.CONNECTED:
                script.cancel()  # the caller left: abandon wherever we were
            with contextlib.suppress(asyncio.CancelledError):
                await script
        except asyncio.CancelledError:
            script.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await script
            raise
        except Exception:
            log.exception("call %s failed", self.call_id)
        finally:
            await self._cleanup()

    async def _script(self) -> None:
        caller = self.caller
        if self.endpoint.settings.answer_after > 0:
            caller.ring()
            await asyncio.sleep(self.endpoint.settings.answer_after)
        caller.answer()
        await self.service.call_started(self.info)
        await self.emit(CallEventKind.STARTED, caller=self.info.caller, called=self.info.called)
        ivr = self.service.ivr_for(self.info) if isinstance(self.service, IvrProvider) else None
        if ivr is None:
            ivr = IvrRunner(self.endpoint.settings.menu, self.endpoint.prompts)
        outcome = await ivr.run(caller)
        await self.emit(
            CallEventKind.IVR_CHOICE,
            path=list(outcome.path),
            action=outcome.option.action,
            target=outcome.option.target,
        )
        option = outcome.option
        if option.action == "callback":
            await self._callback(option.target or "default")
            return
        if option.action != "queue" or option.target is None:
            if option.target != "flow":  # a flow has said its own goodbye
                await play(caller, self.endpoint.prompts.get("goodbye"))
            await caller.hangup()
            return
        # A flow hands over to its own queue names: routing maps them (default queue else).
        queues = self.endpoint.settings.menu.queues
        queue = queues.get(option.target) or QueueSettings(option.target)
        skills = {**queue.skills, **option.skills}
        while True:
            self.queue = queue
            self.state = CallState.QUEUED
            await self.service.enqueue(
                self.info, QueueRequest(queue.name, skills, ivr_path=outcome.path)
            )
            await self.emit(CallEventKind.QUEUED, queue=queue.name, skills=skills)
            if not await self._wait_and_ring(queue):
                return
            await self._connected()
            if self._requeue_to is None:
                return
            # Transferred to a queue: the menu's settings for it, or plain ones.
            name, self._requeue_to = self._requeue_to, None
            queue = queues.get(name) or QueueSettings(name, callback_digit=None)
            skills = dict(queue.skills)

    async def _wait_and_ring(self, queue: QueueSettings) -> bool:
        """Music until an agent answers (True), or the caller asked for a callback (False)."""
        announced = False
        while True:
            if not announced:
                await self._announce_queue(queue)
                announced = True
            self.caller.rtp.play(self.endpoint.prompts.get(queue.music), loop=True)
            target = await self._wait_agent_or_callback(queue)
            if target is None:
                await self._callback(queue.name)
                return False
            if await self._ring(target):
                return True

    async def _announce_queue(self, queue: QueueSettings) -> None:
        names = ["queued"] if queue.callback_digit else []
        if queue.announce_wait:
            estimate = await self.service.estimated_wait(self.call_id)
            prompt = wait_prompt(estimate)
            if prompt is not None and estimate:
                names.append(prompt)
        if names:
            digit = await play(
                self.caller, self.endpoint.prompts.sequence(*names), interruptible=True
            )
            if digit is not None:
                self.caller.digits.put_nowait(digit)  # a callback key pressed over the prompt

    async def _wait_agent_or_callback(self, queue: QueueSettings) -> AgentTarget | None:
        agent_task = asyncio.ensure_future(self.service.wait_for_agent(self.call_id))
        try:
            while True:
                digit_task = asyncio.ensure_future(self.caller.digits.get())
                done, _ = await asyncio.wait(
                    {agent_task, digit_task}, return_when=asyncio.FIRST_COMPLETED
                )
                if agent_task in done:
                    digit_task.cancel()
                    return agent_task.result()
                if digit_task.result() == queue.callback_digit:
                    agent_task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await agent_task
                    return None
        finally:
            for task in (agent_task,):
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    async def _callback(self, queue: str) -> None:
        promise = await self.service.request_callback(self.info, self.info.caller, queue)
        await self.service.leave_queue(self.call_id, "callback")
        self.state = CallState.ENDED
        await self.emit(
            CallEventKind.CALLBACK_REQUESTED,
            promise_id=promise,
            number=self.info.caller,
            queue=queue,
        )
        await play(self.caller, self.endpoint.prompts.get("callback_ok"))
        await self.caller.hangup()

    async def _ring(self, target: AgentTarget) -> bool:
        """Ring an agent while the caller keeps hearing music; True when answered."""
        self.state = CallState.RINGING
        self.agent = target
        try:
            leg = await self.endpoint.dial_agent(
                target, self.info, on_ringing=self._ringing_event()
            )
        except CallFailed as exc:
            await self.emit(CallEventKind.NO_ANSWER, status=exc.status)
            self.agent = None
            self.state = CallState.QUEUED
            return False
        self.agent_leg = leg
        return True

    def _ringing_event(self) -> Any:
        def ringing() -> None:
            task = asyncio.ensure_future(self.emit(CallEventKind.RINGING))
            self.endpoint.keep(task)

        return ringing

    async def _connected(self) -> None:
        assert self.agent_leg is not None and self.queue is not None
        await self.service.leave_queue(self.call_id, "answered")
        self.state = CallState.CONNECTED
        self.connected_at = self.connected_at or datetime.now(UTC)
        if self.queue.recording and self.recorder is None:
            notice = self.endpoint.prompts.get("recording_notice")
            self.caller.rtp.stop_playing()
            await asyncio.gather(play(self.caller, notice), play(self.agent_leg, notice))
            self._start_recording()
        await self.emit(CallEventKind.CONNECTED, queue=self.queue.name)
        self.agent_leg.on_hold_change = self._agent_hold
        self.agent_leg.on_refer = self._agent_refer
        bridge(self.caller, self.agent_leg)
        while True:
            agent_leg = self.agent_leg
            self._agent_switch.clear()
            switch = asyncio.ensure_future(self._agent_switch.wait())
            pending: set[asyncio.Future[Any]] = {self.caller.ended, agent_leg.ended, switch}
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            switch.cancel()
            if self.caller.ended.done() or self._requeue_to is not None:
                break
            # The first agent hung up while consulting: the caller goes to the other.
            consulting = self.agent_leg is agent_leg and self.state is CallState.CONSULTING
            if consulting and await self.complete_transfer():
                continue
            if self.agent_leg is agent_leg:
                break

    def _start_recording(self) -> None:
        assert self.agent_leg is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder = queue_folder(
            self.endpoint.settings.recordings_dir, self.queue.name if self.queue else None
        )
        path = folder / f"{stamp}-{self.call_id}.wav"
        self.recorder = Recorder(path, self.endpoint.clock)
        self.caller.rtp.audio_listeners.append(self.recorder.caller)
        self.agent_leg.rtp.audio_listeners.append(self.recorder.agent)

    # --- controls from the desktop (through the service layer) ------------------------------

    async def hold(self) -> None:
        """Put the caller on hold: stop relaying, play music to the caller."""
        if self.state is not CallState.CONNECTED or self.agent_leg is None:
            return
        self.state = CallState.HELD
        unbridge(self.caller, self.agent_leg)
        self.caller.rtp.play(self.endpoint.prompts.get("music_on_hold"), loop=True)
        await self.emit(CallEventKind.HOLD)

    async def resume(self) -> None:
        if self.state is not CallState.HELD or self.agent_leg is None:
            return
        self.state = CallState.CONNECTED
        bridge(self.caller, self.agent_leg)
        await self.emit(CallEventKind.RESUME)

    def _agent_hold(self, held: bool) -> None:
        self.endpoint.keep(asyncio.ensure_future(self.hold() if held else self.resume()))

    async def transfer(
        self,
        target: AgentTarget,
        *,
        kind: str = "blind",
        before_release: Callable[[], Awaitable[None]] | None = None,
    ) -> bool:
        """Blind transfer to another agent: the caller hears music while the new phone rings.

        On failure the first agent stays connected (their leg is released only on success).
        """
        old_leg, old_agent = self.agent_leg, self.agent
        if old_leg is None or self.state not in (CallState.CONNECTED, CallState.HELD):
            return False
        unbridge(self.caller, old_leg)
        self.caller.rtp.play(self.endpoint.prompts.get("music_on_hold"), loop=True)
        try:
            new_leg = await self.endpoint.dial_agent(target, self.info)
        except CallFailed:
            if self.state is CallState.CONNECTED:
                bridge(self.caller, old_leg)
            return False
        if self.caller.ended.done():
            await new_leg.hangup()
            return False
        await self._switch_agent(
            old_leg, old_agent, target, new_leg, kind=kind, before_release=before_release
        )
        return True

    # --- REFER from the agent's phone (RFC 3515): a blind transfer ------------------------

    def _agent_refer(self, request: SipRequest) -> int:
        leg = self.agent_leg
        raw = request.headers.get("Refer-To")
        if leg is None or raw is None:
            return 400
        try:
            uri = NameAddr.parse(raw).uri
        except SipParseError:
            return 400
        if "replaces" in uri.headers.lower():
            return 501  # attended REFER: consult through the desktop instead
        account = self.endpoint.account(uri.user or "")
        if account is None:
            return 404
        if self.endpoint.registrar.lookup(account.username) is None:
            return 480
        if self.state not in (CallState.CONNECTED, CallState.HELD):
            return 491  # another change of this call is under way
        target = AgentTarget(account.agent_id, account.username)
        self.endpoint.keep(asyncio.ensure_future(self._refer(leg, target)))
        return 202

    async def _refer(self, leg: CallLeg, target: AgentTarget) -> None:
        await leg.notify_refer("SIP/2.0 100 Trying", final=False)

        async def done() -> None:
            await leg.notify_refer("SIP/2.0 200 OK", final=True)

        if not await self.transfer(target, kind="refer", before_release=done):
            await leg.notify_refer("SIP/2.0 503 Service Unavailable", final=True)

    async def _left_agent(self, agent: AgentTarget | None, **data: Any) -> None:
        """The transferred and ended events of the agent who hands the call on."""
        agent_id = agent.agent_id if agent else None
        now = datetime.now(UTC)
        emit = self.service.on_event
        await emit(CallEvent(CallEventKind.TRANSFERRED, self.call_id, now, agent_id, data))
        await emit(
            CallEvent(CallEventKind.ENDED, self.call_id, now, agent_id, {"reason": "transferred"})
        )

    async def _switch_agent(
        self,
        old_leg: OutboundLeg,
        old_agent: AgentTarget | None,
        target: AgentTarget,
        new_leg: OutboundLeg,
        *,
        kind: str,
        before_release: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Bridge the caller to `new_leg` and release the old agent's leg."""
        self.agent, self.agent_leg = target, new_leg
        if self.recorder is not None:
            new_leg.rtp.audio_listeners.append(self.recorder.agent)
        await self._left_agent(old_agent, to_agent=target.agent_id, transfer=kind)
        new_leg.on_hold_change = self._agent_hold
        new_leg.on_refer = self._agent_refer
        self.state = CallState.CONNECTED
        bridge(self.caller, new_leg)
        self._agent_switch.set()
        if before_release is not None:
            await before_release()
        await old_leg.hangup()

    async def transfer_to_queue(self, queue: str) -> bool:
        """Blind transfer to a queue: the agent is released and the caller waits again."""
        old_leg, old_agent = self.agent_leg, self.agent
        if old_leg is None or self.state not in (CallState.CONNECTED, CallState.HELD):
            return False
        unbridge(self.caller, old_leg)
        self._requeue_to = queue
        self.agent, self.agent_leg = None, None
        self.state = CallState.QUEUED
        await self._left_agent(old_agent, to_queue=queue, transfer="blind")
        self._agent_switch.set()
        await old_leg.hangup()
        return True

    # --- attended transfer: consult, then complete or cancel -------------------------------

    async def consult(self, target: AgentTarget) -> bool:
        """Caller on hold with music; the agent's leg is bridged to `target`'s phone."""
        if self.agent_leg is None or self.state not in (CallState.CONNECTED, CallState.HELD):
            return False
        if self.agent is not None and target.agent_id == self.agent.agent_id:
            return False
        await self.hold()
        self.state = CallState.CONSULTING
        self.consult_agent = target
        await self.emit(CallEventKind.CONSULT, to_agent=target.agent_id)
        dial = self._consult_dial = asyncio.ensure_future(
            self.endpoint.dial_agent(target, self.info)
        )
        try:
            leg = await asyncio.shield(dial)
        except CallFailed as exc:
            self._consult_dial = None
            await self._consult_over(f"failed_{exc.status}")
            return False
        except asyncio.CancelledError:
            self._consult_dial = None
            if not dial.cancelled():
                dial.cancel()
                raise  # our own caller was cancelled, not the dial
            await self._consult_over("cancelled")
            await self.resume()
            return False
        self._consult_dial = None
        if self.state is not CallState.CONSULTING or self.agent_leg is None:
            await leg.hangup()  # the call ended while it rang
            return False
        self.consult_leg = leg
        bridge(self.agent_leg, leg)
        leg.ended.add_done_callback(lambda _: self._consulted_left(leg))
        return True

    async def complete_transfer(self) -> bool:
        """The consulted agent takes the caller; the first agent's leg is released."""
        leg, target, old_leg = self.consult_leg, self.consult_agent, self.agent_leg
        if self.state is not CallState.CONSULTING or leg is None or target is None:
            return False
        if leg.ended.done() or old_leg is None:
            return False
        unbridge(old_leg, leg)
        self.consult_leg = self.consult_agent = None
        await self._switch_agent(old_leg, self.agent, target, leg, kind="attended")
        return True

    async def cancel_consult(self) -> bool:
        """Back to the caller: the consulted phone is released (or stops ringing)."""
        if self.state is not CallState.CONSULTING:
            return False
        if self._consult_dial is not None:
            self._consult_dial.cancel()  # `consult` reports it and resumes
            return True
        leg = self.consult_leg
        if leg is not None:
            unbridge(leg, self.agent_leg)
            self.consult_leg = None
            await leg.hangup()
        await self._consult_over("cancelled")
        await self.resume()
        return True

    async def _consult_over(self, outcome: str) -> None:
        target = self.consult_agent
        self.consult_agent = self.consult_leg = None
        if self.state is CallState.CONSULTING:
            self.state = CallState.HELD
        await self.emit(
            CallEventKind.CONSULT_ENDED,
            to_agent=target.agent_id if target else None,
            outcome=outcome,
        )

    def _consulted_left(self, leg: OutboundLeg) -> None:
        """The consulted agent hung up: the caller stays on hold for the first agent."""
        if self.consult_leg is not leg or self.state is not CallState.CONSULTING:
            return
        unbridge(leg, self.agent_leg)
        self.endpoint.keep(asyncio.ensure_future(self._consult_over("consulted_hung_up")))

    async def hangup(self) -> None:
        await self.caller.hangup()

    # --- the end ---------------------------------------------------------------------------

    async def _cleanup(self) -> None:
        caller_gone = self.caller.ended.done()
        state = self.state
        self.state = CallState.ENDED
        unbridge(self.caller, self.agent_leg)
        if self._consult_dial is not None:
            self._consult_dial.cancel()
        if self.consult_leg is not None:
            await self.consult_leg.hangup()
        if self.agent_leg is not None:
            await self.agent_leg.hangup()
        if not caller_gone:
            await self.caller.hangup()
        recording = None
        if self.recorder is not None:
            recording = str(self.recorder.close())
            await self.emit(CallEventKind.RECORDING, path=recording)
        if state in (CallState.QUEUED, CallState.RINGING):
            await self.service.leave_queue(self.call_id, "abandoned")
            await self.emit(CallEventKind.ABANDONED, queue=self.queue.name if self.queue else None)
        elif state is CallState.IVR:
            await self.service.leave_queue(self.call_id, "hangup")
        reason = self.caller.ended.result() if caller_gone else "local"
        talk = (datetime.now(UTC) - self.connected_at).total_seconds() if self.connected_at else 0.0
        await self.emit(
            CallEventKind.ENDED, reason=reason, state=str(state), talk_seconds=round(talk, 2)
        )
        self.endpoint.calls.pop(self.call_id, None)
