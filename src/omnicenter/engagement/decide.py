"""One decision for one rule, one event and one customer: send now, hold (until a delay
ends or quiet hours are over), or skip, always with the reason. Pure: everything it needs
is in the `Situation`, the time included."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from omnicenter.domain import Channel
from omnicenter.engagement.caps import cap_refusal
from omnicenter.engagement.choice import ChannelChoice, ChannelFacts, choose_channel
from omnicenter.engagement.consent import ConsentMap, consent_refusal
from omnicenter.engagement.holdout import in_holdout
from omnicenter.engagement.model import Purpose, Rule, RuleSettings
from omnicenter.engagement.quiet import quiet_until
from omnicenter.engagement.templates import OPT_OUT_LINE, MissingValue, render

__all__ = ["Decision", "Outcome", "Situation", "condition_scope", "decide"]


class Outcome(enum.StrEnum):
    SEND = "sent"
    HOLD = "held"
    SKIP = "skipped"


@dataclass(frozen=True, slots=True)
class Situation:
    """What is known when a rule's message is decided."""

    rule: Rule
    settings: RuleSettings
    customer_id: str
    zone: ZoneInfo
    lang: str
    consents: ConsentMap
    suppressed: bool
    channels: ChannelFacts
    sent_at: Mapping[Channel, tuple[datetime, ...]]  # proactive sends, for the caps
    rule_sent_at: tuple[datetime, ...]  # this rule to this customer, for `once_within`
    scope: Mapping[str, object]  # event, customer, values, facts: what templates read
    due_at: datetime  # the event's time plus the rule's delay
    expires_at: datetime
    missing: str | None = None  # a fact the templates need that knowledge lacks


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: str
    channel: Channel | None = None
    address: str | None = None
    explanation: tuple[str, ...] = ()
    body: str | None = None
    subject: str | None = None
    release_at: datetime | None = None
    holdout: bool = False
    details: Mapping[str, object] = field(default_factory=dict)


def condition_scope(
    event: Mapping[str, object], customer: Mapping[str, object], history: Mapping[str, object]
) -> dict[str, object]:
    """The names a condition may read."""
    return {"event": event, "customer": customer, "history": history}


def decide(s: Situation, now: datetime) -> Decision:
    rule = s.rule
    if now >= s.expires_at:
        return Decision(Outcome.SKIP, "expired before it could be sent")
    if rule.once_within is not None and any(now - at < rule.once_within for at in s.rule_sent_at):
        return Decision(Outcome.SKIP, "already sent to this customer within the rule's limit")

    def consent(channel: Channel) -> str | None:
        return consent_refusal(
            rule.purpose, channel, s.consents,
            legal_basis=s.settings.legal_basis, suppressed=s.suppressed,
        )  # fmt: skip

    def caps(channel: Channel) -> str | None:
        if rule.caps_exempt and rule.purpose is Purpose.SERVICE:
            return None
        return cap_refusal(s.sent_at.get(channel, ()), now, s.settings.caps)

    choice: ChannelChoice = choose_channel(
        rule.channels, s.channels, rule.min_security, (consent, caps)
    )
    if choice.channel is None:
        return Decision(Outcome.SKIP, choice.reason, explanation=choice.explanation)
    picked = Decision(
        Outcome.SKIP, "", channel=choice.channel, address=choice.address,
        explanation=choice.explanation,
    )  # fmt: skip
    if in_holdout(s.customer_id, rule.id, rule.holdout):
        return replace(picked, reason="holdout group", holdout=True)
    if now < s.due_at:
        return replace(picked, outcome=Outcome.HOLD, reason="scheduled", release_at=s.due_at)
    opens = quiet_until(now, s.zone, s.settings.quiet_hours)
    if opens is not None:
        if opens >= s.expires_at:
            return replace(picked, reason="quiet hours last past the message's expiry")
        return replace(
            picked, outcome=Outcome.HOLD, reason=f"quiet hours in {s.zone.key}", release_at=opens
        )
    if s.missing is not None:
        return replace(picked, reason=f"the message needs {s.missing}")
    template = rule.template_for(choice.channel, s.lang, s.settings.default_lang)
    if template is None:
        return replace(picked, reason=f"no {s.lang} template for {choice.channel.value}")
    try:
        body = render(template.body, s.scope).strip()
        subject = render(template.subject, s.scope) if template.subject else None
    except MissingValue as exc:
        return replace(picked, reason=f"the message needs {exc.args[0]}")
    if rule.purpose is not Purpose.SERVICE:
        footer = OPT_OUT_LINE.get(s.lang, OPT_OUT_LINE["en"])
        body = f"{body}\n{footer}" if choice.channel is Channel.EMAIL else f"{body} {footer}"
    return replace(
        picked, outcome=Outcome.SEND, reason=choice.explanation[-1], body=body, subject=subject
    )
