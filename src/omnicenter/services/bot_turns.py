"""The bot's units of work: one turn of a flow on a customer's message, in one transaction.

A turn (`run_bot_turn`) loads the conversation state, runs the pure flow engine, writes the
bot's messages (timeline event + outbox row each, as `replies.reply` does for agents) and
the new state, all under one commit. A crash therefore never leaves a sent answer without
its state, or a state without its answer. The live bot (`omnicenter.live.bot`) decides
when a turn runs; this module decides what a turn writes.

Where the state lives: a `bot_step` event on the interaction's timeline, state JSON in
its `meta`. It needs no new column or table, it commits with the answer, it is read with the
existing (interaction_id, created_at) index, and the timeline keeps every state the
conversation went through (what the bot knew when it answered). Case fields stay for what
agents should see (collected values and the handover), not for the engine's bookkeeping.

Read first: `run_bot_turn`, `bot_reply`, `write_handover`.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, asc, desc, select

from omnicenter.bus.events import TimelineEventAdded
from omnicenter.domain import (
    Channel,
    ChannelManifest,
    EventKind,
    Priority,
)
from omnicenter.domain.model import AuthorType
from omnicenter.flows import (
    CallbackRequest,
    ConversationState,
    Flow,
    FlowEngine,
    FlowRegistry,
    HandoverRequest,
    Message,
    Output,
    Prompt,
    Rendered,
    Status,
    Turn,
    VerificationRequest,
    detect_lang,
    render,
)
from omnicenter.knowledge import (
    ToldFact,
)
from omnicenter.services.bot_context import (
    HANDOVER_FIELD,
    case_knowledge,
    keep_on_case,
    proved_identities,
    waiting_for_people,
)
from omnicenter.services.case_changes import change_case
from omnicenter.services.replies import SenderSettings, write_outbound
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.services.verification import send_code
from omnicenter.services.webchat import chat_lang
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = [
    "BOT_AUTHOR",
    "BotError",
    "BotTurn",
    "bot_channels",
    "bot_reply",
    "handover_summary",
    "held_at_start",
    "load_state",
    "run_bot_turn",
    "told_facts",
    "unanswered",
    "write_handover",
]

log = logging.getLogger(__name__)

BOT_AUTHOR = AuthorType.BOT
_DEFAULT_SENDER = SenderSettings()
_PRIORITY = {"low": Priority.LOW, "high": Priority.HIGH, "urgent": Priority.URGENT}


class BotError(ValueError):
    """The bot cannot answer as asked (the message says why); nothing was written."""


@dataclass(frozen=True, slots=True)
class BotTurn:
    """What one turn did. `released`: the interaction is now for people (handover, or a
    person already had it); routing should take it."""

    interaction_id: str
    event_ids: tuple[str, ...] = ()
    outbox_ids: tuple[str, ...] = ()
    told: tuple[ToldFact, ...] = ()
    status: str = Status.ACTIVE.value
    released: bool = False
    handover: dict[str, Any] | None = None
    skipped: bool = False  # a message already answered (redelivery)
    callbacks: tuple[CallbackRequest, ...] = ()  # promises to schedule (`live.callbacks`)
    queue: str = ""  # the flow's handover queue, for those promises


def bot_channels(manifests: Mapping[Channel, ChannelManifest]) -> frozenset[Channel]:
    """Where the bot answers: every channel that carries text replies (web chat, SMS, email;
    not a call, whose flow runs on the phone line, nor a form)."""
    return frozenset(c for c, m in manifests.items() if m.text_replies)


def _writes_on(uow: UnitOfWork, channel: Channel) -> bool:
    try:
        return uow.manifest(channel).text_replies
    except LookupError:
        return False


# ----------------------------------------------------------------------------- state


def _latest_step(conn: Connection, interaction_id: str) -> Any:
    return conn.execute(
        select(t.events.c.meta)
        .where(
            t.events.c.interaction_id == interaction_id,
            t.events.c.kind == EventKind.BOT_STEP.value,
        )
        .order_by(desc(t.events.c.created_at))
        .limit(1)
    ).first()


def load_state(conn: Connection, interaction_id: str) -> ConversationState | None:
    """The bot's conversation on this interaction as last committed, or None."""
    row = _latest_step(conn, interaction_id)
    if row is None or not row.meta or "state" not in row.meta:
        return None
    return ConversationState.from_json(row.meta["state"])


def _with_person(conn: Connection, interaction_id: str, case_owner: str | None) -> bool:
    if case_owner is not None:
        return True
    agent_said = conn.execute(
        select(t.events.c.id)
        .where(
            t.events.c.interaction_id == interaction_id,
            t.events.c.author_type == "agent",
            t.events.c.kind == EventKind.MESSAGE_OUT.value,
        )
        .limit(1)
    ).first()
    return agent_said is not None


# ----------------------------------------------------------------------------- writing


def bot_reply(
    uow: UnitOfWork,
    interaction_id: str,
    message: Rendered,
    *,
    flow_id: str,
    sender: SenderSettings = _DEFAULT_SENDER,
) -> tuple[str, str]:
    """One bot message: a timeline event (author_type "bot") and an outbox row, as
    `replies.reply` writes for agents, without taking the case. Returns (event, outbox)."""
    conn = uow.conn
    body = message.text.strip()
    if not body:
        raise BotError("empty message")
    interaction = cases_repo.get_interaction(conn, interaction_id)
    if interaction is None:
        raise BotError(f"unknown interaction {interaction_id}")
    if not _writes_on(uow, interaction.channel):
        raise BotError(f"the bot does not write on {interaction.channel.value}")
    # a text over the channel's limit goes as its manifest says (SMS: split in parts)
    meta: dict[str, Any] = {"flow": flow_id}
    if message.buttons:  # web chat shows them; the widget sends back `value`
        meta["buttons"] = [{"label": b.label, "value": b.value} for b in message.buttons]
    if message.facts:  # for the agent's view and the answer audit; never shown to customers
        meta["facts"] = list(message.facts)
    event_id, outbox_id = write_outbound(
        uow,
        interaction,
        body,
        author_type=BOT_AUTHOR,
        author_id=flow_id,
        sender=sender,
        extra_meta=meta,
    )
    return event_id, outbox_id


def handover_summary(context: dict[str, Any]) -> str:
    """The note an agent reads first: why, what the customer wants, what they were told."""
    lines = [f"Bot handover ({context['reason']}) to queue {context['queue']}."]
    if context.get("intent"):
        confidence = context.get("confidence")
        sure = f" ({confidence:.2f})" if isinstance(confidence, int | float) else ""
        lines.append(f"Intent: {context['intent']}{sure}.")
    fields = context.get("fields") or {}
    if fields:
        lines.append("Collected: " + ", ".join(f"{k}={v}" for k, v in sorted(fields.items())))
    for fact in context.get("facts") or []:
        lines.append(f"Told {fact['key']} = {fact['value']} [{'; '.join(fact['sources'])}]")
    transcript = context.get("transcript") or []
    if transcript:
        lines.append("Last messages:")
        lines += [f"  {line['role']}: {line['text']}" for line in transcript[-6:]]
    return "\n".join(lines)


def write_handover(uow: UnitOfWork, interaction_id: str, request: HandoverRequest) -> str:
    """The context for the agent, as a timeline note and in the case fields (with the queue
    hint routing reads). Returns the note's event id."""
    conn = uow.conn
    interaction = cases_repo.get_interaction(conn, interaction_id)
    case = cases_repo.get_case(conn, interaction.case_id) if interaction else None
    if interaction is None or case is None:
        raise BotError(f"unknown interaction {interaction_id}")
    context = request.to_context()
    summary = handover_summary(context)
    meta = {"handover": context}
    event_id = add_timeline_event(
        uow,
        customer_id=interaction.customer_id,
        case_id=case.id,
        interaction_id=interaction_id,
        kind=EventKind.NOTE,
        channel=interaction.channel,
        author_type=BOT_AUTHOR,
        author_id=request.flow_id,
        body=summary,
        meta=meta,
    )
    fields = {
        **case.fields,
        **request.fields,
        "queue": request.queue,  # routing's queue hint
        HANDOVER_FIELD: {
            "reason": request.reason,
            "intent": request.intent,
            "confidence": request.confidence,
            "skills": list(request.skills),
            "priority": request.priority,
            "facts": list(request.facts),
            "interaction_id": interaction_id,
            "note_event_id": event_id,
        },
    }
    priority = max(int(case.priority), int(_PRIORITY.get(request.priority, case.priority)))
    change_case(uow, case, fields=fields, priority=Priority(priority))
    return event_id


# ----------------------------------------------------------------------------- one turn


def told_facts(
    channel: str, customer_id: str, facts: Iterable[dict[str, Any]], at: datetime
) -> list[ToldFact]:
    """The facts of one bot message as the audit compares them."""
    return [
        ToldFact(channel, customer_id, f["key"], dict(f["value"]), at, int(f.get("revision", 0)))
        for f in facts
    ]


def _choice_ids(flow: Flow, step_id: str | None) -> frozenset[str] | None:
    """The option ids (button values) of a choice step; None for any other step."""
    options = getattr(flow.steps.get(step_id or ""), "options", None)
    return frozenset(o.id for o in options) if options else None


def _carry_over(
    engine: FlowEngine, flow: Flow, turn: Turn, text: str, choices: frozenset[str] | None
) -> Turn | None:
    """ "ile kosztuje koszulka czerwona M" picks the price option *and* names the product.
    When a choice made in free text leads straight to a question, try the same text as its
    answer (the engine is pure, so trying costs nothing) and keep the result only if it
    found a fact without a failure."""
    stripped = text.strip()
    if choices is None or stripped.isdigit() or stripped in choices:
        return None  # not a choice step, or a number or button: nothing more to read
    if turn.handover is not None or turn.ended or turn.state.failures:
        return None
    nxt = turn.prompt
    if nxt is None or nxt.expects == "choice":
        return None
    again = engine.handle(flow, turn.state, text)
    found = len(again.state.facts) > len(turn.state.facts)
    if again.handover is None and not again.state.failures and found:
        return again
    return None


@dataclass(frozen=True, slots=True)
class _Asker:
    """Who writes, as the conversation begins: the root customer, the identity the channel
    proved (the address they write from), and what the case knows already."""

    customer_id: str
    identities: tuple[str, ...]
    known: dict[str, str]
    lang: str | None = None  # the language the customer chose (the widget's), if any


def _advance(
    engine: FlowEngine,
    flow: Flow,
    state: ConversationState | None,
    conversation_id: str,
    channel: Channel,
    asker: _Asker,
    text: str,
    now: datetime,
) -> tuple[ConversationState, list[Output]]:
    if state is None or state.status is Status.ENDED:
        # A new conversation (or a new one after the bot said goodbye), going on from what
        # the customer told on the case's other contacts.
        start = engine.start(
            flow,
            conversation_id=conversation_id,
            channel=channel.value,
            customer_id=asker.customer_id,
            lang=asker.lang or detect_lang(text),
            now=now,
            identities=asker.identities,
            known=asker.known,
        )
        turn = engine.handle(flow, start.state, text, now)
        if turn.handover is None and turn.state.failures:
            # A greeting is not a failure: show the menu and count nothing.
            transcript = (*start.state.transcript, ("customer", text))
            return start.state.evolve(transcript=transcript), list(start.outputs)
        choices = _choice_ids(flow, start.state.step)
        outputs: list[Output] = [o for o in start.outputs if not isinstance(o, Prompt)]
        if asker.known:  # going on from another contact of the case: no second welcome
            outputs = [o for o in outputs if not (isinstance(o, Message) and not o.facts)]
    else:
        choices = _choice_ids(flow, state.step)
        turn = engine.handle(flow, state, text, now)
        outputs = []
    again = _carry_over(engine, flow, turn, text, choices)
    if again is not None:
        outputs += [o for o in turn.outputs if not isinstance(o, Prompt)] + list(again.outputs)
        return again.state, outputs
    return turn.state, outputs + list(turn.outputs)


def run_bot_turn(
    uow: UnitOfWork,
    engine: FlowEngine,
    flows: FlowRegistry,
    flow_id: str,
    interaction_id: str,
    input_event_id: str,
    text: str,
    *,
    sender: SenderSettings = _DEFAULT_SENDER,
) -> BotTurn:
    """One customer message in, the bot's answer and new state out, in one transaction."""
    conn = uow.conn
    interaction = cases_repo.get_interaction(conn, interaction_id)
    if interaction is None:
        raise BotError(f"unknown interaction {interaction_id}")
    case = cases_repo.get_case(conn, interaction.case_id)
    assert case is not None
    if (
        not _writes_on(uow, interaction.channel)
        or _with_person(conn, interaction_id, case.owner_agent_id)
        or waiting_for_people(conn, case, interaction_id)
    ):
        return BotTurn(interaction_id, released=True)
    last = _latest_step(conn, interaction_id)
    meta = dict(last.meta) if last is not None and last.meta else {}
    if meta.get("input_event_id") == input_event_id:
        return BotTurn(interaction_id, skipped=True)
    state = ConversationState.from_json(meta["state"]) if "state" in meta else None
    if state is not None and state.status is Status.HANDOVER:
        return BotTurn(interaction_id, status=state.status.value, released=True)
    flow = flows.get(state.flow_id, state.flow_version) if state else flows.latest(flow_id)
    customer = customers_repo.root_of(conn, interaction.customer_id)
    asker = _Asker(
        customer,
        proved_identities(interaction),
        case_knowledge(case),
        chat_lang(conn, interaction_id) if interaction.channel is Channel.WEBCHAT else None,
    )
    new_state, outputs = _advance(
        engine, flow, state, interaction_id, interaction.channel, asker, text, uow.now
    )
    event_ids: list[str] = []
    outbox_ids: list[str] = []
    told: list[ToldFact] = []
    for message in render(outputs, interaction.channel, new_state.lang):
        event_id, outbox_id = bot_reply(
            uow, interaction_id, message, flow_id=flow.id, sender=sender
        )
        event_ids.append(event_id)
        outbox_ids.append(outbox_id)
        told += told_facts(interaction.channel.value, customer, message.facts, uow.now)
    for request in outputs:
        if isinstance(request, VerificationRequest):  # on its own channel, never shown here
            outbox_ids.append(send_code(uow, interaction, request, sender))
    handover = next((o for o in outputs if isinstance(o, HandoverRequest)), None)
    context: dict[str, Any] | None = None
    if handover is not None:
        event_ids.append(write_handover(uow, interaction_id, handover))
        context = handover.to_context()
    current = cases_repo.get_case(conn, case.id)  # the handover may have changed it
    assert current is not None
    keep_on_case(uow, current, new_state)
    # The engine's bookkeeping (conversation state), not a message: stored, not published.
    cases_repo.add_event(
        conn,
        uow.now,
        customer_id=interaction.customer_id,
        case_id=interaction.case_id,
        interaction_id=interaction_id,
        kind=EventKind.BOT_STEP,
        channel=interaction.channel,
        author_type=BOT_AUTHOR,
        author_id=flow.id,
        body=f"{flow.id} v{flow.version}: {new_state.status.value}"
        + (f" at {new_state.step}" if new_state.step else ""),
        meta={
            "state": new_state.to_json(),
            "input_event_id": input_event_id,
            "seq": int(meta.get("seq", 0)) + 1,
        },
    )
    return BotTurn(
        interaction_id,
        tuple(event_ids),
        tuple(outbox_ids),
        tuple(told),
        new_state.status.value,
        released=handover is not None,
        handover=context,
        callbacks=tuple(o for o in outputs if isinstance(o, CallbackRequest)),
        queue=flow.settings.handover_queue,
    )


# ----------------------------------------------------------------------------- after a restart


def held_at_start(conn: Connection, channels: Collection[Channel]) -> tuple[set[str], set[str]]:
    """(held, released) for open interactions on the bot's `channels`, after a restart."""
    rows = conn.execute(
        select(t.interactions.c.id, t.cases.c.owner_agent_id)
        .join(t.cases, t.cases.c.id == t.interactions.c.case_id)
        .where(
            t.interactions.c.status == "open",
            t.interactions.c.channel.in_([c.value for c in channels]),
        )
    ).all()
    held: set[str] = set()
    released: set[str] = set()
    for row in rows:
        state = None if row.owner_agent_id else load_state(conn, row.id)
        # No bot state: the conversation predates the bot, so it is for people.
        if state is None or state.status is Status.HANDOVER:
            released.add(row.id)
        else:
            held.add(row.id)
    return held, released


def unanswered(conn: Connection, interaction_ids: Iterable[str]) -> list[TimelineEventAdded]:
    """Customer messages the bot holds but never answered (the process stopped between
    receiving and answering): those after the input of the last committed turn."""
    found: list[TimelineEventAdded] = []
    ev = t.events.c
    for interaction_id in sorted(interaction_ids):
        last = _latest_step(conn, interaction_id)
        input_id = (last.meta or {}).get("input_event_id") if last is not None else None
        answered = (
            conn.execute(select(ev.created_at).where(ev.id == input_id)).first()
            if input_id
            else None
        )
        if answered is None:
            continue  # no committed turn to continue from: the conversation is not the bot's
        rows = conn.execute(
            select(t.events)
            .where(
                ev.interaction_id == interaction_id,
                ev.author_type == "customer",
                ev.kind == EventKind.MESSAGE_IN.value,
                ev.created_at >= answered.created_at,
                ev.id != input_id,
            )
            .order_by(asc(ev.created_at))
        )
        root: str | None = None
        for row in rows:
            root = root or customers_repo.root_of(conn, row.customer_id)
            found.append(
                TimelineEventAdded(
                    event_id=row.id,
                    customer_id=root,
                    case_id=row.case_id,
                    interaction_id=interaction_id,
                    kind=EventKind(row.kind),
                    channel=Channel(row.channel) if row.channel else None,
                    author_type=AuthorType(row.author_type),
                    author_id=row.author_id,
                    body=row.body or "",
                    created_at=row.created_at,
                    meta=dict(row.meta or {}),
                )
            )
    return found
