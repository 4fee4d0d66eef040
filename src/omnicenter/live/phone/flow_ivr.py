"""The phone IVR runs a flow: the chat bot's engine, rendered for a keypad and a voice.

`FlowIvr` makes every inbound call run the flow instead of the configured DTMF menu (the
menu stays the fallback when no flow is set). Per step: `say` and knowledge answers are
spoken (espeak-ng at run time, cached by text hash); `choose` is "press 1 for ..."; `collect`
reads digits ended by #; 0 at any step, or silence after the retries, hands over; a
`handover` step queues the call to routing with the same context note and case fields as a
chat handover; a `callback` step is a routing callback promise (`live.callbacks`).

Each turn is one unit of work (`services.call_turns.run_call_turn`). The state also stays
in memory for the call: a call does not survive a restart, so nothing resumes it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from omnicenter.channels.voice.ivr import IvrOutcome, collect_digits, play
from omnicenter.channels.voice.legs import CallLeg
from omnicenter.channels.voice.media.audio import concat, silence
from omnicenter.channels.voice.menu import MenuOption
from omnicenter.channels.voice.prompts import SpeechSynth
from omnicenter.channels.voice.service import CallInfo
from omnicenter.domain import Channel
from omnicenter.flows import (
    HANDOVER_VALUE,
    ConversationState,
    Flow,
    FlowEngine,
    FlowRegistry,
    Prompt,
    Status,
    load_flow,
    render,
)
from omnicenter.live.ports import CallbackDesk
from omnicenter.runtime import Runtime
from omnicenter.services.call_turns import CallTurn, run_call_turn
from omnicenter.services.calls import CallRecord

__all__ = ["FlowCall", "FlowIvr", "flow_ivr"]

log = logging.getLogger(__name__)
Pcm = npt.NDArray[np.int16]


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
            callbacks = self.ivr.callbacks
            if callbacks is not None:
                for request in turn.callbacks:
                    await callbacks.schedule(
                        self.rec.interaction_id, request, flow.settings.handover_queue
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
        turn: CallTurn = await self.ivr.runtime.write(
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

    runtime: Runtime
    callbacks: CallbackDesk | None
    engine: FlowEngine
    flows: FlowRegistry
    flow_id: str
    speech: SpeechSynth
    digit_timeout: float = 5.0  # seconds to wait for a key, and between the keys of a number
    retries: int = 2  # prompts repeated after silence before a person takes the call

    def for_call(self, call: CallInfo, rec: CallRecord) -> FlowCall:
        return FlowCall(self, call, rec)


def flow_ivr(
    runtime: Runtime,
    callbacks: CallbackDesk | None,
    engine: FlowEngine,
    flow_path: Path | str,
    speech: SpeechSynth,
    *,
    digit_timeout: float = 5.0,
) -> FlowIvr:
    """The phone line's flow from `flow_path`, answered from `engine`'s knowledge (the
    bot's: one source of truth for every channel)."""
    flow = load_flow(Path(flow_path))
    registry = FlowRegistry()
    registry.publish(flow)
    if not speech.available:
        log.warning(
            "espeak-ng not found: the phone flow's answers will be tones. "
            "Install espeak-ng to have them spoken."
        )
    return FlowIvr(runtime, callbacks, engine, registry, flow.id, speech, digit_timeout)
