"""The answer audit: what each channel was told, and where channels disagree.

Whoever tells a customer a fact (bot, agent desktop, email template, API) records it
through an `AnswerRecorder`. `find_inconsistencies` then compares, per customer and fact
key, the values told on different channels close together in time. A difference at the
same knowledge revision is a bug (a channel computed or cached its own answer); one
across revisions is flagged too, but marked as possibly explained by a knowledge update.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from omnicenter.knowledge.facts import Fact

__all__ = [
    "AnswerRecorder",
    "InMemoryAnswerLog",
    "Inconsistency",
    "ToldFact",
    "find_inconsistencies",
    "told",
]


@dataclass(frozen=True, slots=True)
class ToldFact:
    channel: str
    customer_id: str
    key: str
    value: Mapping[str, Any]
    told_at: datetime
    revision: int

    @property
    def canonical(self) -> str:
        return json.dumps(self.value, sort_keys=True, default=str)


def told(channel: str, customer_id: str, fact: Fact, at: datetime) -> ToldFact:
    revision = max((s.revision for s in fact.sources), default=0)
    return ToldFact(channel, customer_id, fact.key, dict(fact.value), at, revision)


class AnswerRecorder(Protocol):
    def record(self, entry: ToldFact) -> None: ...


class InMemoryAnswerLog:
    def __init__(self) -> None:
        self.entries: list[ToldFact] = []

    def record(self, entry: ToldFact) -> None:
        self.entries.append(entry)


@dataclass(frozen=True, slots=True)
class Inconsistency:
    customer_id: str
    key: str
    first: ToldFact
    second: ToldFact
    explained_by_update: bool  # the two answers were computed at different revisions

    def describe(self) -> str:
        note = " (knowledge changed between them)" if self.explained_by_update else ""
        return (
            f"{self.key} for {self.customer_id}: {self.first.channel} was told "
            f"{self.first.canonical}, {self.second.channel} was told {self.second.canonical}{note}"
        )


def find_inconsistencies(
    entries: Iterable[ToldFact], window: timedelta = timedelta(hours=1)
) -> list[Inconsistency]:
    """Pairs of different answers to the same question on different channels within `window`."""
    groups: dict[tuple[str, str], list[ToldFact]] = defaultdict(list)
    for entry in entries:
        groups[(entry.customer_id, entry.key)].append(entry)
    found: list[Inconsistency] = []
    for (customer_id, key), items in sorted(groups.items()):
        items.sort(key=lambda e: e.told_at)
        for i, first in enumerate(items):
            for second in items[i + 1 :]:
                if second.told_at - first.told_at > window:
                    break
                if second.channel == first.channel or second.canonical == first.canonical:
                    continue
                found.append(
                    Inconsistency(
                        customer_id, key, first, second, first.revision != second.revision
                    )
                )
    return found
