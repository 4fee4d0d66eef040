"""One step of a phone line's flow, in one transaction (the phone's twin of `bot_turns`).

`run_call_turn` starts the flow or feeds it the keys pressed, and writes what is said (bot
`message_out` events on the call's interaction, `meta.facts` = the facts told, so the
answer audit compares the phone with chat, SMS and email), the handover note, and a
`bot_step` event with the state. The live phone line (`live.phone.flow_ivr`) plays it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from omnicenter.domain import Channel, EventKind
from omnicenter.domain.model import AuthorType
from omnicenter.flows import (
    CallbackRequest,
    ConversationState,
    Flow,
    FlowEngine,
    HandoverRequest,
    Output,
    Prompt,
    Rendered,
    render,
)
from omnicenter.services.bot_context import case_knowledge
from omnicenter.services.bot_turns import write_handover
from omnicenter.services.calls import CallRecord
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo

__all__ = ["CallTurn", "run_call_turn"]


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
        interaction_id=rec.interaction_id, kind=kind, channel=Channel.VOICE,
        author_type=AuthorType.BOT, author_id=flow_id, body=body, meta=meta,
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
    case = cases_repo.get_case(uow.conn, rec.case_id)
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
            # the number calling is what the line proves; the case knows what was said before
            identities=(f"phone:{caller}",) if caller.startswith("+") else (),
            known=case_knowledge(case) if case is not None else None,
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
