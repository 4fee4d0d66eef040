"""Journeys: a case from its first contact to its resolution, across channels."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from omnicenter.metrics.events import MetricEvent, MetricKind

__all__ = ["Journey", "JourneySummary", "journeys", "summarise"]


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
