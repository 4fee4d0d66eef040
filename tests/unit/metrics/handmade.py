"""A small day in the life of queue `sales`, with its KPIs worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from omnicenter.metrics import AgentState, MetricEvent, MetricKind

K = MetricKind
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def offered(cid: str, t: float, case: str, channel: str = "voice") -> MetricEvent:
    return MetricEvent(
        K.OFFERED, at(t), cid, case_id=case, queue="sales", channel=channel, segment="gold"
    )


def answered(cid: str, t: float, agent: str, team: str = "t1") -> MetricEvent:
    return MetricEvent(K.ANSWERED, at(t), cid, agent=agent, team=team)


def ended(cid: str, t: float, talk: float, hold: float, wrap: float) -> MetricEvent:
    return MetricEvent(K.ENDED, at(t), cid, talk_s=talk, hold_s=hold, wrap_s=wrap)


def state(agent: str, t: float, s: AgentState, secs: float) -> MetricEvent:
    return MetricEvent(K.AGENT_STATE, at(t), agent=agent, team="t1", state=s, seconds=secs)


def promise(pid: str, t: float, due: float) -> MetricEvent:
    return MetricEvent(K.PROMISE_MADE, at(t), pid, queue="sales", channel="voice", due_at=at(due))


LOG: list[MetricEvent] = [
    state("a1", -300, AgentState.AVAILABLE, 300),
    offered("c1", 0, "k1"),
    answered("c1", 10, "a1"),
    state("a1", 10, AgentState.BUSY, 1200),  # crosses 09:15: 890 s + 310 s
    offered("c2", 60, "k2"),
    answered("c2", 100, "a2"),
    offered("c3", 120, "k3"),
    MetricEvent(K.ABANDONED, at(123), "c3"),  # short abandon (3 s)
    MetricEvent(K.TRANSFERRED, at(150), "c2"),
    answered("c2", 180, "a1"),
    ended("c1", 260, 200, 20, 30),
    offered("c4", 300, "k4"),
    MetricEvent(K.CSAT, at(300), "c1", score=5),
    ended("c2", 320, 100, 0, 20),
    MetricEvent(K.ABANDONED, at(360), "c4"),
    MetricEvent(K.CSAT, at(400), "c2", score=2),
    promise("p1", 500, 3 * 3600),
    promise("p2", 500, 3 * 3600),
    promise("p3", 500, 4 * 3600),
    promise("p4", 500, 4 * 3600),
    offered("c5", 1200, "k1", channel="webchat"),  # k1 again: c1 was not resolved first time
    answered("c5", 1215, "a1"),
    state("a1", 1210, AgentState.AWAY, 100),
    ended("c5", 1600, 300, 0, 0),
    MetricEvent(K.RESOLVED, at(3600), case_id="k1", queue="sales", channel="webchat"),
    MetricEvent(K.PROMISE_KEPT, at(2 * 3600), "p1"),
    MetricEvent(K.PROMISE_KEPT, at(3.5 * 3600), "p2"),  # late: broken
    MetricEvent(K.PROMISE_BROKEN, at(4 * 3600 + 1), "p3"),
]
