"""How figures are shown to people: one place for the report, the export and the wallboard.

Every column has a header in words with its unit and a kind (count, percent, duration,
money); `shown` writes a value for reading (85.3%, 4:05, 12.40 PLN), `exported` rounds it
for a spreadsheet (85.3, 245, 12.4) whose header carries the unit. Empty values (a share
of nothing) are shown as "—" and exported as None.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "AGENT_COLUMNS",
    "CHANNEL_COLUMNS",
    "COLUMNS",
    "DIMENSION_WORDS",
    "EMPTY",
    "QUEUE_COLUMNS",
    "Column",
    "Kind",
    "duration",
    "money",
    "percent",
]

EMPTY = "—"


class Kind(enum.StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    DURATION = "duration"
    MONEY = "money"
    SCORE = "score"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    words: str
    kind: Kind

    def header(self, currency: str = "") -> str:
        """For reading: durations as m:ss, money in the currency."""
        unit = {Kind.PERCENT: "%", Kind.DURATION: "m:ss", Kind.MONEY: currency}.get(self.kind)
        return f"{self.words} ({unit})" if unit else self.words

    def export_header(self, currency: str = "") -> str:
        """For a spreadsheet: durations in seconds (a number, not text)."""
        unit = {Kind.PERCENT: "%", Kind.DURATION: "s", Kind.MONEY: currency}.get(self.kind)
        return f"{self.words} ({unit})" if unit else self.words

    def shown(self, value: float | None, currency: str = "") -> str:
        if value is None:
            return EMPTY
        if self.kind is Kind.PERCENT:
            return percent(value)
        if self.kind is Kind.DURATION:
            return duration(value)
        if self.kind is Kind.MONEY:
            return money(value, currency)
        if self.kind is Kind.SCORE:
            return f"{value:.2f}"
        return f"{round(value):,}"

    def exported(self, value: float | None) -> float | int | None:
        if value is None:
            return None
        if self.kind is Kind.PERCENT:
            return round(value * 100, 1)
        if self.kind is Kind.DURATION:
            return round(value)
        if self.kind in (Kind.MONEY, Kind.SCORE):
            return round(value, 2)
        return round(value)


def percent(share: float) -> str:
    """0.8534 → "85.3%"."""
    return f"{share * 100:.1f}%"


def duration(seconds: float) -> str:
    """245.4 → "4:05"; an hour or more → "h:mm:ss"."""
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def money(amount: float, currency: str) -> str:
    """12.4, "PLN" → "12.40 PLN"."""
    return f"{amount:,.2f} {currency}".strip()


_C, _P, _D, _M, _S = Kind.COUNT, Kind.PERCENT, Kind.DURATION, Kind.MONEY, Kind.SCORE
COLUMNS: Mapping[str, Column] = {
    c.key: c
    for c in (
        Column("offered", "Offered", _C),
        Column("handled", "Handled", _C),
        Column("abandoned", "Abandoned", _C),
        Column("short_abandoned", "Short abandons", _C),
        Column("service_level", "Service level", _P),
        Column("abandon_rate", "Abandon rate", _P),
        Column("asa", "Average speed of answer", _D),
        Column("avg_abandon_time", "Average wait before abandoning", _D),
        Column("aht", "Average handle time", _D),
        Column("avg_talk", "Average talk time", _D),
        Column("avg_hold", "Average hold time", _D),
        Column("avg_wrap", "Average wrap-up time", _D),
        Column("fcr", "First-contact resolution", _P),
        Column("transfers", "Transfers", _C),
        Column("transfer_rate", "Transfer rate", _P),
        Column("occupancy", "Occupancy", _P),
        Column("utilisation", "Utilisation", _P),
        Column("csat", "Satisfied customers (CSAT)", _P),
        Column("csat_avg", "Average CSAT score (1–5)", _S),
        Column("csat_response_rate", "CSAT response rate", _P),
        Column("resolved", "Cases resolved", _C),
        Column("promises_made", "Promises made", _C),
        Column("promises_kept", "Promises kept", _C),
        Column("promises_broken", "Promises broken", _C),
        Column("promise_kept_rate", "Promises kept on time", _P),
        Column("breaches", "SLA breaches", _C),
        Column("waiting", "Waiting", _C),
        Column("longest_wait_s", "Longest wait", _D),
        Column("cost", "Cost", _M),
        Column("per_contact", "Cost per contact", _M),
        Column("per_resolved", "Cost per resolved case", _M),
        Column("journeys", "Journeys", _C),
        Column("median_duration_s", "Median journey duration", _D),
    )
}
DIMENSION_WORDS: Mapping[str, str] = {
    "interval_start": "Interval start",
    "queue": "Queue",
    "channel": "Channel",
    "segment": "Segment",
    "team": "Team",
    "agent": "Agent",
}
QUEUE_COLUMNS = ("offered", "handled", "abandoned", "service_level", "asa", "aht", "fcr",
                 "transfers", "occupancy", "csat", "csat_response_rate", "promises_broken")  # fmt: skip
CHANNEL_COLUMNS = ("offered", "handled", "abandoned", "service_level", "abandon_rate", "breaches")
AGENT_COLUMNS = ("handled", "aht", "occupancy", "utilisation", "csat")
