"""Stateful property test of the routing engine's invariants.

Random streams of agents joining and leaving, presence and capacity changes, arrivals,
accepts, rejects, offer timeouts, completions, cancellations and transfers to a queue, cold
or warm (the agent keeps the task's capacity until someone else takes it; if it comes back
to them, the hold becomes the task). After every step:
no agent over capacity or offered work it cannot take, no task assigned twice, none lost,
only agents with the required skills, no waiting task next to a free agent who could take
it, and priority/FIFO order (with aging) respected: an agent never gets a task while a
better-ranked one it could take waits — which is also the starvation bound. One queue widens
(experts first, then the required level, then one level lower), so who "could take" a task
depends on how long it has waited. An arriving task goes to the longest-idle agent who may
take it: fewest tasks in hand, then free the longest, where an agent is free since its state
last changed (took or released a task, came back, got new capacity).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from omnicenter.domain import Channel, Presence
from omnicenter.routing import (
    AgentSpec,
    AgentStateChanged,
    Assigned,
    Decision,
    Offered,
    OfferWithdrawn,
    Requeued,
    RoutingEngine,
    TaskSpec,
)

AGING = 30.0
COOLDOWN = 15.0
CHANNELS = (Channel.VOICE, Channel.WEBCHAT, Channel.EMAIL)
WITHIN = {Channel.VOICE: 20.0, Channel.WEBCHAT: 30.0, Channel.EMAIL: 14400.0}
QUEUES = {"qx": {"x": 2}, "qy": {"y": 1}, "any": {}, "qw": {"x": 2}}
# who may take a task of the queue after waiting so long: (after seconds, skills), in order
STAGES: dict[str, list[tuple[float, dict[str, int]]]] = {
    name: [(0.0, req)] for name, req in QUEUES.items()
}
STAGES["qw"] = [(0.0, {"x": 3}), (8.0, {"x": 2}), (25.0, {"x": 1})]
CONFIG = {
    "engine": {
        "offer_timeout": 10,
        "aging": AGING,
        "reject_cooldown": COOLDOWN,
        "on_offer_timeout": "away",
    },
    "queues": {
        name: {"skills": [f"{s}>={lv}" for s, lv in req.items()]} for name, req in QUEUES.items()
    },
}
CONFIG["queues"]["qw"] |= {
    "preferred": ["x>=3"],
    "widening": [{"after": 8, "drop_preferred": True}, {"after": 25, "lower_levels": 1}],
}
AGENT_IDS = [f"a{i}" for i in range(5)]


@dataclass
class MTask:
    id: str
    queue: str
    channel: Channel
    priority: int
    arrival: float
    seq: int
    state: str = "waiting"
    agent: str | None = None
    excluded: dict[str, float] = field(default_factory=dict)
    stage_base: float = -1.0  # widening counts from here (arrival; a transfer restarts it)
    warm_from: str | None = None  # the agent holding it while a warm transfer finds someone

    def __post_init__(self) -> None:
        if self.stage_base < 0:
            self.stage_base = self.arrival

    @property
    def rank(self) -> tuple[float, int]:
        return (self.arrival + WITHIN[self.channel] - self.priority * AGING, self.seq)


@dataclass
class MAgent:
    spec: AgentSpec
    presence: Presence = Presence.AVAILABLE
    tasks: dict[str, Channel] = field(default_factory=dict)

    def load(self, ch: Channel) -> int:
        return sum(1 for c in self.tasks.values() if c is ch)

    def room(self, ch: Channel) -> bool:
        s = self.spec
        if self.presence is not Presence.AVAILABLE or len(self.tasks) >= s.max_total:
            return False
        if any(c is Channel.VOICE for c in self.tasks.values()):
            return False
        if ch is Channel.VOICE and self.tasks:
            return False
        return self.load(ch) < s.capacity_for(ch)

    def skilled(self, t: MTask, now: float) -> bool:
        """May take the task at `now` (after the widening steps it has reached)."""
        req = [r for after, r in STAGES[t.queue] if t.stage_base + after <= now][-1]
        return all(self.spec.skills.get(name, 0) >= level for name, level in req.items())


capacities = st.fixed_dictionaries(
    {
        Channel.VOICE: st.integers(0, 1),
        Channel.WEBCHAT: st.integers(0, 3),
        Channel.EMAIL: st.integers(0, 3),
    }
)
skills = st.dictionaries(st.sampled_from(["x", "y"]), st.integers(1, 3))


class RoutingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 1000.0
        self.engine = RoutingEngine(CONFIG, now=self.now)
        self.agents: dict[str, MAgent] = {}
        self.tasks: dict[str, MTask] = {}
        self.seq = 0
        # longest idle: when each agent's state last changed (a counter: equal times keep
        # the order of the changes), and agents whose change completes at the end of a call
        self.changes = 0
        self.changed: dict[str, int] = {}
        self.pending: list[str] = []
        self.arriving: str | None = None  # the task a `submit` call brings

    # --- applying decisions to the model, checking each offer on the way ---------------------

    def apply(self, decisions: list[Decision], before: dict[str, MTask]) -> None:
        for d in decisions:
            if isinstance(d, Offered) or (
                isinstance(d, Assigned) and self.tasks[d.task_id].state == "waiting"
            ):
                self.check_offer(self.tasks[d.task_id], d.agent_id, before, d.at)
                self.change(d.agent_id)
            elif isinstance(d, Assigned):
                t = self.tasks[d.task_id]
                assert t.state == "offered" and t.agent == d.agent_id, f"{d} accepts no offer"
                t.state = "assigned"
            if isinstance(d, Assigned):
                self.release_warm(self.tasks[d.task_id])
            elif isinstance(d, Requeued):
                t = self.tasks[d.task_id]
                assert t.agent == d.agent_id and t.state in ("offered", "assigned")
                if d.agent_id in self.agents:
                    del self.agents[d.agent_id].tasks[t.id]
                if d.reason in ("rejected", "offer timed out"):
                    t.excluded[d.agent_id] = d.at + COOLDOWN
                t.state, t.agent = "waiting", None
                self.pending.append(d.agent_id)  # free again once the task found its place
            elif isinstance(d, OfferWithdrawn):
                t = self.tasks[d.task_id]
                assert t.agent == d.agent_id
                del self.agents[d.agent_id].tasks[t.id]
                t.state, t.agent = "done", None
                self.pending.append(d.agent_id)
            elif isinstance(d, AgentStateChanged) and d.agent_id in self.agents:
                self.agents[d.agent_id].presence = d.presence
            self.now_of_decision = d.at

    def change(self, agent_id: str) -> None:
        self.changes += 1
        self.changed[agent_id] = self.changes

    def check_offer(self, t: MTask, agent_id: str, before: dict[str, MTask], at: float) -> None:
        assert t.state == "waiting", f"task {t.id} handed out twice ({t.state} with {t.agent})"
        a = self.agents[agent_id]
        if t.id == self.arriving:  # longest idle among those who may take it
            free = [
                b
                for b in self.agents.values()
                if b.skilled(t, at) and b.room(t.channel) and b.spec.id in self.changed
            ]
            best = min(free, key=lambda b: (len(b.tasks), self.changed[b.spec.id]))
            assert best is a, (
                f"{t.id} went to {agent_id} {len(a.tasks), self.changed.get(agent_id)}, "
                f"not to {best.spec.id} {len(best.tasks), self.changed[best.spec.id]}"
            )
        assert a.skilled(t, at), f"{agent_id} lacks the skills for {t.queue} at {at}"
        assert a.room(t.channel), f"{agent_id} over capacity or not available for {t.channel}: {a}"
        excluded_until = t.excluded.get(agent_id)
        assert excluded_until is None or excluded_until <= self.engine_now, (
            "re-offered during cooldown"
        )
        # order: no better-ranked task, waiting since before this step, that the agent could take
        for y in before.values():
            other = self.tasks[y.id]
            if (
                other.id != t.id
                and other.state == "waiting"
                and other.channel is t.channel
                and a.skilled(other, at)
                and other.excluded.get(agent_id, 0.0) <= self.now
                and not y.excluded
            ):
                assert other.rank >= t.rank, (
                    f"{agent_id} got {t.id} {t.rank} while {other.id} {other.rank} waits"
                )
        t.state = "offered"
        t.agent = agent_id
        a.tasks[t.id] = t.channel
        if t.warm_from == agent_id:  # back to who holds it: the hold is the offer's capacity
            t.warm_from = None

    def release_warm(self, t: MTask) -> None:
        """Someone else has the task now: the agent who held it warm is free of it."""
        w, t.warm_from = t.warm_from, None
        if w is not None and w in self.agents:
            del self.agents[w].tasks[t.id]
            self.pending.append(w)

    def tick(self, dt: float) -> None:
        """Let time pass first: timers fire before the model changes (as in the engine)."""
        if dt:
            self.step("advance", dt=dt)

    def step(
        self, call: str, *args: object, dt: float = 0.0, new: MTask | None = None, **kw: object
    ) -> list[Decision]:
        self.now += dt
        self.engine_now = self.now
        before = {
            k: MTask(**{**v.__dict__, "excluded": dict(v.excluded)})
            for k, v in self.tasks.items()
            if v.state == "waiting"
        }
        if new is not None:  # arrives after the timers due by now have fired
            self.tasks[new.id] = new
        self.arriving = new.id if new is not None else None
        decisions: list[Decision] = getattr(self.engine, call)(*args, now=self.now, **kw)
        self.apply(decisions, before)
        # an agent released (or changed) in this call is filed again at its end, after
        # whatever the freed task and the agent itself took meanwhile
        for agent_id in dict.fromkeys(self.pending):
            if agent_id in self.agents:
                self.change(agent_id)
        self.pending.clear()
        return decisions

    # --- rules ---------------------------------------------------------------------------------

    @rule(i=st.sampled_from(AGENT_IDS), skills=skills, caps=capacities, total=st.integers(1, 4))
    def add_agent(
        self, i: str, skills: dict[str, int], caps: dict[Channel, int], total: int
    ) -> None:
        if i in self.agents:
            return
        self.tick(1.0)
        spec = AgentSpec(i, skills, caps, max_total=total)
        self.agents[i] = MAgent(spec)
        self.pending.append(i)
        self.step("add_agent", spec)

    @precondition(lambda self: self.agents)
    @rule(data=st.data())
    def remove_agent(self, data: st.DataObject) -> None:
        self.tick(0.5)
        if not self.agents:
            return
        i = data.draw(st.sampled_from(sorted(self.agents)))
        self.agents[i].presence = Presence.OFFLINE
        for t in self.tasks.values():  # warm holds end with the agent
            if t.warm_from == i:
                t.warm_from = None
                del self.agents[i].tasks[t.id]
        self.step("remove_agent", i)
        assert not self.agents[i].tasks
        del self.agents[i]
        for t in self.tasks.values():  # a later login under the same id is a new agent
            t.excluded.pop(i, None)

    @precondition(lambda self: self.agents)
    @rule(
        data=st.data(),
        presence=st.sampled_from(
            [Presence.AVAILABLE, Presence.AVAILABLE, Presence.AWAY, Presence.OFFLINE]
        ),
    )
    def set_presence(self, data: st.DataObject, presence: Presence) -> None:
        self.tick(0.5)
        i = data.draw(st.sampled_from(sorted(self.agents)))
        if presence is Presence.AVAILABLE and self.agents[i].presence is not presence:
            self.pending.append(i)  # back: free since now
        self.agents[i].presence = presence
        self.step("set_presence", i, presence)

    @precondition(lambda self: self.agents)
    @rule(data=st.data(), caps=capacities, total=st.integers(1, 4))
    def set_capacity(self, data: st.DataObject, caps: dict[Channel, int], total: int) -> None:
        self.tick(0.5)
        i = data.draw(st.sampled_from(sorted(self.agents)))
        a = self.agents[i]
        a.spec = AgentSpec(i, a.spec.skills, caps, max_total=total)
        self.pending.append(i)
        self.step("set_capacity", i, caps, max_total=total)

    @rule(
        queue=st.sampled_from(sorted(QUEUES)),
        channel=st.sampled_from(CHANNELS),
        priority=st.integers(1, 4),
        dt=st.sampled_from([0.0, 1.0, 7.0]),
    )
    def submit(self, queue: str, channel: Channel, priority: int, dt: float) -> None:
        self.seq += 1
        tid = f"t{self.seq}"
        self.tick(dt)
        new = MTask(tid, queue, channel, priority, self.now, self.seq)
        self.step("submit", TaskSpec(tid, queue, channel, priority), new=new)

    def _pick(self, data: st.DataObject, state: str) -> MTask:
        return self.tasks[
            data.draw(st.sampled_from(sorted(k for k, t in self.tasks.items() if t.state == state)))
        ]

    @precondition(lambda self: any(t.state == "offered" for t in self.tasks.values()))
    @rule(data=st.data(), accept=st.booleans())
    def answer(self, data: st.DataObject, accept: bool) -> None:
        t = self._pick(data, "offered")
        self.step("accept" if accept else "reject", t.id, t.agent)  # dt 0: the offer is still open

    @precondition(lambda self: any(t.state == "assigned" for t in self.tasks.values()))
    @rule(data=st.data())
    def complete(self, data: st.DataObject) -> None:
        t = self._pick(data, "assigned")
        agent = t.agent
        assert agent is not None
        del self.agents[agent].tasks[t.id]
        t.state, t.agent = "done", None
        self.pending.append(agent)
        self.step("complete", t.id)

    @precondition(lambda self: any(t.state in ("waiting", "assigned") for t in self.tasks.values()))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        tid = data.draw(
            st.sampled_from(
                sorted(k for k, t in self.tasks.items() if t.state in ("waiting", "assigned"))
            )
        )
        t = self.tasks[tid]
        if t.agent is not None:
            del self.agents[t.agent].tasks[t.id]
            self.pending.append(t.agent)
        self.release_warm(t)
        t.state, t.agent = "done", None
        self.step("cancel", tid)

    @precondition(lambda self: any(t.state == "assigned" for t in self.tasks.values()))
    @rule(data=st.data(), queue=st.sampled_from(sorted(QUEUES)), warm=st.booleans())
    def transfer(self, data: st.DataObject, queue: str, warm: bool) -> None:
        t = self._pick(data, "assigned")
        a = t.agent
        assert a is not None
        t.queue, t.stage_base = queue, self.now
        t.state, t.agent = "waiting", None
        t.excluded[a] = self.now + COOLDOWN
        if warm:
            t.warm_from = a  # still on it, its capacity held
        else:
            del self.agents[a].tasks[t.id]
            self.pending.append(a)
        self.step("transfer", t.id, to_queue=queue, warm=warm)

    @rule(dt=st.sampled_from([1.0, 5.0, 11.0, 20.0]))
    def advance(self, dt: float) -> None:
        self.step("advance", dt=dt)

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def engine_agrees_with_the_model(self) -> None:
        assert sorted(self.engine.waiting_tasks()) == sorted(
            k for k, t in self.tasks.items() if t.state == "waiting"
        )
        for t in self.tasks.values():
            view = self.engine.task(t.id)
            assert view.state == t.state, (t, view)
            assert view.agent_id == (t.agent if t.state != "done" else view.agent_id)
        for a in self.agents.values():
            view = self.engine.agent(a.spec.id)
            assert dict(view.load) == {ch: a.load(ch) for ch in CHANNELS if a.load(ch)}

    @invariant()
    def no_waiting_task_beside_a_free_agent(self) -> None:
        for t in self.tasks.values():
            if t.state != "waiting":
                continue
            for a in self.agents.values():
                if (
                    a.skilled(t, self.now)
                    and a.room(t.channel)
                    and t.excluded.get(a.spec.id, 0.0) <= self.now
                ):
                    raise AssertionError(f"{t.id} waits while {a.spec.id} could take it")


RoutingMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("ROUTING_EXAMPLES", "60")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRoutingInvariants = RoutingMachine.TestCase
