"""How figures read: headers in words with units, percentages, m:ss, money with currency."""

from __future__ import annotations

from omnicenter.metrics.format import COLUMNS, duration, money, percent
from omnicenter.metrics.kpis import Kpis
from omnicenter.metrics.palette import CHANNEL_COLOURS, channel_colour


def test_values_read_as_people_write_them() -> None:
    assert percent(0.85349) == "85.3%"
    assert (duration(245.4), duration(59.6), duration(3725)) == ("4:05", "1:00", "1:02:05")
    assert money(1234.5, "PLN") == "1,234.50 PLN"
    assert COLUMNS["service_level"].shown(None) == "—"
    assert COLUMNS["offered"].shown(1234.0) == "1,234"


def test_headers_carry_units_and_exports_are_rounded_numbers() -> None:
    sl, asa, cost = COLUMNS["service_level"], COLUMNS["asa"], COLUMNS["cost"]
    assert (sl.header(), asa.header(), cost.header("PLN")) == (
        "Service level (%)", "Average speed of answer (m:ss)", "Cost (PLN)")  # fmt: skip
    assert (sl.export_header(), asa.export_header()) == (
        "Service level (%)", "Average speed of answer (s)")  # fmt: skip
    assert (sl.exported(0.85349), asa.exported(12.6), cost.exported(3.14159)) == (85.3, 13, 3.14)
    assert sl.exported(None) is None


def test_every_kpi_has_a_column_in_words() -> None:
    for name in Kpis.__dataclass_fields__:
        col = COLUMNS[name]
        assert "_" not in col.header() and col.header()[0].isupper()


def test_channel_colours_are_fixed_per_channel() -> None:
    assert channel_colour("voice") == CHANNEL_COLOURS["voice"]
    assert channel_colour("carrier-pigeon") == channel_colour("carrier-pigeon")
    assert len(set(CHANNEL_COLOURS.values())) == len(CHANNEL_COLOURS)
