"""Priorities, SLA deadlines, FIFO and aging."""

from omnicenter.domain import Presence, Priority

from .support import T0, C, E, V, agent, engine, pairs, task


def _drain(e, n: int, start: float) -> list[str]:  # type: ignore[no-untyped-def]
    """Let one agent take `n` tasks one after another and return their order."""
    order: list[str] = []
    now = start
    out = e.set_presence("a", Presence.AVAILABLE, now)
    while len(order) < n:
        ((tid, _),) = pairs(out)
        order.append(tid)
        now += 1
        out = e.complete(tid, now)
    return order


def test_priority_then_fifo() -> None:
    e = engine(aging=3600)
    e.add_agent(agent("a"), T0, presence=Presence.AWAY)
    e.submit(task("n1"), T0 + 1)
    e.submit(task("low", priority=Priority.LOW), T0 + 2)
    e.submit(task("u1", priority=Priority.URGENT), T0 + 3)
    e.submit(task("n2"), T0 + 4)
    e.submit(task("u2", priority=Priority.URGENT), T0 + 5)
    assert _drain(e, 5, T0 + 10) == ["u1", "u2", "n1", "n2", "low"]


def test_sla_deadline_orders_channels() -> None:
    e = engine(
        {
            "q": {
                "sla": {
                    "email": {"target": 0.9, "within": 3600},
                    "voice": {"target": 0.8, "within": 20},
                }
            }
        }
    )
    e.add_agent(agent("a", voice=1, email=1), T0, presence=Presence.AWAY)
    e.submit(task("mail", channel=E), T0)
    e.submit(task("call", channel=V), T0 + 60)  # arrived later, but its deadline is earlier
    assert _drain(e, 2, T0 + 70) == ["call", "mail"]


def test_aging_lets_low_priority_overtake_newer_high() -> None:
    e = engine(aging=60)
    e.add_agent(agent("a"), T0, presence=Presence.AWAY)
    e.submit(task("old-low", priority=Priority.LOW), T0)
    e.submit(task("high-soon", priority=Priority.HIGH), T0 + 100)  # 2 classes = 120 s: ahead
    e.submit(task("high-late", priority=Priority.HIGH), T0 + 130)  # later than 120 s: behind
    assert _drain(e, 3, T0 + 200) == ["high-soon", "old-low", "high-late"]


def test_zero_aging_is_strict_priority() -> None:
    e = engine(aging=0)
    e.add_agent(agent("a", chat=1, voice=0), T0, presence=Presence.AWAY)
    e.submit(task("old", channel=C, priority=Priority.LOW), T0)
    e.submit(task("new", channel=C, priority=Priority.NORMAL), T0 + 86400)
    assert _drain(e, 2, T0 + 86401) == ["new", "old"]
