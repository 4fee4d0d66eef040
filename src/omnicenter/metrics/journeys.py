"""Journeys: a case from its first contact to its resolution, across channels.

`journeys(events)` computes them from a whole log; `JourneyFold` keeps one summary row per
case up to date event by event (what the store persists in `journeys`, in the unit of work
that records the events), so reports read journeys without scanning the timeline. Both
agree on everything `summarise` reads (tested)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import median

from omnicenter.metrics.events import MetricEvent, MetricKind

__all__ = ["Journey", "JourneyFold", "JourneyState", "JourneySummary", "journeys", "summarise"]


@dataclass(frozen=True, slots=True)
class Journey:
    case_id: str
    started_at: datetime
    resolved_at: datetime | None
    channels: tuple[str, ...]  # channel of each contact, in offer order
    outcomes: tuple[str, ...]  # handled | abandoned | waiting, per contact

    @property
    def contacts(self) -> int:
        return len(self.channels)

    @property
    def hops(self) -> int:
        """Channel changes between consecutive contacts (chat → phone → email: 2)."""
        return sum(a != b for a, b in zip(self.channels, self.channels[1:], strict=False))

    @property
    def duration_s(self) -> float | None:
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.started_at).total_seconds()

    @property
    def drop_out(self) -> str | None:
        """For an unresolved journey, its last step as `channel:outcome`."""
        if self.resolved_at is not None or not self.channels:
            return None
        return f"{self.channels[-1]}:{self.outcomes[-1]}"


def journeys(events: Iterable[MetricEvent]) -> list[Journey]:
    """One journey per case with at least one offered contact, in the order cases began."""
    contact_case: dict[str, str] = {}
    steps: dict[str, list[tuple[str, str, str]]] = {}  # case -> (contact, channel, outcome)
    started: dict[str, datetime] = {}
    resolved: dict[str, datetime] = {}
    outcome: dict[str, str] = {}
    for ev in sorted(events, key=lambda e: e.at):
        if ev.kind is MetricKind.OFFERED and ev.case_id:
            contact_case[ev.contact_id] = ev.case_id
            started.setdefault(ev.case_id, ev.at)
            steps.setdefault(ev.case_id, []).append((ev.contact_id, ev.channel, ""))
            outcome[ev.contact_id] = "waiting"
        elif ev.kind is MetricKind.ANSWERED and ev.contact_id in outcome:
            outcome[ev.contact_id] = "handled"
        elif ev.kind is MetricKind.ABANDONED and outcome.get(ev.contact_id) == "waiting":
            outcome[ev.contact_id] = "abandoned"
        elif ev.kind is MetricKind.RESOLVED and ev.case_id in started:
            resolved.setdefault(ev.case_id, ev.at)
    return [
        Journey(
            case_id=case,
            started_at=started[case],
            resolved_at=resolved.get(case),
            channels=tuple(ch for _, ch, _ in st),
            outcomes=tuple(outcome[c] for c, _, _ in st),
        )
        for case, st in steps.items()
    ]


@dataclass(frozen=True, slots=True)
class JourneySummary:
    journeys: int
    resolved: int
    median_duration_s: float | None
    mean_contacts: float
    mean_hops: float
    paths: list[tuple[str, int]]  # "webchat → voice": count, most frequent first
    drop_outs: list[tuple[str, int]]  # "voice:abandoned": count, most frequent first
    slowest: list[Journey]


def summarise(items: list[Journey], slowest: int = 10) -> JourneySummary:
    done = [j for j in items if j.duration_s is not None]
    durations = [j.duration_s for j in done if j.duration_s is not None]
    n = len(items)
    return JourneySummary(
        journeys=n,
        resolved=len(done),
        median_duration_s=median(durations) if durations else None,
        mean_contacts=sum(j.contacts for j in items) / n if n else 0.0,
        mean_hops=sum(j.hops for j in items) / n if n else 0.0,
        paths=Tally(" → ".join(j.channels) for j in items).most_common(),
        drop_outs=Tally(j.drop_out for j in items if j.drop_out).most_common(),
        slowest=sorted(done, key=lambda j: -(j.duration_s or 0.0))[:slowest],
    )


_SEP = ","  # between the channels of a stored path


@dataclass(slots=True)
class JourneyState:
    """One case's journey as stored: what `summarise` needs, updated in place.

    Times are epoch seconds; `path` is the channels of its contacts, comma-separated."""

    started_at: float
    resolved_at: float | None = None
    contacts: int = 0
    hops: int = 0
    path: str = ""
    last_channel: str = ""
    last_contact: str = ""
    last_outcome: str = ""  # of the last contact: waiting | handled | abandoned

    def journey(self, case_id: str) -> Journey:
        channels = tuple(self.path.split(_SEP)) if self.contacts else ()
        earlier = ("",) * (len(channels) - 1)  # only the last step's outcome is kept
        resolved = self.resolved_at
        return Journey(
            case_id=case_id,
            started_at=datetime.fromtimestamp(self.started_at, UTC),
            resolved_at=None if resolved is None else datetime.fromtimestamp(resolved, UTC),
            channels=channels,
            outcomes=(*earlier, self.last_outcome) if channels else (),
        )


@dataclass(slots=True)
class JourneyFold:
    """Updates journey rows as events arrive (in time order per case).

    `case_id` of `apply` is the case the event is about: the event's own for offers and
    resolutions, the case its contact was offered on for answers and abandons (the caller
    knows it from the KPI fold's contact state)."""

    journeys: dict[str, JourneyState] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)

    def apply(self, ev: MetricEvent, case_id: str) -> None:
        if not case_id:
            return
        kind = ev.kind
        j = self.journeys.get(case_id)
        at = ev.at.astimezone(UTC).timestamp()
        if kind is MetricKind.OFFERED:
            if j is None:
                j = self.journeys[case_id] = JourneyState(started_at=at)
            channel = ev.channel.replace(_SEP, " ")
            j.hops += j.contacts > 0 and channel != j.last_channel
            j.path = f"{j.path}{_SEP}{channel}" if j.contacts else channel
            j.contacts += 1
            j.last_channel, j.last_contact, j.last_outcome = channel, ev.contact_id, "waiting"
        elif j is None:
            return
        elif kind is MetricKind.RESOLVED:
            if j.resolved_at is not None:
                return
            j.resolved_at = at
        elif ev.contact_id != j.last_contact:
            return  # an earlier contact of the case: the stored row keeps the last one only
        elif kind is MetricKind.ANSWERED:
            j.last_outcome = "handled"
        elif kind is MetricKind.ABANDONED and j.last_outcome == "waiting":
            j.last_outcome = "abandoned"
        else:
            return
        self.touched.add(case_id)
