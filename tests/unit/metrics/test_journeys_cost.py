from __future__ import annotations

import pytest

from omnicenter.metrics import MetricEvent, batch_buckets, rollup
from omnicenter.metrics.cost import ChannelRate, CostRow, CostSettings, cost_rows, right_channel
from omnicenter.metrics.journeys import Journey, JourneyFold, journeys, summarise
from tests.unit.metrics.handmade import LOG, K, answered, at, offered


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


# Journeys kept row by row (JourneyFold) against the batch computation
def _extra() -> list[MetricEvent]:
    """Corners: resolved before any contact, resolved twice, a late answer of an earlier
    contact, an abandon after the answer, a case moving across three channels."""
    return [
        MetricEvent(K.RESOLVED, at(10), case_id="k9", channel="email"),
        offered("d1", 20, "k9", channel="email"),
        offered("d2", 30, "k8", channel="sms"),
        offered("d3", 40, "k8", channel="voice"),
        answered("d2", 50, "a1"),  # the earlier contact: k8's last step is still waiting
        offered("d4", 60, "k7", channel="webchat"),
        answered("d4", 70, "a2"),
        MetricEvent(K.ABANDONED, at(80), "d4"),  # after the answer: stays handled
        offered("d5", 90, "k7", channel="webchat"),
        offered("d6", 100, "k7", channel="voice"),
        MetricEvent(K.RESOLVED, at(200), case_id="k7", channel="voice"),
        MetricEvent(K.RESOLVED, at(300), case_id="k7", channel="voice"),
    ]


def _comparable(js: list[Journey]) -> dict[str, tuple[object, ...]]:
    return {
        j.case_id: (j.started_at, j.resolved_at, j.channels, j.hops, j.duration_s, j.drop_out)
        for j in js
    }


def test_journey_rows_kept_event_by_event_equal_the_batch_journeys() -> None:
    log = [*LOG, *_extra()]
    fold = JourneyFold()
    case_of: dict[str, str] = {}
    for ev in log:
        if ev.kind is K.OFFERED:
            case_of[ev.contact_id] = ev.case_id
        case = ev.case_id if ev.kind in (K.OFFERED, K.RESOLVED) else case_of.get(ev.contact_id, "")
        fold.apply(ev, case)
    live = [st.journey(case) for case, st in fold.journeys.items()]
    batch = journeys(log)
    assert _comparable(live) == _comparable(batch)
    assert _comparable(live)["k8"][-1] == "voice:waiting"
    assert _comparable(live)["k7"][2:4] == (("webchat", "webchat", "voice"), 1)
    s_live, s_batch = summarise(live), summarise(batch)
    for name in ("journeys", "resolved", "median_duration_s", "mean_contacts", "mean_hops"):
        assert getattr(s_live, name) == getattr(s_batch, name)
    assert dict(s_live.paths) == dict(s_batch.paths)  # ties may come in either order
    assert dict(s_live.drop_outs) == dict(s_batch.drop_outs)
    assert [j.case_id for j in s_live.slowest] == [j.case_id for j in s_batch.slowest]
