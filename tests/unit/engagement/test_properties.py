"""Property: whatever events, consent answers and rule changes come, in any order, nothing
is sent to a customer without a consent that covers it, or above a cap."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from omnicenter.domain import Channel, SecurityLevel
from omnicenter.engagement import (
    Caps,
    ChannelFacts,
    Outcome,
    Purpose,
    QuietHours,
    Rule,
    RuleSettings,
    Situation,
    Template,
    decide,
)

START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
CHANNELS = (Channel.SMS, Channel.EMAIL)
FACTS = ChannelFacts(
    reachable={Channel.SMS: "+48601234567", Channel.EMAIL: "a@example.com"},
    security={Channel.SMS: SecurityLevel.PUBLIC, Channel.EMAIL: SecurityLevel.PUBLIC},
    costs={Channel.SMS: 0.08, Channel.EMAIL: 0.05},
    last_active=None,
    low_value=False,
)

consent_op = st.tuples(
    st.just("consent"), st.sampled_from(CHANNELS), st.sampled_from(list(Purpose)),
    st.sampled_from([True, False, None]),
)  # fmt: skip
rules_op = st.tuples(
    st.just("rules"), st.sampled_from(list(Purpose)), st.booleans(),
    st.integers(0, 3), st.integers(0, 6), st.sampled_from([(), ("surveys",)]),
)  # fmt: skip
event_op = st.tuples(st.just("event"), st.integers(0, 600), st.integers(0, 180))
tick_op = st.tuples(st.just("tick"), st.integers(0, 900))
ops = st.lists(st.one_of(consent_op, rules_op, event_op, tick_op), max_size=60)


def _rule(purpose: Purpose, exempt: bool, delay_min: int = 0) -> Rule:
    return Rule(
        id="r", name="r", trigger="e", purpose=purpose, channels=CHANNELS,
        templates={("pl", "default"): Template("hello")},
        caps_exempt=exempt and purpose is Purpose.SERVICE, delay=timedelta(minutes=delay_min),
    )  # fmt: skip


def _allowed(purpose: Purpose, channel: Channel, consents: dict[tuple[str, str], bool],
             basis: frozenset[Purpose]) -> bool:  # fmt: skip
    granted = consents.get((channel.value, purpose.value))
    if purpose is Purpose.MARKETING:
        return granted is True
    return granted is True or (granted is None and purpose in basis)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_no_send_without_consent_or_above_a_cap(
    steps: list[tuple[object, ...]],
) -> None:
    now = START
    consents: dict[tuple[str, str], bool] = {}
    rule = _rule(Purpose.SERVICE, False)
    conf = RuleSettings(QuietHours(time(21), time(8)), Caps(1, 3), frozenset({Purpose.SERVICE}))
    sent: list[tuple[datetime, Channel]] = []
    held: list[tuple[Rule, datetime, datetime]] = []  # rule, due, expires

    def attempt(r: Rule, due: datetime, expires: datetime) -> Outcome:
        by_channel: dict[Channel, tuple[datetime, ...]] = {}
        for at, ch in sent:
            by_channel[ch] = (*by_channel.get(ch, ()), at)
        situation = Situation(
            rule=r, settings=conf, customer_id="cus_1", zone=ZoneInfo("Europe/Warsaw"),
            lang="pl", consents=dict(consents), suppressed=False, channels=FACTS,
            sent_at=by_channel, rule_sent_at=(), scope={}, due_at=due, expires_at=expires,
        )  # fmt: skip
        d = decide(situation, now)
        if d.outcome is Outcome.SEND:
            assert d.channel is not None
            assert _allowed(r.purpose, d.channel, consents, conf.legal_basis), (d, consents)
            if not r.caps_exempt:
                day = sum(1 for at, ch in sent if ch is d.channel and now - at < timedelta(days=1))
                week = sum(1 for at, ch in sent if ch is d.channel and now - at < timedelta(days=7))
                assert day < conf.caps.per_day and week < conf.caps.per_week
            sent.append((now, d.channel))
        elif d.outcome is Outcome.HOLD:
            held.append((r, due, expires))
        return d.outcome

    for step in steps:
        kind = step[0]
        if kind == "consent":
            _, channel, purpose, granted = step
            assert isinstance(channel, Channel) and isinstance(purpose, Purpose)
            if granted is None:
                consents.pop((channel.value, purpose.value), None)
            else:
                consents[(channel.value, purpose.value)] = bool(granted)
        elif kind == "rules":
            _, purpose, exempt, per_day, per_week, basis = step
            assert isinstance(purpose, Purpose) and isinstance(basis, tuple)
            rule = replace(_rule(purpose, bool(exempt)), delay=rule.delay)
            legal = frozenset({Purpose.SERVICE, *(Purpose(b) for b in basis)})
            conf = replace(
                conf, caps=Caps(int(str(per_day)), int(str(per_week))), legal_basis=legal
            )
            # held messages are decided again under the new rule, as the scheduler does
            held[:] = [(rule, due, exp) for _, due, exp in held]
        elif kind == "event":
            _, advance, delay = step
            now += timedelta(minutes=int(str(advance)))
            r = replace(rule, delay=timedelta(minutes=int(str(delay))))
            attempt(r, now + r.delay, now + r.delay + r.expires_after)
        else:
            now += timedelta(minutes=int(str(step[1])))
            due_now = [h for h in held if h[1] <= now]
            held[:] = [h for h in held if h[1] > now]
            for r, due, expires in due_now:
                attempt(r, due, expires)
