from __future__ import annotations

import pytest

from omnicenter.metrics import batch_buckets, rollup
from omnicenter.metrics.cost import ChannelRate, CostRow, CostSettings, cost_rows, right_channel
from omnicenter.metrics.journeys import journeys, summarise
from tests.unit.metrics.handmade import LOG


def test_journeys_of_the_handmade_log() -> None:
    js = {j.case_id: j for j in journeys(LOG)}
    k1 = js["k1"]
    assert k1.channels == ("voice", "webchat")
    assert (k1.contacts, k1.hops, k1.duration_s, k1.drop_out) == (2, 1, 3600.0, None)
    assert js["k3"].drop_out == "voice:abandoned"
    assert js["k2"].drop_out == "voice:handled"  # handled but never resolved
    s = summarise(list(js.values()))
    assert (s.journeys, s.resolved, s.median_duration_s) == (4, 1, 3600.0)
    assert s.mean_contacts == pytest.approx(5 / 4)
    assert s.drop_outs[0] == ("voice:abandoned", 2)
    assert s.slowest == [k1]
    assert ("voice → webchat", 1) in s.paths


def test_cost_per_contact_and_per_resolved_case() -> None:
    settings = CostSettings(
        rates={"voice": ChannelRate(per_minute=1.0, per_contact=0.5), "webchat": ChannelRate(0.5)}
    )
    rows = {
        (r.channel, r.segment): r
        for r in cost_rows(rollup(batch_buckets(LOG), by=("channel", "segment")), settings)
    }
    voice = rows[("voice", "gold")]
    assert voice.handled == 2
    assert voice.cost == pytest.approx(2 * 0.5 + (250 + 120) / 60)
    web = rows[("webchat", "gold")]
    assert web.cost == pytest.approx(300 / 60 * 0.5)
    resolved = rows[("webchat", "")]  # the resolution event carried no segment
    assert (resolved.resolved, resolved.per_resolved) == (1, 0.0)


def test_right_channel_flags_value_mismatches() -> None:
    rows = [
        CostRow("voice", "basic", 10, 0, 100.0),  # 10 per contact: expensive
        CostRow("email", "basic", 10, 0, 20.0),
        CostRow("webchat", "gold", 10, 0, 10.0),  # 1 per contact: cheap
        CostRow("email", "gold", 10, 0, 20.0),
    ]
    flags = right_channel(rows, CostSettings())
    assert [(r.channel, r.segment) for r, _ in flags] == [("voice", "basic"), ("webchat", "gold")]
    assert right_channel(rows[:1], CostSettings()) == []
