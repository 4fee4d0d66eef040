"""The engagement core: conditions, rule files, consent, quiet hours, caps, channel choice,
holdout, opt-out keywords, and the decision itself."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from omnicenter.domain import Channel, SecurityLevel
from omnicenter.engagement import (
    Caps,
    ChannelFacts,
    ExpressionError,
    Outcome,
    Purpose,
    QuietHours,
    RulesError,
    RuleSettings,
    Situation,
    cap_refusal,
    choose_channel,
    compile_expression,
    consent_refusal,
    customer_zone,
    decide,
    in_holdout,
    is_opt_out,
    parse_rules,
    quiet_until,
)

NAMES = frozenset({"event", "customer", "history"})
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday, 13:00 in Warsaw

RULES = """\
version: 2
settings:
  quiet_hours: {start: "21:00", end: "08:00"}
  caps: {per_day: 1, per_week: 2}
rules:
  - id: delayed
    on: order_delayed
    when: event.delay_days >= 2
    purpose: service
    channels: [sms, email]
    values: {code: SORRY10}
    message:
      pl:
        sms: "Zamowienie {event.order} spoznione. Kod {values.code}"
        email: {subject: "Zamowienie {event.order}", body: "Kod {values.code}"}
  - id: offer
    on: payment_made
    purpose: marketing
    channels: [email]
    message:
      pl: {default: "Ubezpieczenie podrozne?"}
"""


def test_conditions_read_dotted_names_and_never_fail_on_missing_ones() -> None:
    expr = compile_expression(
        'event.amount > 100 and event.category in ["travel", "air"] and not customer.vip',
        NAMES,
    )
    assert expr.holds({"event": {"amount": 250, "category": "travel"}, "customer": {}})
    assert not expr.holds({"event": {"amount": 50, "category": "travel"}, "customer": {}})
    assert not expr.holds({"event": {}, "customer": {}})  # None > 100 is false, not an error
    assert compile_expression("history.order_placed >= 1", NAMES).roots == {"history"}


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('x')",
        "event.__class__",
        "open('f')",
        "[x for x in event]",
        "event['a']",
        "lambda: 1",
        "secrets.key == 1",
    ],
)
def test_conditions_outside_the_language_are_refused(source: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(source, NAMES)


def test_rule_files_parse_and_report_problems_at_their_lines() -> None:
    rules = parse_rules(RULES)
    assert rules.version == 2 and [r.id for r in rules.rules] == ["delayed", "offer"]
    assert rules.settings.caps == Caps(1, 2)
    bad = RULES.replace("purpose: marketing", "purpose: marketing\n    caps_exempt: true")
    bad = bad.replace('{values.code}"', '{values.cod}"')
    with pytest.raises(RulesError) as caught:
        parse_rules(bad)
    lines = {(i.line, i.message.split(";")[0]) for i in caught.value.issues}
    assert (14, "'cod' is not a field of values") in lines
    assert (19, "only service messages may be exempt from caps") in lines


def test_marketing_can_never_be_on_a_legal_basis() -> None:
    with pytest.raises(RulesError, match="never sent without an opt-in"):
        parse_rules(RULES.replace("caps: {per_day: 1, per_week: 2}", "legal_basis: [marketing]"))


def test_consent_service_on_legal_basis_marketing_only_with_opt_in() -> None:
    basis = frozenset({Purpose.SERVICE})
    none: dict[tuple[str, str], bool] = {}
    assert (
        consent_refusal(Purpose.SERVICE, Channel.SMS, none, legal_basis=basis, suppressed=False)
        is None
    )
    assert consent_refusal(
        Purpose.MARKETING, Channel.SMS, none, legal_basis=basis, suppressed=False
    )
    withdrawn = {("sms", "service"): False}
    assert "withdrew" in str(
        consent_refusal(
            Purpose.SERVICE, Channel.SMS, withdrawn, legal_basis=basis, suppressed=False
        )
    )
    opted = {("sms", "marketing"): True}
    assert (
        consent_refusal(Purpose.MARKETING, Channel.SMS, opted, legal_basis=basis, suppressed=False)
        is None
    )
    assert consent_refusal(
        Purpose.MARKETING, Channel.SMS, opted, legal_basis=basis, suppressed=True
    )


def test_quiet_hours_in_the_customers_zone_from_the_phone_number() -> None:
    assert customer_zone(None, "+48601234567", "UTC").key == "Europe/Warsaw"
    assert customer_zone("Asia/Tokyo", "+48601234567", "UTC").key == "Asia/Tokyo"
    quiet = QuietHours(time(21), time(8))
    tokyo = ZoneInfo("Asia/Tokyo")
    assert quiet_until(T0, ZoneInfo("Europe/Warsaw"), quiet) is None  # 13:00 in Warsaw
    # 21:00 in Tokyo: quiet until 08:00 there, which is 23:00 UTC
    assert quiet_until(T0, tokyo, quiet) == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)


def test_caps_count_the_last_day_and_week() -> None:
    caps = Caps(per_day=1, per_week=2)
    assert cap_refusal([], T0, caps) is None
    assert "daily" in str(cap_refusal([T0 - timedelta(hours=2)], T0, caps))
    assert cap_refusal([T0 - timedelta(days=2)], T0, caps) is None
    assert "weekly" in str(cap_refusal([T0 - timedelta(days=2), T0 - timedelta(days=3)], T0, caps))


def _facts(low_value: bool = False, last: Channel | None = None) -> ChannelFacts:
    return ChannelFacts(
        reachable={Channel.SMS: "+48601234567", Channel.EMAIL: "a@example.com"},
        security={Channel.SMS: SecurityLevel.PUBLIC, Channel.EMAIL: SecurityLevel.PUBLIC,
                  Channel.WEBCHAT: SecurityLevel.SESSION},
        costs={Channel.SMS: 0.08, Channel.EMAIL: 0.05},
        last_active=last,
        low_value=low_value,
    )  # fmt: skip


def test_channel_choice_explains_itself() -> None:
    prefs = (Channel.WEBCHAT, Channel.SMS, Channel.EMAIL)
    first = choose_channel(prefs, _facts(), SecurityLevel.PUBLIC, ())
    assert first.channel is Channel.SMS and "no address" in first.explanation[0]
    assert (
        choose_channel(prefs, _facts(last=Channel.EMAIL), SecurityLevel.PUBLIC, ()).channel
        is Channel.EMAIL
    )
    cheap = choose_channel(prefs, _facts(low_value=True), SecurityLevel.PUBLIC, ())
    assert cheap.channel is Channel.EMAIL and "cheapest" in cheap.explanation[-1]
    secure = choose_channel(prefs, _facts(), SecurityLevel.SESSION, ())
    assert secure.channel is None and "below session" in secure.reason
    refused = choose_channel(
        prefs, _facts(), SecurityLevel.PUBLIC, (lambda ch: "no" if ch is Channel.SMS else None,)
    )
    assert refused.channel is Channel.EMAIL


def test_holdout_is_deterministic_and_near_its_share() -> None:
    hits = sum(in_holdout(f"cus_{i}", "rule", 0.1) for i in range(10_000))
    assert 900 <= hits <= 1100  # about 6 standard deviations of a binomial(10000, 0.1)
    assert in_holdout("cus_1", "rule", 0.1) == in_holdout("cus_1", "rule", 0.1)
    assert not in_holdout("cus_1", "rule", 0.0)


@pytest.mark.parametrize(("text", "out"), [("STOP", True), (" nie. ", True), ("Wypisz mnie", True),
                                           ("stop the order", False), ("nie wiem", False)])  # fmt: skip
def test_opt_out_keywords_are_whole_messages(text: str, out: bool) -> None:
    assert is_opt_out(text) is out


def _situation(**changes: Any) -> Situation:
    rules = parse_rules(RULES)
    base = Situation(
        rule=rules.rules[0], settings=rules.settings, customer_id="cus_1",
        zone=ZoneInfo("Europe/Warsaw"), lang="pl", consents={}, suppressed=False,
        channels=_facts(), sent_at={}, rule_sent_at=(),
        scope={"event": {"order": "10001"}, "values": {"code": "SORRY10"}},
        due_at=T0, expires_at=T0 + timedelta(hours=48),
    )  # fmt: skip
    return replace(base, **changes)


def test_decide_sends_holds_and_skips_with_reasons() -> None:
    sent = decide(_situation(), T0)
    assert sent.outcome is Outcome.SEND and sent.channel is Channel.SMS
    assert sent.body == "Zamowienie 10001 spoznione. Kod SORRY10"
    night = decide(_situation(), datetime(2026, 3, 2, 22, 0, tzinfo=UTC))  # 23:00 Warsaw
    assert night.outcome is Outcome.HOLD and night.release_at == datetime(
        2026, 3, 3, 7, 0, tzinfo=UTC
    )
    capped = decide(_situation(sent_at={Channel.SMS: (T0 - timedelta(hours=1),)}), T0)
    assert capped.channel is Channel.EMAIL  # SMS is at its cap: the next channel
    offer = parse_rules(RULES).rules[1]
    no_opt_in = decide(_situation(rule=offer), T0)
    assert no_opt_in.outcome is Outcome.SKIP and "no marketing opt-in" in no_opt_in.reason
    opted = decide(_situation(rule=offer, consents={("email", "marketing"): True}), T0)
    assert opted.outcome is Outcome.SEND and "STOP" in str(opted.body)  # opt-out line
    late = decide(_situation(), T0 + timedelta(hours=49))
    assert late.outcome is Outcome.SKIP and "expired" in late.reason
    assert decide(_situation(due_at=T0 + timedelta(hours=1)), T0).outcome is Outcome.HOLD
    assert RuleSettings().legal_basis == {Purpose.SERVICE}
