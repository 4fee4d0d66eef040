"""What the engine decides: typed values, each able to explain itself.

Offers and assignments say why the agent was chosen (their `why`, a `Why`, rendered to text
only when someone asks).

Decisions are values: nothing changes one after the engine returns it. They are not declared
`frozen`, and each writes its own `__init__` (or, like `Assigned`, inherits a written one): the
decorator would generate one at import time, which runs as interpreted code (through
`object.__setattr__` when frozen), while a written one is compiled with the engine: three
times cheaper, and an assignment makes two or three decisions. The decorator still supplies
equality and `repr`. `Why`, built only when someone asks, keeps the generated one.

Every class here is `acyclic` for mypyc: a decision refers only to strings, numbers and
immutable values, never back to anything that refers to it, so the cyclic collector need not
track it. A decision kept in a finished task's history is freed minutes later, cold; as a
tracked object its freeing also rewrote the collector's links in two neighbouring objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy_extensions import mypyc_attr

from omnicenter.domain import Channel, Presence
from omnicenter.routing.skills import Requirement

__all__ = [
    "AgentStateChanged",
    "Assigned",
    "CallbackDue",
    "CallbackOffered",
    "CallbackScheduled",
    "ChannelOffered",
    "Chosen",
    "Decision",
    "OfferWithdrawn",
    "Offered",
    "Overflowed",
    "PromiseBroken",
    "PromiseKept",
    "Requeued",
    "Transferred",
    "Why",
    "Widened",
]


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class Why:
    """Why an agent got a task: the rule that picked them and what they had (built when
    asked, from the fields an offer or assignment keeps inline: see `Chosen`)."""

    rule: str  # policy name, or "sticky", "personal", "transfer"
    requirement: Requirement
    channel: Channel
    idle_since: float
    data_scope: str  # "limited": a partner team or queue that sees less customer data
    excluded: tuple[tuple[str, str], ...] = ()  # (agent id, reason) when explain_candidates > 0

    def text(self, agent_id: str, at: float) -> str:
        head = (
            f"agent {agent_id} chosen by {self.rule} for {self.channel.value}: "
            f"{self.requirement}, idle {at - self.idle_since:.0f} s"
        )
        if self.data_scope != "full":
            head += f", {self.data_scope} customer data"
        if not self.excluded:
            return head
        return head + "; " + "; ".join(f"{a} excluded: {r}" for a, r in self.excluded)


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class Decision:
    task_id: str
    at: float

    def explain(self) -> str:
        return type(self).__name__


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class Chosen(Decision):
    """An agent chosen for the task, and why (see `Why`, whose fields are kept inline: one
    object per offer or assignment rather than two, to build now and to free later)."""

    agent_id: str
    rule: str
    requirement: Requirement
    channel: Channel
    idle_since: float
    data_scope: str
    excluded: tuple[tuple[str, str], ...]

    def __init__(
        self,
        task_id: str,
        at: float,
        agent_id: str,
        rule: str,
        requirement: Requirement,
        channel: Channel,
        idle_since: float,
        data_scope: str,
        excluded: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.task_id = task_id
        self.at = at
        self.agent_id = agent_id
        self.rule = rule
        self.requirement = requirement
        self.channel = channel
        self.idle_since = idle_since
        self.data_scope = data_scope
        self.excluded = excluded

    @property
    def why(self) -> Why:
        return Why(
            self.rule,
            self.requirement,
            self.channel,
            self.idle_since,
            self.data_scope,
            self.excluded,
        )


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class Offered(Chosen):
    """Agent `agent_id` is offered the task until `expires_at`; capacity is held meanwhile."""

    expires_at: float
    attempt: int

    def __init__(
        self,
        task_id: str,
        at: float,
        agent_id: str,
        expires_at: float,
        attempt: int,
        rule: str,
        requirement: Requirement,
        channel: Channel,
        idle_since: float,
        data_scope: str,
        excluded: tuple[tuple[str, str], ...] = (),
    ) -> None:
        Chosen.__init__(
            self,
            task_id,
            at,
            agent_id,
            rule,
            requirement,
            channel,
            idle_since,
            data_scope,
            excluded,
        )
        self.expires_at = expires_at
        self.attempt = attempt

    def explain(self) -> str:
        return f"offered (attempt {self.attempt}): " + self.why.text(self.agent_id, self.at)


@mypyc_attr(acyclic=True)
@dataclass(slots=True, init=False)  # `Chosen.__init__`
class Assigned(Chosen):
    def explain(self) -> str:
        return "assigned: " + self.why.text(self.agent_id, self.at)


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class Requeued(Decision):
    """An offer ended without acceptance (rejected, timed out, agent left); the task keeps its place."""

    agent_id: str
    reason: str
    attempt: int

    def __init__(self, task_id: str, at: float, agent_id: str, reason: str, attempt: int) -> None:
        self.task_id = task_id
        self.at = at
        self.agent_id = agent_id
        self.reason = reason
        self.attempt = attempt

    def explain(self) -> str:
        return f"requeued after offer {self.attempt} to {self.agent_id}: {self.reason}"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class OfferWithdrawn(Decision):
    """The customer left while the offer was on the agent's screen."""

    agent_id: str
    reason: str

    def __init__(self, task_id: str, at: float, agent_id: str, reason: str) -> None:
        self.task_id = task_id
        self.at = at
        self.agent_id = agent_id
        self.reason = reason

    def explain(self) -> str:
        return f"offer to {self.agent_id} withdrawn: {self.reason}"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class AgentStateChanged(Decision):
    """The engine changed an agent's state (wrap-up start/end, away after a missed offer).

    `task_id` is the task that caused it ("" when none)."""

    agent_id: str
    presence: Presence
    reason: str | None = None
    until: float | None = None

    def __init__(
        self,
        task_id: str,
        at: float,
        agent_id: str,
        presence: Presence,
        reason: str | None = None,
        until: float | None = None,
    ) -> None:
        self.task_id = task_id
        self.at = at
        self.agent_id = agent_id
        self.presence = presence
        self.reason = reason
        self.until = until

    def explain(self) -> str:
        until = f" until {self.until:.0f}" if self.until is not None else ""
        return f"agent {self.agent_id} is {self.presence.value}{until}: {self.reason or ''}"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class Widened(Decision):
    step: int
    requirement: Requirement
    reason: str

    def __init__(
        self, task_id: str, at: float, step: int, requirement: Requirement, reason: str
    ) -> None:
        self.task_id = task_id
        self.at = at
        self.step = step
        self.requirement = requirement
        self.reason = reason

    def explain(self) -> str:
        return f"widened (step {self.step}): {self.reason}; now needs {self.requirement}"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class Overflowed(Decision):
    from_queue: str
    to_queue: str
    reason: str

    def __init__(
        self, task_id: str, at: float, from_queue: str, to_queue: str, reason: str
    ) -> None:
        self.task_id = task_id
        self.at = at
        self.from_queue = from_queue
        self.to_queue = to_queue
        self.reason = reason

    def explain(self) -> str:
        return f"overflowed from {self.from_queue} to {self.to_queue}: {self.reason}"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class CallbackOffered(Decision):
    """Tell the customer the wait and offer a callback (keep the place, or at a chosen time)."""

    estimated_wait: float | None
    threshold: float

    def __init__(
        self, task_id: str, at: float, estimated_wait: float | None, threshold: float
    ) -> None:
        self.task_id = task_id
        self.at = at
        self.estimated_wait = estimated_wait
        self.threshold = threshold

    def explain(self) -> str:
        ewt = "unknown" if self.estimated_wait is None else f"{self.estimated_wait:.0f} s"
        return f"callback offered: estimated wait {ewt} over {self.threshold:.0f} s"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class ChannelOffered(Decision):
    """A value rule suggests other channels (callback, chat, self-service, or a richer one)."""

    channels: tuple[str, ...]
    rule: str
    estimated_wait: float | None

    def __init__(
        self,
        task_id: str,
        at: float,
        channels: tuple[str, ...],
        rule: str,
        estimated_wait: float | None,
    ) -> None:
        self.task_id = task_id
        self.at = at
        self.channels = channels
        self.rule = rule
        self.estimated_wait = estimated_wait

    def explain(self) -> str:
        return f"rule {self.rule} offers channels {', '.join(self.channels)}"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class CallbackScheduled(Decision):
    """A promise: the customer will be called by `due_at`."""

    due_at: float
    keep_place: bool

    def __init__(self, task_id: str, at: float, due_at: float, keep_place: bool) -> None:
        self.task_id = task_id
        self.at = at
        self.due_at = due_at
        self.keep_place = keep_place

    def explain(self) -> str:
        kind = "in place" if self.keep_place else "at a chosen time"
        return f"callback scheduled {kind}, promised by {self.due_at:.0f}"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class CallbackDue(Decision):
    """A scheduled callback entered its queue."""

    due_at: float

    def __init__(self, task_id: str, at: float, due_at: float) -> None:
        self.task_id = task_id
        self.at = at
        self.due_at = due_at

    def explain(self) -> str:
        return f"scheduled callback due by {self.due_at:.0f} entered the queue"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class PromiseKept(Decision):
    due_at: float

    def __init__(self, task_id: str, at: float, due_at: float) -> None:
        self.task_id = task_id
        self.at = at
        self.due_at = due_at

    def explain(self) -> str:
        return f"promise kept ({self.due_at - self.at:.0f} s before due)"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class PromiseBroken(Decision):
    due_at: float

    def __init__(self, task_id: str, at: float, due_at: float) -> None:
        self.task_id = task_id
        self.at = at
        self.due_at = due_at

    def explain(self) -> str:
        return f"promise broken: no agent by {self.due_at:.0f}"


@mypyc_attr(acyclic=True)
@dataclass(slots=True)
class Transferred(Decision):
    from_agent_id: str
    to: str  # "agent:<id>", "queue:<name>" or "supervisor"
    warm: bool

    def __init__(self, task_id: str, at: float, from_agent_id: str, to: str, warm: bool) -> None:
        self.task_id = task_id
        self.at = at
        self.from_agent_id = from_agent_id
        self.to = to
        self.warm = warm

    def explain(self) -> str:
        if not self.from_agent_id:
            return f"moved to {self.to} before an agent took it"
        kind = "warm" if self.warm else "cold"
        return f"{kind} transfer from {self.from_agent_id} to {self.to}"
