"""An immutable, versioned set of knowledge records: what a repository saves and loads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from omnicenter.knowledge.records import KINDS, Record, RowError, parse_row, to_row

__all__ = ["SNAPSHOT_FORMAT", "KnowledgeSnapshot", "SnapshotError", "changed_records"]

SNAPSHOT_FORMAT = 1

_KIND_OF: dict[str, str] = {
    "Product": "products",
    "Variant": "variants",
    "StockLevel": "stock",
    "DiscountRule": "rules",
    "LoyaltyTier": "tiers",
    "LoyaltyAccount": "accounts",
    "Order": "orders",
    "Policy": "policies",
    "FaqArticle": "faq",
    "OpeningHours": "hours",
}


def kind_of(record: Record) -> str:
    return _KIND_OF[type(record).__name__]


class SnapshotError(ValueError):
    """A stored snapshot that cannot be read back."""


def _empty() -> Mapping[str, Mapping[str, Record]]:
    return MappingProxyType({kind: MappingProxyType({}) for kind in KINDS})


@dataclass(frozen=True, slots=True)
class KnowledgeSnapshot:
    """All records by kind and key. `revision` grows by one with every applied change."""

    revision: int = 0
    updated_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    records: Mapping[str, Mapping[str, Record]] = field(default_factory=_empty)

    def of(self, kind: str) -> Mapping[str, Record]:
        return self.records.get(kind, MappingProxyType({}))

    def count(self) -> dict[str, int]:
        return {kind: len(items) for kind, items in self.records.items()}

    def with_records(self, new: Iterable[Record], at: datetime) -> KnowledgeSnapshot:
        """A new revision with `new` upserted by key; this snapshot is left untouched."""
        merged = {kind: dict(items) for kind, items in self.records.items()}
        for record in new:
            merged.setdefault(kind_of(record), {})[record.key] = record
        return KnowledgeSnapshot(
            revision=self.revision + 1,
            updated_at=at,
            records=MappingProxyType({k: MappingProxyType(v) for k, v in merged.items()}),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT,
            "revision": self.revision,
            "updated_at": self.updated_at.isoformat(),
            "records": {
                kind: [to_row(r) for r in items.values()] for kind, items in self.records.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KnowledgeSnapshot:
        if data.get("format") != SNAPSHOT_FORMAT:
            raise SnapshotError(f"unsupported snapshot format {data.get('format')!r}")
        records: dict[str, dict[str, Record]] = {kind: {} for kind in KINDS}
        for kind, rows in data.get("records", {}).items():
            for index, row in enumerate(rows):
                try:
                    record = parse_row(kind, row, str(row.get("origin", "")))
                except RowError as exc:
                    raise SnapshotError(f"{kind}[{index}]: {exc}") from None
                records[kind][record.key] = record
        return cls(
            revision=int(data["revision"]),
            updated_at=datetime.fromisoformat(data["updated_at"]),
            records=MappingProxyType({k: MappingProxyType(v) for k, v in records.items()}),
        )


def changed_records(
    old: KnowledgeSnapshot, new: KnowledgeSnapshot
) -> list[tuple[str, str, Record | None]]:
    """(kind, key, record) for every record `new` adds or changes; record None: removed.

    Unchanged records are usually the very same objects (`with_records` shares them), so
    the identity check keeps this cheap for a small update of a large snapshot.
    """
    changes: list[tuple[str, str, Record | None]] = []
    for kind in sorted(set(old.records) | set(new.records)):
        before, after = old.of(kind), new.of(kind)
        for key, record in after.items():
            previous = before.get(key)
            if previous is not record and previous != record:
                changes.append((kind, key, record))
        changes.extend((kind, key, None) for key in before if key not in after)
    return changes
