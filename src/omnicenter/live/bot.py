"""The bot on the live channels: it answers web chat, SMS and email until a person takes over.

`Bot` follows the bus. When a customer writes on an interaction that is not with a
person, one turn of the flow runs as one unit of work (`services.bot_turns.run_bot_turn`),
and its messages are handed to the outbox. Turns run in order per interaction.

The bot is the gate of routing's contact entry (`ContactGate`): the contact intake asks
`should_route` before a customer's message becomes routed work, so nobody is offered a
conversation the bot still holds. On handover the bot writes the context (timeline note +
case fields, queue hint included) and admits the interaction to routing (`Why.HANDOVER`),
which routes it exactly as it would a fresh contact.

Read first: `Bot.on_event`, `Bot._turn`, then `services.bot_turns`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from omnicenter.bus.events import BusEvent, CaseUpdated, TimelineEventAdded
from omnicenter.domain import Channel, EventKind
from omnicenter.flows import ConversationState, Flow, FlowEngine, FlowRegistry, load_flow
from omnicenter.knowledge import (
    AnswerRecorder,
    FileKnowledgeRepository,
    Inconsistency,
    InMemoryKnowledgeRepository,
    KnowledgeService,
)
from omnicenter.live.ports import Admission, CallbackDesk, Outbox
from omnicenter.live.work import Why
from omnicenter.runtime import Runtime
from omnicenter.services.answer_audit import answer_audit
from omnicenter.services.bot_turns import (
    BotError,
    BotTurn,
    held_at_start,
    load_state,
    run_bot_turn,
    unanswered,
)
from omnicenter.services.replies import SenderSettings

__all__ = ["Bot", "flow_registry", "load_knowledge"]

log = logging.getLogger(__name__)


class Bot:
    """A live component: `start` picks up what the last run left, `on_event` follows the
    bus, `stop` waits for the turns in flight."""

    def __init__(
        self,
        runtime: Runtime,
        flows: FlowRegistry,
        flow_id: str,
        knowledge: KnowledgeService,
        *,
        channels: frozenset[Channel],
        outbox: Outbox,
        routing: Admission | None,
        callbacks: CallbackDesk | None,
        sender: SenderSettings,
        recorder: AnswerRecorder | None = None,
        otp_secret: bytes | None = None,
    ) -> None:
        self.runtime = runtime
        self.flows = flows
        self.flow_id = flow_id
        self.knowledge = knowledge
        # one-time codes let a customer prove an order is theirs (no secret: a person checks)
        self.engine = FlowEngine(knowledge, otp_secret=otp_secret)
        self.channels = channels  # where the bot answers (`bot_turns.bot_channels`)
        self.outbox = outbox
        self.routing = routing
        self.callbacks = callbacks
        self.sender = sender
        self.recorder = recorder
        self._held: set[str] = set()
        self._released: set[str] = set()
        self._case_of: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def start(self) -> None:
        """Which open conversations the bot holds, then the messages it had not answered
        when the last run stopped."""
        held, released = await self.runtime.read(held_at_start, self.channels)
        self._held |= held
        self._released |= released
        await self.answer_unanswered()

    async def stop(self) -> None:
        self._closed = True
        await self.idle()

    # -- routing's gate --------------------------------------------------------------------
    def should_route(self, interaction_id: str, channel: Channel | None) -> bool:
        """False while the bot holds the conversation. Cheap and synchronous: the intake
        asks it for every customer message and for open work at start."""
        if interaction_id in self._released:
            return True
        if interaction_id in self._held:
            return False
        # Unknown: a new contact. On the bot's channels the bot speaks first.
        return channel is None or channel not in self.channels

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
            or event.channel not in self.channels
            or iid in self._released
        ):
            return
        self._spawn_turn(event)

    async def answer_unanswered(self) -> int:
        """After a restart: answer what the bot holds and had not answered when it stopped.
        Each is an ordinary turn (one transaction, skipped when already answered), so
        starting twice never answers twice. Returns how many messages were picked up."""
        events = await self.runtime.read(unanswered, set(self._held))
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
                    if self.routing is not None:
                        self.routing.admit(iid, Why.HANDOVER)
        finally:
            self._waiting[iid] -= 1
            if not self._waiting[iid]:  # nobody else queued on this interaction
                del self._waiting[iid]
                self._locks.pop(iid, None)

    async def handle(self, interaction_id: str, input_event_id: str, text: str) -> BotTurn:
        """Run one turn now and deliver its messages (the subscriber calls this)."""
        result: BotTurn = await self.runtime.write(
            run_bot_turn,
            self.engine,
            self.flows,
            self.flow_id,
            interaction_id,
            input_event_id,
            text,
            sender=self.sender,
        )
        self.outbox.kick(*result.outbox_ids)
        if self.callbacks is not None:
            for request in result.callbacks:
                await self.callbacks.schedule(interaction_id, request, result.queue)
        if self.recorder is not None:
            for entry in result.told:
                self.recorder.record(entry)
        return result

    async def idle(self) -> None:
        """Wait until every message received so far has been answered."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def conversation(self, interaction_id: str) -> ConversationState | None:
        state: ConversationState | None = await self.runtime.read(load_state, interaction_id)
        return state

    async def audit(
        self, since: datetime, window: timedelta = timedelta(hours=1)
    ) -> list[Inconsistency]:
        found: list[Inconsistency] = await self.runtime.read(answer_audit, since, window)
        return found


def _input_text(event: TimelineEventAdded) -> str:
    body = event.body.strip()
    if not body and event.channel == Channel.EMAIL.value:
        body = str(event.meta.get("subject") or "")
    return body


def flow_registry(flow_path: Path | str, older: Sequence[Flow] = ()) -> tuple[FlowRegistry, str]:
    """The flow to run, with the older versions conversations are still pinned to."""
    flow = load_flow(Path(flow_path))
    registry = FlowRegistry()
    for previous in sorted(older, key=lambda f: f.version):
        if previous.id == flow.id and previous.version < flow.version:
            registry.publish(previous)  # conversations pinned to older versions continue
    registry.publish(flow)
    return registry, flow.id


def load_knowledge(data_dir: Path | str, catalog_dir: Path | str | None) -> KnowledgeService:
    """The catalog folder, imported into memory at start; without one, the knowledge saved
    in `data_dir` by `omnicenter knowledge import`."""
    if catalog_dir is None:
        return KnowledgeService(FileKnowledgeRepository(Path(data_dir)))
    knowledge = KnowledgeService(InMemoryKnowledgeRepository())
    files = sorted(p for p in Path(catalog_dir).iterdir() if p.is_file())
    report = knowledge.import_files(files)
    if not report.applied:
        problems = "; ".join(str(r) for r in report.rejected[:5])
        raise BotError(f"catalog {catalog_dir} was not imported: {problems}")
    return knowledge
