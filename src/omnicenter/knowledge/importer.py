"""Validated imports: an import applies entirely, or not at all with every bad row named.

Reading (`read_csv`, `read_json`, `read_file`) turns text into `RawRow`s that remember
their file and line; `plan_import` parses and cross-checks them against the current
snapshot and returns an `ImportReport` with either a new snapshot or the rejected rows.
Only `read_file` touches the disk.
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from omnicenter.knowledge.records import (
    KINDS,
    DiscountRule,
    LoyaltyAccount,
    Record,
    RowError,
    StockLevel,
    Variant,
    parse_row,
)
from omnicenter.knowledge.snapshot import KnowledgeSnapshot, kind_of

__all__ = [
    "FIELDS",
    "ImportReport",
    "RawRow",
    "RejectedRow",
    "plan_import",
    "read_csv",
    "read_file",
    "read_json",
]

# Columns each kind accepts; anything else is a typo worth rejecting ("prcie").
_RENAMED = {"price_minor": "price", "value_minor_or_percent": "value", "total_minor": "total"}
FIELDS: dict[str, frozenset[str]] = {}


def _fields_of(kind: str) -> frozenset[str]:
    from omnicenter.knowledge import records as r

    cls = {
        "products": r.Product,
        "variants": r.Variant,
        "stock": r.StockLevel,
        "rules": r.DiscountRule,
        "tiers": r.LoyaltyTier,
        "accounts": r.LoyaltyAccount,
        "orders": r.Order,
        "policies": r.Policy,
        "faq": r.FaqArticle,
        "hours": r.OpeningHours,
    }[kind]
    return frozenset(_RENAMED.get(f.name, f.name) for f in dataclasses.fields(cls))


for _kind in KINDS:
    FIELDS[_kind] = _fields_of(_kind)


@dataclass(frozen=True, slots=True)
class RawRow:
    file: str
    line: int
    kind: str
    row: Mapping[str, Any]

    @property
    def origin(self) -> str:
        # Rows from a shop system have no line; their "file" already names the record.
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class RejectedRow:
    file: str
    line: int
    kind: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """`applied` is true only when no row was rejected; then `snapshot` is the new state.

    `unchanged`: applied, but no new version was made (the rows matched what was already
    known, or their delivery had been applied before).
    """

    applied: bool
    counts: Mapping[str, int]
    rejected: tuple[RejectedRow, ...]
    snapshot: KnowledgeSnapshot | None
    unchanged: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# ---------------------------------------------------------------- reading


def _kind_from_name(name: str) -> str | None:
    stem = Path(name).name.split(".")[0].lower()
    return stem if stem in KINDS else None


def read_csv(
    name: str, text: str, kind: str | None = None
) -> tuple[list[RawRow], list[RejectedRow]]:
    """Rows of a CSV file whose header names the columns; `,` `;` or tab separated."""
    kind = kind or _kind_from_name(name)
    if kind is None:
        return [], [
            RejectedRow(
                name,
                1,
                "?",
                f"cannot tell the record kind from the file name; "
                f"name it after one of: {', '.join(KINDS)}",
            )
        ]
    text = text.removeprefix("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fields = [f.strip() for f in reader.fieldnames or []]
    unknown = [f for f in fields if f not in FIELDS[kind]]
    if not fields or unknown:
        reason = (
            (
                f"unknown column(s) {', '.join(repr(u) for u in unknown)}; "
                f"allowed: {', '.join(sorted(FIELDS[kind]))}"
            )
            if unknown
            else "empty file"
        )
        return [], [RejectedRow(name, 1, kind, reason)]
    rows: list[RawRow] = []
    rejected: list[RejectedRow] = []
    for raw in reader:
        # line_num is the last physical line read; step back over newlines inside cells.
        cells = [v for v in raw.values() if isinstance(v, str)]
        line = reader.line_num - sum(v.count("\n") for v in cells)
        if None in raw:  # more cells than header columns
            rejected.append(RejectedRow(name, line, kind, "more cells than columns in the header"))
            continue
        row = {k.strip(): (v if v is not None else "") for k, v in raw.items()}
        if not any(str(v).strip() for v in row.values()):
            continue  # blank line
        rows.append(RawRow(name, line, kind, row))
    return rows, rejected


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _array_items(text: str, i: int, decoder: json.JSONDecoder) -> list[tuple[int, Any]]:
    """(offset, value) of each item of the JSON array starting at text[i] == '['."""
    items: list[tuple[int, Any]] = []
    i = _skip_ws(text, i + 1)
    if text[i] == "]":
        return items
    while True:
        value, end = decoder.raw_decode(text, i)
        items.append((i, value))
        i = _skip_ws(text, end)
        if text[i] == "]":
            return items
        i = _skip_ws(text, i + 1)  # the comma


def read_json(
    name: str, text: str, kind: str | None = None
) -> tuple[list[RawRow], list[RejectedRow]]:
    """A JSON array of rows of one kind (named by the file), or an object of kind -> array."""
    text = text.removeprefix("\ufeff")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [
            RejectedRow(
                name, exc.lineno, kind or "?", f"invalid JSON: {exc.msg} (column {exc.colno})"
            )
        ]
    newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    decoder = json.JSONDecoder()
    start = _skip_ws(text, 0)
    sections: list[tuple[str, list[tuple[int, Any]]]] = []
    if isinstance(document, list):
        kind = kind or _kind_from_name(name)
        if kind is None:
            return [], [
                RejectedRow(
                    name,
                    1,
                    "?",
                    f"a JSON array needs a file named after its kind, one of: {', '.join(KINDS)}",
                )
            ]
        sections.append((kind, _array_items(text, start, decoder)))
    elif isinstance(document, dict):
        unknown = [k for k in document if k not in KINDS]
        if unknown:
            return [], [
                RejectedRow(
                    name,
                    1,
                    "?",
                    f"unknown section(s) {', '.join(map(repr, unknown))}; "
                    f"allowed: {', '.join(KINDS)}",
                )
            ]
        i = _skip_ws(text, start + 1)
        while text[i] != "}":
            key, i = decoder.raw_decode(text, i)
            i = _skip_ws(text, _skip_ws(text, i) + 1)  # past the colon
            if text[i] != "[":
                return [], [
                    RejectedRow(name, line_of(i), key, "a section must be an array of rows")
                ]
            items = _array_items(text, i, decoder)
            sections.append((key, items))
            _, i = decoder.raw_decode(text, i)
            i = _skip_ws(text, i)
            if text[i] == ",":
                i = _skip_ws(text, i + 1)
    else:
        return [], [RejectedRow(name, 1, "?", "expected a JSON array or object")]
    rows: list[RawRow] = []
    rejected: list[RejectedRow] = []
    for section_kind, items in sections:
        for offset, value in items:
            line = line_of(offset)
            if not isinstance(value, dict):
                rejected.append(
                    RejectedRow(name, line, section_kind, "a row must be a JSON object")
                )
                continue
            unknown_fields = [f for f in value if f not in FIELDS[section_kind]]
            if unknown_fields:
                rejected.append(
                    RejectedRow(
                        name,
                        line,
                        section_kind,
                        f"unknown field(s) {', '.join(map(repr, unknown_fields))}",
                    )
                )
                continue
            rows.append(RawRow(name, line, section_kind, value))
    return rows, rejected


def read_file(path: Path, kind: str | None = None) -> tuple[list[RawRow], list[RejectedRow]]:
    """Read one CSV or JSON file from disk (the only I/O in this module)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [RejectedRow(path.name, 0, kind or "?", f"cannot read file: {exc}")]
    if path.suffix.lower() == ".json":
        return read_json(path.name, text, kind)
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        return read_csv(path.name, text, kind)
    return [], [RejectedRow(path.name, 0, kind or "?", "only .csv and .json files can be imported")]


# ---------------------------------------------------------------- validating


def _references(record: Record, merged: Mapping[str, Mapping[str, Record]]) -> str | None:
    """Why a record points at something that does not exist, or None."""
    if isinstance(record, Variant) and record.product_id not in merged["products"]:
        return f"unknown product_id {record.product_id!r}"
    if isinstance(record, StockLevel) and record.sku not in merged["variants"]:
        return f"unknown sku {record.sku!r}"
    if isinstance(record, DiscountRule):
        for sku in record.skus:
            if sku not in merged["variants"] and sku not in merged["products"]:
                return f"rule names unknown sku or product {sku!r}"
        for sku in record.bundle:
            if sku not in merged["variants"]:
                return f"bundle names unknown sku {sku!r}"
        if record.tier is not None and record.tier not in merged["tiers"]:
            return f"unknown loyalty tier {record.tier!r}"
    if (
        isinstance(record, LoyaltyAccount)
        and record.tier is not None
        and record.tier not in merged["tiers"]
    ):
        return f"unknown loyalty tier {record.tier!r}"
    return None


def plan_import(
    snapshot: KnowledgeSnapshot,
    rows: Iterable[RawRow],
    at: datetime,
    already_rejected: Sequence[RejectedRow] = (),
) -> ImportReport:
    """Parse and cross-check `rows`; the result holds a new snapshot only if all are good."""
    rejected = list(already_rejected)
    parsed: list[tuple[RawRow, Record]] = []
    first_seen: dict[tuple[str, str], RawRow] = {}
    for raw in rows:
        try:
            record = parse_row(raw.kind, raw.row, raw.origin)
        except RowError as exc:
            rejected.append(RejectedRow(raw.file, raw.line, raw.kind, str(exc)))
            continue
        seen = first_seen.get((raw.kind, record.key))
        if seen is not None:
            rejected.append(
                RejectedRow(
                    raw.file,
                    raw.line,
                    raw.kind,
                    f"duplicate key {record.key!r} (first at {seen.origin})",
                )
            )
            continue
        first_seen[(raw.kind, record.key)] = raw
        parsed.append((raw, record))
    merged: dict[str, dict[str, Record]] = {k: dict(v) for k, v in snapshot.records.items()}
    for _, record in parsed:
        merged.setdefault(kind_of(record), {})[record.key] = record
    for raw, record in parsed:
        problem = _references(record, merged)
        if problem is not None:
            rejected.append(RejectedRow(raw.file, raw.line, raw.kind, problem))
    counts: dict[str, int] = {}
    for raw, _ in parsed:
        counts[raw.kind] = counts.get(raw.kind, 0) + 1
    if rejected:
        rejected.sort(key=lambda r: (r.file, r.line))
        return ImportReport(False, counts, tuple(rejected), None)
    new = snapshot.with_records((record for _, record in parsed), at)
    return ImportReport(True, counts, (), new)
