"""Routing across restarts of the live service, on SQLite and PostgreSQL: a missed callback
promise is recorded as broken once, whatever the restarts; one still owed is scheduled
again with its id and due time until an agent takes it; a waiting contact is queued again
under its id and counted once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from omnicenter.bootstrap import Services
from omnicenter.bus.events import (
    BusEvent,
    RoutingDecisionMade,
    TaskAssigned,
    TaskOffered,
    TimelineEventAdded,
)
from omnicenter.domain import Channel, InboundEvent, Presence
from omnicenter.live.routing_config import load_routing_config
from omnicenter.services.agents import NewAgent, create_agent, set_presence
from omnicenter.services.assignments import record_routing
from omnicenter.services.inbound import ingest
from omnicenter.services.promises import open_promises
from omnicenter.settings import Settings
from omnicenter.store import Database
from omnicenter.store import tables as t
from omnicenter.store.metrics import query_counters
from tests.integration.foundation.test_store_services import run


class Watch:
    """Bus events of one service instance, awaited by predicate (no polling, no sleeps)."""

    def __init__(self, services: Services) -> None:
        self.seen: list[BusEvent] = []
        self.changed = asyncio.Event()
        services.bus.subscribe(self._on)

    def _on(self, event: BusEvent) -> None:
        self.seen.append(event)
        self.changed.set()

    async def wait(self, pred: Callable[[BusEvent], bool], timeout: float = 10) -> BusEvent:
        async with asyncio.timeout(timeout):
            while True:
                found = next((e for e in self.seen if pred(e)), None)
                if found is not None:
                    return found
                self.changed.clear()
                await self.changed.wait()


def fact(name: str) -> Callable[[BusEvent], bool]:
    return lambda e: isinstance(e, TimelineEventAdded) and e.meta.get("fact") == name


def decided(kind: str, task_id: str) -> Callable[[BusEvent], bool]:
    return lambda e: (
        isinstance(e, RoutingDecisionMade) and e.decision == kind and e.task_id == task_id
    )


def waiting_chat(db: Database, visitor: str) -> str:
    """A chat nobody has taken, stored before the service starts (routing queues it at
    start); its interaction id."""
    event = InboundEvent(
        Channel.WEBCHAT,
        visitor,
        "Please call me",
        datetime.now(UTC),
        f"m-{visitor}",
        meta={"session_id": visitor},
    )
    return str(run(db, ingest, event).interaction_id)


def with_agent(services: Services, username: str) -> Any:
    """A new agent with a phone (voice capacity: callbacks too), available now."""

    async def go() -> str:
        agent = await services.runtime.write(
            create_agent,
            NewAgent(username, username.title(), channels=(Channel.VOICE,), capacity={"voice": 1}),
            actor="test",
        )
        await services.runtime.write(set_presence, agent.id, Presence.AVAILABLE, None, actor="test")
        return str(agent.id)

    return go()


def callback_grace(data_dir: Path, grace: float) -> None:
    """The general queue promises callbacks within `grace` s of the estimated wait (the
    rules saved beside the database, as `PUT /routing/config` leaves them)."""
    rules = load_routing_config(None)
    rules["queues"]["general"]["callback"] = {"offer_when_ewt_over": 600, "grace": grace}
    (data_dir / "routing.json").write_text(json.dumps(rules))


def facts_of(db: Database, name: str) -> list[dict[str, Any]]:
    with db.reader() as conn:
        rows = conn.execute(select(t.events.c.meta).where(t.events.c.kind == "routing")).all()
    return [dict(r.meta) for r in rows if (r.meta or {}).get("fact") == name]


@pytest.fixture
async def center(db: Database, tmp_path: Path) -> AsyncIterator[Callable[[], Any]]:
    """Start (and restart) the service on the test's database, watching its bus from
    before it starts; every instance is stopped."""
    url = db.engine.url.render_as_string(hide_password=False)
    started: list[Services] = []

    async def start() -> tuple[Services, Watch]:
        if started:
            await started[-1].stop()
        services = Services(Settings(data_dir=tmp_path, database_url=url))
        watch = Watch(services)  # decisions made while it starts are seen too
        await services.start(smtp=False, migrate=False)
        started.append(services)
        return services, watch

    yield start
    if started:
        await started[-1].stop()


async def test_a_missed_promise_is_broken_once_and_still_owed_after_restarts(
    db: Database, center: Callable[[], Any], tmp_path: Path
) -> None:
    callback_grace(tmp_path, 0)
    chat = waiting_chat(db, "vis_1")
    services, watch = await center()
    # Nobody is available: the chat waits, and the visitor asks to be called instead. The
    # promise is due within the estimated wait (none) and no grace: now.
    promise = await services.callbacks.instead_of_waiting(
        chat, "+48601000111", "asked in the widget"
    )
    assert promise is not None
    await watch.wait(fact("promise_broken"))
    assert [m["promise_id"] for m in facts_of(db, "promise_made")] == [promise.promise_id]
    assert [m["promise_id"] for m in facts_of(db, "promise_broken")] == [promise.promise_id]

    # A restart: routing starts empty, the promise is owed a call and comes back with its id.
    with db.reader() as conn:
        owed = open_promises(conn)
    assert [(p.promise_id, p.number) for p in owed] == [(promise.promise_id, "+48601000111")]
    services, watch = await center()
    router = services.router
    assert router is not None
    view = router.engine.task(promise.promise_id)
    assert view.channel is Channel.CALLBACK and view.state in ("scheduled", "waiting")
    # the chat itself was not queued again beside its promise
    assert router.task_for_interaction(chat) == promise.promise_id
    # The engine flags it again (its due time passed while the service was down); the
    # timeline still has one broken promise.
    await watch.wait(decided("PromiseBroken", promise.promise_id))
    assert len(facts_of(db, "promise_broken")) == 1

    # An agent with a phone comes: the callback is offered, taken, and owed no more.
    agent_id = await with_agent(services, "kasia")
    offer = await watch.wait(
        lambda e: isinstance(e, TaskOffered) and e.task_id == promise.promise_id
    )
    assert isinstance(offer, TaskOffered) and offer.to_agent == agent_id
    router.accept(promise.promise_id, agent_id)
    await watch.wait(lambda e: isinstance(e, TaskAssigned) and e.task_id == promise.promise_id)
    taken = [m for m in facts_of(db, "task_answered") if m.get("task_id") == promise.promise_id]
    assert taken and taken[0]["promise_id"] == promise.promise_id
    assert facts_of(db, "promise_kept") == []  # taken after its due time: broken, not kept
    with db.reader() as conn:
        assert open_promises(conn) == []
    services, _ = await center()
    assert services.router is not None
    assert services.router.task_for(promise.promise_id) is None


async def test_a_promise_keeps_its_due_time_across_a_restart_and_is_kept(
    db: Database, center: Callable[[], Any], tmp_path: Path
) -> None:
    callback_grace(tmp_path, 3600)  # called within the hour
    chat = waiting_chat(db, "vis_2")
    services, _ = await center()
    promise = await services.callbacks.instead_of_waiting(chat, "+48601000222", "")
    assert promise is not None
    due = promise.due_at.timestamp()

    services, watch = await center()
    router = services.router
    assert router is not None
    assert router.engine.task(promise.promise_id).channel is Channel.CALLBACK
    agent_id = await with_agent(services, "marek")
    await watch.wait(lambda e: isinstance(e, TaskOffered) and e.task_id == promise.promise_id)
    router.accept(promise.promise_id, agent_id)
    kept = await watch.wait(fact("promise_kept"))
    assert isinstance(kept, TimelineEventAdded)
    assert kept.meta["promise_id"] == promise.promise_id
    # the due time the customer was given, not one counted again from the restart
    assert datetime.fromisoformat(kept.meta["due_at"]).timestamp() == pytest.approx(due)
    assert facts_of(db, "promise_broken") == []


BODIES = {  # the routing events' bodies, as the services write them
    "promise_made": "callback promised",
    "promise_kept": "callback promise kept",
    "promise_broken": "callback promise broken",
    "task_answered": "assigned",
    "callback_failed": "callback not answered",
}


def test_which_promises_are_owed_follows_their_facts_in_order(db: Database) -> None:
    def say(interaction: str, fact_name: str, promise_id: str, **meta: Any) -> None:
        meta |= {"fact": fact_name, "promise_id": promise_id}
        run(db, record_routing, interaction, BODIES[fact_name], meta)

    due = {"due_at": datetime.now(UTC).isoformat(), "queue": "general", "number": "+48601"}
    chats = {name: waiting_chat(db, name) for name in ("taken", "kept", "broken", "retry", "new")}
    say(chats["taken"], "promise_made", "p-taken", **due)
    say(chats["taken"], "task_answered", "p-taken")  # an agent has the callback
    say(chats["kept"], "promise_made", "p-kept", **due)
    say(chats["kept"], "promise_kept", "p-kept")
    say(chats["broken"], "promise_made", "p-broken", **due)
    say(chats["broken"], "promise_broken", "p-broken")  # late, but still owed a call
    say(chats["retry"], "promise_made", "p-retry", **due)
    say(chats["retry"], "task_answered", "p-retry")
    say(chats["retry"], "callback_failed", "p-retry")  # nobody answered: owed again
    say(chats["new"], "promise_made", "p-new", **due)
    with db.reader() as conn:
        owed = {p.promise_id: p for p in open_promises(conn)}
    assert sorted(owed) == ["p-broken", "p-new", "p-retry"]
    assert owed["p-new"].interaction_id == chats["new"] and owed["p-new"].number == "+48601"
    # a resolved case owes nothing
    with db.transaction() as conn:
        case_id = conn.execute(
            select(t.interactions.c.case_id).where(t.interactions.c.id == chats["new"])
        ).scalar_one()
        conn.execute(t.cases.update().where(t.cases.c.id == case_id).values(status="resolved"))
    with db.reader() as conn:
        assert sorted(p.promise_id for p in open_promises(conn)) == ["p-broken", "p-retry"]


async def test_a_waiting_contact_is_queued_again_under_its_id_and_counted_once(
    db: Database, center: Callable[[], Any]
) -> None:
    chat = waiting_chat(db, "vis_3")
    services, _ = await center()
    assert services.router is not None
    task_id = services.router.task_for_interaction(chat)
    assert task_id is not None
    services, _ = await center()  # (a graceful stop writes the `queued` fact first)
    assert services.router is not None
    assert services.router.task_for_interaction(chat) == task_id  # its SLA clock goes on
    await center()  # whatever the second run wrote is written
    assert [m["task_id"] for m in facts_of(db, "task_queued")] == [task_id]
    with db.reader() as conn:
        counters = query_counters(conn, datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC))
    assert sum(c.offered for c in counters.values()) == 1
