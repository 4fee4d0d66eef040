"""The bot on the live channels: it answers web chat, SMS and email until a person takes over.

`attach_bot(services, flow_path, catalog_dir)` subscribes a `BotHandle` to the bus. When a
customer writes on an interaction that is not with a person, one turn of the flow engine
runs *inside one unit of work* (`run_bot_turn`): load the conversation state, run the pure
engine, write the bot's messages (timeline event + outbox row each, as `replies.reply`
does for agents) and the new state, all under one commit. A crash therefore never leaves a
sent answer without its state, or a state without its answer.

Where the state lives: a `bot_step` event on the interaction's timeline, state JSON in
its `meta`. It needs no new column or table, it commits with the answer, it is read with the
existing (interaction_id, created_at) index, and the timeline keeps every state the
conversation went through (what the bot knew when it answered). Case fields stay for what
agents should see (collected values and the handover), not for the engine's bookkeeping.

Routing must not offer a conversation the bot is still holding: the routing engine asks
`BotHandle.should_route(interaction_id, channel)`. On handover the bot writes the context
(timeline note + case fields, queue hint included) and then feeds the customer's message
to `router.enqueue`, so routing picks it up exactly as it would a fresh contact.

Read first: `BotHandle.on_event`, `run_bot_turn`, `bot_reply`, `write_handover`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, asc, desc, select, update

from omnicenter.bus.events import BusEvent, CaseUpdated, TimelineEventAdded
from omnicenter.domain import Channel, EventKind, Priority
from omnicenter.flows import (
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
    Turn,
    detect_lang,
    load_flow,
    render,
)
from omnicenter.knowledge import (
    AnswerRecorder,
    FileKnowledgeRepository,
    Inconsistency,
    InMemoryKnowledgeRepository,
    KnowledgeService,
    ToldFact,
    find_inconsistencies,
)
from omnicenter.services.flow_callbacks import schedule_callback
from omnicenter.services.replies import SenderSettings, write_outbound
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = [
    "BOT_AUTHOR",
    "BOT_CHANNELS",
    "BotError",
    "BotHandle",
    "BotTurn",
    "answer_audit",
    "attach_bot",
    "bot_reply",
    "load_state",
    "run_bot_turn",
    "told_entries",
    "write_handover",
]

log = logging.getLogger(__name__)

BOT_AUTHOR = "bot"
BOT_CHANNELS = frozenset({Channel.WEBCHAT, Channel.SMS, Channel.EMAIL})
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
    callbacks: tuple[CallbackRequest, ...] = ()  # promises to schedule (`flow_callbacks`)
    queue: str = ""  # the flow's handover queue, for those promises


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
    if interaction.channel not in BOT_CHANNELS:
        raise BotError(f"the bot does not write on {interaction.channel.value}")
    if interaction.channel is Channel.SMS and len(body) > 1600:
        body = body[:1597] + "..."  # 10 segments; flows are written shorter than that
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
        kind=EventKind.NOTE.value,
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
        "bot_handover": {
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
    conn.execute(
        update(t.cases)
        .where(t.cases.c.id == case.id)
        .values(fields=fields, priority=priority, updated_at=uow.now)
    )
    uow.emit(
        CaseUpdated(
            case_id=case.id,
            customer_id=customers_repo.root_of(conn, interaction.customer_id),
            status=case.status.value,
            priority=priority,
            owner_agent_id=case.owner_agent_id,
            subject=case.subject,
        )
    )
    return event_id


# ----------------------------------------------------------------------------- one turn


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


def _advance(
    engine: FlowEngine,
    flow: Flow,
    state: ConversationState | None,
    conversation_id: str,
    channel: Channel,
    customer_id: str,
    text: str,
    now: datetime,
) -> tuple[ConversationState, list[Output]]:
    if state is None or state.status is Status.ENDED:
        # A new conversation (or a new one after the bot said goodbye).
        start = engine.start(
            flow,
            conversation_id=conversation_id,
            channel=channel.value,
            customer_id=customer_id,
            lang=detect_lang(text),
            now=now,
        )
        turn = engine.handle(flow, start.state, text, now)
        if turn.handover is None and turn.state.failures:
            # A greeting is not a failure: show the menu and count nothing.
            transcript = (*start.state.transcript, ("customer", text))
            return start.state.evolve(transcript=transcript), list(start.outputs)
        choices = _choice_ids(flow, start.state.step)
        outputs: list[Output] = [o for o in start.outputs if not isinstance(o, Prompt)]
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
    if interaction.channel not in BOT_CHANNELS or _with_person(
        conn, interaction_id, case.owner_agent_id
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
    new_state, outputs = _advance(
        engine, flow, state, interaction_id, interaction.channel, customer, text, uow.now
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
        told += _told(interaction.channel.value, customer, message.facts, uow.now)
    handover = next((o for o in outputs if isinstance(o, HandoverRequest)), None)
    context: dict[str, Any] | None = None
    if handover is not None:
        event_ids.append(write_handover(uow, interaction_id, handover))
        context = handover.to_context()
    # The engine's bookkeeping (conversation state), not a message: stored, not published.
    cases_repo.add_event(
        conn,
        uow.now,
        customer_id=interaction.customer_id,
        case_id=interaction.case_id,
        interaction_id=interaction_id,
        kind=EventKind.BOT_STEP.value,
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


# ----------------------------------------------------------------------------- audit


def _told(
    channel: str, customer_id: str, facts: Iterable[dict[str, Any]], at: datetime
) -> list[ToldFact]:
    return [
        ToldFact(channel, customer_id, f["key"], dict(f["value"]), at, int(f.get("revision", 0)))
        for f in facts
    ]


def told_entries(conn: Connection, since: datetime) -> list[ToldFact]:
    """Every fact the bot told since `since`, per channel and (root) customer, from the
    timeline: what was committed is what was said."""
    rows = conn.execute(
        select(t.events.c.customer_id, t.events.c.channel, t.events.c.meta, t.events.c.created_at)
        .where(
            t.events.c.author_type == BOT_AUTHOR,
            t.events.c.kind == EventKind.MESSAGE_OUT.value,
            t.events.c.created_at >= since,
        )
        .order_by(asc(t.events.c.created_at))
    )
    roots: dict[str, str] = {}
    entries: list[ToldFact] = []
    for row in rows:
        facts = (row.meta or {}).get("facts") or []
        if not facts:
            continue
        if row.customer_id not in roots:
            roots[row.customer_id] = customers_repo.root_of(conn, row.customer_id)
        entries += _told(row.channel or "", roots[row.customer_id], facts, row.created_at)
    return entries


def answer_audit(
    conn: Connection, since: datetime, window: timedelta = timedelta(hours=1)
) -> list[Inconsistency]:
    """Different answers to the same question for the same customer on different channels."""
    return find_inconsistencies(told_entries(conn, since), window)


# ----------------------------------------------------------------------------- live handle


def _held_at_start(conn: Connection) -> tuple[set[str], set[str]]:
    """(held, released) for open interactions on the bot's channels, after a restart."""
    rows = conn.execute(
        select(t.interactions.c.id, t.cases.c.owner_agent_id)
        .join(t.cases, t.cases.c.id == t.interactions.c.case_id)
        .where(
            t.interactions.c.status == "open",
            t.interactions.c.channel.in_([c.value for c in BOT_CHANNELS]),
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
                    kind=row.kind,
                    channel=row.channel or "",
                    author_type=row.author_type,
                    author_id=row.author_id,
                    body=row.body or "",
                    created_at=row.created_at,
                    meta=dict(row.meta or {}),
                )
            )
    return found


@dataclass
class BotHandle:
    """The bot attached to a running `Services`: a bus subscriber and routing's gate."""

    services: Any  # omnicenter.bootstrap.Services (not imported: bootstrap may import us)
    engine: FlowEngine
    flows: FlowRegistry
    flow_id: str
    knowledge: KnowledgeService
    recorder: AnswerRecorder | None = None
    _held: set[str] = field(default_factory=set)
    _released: set[str] = field(default_factory=set)
    _case_of: dict[str, str] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _waiting: dict[str, int] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _closed: bool = False

    # -- routing's gate --------------------------------------------------------------------
    def should_route(self, interaction_id: str, channel: str | None = None) -> bool:
        """False while the bot holds the conversation. Cheap and synchronous: routing calls
        it for every customer message and for waiting work at start."""
        if interaction_id in self._released:
            return True
        if interaction_id in self._held:
            return False
        # Unknown: a new contact. On the bot's channels the bot speaks first.
        return channel is None or channel not in {c.value for c in BOT_CHANNELS}

    def holds(self, interaction_id: str) -> bool:
        return interaction_id in self._held

    # -- bus -------------------------------------------------------------------------------
    def on_event(self, event: BusEvent) -> None:
        """Bus subscriber; returns at once, turns run in order per interaction."""
        if self._closed:
            return
        if isinstance(event, CaseUpdated) and event.owner_agent_id:
            for iid in [i for i, c in self._case_of.items() if c == event.case_id]:
                self._release(iid)
            return
        if not isinstance(event, TimelineEventAdded) or not event.interaction_id:
            return
        iid = event.interaction_id
        if event.author_type == "agent" and event.kind == EventKind.MESSAGE_OUT.value:
            self._release(iid)  # a person answered: the bot steps back
            return
        if (
            event.author_type != "customer"
            or event.kind != EventKind.MESSAGE_IN.value
            or event.channel not in {c.value for c in BOT_CHANNELS}
            or iid in self._released
        ):
            return
        self._spawn_turn(event)

    async def answer_unanswered(self) -> int:
        """After a restart: answer what the bot holds and had not answered when it stopped.
        Each is an ordinary turn (one transaction, skipped when already answered), so
        starting twice never answers twice. Returns how many messages were picked up."""
        events = await self.services.runtime.read(unanswered, set(self._held))
        for event in events:
            self._spawn_turn(event)
        if events:
            log.info("answering %d message(s) left unanswered by the last run", len(events))
        return len(events)

    def _spawn_turn(self, event: TimelineEventAdded) -> None:
        iid = event.interaction_id
        assert iid is not None
        self._held.add(iid)
        if event.case_id:
            self._case_of[iid] = event.case_id
        task = asyncio.get_running_loop().create_task(self._turn(event), name=f"bot-{iid}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _release(self, interaction_id: str) -> None:
        self._held.discard(interaction_id)
        self._case_of.pop(interaction_id, None)
        self._released.add(interaction_id)

    async def _turn(self, event: TimelineEventAdded) -> None:
        iid = event.interaction_id
        assert iid is not None
        lock = self._locks.setdefault(iid, asyncio.Lock())
        self._waiting[iid] = self._waiting.get(iid, 0) + 1
        try:
            async with lock:
                if iid in self._released:
                    return  # released while this message waited: routing already has it
                try:
                    result = await self.handle(iid, event.event_id, _input_text(event))
                except Exception:
                    # Never leave a customer with nobody: an error hands over.
                    log.exception("bot turn failed on %s; handing over", iid)
                    result = BotTurn(iid, released=True)
                if result.released:
                    self._release(iid)
                    self._route(event)
        finally:
            self._waiting[iid] -= 1
            if not self._waiting[iid]:  # nobody else queued on this interaction
                del self._waiting[iid]
                self._locks.pop(iid, None)

    async def handle(self, interaction_id: str, input_event_id: str, text: str) -> BotTurn:
        """Run one turn now and deliver its messages (the subscriber calls this)."""
        services = self.services
        result: BotTurn = await services.runtime.write(
            run_bot_turn,
            self.engine,
            self.flows,
            self.flow_id,
            interaction_id,
            input_event_id,
            text,
            sender=services.sender,
        )
        for outbox_id in result.outbox_ids:
            services.dispatcher.kick(outbox_id)
        for request in result.callbacks:
            await schedule_callback(services, interaction_id, request, result.queue)
        if self.recorder is not None:
            for entry in result.told:
                self.recorder.record(entry)
        return result

    def _route(self, event: TimelineEventAdded) -> None:
        """Give the contact to routing as if it had just arrived (now that it may route)."""
        router = self.services.router
        if router is not None:
            router.enqueue(event)

    async def idle(self) -> None:
        """Wait until every message received so far has been answered."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def conversation(self, interaction_id: str) -> ConversationState | None:
        state: ConversationState | None = await self.services.runtime.read(
            load_state, interaction_id
        )
        return state

    async def audit(
        self, since: datetime, window: timedelta = timedelta(hours=1)
    ) -> list[Inconsistency]:
        found: list[Inconsistency] = await self.services.runtime.read(answer_audit, since, window)
        return found

    async def close(self) -> None:
        self._closed = True
        await self.idle()


def _input_text(event: TimelineEventAdded) -> str:
    body = event.body.strip()
    if not body and event.channel == Channel.EMAIL.value:
        body = str(event.meta.get("subject") or "")
    return body


def load_knowledge(data_dir: Path, catalog_dir: Path | None) -> KnowledgeService:
    """The catalog folder, imported into memory at start; without one, the knowledge saved
    in `data_dir` by `omnicenter knowledge import`."""
    if catalog_dir is None:
        return KnowledgeService(FileKnowledgeRepository(data_dir))
    knowledge = KnowledgeService(InMemoryKnowledgeRepository())
    files = sorted(p for p in Path(catalog_dir).iterdir() if p.is_file())
    report = knowledge.import_files(files)
    if not report.applied:
        problems = "; ".join(str(r) for r in report.rejected[:5])
        raise BotError(f"catalog {catalog_dir} was not imported: {problems}")
    return knowledge


async def attach_bot(
    services: Any,
    flow_path: Path | str,
    catalog_dir: Path | str | None,
    *,
    knowledge: KnowledgeService | None = None,
    recorder: AnswerRecorder | None = None,
    flows: Sequence[Flow] = (),
) -> BotHandle:
    """Load the flow and the knowledge, subscribe the bot to the bus, install routing's gate.

    Call it after `services.start()` (tests) or, better, inside it before the router starts,
    so that conversations the bot holds are not re-queued at a restart."""
    flow = load_flow(Path(flow_path))
    registry = FlowRegistry()
    for older in sorted(flows, key=lambda f: f.version):
        if older.id == flow.id and older.version < flow.version:
            registry.publish(older)  # conversations pinned to older versions continue
    registry.publish(flow)
    if knowledge is None:
        catalog = Path(catalog_dir) if catalog_dir is not None else None
        knowledge = await asyncio.to_thread(load_knowledge, services.settings.data_dir, catalog)
    handle = BotHandle(services, FlowEngine(knowledge), registry, flow.id, knowledge, recorder)
    held, released = await services.runtime.read(_held_at_start)
    handle._held |= held
    handle._released |= released
    services.bus.subscribe(handle.on_event)
    router = services.router
    gate = getattr(router, "set_gate", None) if router is not None else None
    if callable(gate):
        gate(handle.should_route)
    await handle.answer_unanswered()
    return handle
