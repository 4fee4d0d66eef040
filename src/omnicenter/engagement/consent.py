"""May this purpose go to this customer on this channel? One answer, with its reason."""

from __future__ import annotations

from collections.abc import Mapping

from omnicenter.domain import Channel
from omnicenter.engagement.model import Purpose

__all__ = ["ConsentMap", "consent_refusal"]

ConsentMap = Mapping[tuple[str, str], bool]  # (channel, purpose) -> granted


def consent_refusal(
    purpose: Purpose,
    channel: Channel,
    consents: ConsentMap,
    *,
    legal_basis: frozenset[Purpose],
    suppressed: bool,
) -> str | None:
    """None when the message may go; else why not.

    An explicit answer wins; without one, a purpose on a legal basis may go. Marketing
    needs an explicit opt-in whatever the settings say, and nothing but service messages
    goes to a customer on the suppression list."""
    if suppressed and purpose is not Purpose.SERVICE:
        return "the customer is on the suppression list"
    granted = consents.get((channel.value, purpose.value))
    if granted is True:
        return None
    if granted is False:
        return f"the customer withdrew {purpose.value} consent on {channel.value}"
    if purpose is not Purpose.MARKETING and purpose in legal_basis:
        return None
    return f"no {purpose.value} opt-in on {channel.value}"
