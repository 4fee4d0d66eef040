"""One customer, one place in the queue: whatever the channels they write on, and whenever
their work is finished, routing never holds two live tasks for one customer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicenter.bus import InProcessBus
from omnicenter.channels.registry import is_realtime
from omnicenter.domain import Channel
from omnicenter.live.router import LiveRouter
from omnicenter.live.routing_config import load_routing_config
from omnicenter.live.work import RouteRequest, Why
from omnicenter.routing import RoutingConfig
from omnicenter.runtime import Runtime
from omnicenter.services.assignments import WaitingWork
from omnicenter.store import Database

ARRIVED = datetime(2026, 3, 29, 1, 59, tzinfo=UTC)  # a minute before the spring DST change
CONFIG = RoutingConfig.from_dict(load_routing_config(None))
CUSTOMERS = ("cus_a", "cus_b", "cus_c")
CONTACT_CHANNELS = (Channel.WEBCHAT, Channel.SMS, Channel.EMAIL, Channel.FORM, Channel.WHATSAPP)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('one-place') / 'oc.sqlite3'}")
    db.migrate()
    rt = Runtime(db, InProcessBus())
    yield rt
    rt.close()
    db.dispose()


def _work(customer: str, channel: Channel, n: int) -> WaitingWork:
    return WaitingWork(
        interaction_id=f"int_{n}",
        case_id=f"cas_{n}",
        customer_id=customer,
        channel=channel,
        arrived_at=ARRIVED + timedelta(seconds=n),
        owner_agent_id=None,
        queue_hint=None,
        customer_value=0.0,
        segment="",
    )


step = st.one_of(
    st.tuples(st.just("contact"), st.sampled_from(CUSTOMERS), st.sampled_from(CONTACT_CHANNELS)),
    st.tuples(st.just("handover"), st.sampled_from(CUSTOMERS), st.sampled_from(CONTACT_CHANNELS)),
    st.tuples(st.just("finish"), st.sampled_from(CUSTOMERS), st.just(Channel.WEBCHAT)),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(step, max_size=30))
def test_never_two_live_tasks_for_one_customer(
    runtime: Runtime, steps: list[tuple[str, str, Channel]]
) -> None:
    async def scenario() -> None:
        router = LiveRouter(runtime, CONFIG, is_realtime=is_realtime)
        routed: dict[str, str] = {}  # interaction -> task
        for n, (what, customer, channel) in enumerate(steps):
            if what == "finish":
                for task_id in router.tasks_of_customer(customer):
                    router.complete(task_id)
            else:
                why = Why.CONTACT if what == "contact" else Why.HANDOVER
                task_id = router.route(RouteRequest(why, _work(customer, channel, n)))
                assert task_id is not None
                routed[f"int_{n}"] = task_id
            for who in CUSTOMERS:
                assert len(router.tasks_of_customer(who)) <= 1
            # every contact of a customer with a live task rides on that task
            for interaction, task_id in routed.items():
                found = router.task_for_interaction(interaction)
                assert found is None or found == task_id

    asyncio.run(scenario())


def test_a_second_channel_rides_on_the_waiting_task_and_leaves_with_it(runtime: Runtime) -> None:
    async def scenario() -> None:
        router = LiveRouter(runtime, CONFIG, is_realtime=is_realtime)
        chat = router.route(RouteRequest(Why.CONTACT, _work("cus_a", Channel.WEBCHAT, 1)))
        sms = router.route(RouteRequest(Why.CONTACT, _work("cus_a", Channel.SMS, 2)))
        other = router.route(RouteRequest(Why.CONTACT, _work("cus_b", Channel.SMS, 3)))
        assert chat is not None and sms == chat and other not in (None, chat)
        assert router.task_for_interaction("int_2") == chat
        router.complete(chat)
        assert router.task_for_interaction("int_1") is None
        assert router.task_for_interaction("int_2") is None
        assert router.tasks_of_customer("cus_a") == []
        again = router.route(RouteRequest(Why.CONTACT, _work("cus_a", Channel.EMAIL, 4)))
        assert again not in (None, chat)

    asyncio.run(scenario())


def test_a_callback_keeps_its_own_time(runtime: Runtime) -> None:
    async def scenario() -> None:
        router = LiveRouter(runtime, CONFIG, is_realtime=is_realtime)
        later = router.now() + 3600
        callback = RouteRequest(
            Why.CALLBACK, _work("cus_a", Channel.WEBCHAT, 1), channel=Channel.CALLBACK,
            callback_at=later,
        )  # fmt: skip
        promised = router.route(callback)
        chat = router.route(RouteRequest(Why.CONTACT, _work("cus_a", Channel.WEBCHAT, 2)))
        assert promised is not None and chat not in (None, promised)

    asyncio.run(scenario())
