"""The phone IVR runs a flow: the chat bot's engine, rendered for a keypad and a voice.

`attach_flow_ivr(services, voice, flow_path)` makes every inbound call run the flow
instead of the configured DTMF menu (the menu stays the fallback when no flow is set).
Per step: `say` and knowledge answers are spoken (espeak-ng at run time, cached by text
hash); `choose` is "press 1 for ..."; `collect` reads digits ended by #; 0 at any step,
or silence after the retries, hands over; a `handover` step queues the call to routing
with the same context note and case fields as a chat handover; a `callback` step is a
routing callback promise (`flow_callbacks.schedule_callback`).

Each turn is one unit of work (`run_call_turn`): the spoken messages as bot `message_out`
events on the call's interaction (`meta.facts` = the facts told, so the answer audit
compares the phone with chat, SMS and email), the handover note, and a `bot_step` event
with the state. The state also stays in memory for the call: a call does not survive a
restart, so nothing resumes it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from omnicenter.channels.voice.ivr import IvrOutcome, collect_digits, play
from omnicenter.channels.voice.legs import CallLeg
from omnicenter.channels.voice.media.audio import concat, silence
from omnicenter.channels.voice.menu import MenuOption
from omnicenter.channels.voice.prompts import SpeechSynth
from omnicenter.channels.voice.service import CallInfo
from omnicenter.domain import Channel, EventKind
from omnicenter.flows import (
    HANDOVER_VALUE,
    CallbackRequest,
    ConversationState,
    Flow,
    FlowEngine,
    FlowRegistry,
    HandoverRequest,
    Output,
    Prompt,
    Rendered,
    Status,
    load_flow,
    render,
)
from omnicenter.services.bot_live import BOT_AUTHOR, write_handover
from omnicenter.services.flow_callbacks import schedule_callback
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.services.voice_live import CallRecord, VoiceHandle
from omnicenter.store import customers as customers_repo

__all__ = ["CallTurn", "FlowCall", "FlowIvr", "attach_flow_ivr", "run_call_turn"]

log = logging.getLogger(__name__)
Pcm = npt.NDArray[np.int16]


@dataclass(frozen=True, slots=True)
class CallTurn:
    state: ConversationState
    outputs: tuple[Output, ...]
    spoken: tuple[Rendered, ...]
    event_ids: tuple[str, ...]

    @property
    def prompt(self) -> Prompt | None:
        return next((o for o in self.outputs if isinstance(o, Prompt)), None)

    @property
    def handover(self) -> HandoverRequest | None:
        return next((o for o in self.outputs if isinstance(o, HandoverRequest)), None)

    @property
    def callbacks(self) -> tuple[CallbackRequest, ...]:
        return tuple(o for o in self.outputs if isinstance(o, CallbackRequest))

    @property
    def speech(self) -> str:
        return " ".join(r.speech or r.text for r in self.spoken)


def _event(
    uow: UnitOfWork, rec: CallRecord, kind: EventKind, flow_id: str, body: str, meta: dict[str, Any]
) -> str:
    return add_timeline_event(
        uow, customer_id=rec.customer_id, case_id=rec.case_id,
        interaction_id=rec.interaction_id, kind=kind.value, channel=Channel.VOICE,
        author_type=BOT_AUTHOR, author_id=flow_id, body=body, meta=meta,
    )  # fmt: skip


def run_call_turn(
    uow: UnitOfWork,
    engine: FlowEngine,
    flow: Flow,
    rec: CallRecord,
    state: ConversationState | None,
    keys: str | None,
    caller: str,
) -> CallTurn:
    """One step of the call's conversation in one transaction: start the flow (`state`
    None) or feed it the keys pressed; write what is said, the handover and the state."""
    customer = customers_repo.root_of(uow.conn, rec.customer_id)
    if state is None:
        known = {"phone": caller} if caller.startswith("+") else {}
        turn = engine.start(
            flow,
            conversation_id=rec.interaction_id,
            channel=Channel.VOICE.value,
            customer_id=customer,
            lang=flow.default_lang,  # keys say nothing about the language: keep the line's
            fields=known,
            now=uow.now,
        )
    else:
        turn = engine.handle(flow, state, keys or "", uow.now)
    spoken = tuple(render(turn.outputs, Channel.VOICE, turn.state.lang))
    event_ids: list[str] = []
    for message in spoken:
        meta: dict[str, Any] = {"flow": flow.id, "speech": message.speech or message.text}
        if message.dtmf:
            meta["dtmf"] = dict(message.dtmf)
        if message.facts:  # the answer audit compares these across channels
            meta["facts"] = list(message.facts)
        event_ids.append(_event(uow, rec, EventKind.MESSAGE_OUT, flow.id, message.text, meta))
    if turn.handover is not None:
        event_ids.append(write_handover(uow, rec.interaction_id, turn.handover))
    new = turn.state
    body = f"{flow.id} v{flow.version}: {new.status.value}" + (
        f" at {new.step}" if new.step else ""
    )
    step_meta: dict[str, Any] = {"state": new.to_json(), "input": keys, "call": "flow_step"}
    event_ids.append(_event(uow, rec, EventKind.BOT_STEP, flow.id, body, step_meta))
    return CallTurn(new, turn.outputs, spoken, tuple(event_ids))


class FlowCall:
    """One call through the flow (an `Ivr` for `InboundCall`)."""

    def __init__(self, ivr: FlowIvr, call: CallInfo, rec: CallRecord) -> None:
        self.ivr = ivr
        self.call = call
        self.rec = rec
        self.path: list[str] = []

    async def run(self, leg: CallLeg) -> IvrOutcome:
        flow = self.ivr.flows.latest(self.ivr.flow_id)
        try:
            return await self._converse(leg, flow)
        except Exception:
            # Never leave a caller with nobody: an error puts them in the queue.
            log.exception("flow IVR failed on call %s; queueing it", self.call.call_id)
            return IvrOutcome(MenuOption("queue", flow.settings.handover_queue), tuple(self.path))

    async def _converse(self, leg: CallLeg, flow: Flow) -> IvrOutcome:
        turn = await self._turn(flow, None, None)
        while True:
            for request in turn.callbacks:
                await schedule_callback(
                    self.ivr.services,
                    self.rec.interaction_id,
                    request,
                    flow.settings.handover_queue,
                )
            handover = turn.handover
            if handover is not None:
                await play(leg, await self._speak(turn.speech, turn.state.lang))
                skills = {s: 1 for s in handover.skills}
                return IvrOutcome(MenuOption("queue", handover.queue, skills), tuple(self.path))
            prompt = turn.prompt
            if prompt is None or turn.state.status is not Status.ACTIVE:
                await play(leg, await self._speak(turn.speech, turn.state.lang))
                return IvrOutcome(MenuOption("hangup", "flow"), tuple(self.path))
            keys = await self._ask(leg, turn, prompt)
            self.path.append(keys)
            turn = await self._turn(flow, turn.state, keys)

    async def _ask(self, leg: CallLeg, turn: CallTurn, prompt: Prompt) -> str:
        """Play the turn, then the prompt again after silence; the keys as the engine reads
        them (an option's value, digits, or the handover value)."""
        lang = turn.state.lang
        speech = await self._speak(turn.speech, lang)
        again = render([prompt], Channel.VOICE, lang)
        repeat = await self._speak(again[0].speech or again[0].text, lang) if again else speech
        dtmf = next((r.dtmf for r in turn.spoken if r.dtmf), {})
        ivr = self.ivr
        for attempt in range(ivr.retries + 1):
            key = await play(leg, speech if attempt == 0 else repeat, interruptible=True)
            if key is None:
                try:
                    key = await _next_key(leg, ivr.digit_timeout)
                except TimeoutError:
                    continue
            if prompt.expects == "choice":
                # 0 is a person, from any step
                return HANDOVER_VALUE if key == "0" else dtmf.get(key, key)
            digits = await collect_digits(leg, key, gap=ivr.digit_timeout)
            # a number may start with 0 ("0712#"); 0 alone, then silence or #, is a person
            return HANDOVER_VALUE if digits == "0" else digits
        return HANDOVER_VALUE  # nothing pressed: never leave a caller alone with a machine

    async def _turn(
        self, flow: Flow, state: ConversationState | None, keys: str | None
    ) -> CallTurn:
        runtime = self.ivr.services.runtime
        turn: CallTurn = await runtime.write(
            run_call_turn,
            self.ivr.engine,
            self.ivr.flows.get(state.flow_id, state.flow_version) if state else flow,
            self.rec,
            state,
            keys,
            self.call.caller,
        )
        return turn

    async def _speak(self, text: str, lang: str) -> Pcm:
        if not text:
            return silence(0.02)
        return concat(await self.ivr.speech.speak(text, lang), silence(0.2))


async def _next_key(leg: CallLeg, within: float) -> str:
    return await asyncio.wait_for(leg.digits.get(), within)


@dataclass
class FlowIvr:
    """The flow the phone line runs, shared by all calls."""

    services: Any  # omnicenter.bootstrap.Services
    engine: FlowEngine
    flows: FlowRegistry
    flow_id: str
    speech: SpeechSynth
    digit_timeout: float = 5.0  # seconds to wait for a key, and between the keys of a number
    retries: int = 2  # prompts repeated after silence before a person takes the call

    def for_call(self, call: CallInfo, rec: CallRecord) -> FlowCall:
        return FlowCall(self, call, rec)


async def attach_flow_ivr(
    services: Any,
    voice: VoiceHandle,
    flow_path: Path | str,
    *,
    engine: FlowEngine | None = None,
    speech: SpeechSynth | None = None,
    digit_timeout: float = 5.0,
) -> FlowIvr:
    """Run `flow_path` on every inbound call of `voice`. The knowledge is the bot's when the
    bot is on (one source of truth for every channel)."""
    flow = load_flow(Path(flow_path))
    registry = FlowRegistry()
    registry.publish(flow)
    if engine is None:
        bot = getattr(services, "bot", None)
        if bot is None:
            raise ValueError("the flow IVR needs knowledge: attach the bot or pass an engine")
        engine = FlowEngine(bot.knowledge)
    if speech is None:
        speech = SpeechSynth(voice.endpoint.settings.data_dir / "speech")
        if not speech.available:
            log.warning(
                "espeak-ng not found: the phone flow's answers will be tones. "
                "Install espeak-ng to have them spoken."
            )
    ivr = FlowIvr(services, engine, registry, flow.id, speech, digit_timeout)
    voice.service.flow_ivr = ivr
    return ivr
