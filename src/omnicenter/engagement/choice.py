"""The right channel for one send, and why.

Candidates are the rule's channels in its order of preference; each is dropped, with the
reason, when the customer has no address on it, the channel's security level is below
what the message needs, consent does not cover it, or its cap is reached. Among the rest:
low-value customers get the cheapest (cost per contact from the cost model), everyone
else the channel they were last active on, then the rule's order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from omnicenter.domain import Channel, SecurityLevel

__all__ = ["ChannelChoice", "ChannelFacts", "choose_channel"]

Refusal = Callable[[Channel], str | None]


@dataclass(frozen=True, slots=True)
class ChannelFacts:
    """What the choice knows about the channels and the customer."""

    reachable: Mapping[Channel, str]  # channel -> the customer's address on it
    security: Mapping[Channel, SecurityLevel]  # channels that carry text, by manifest
    costs: Mapping[Channel, float]  # cost per contact
    last_active: Channel | None
    low_value: bool


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    channel: Channel | None
    address: str | None
    explanation: tuple[str, ...]
    refusals: tuple[str, ...]  # why each dropped channel was dropped

    @property
    def reason(self) -> str:
        """One line for a skip: the refusals, or the choice."""
        return "; ".join(self.refusals) if self.channel is None else self.explanation[-1]


def choose_channel(
    preferences: tuple[Channel, ...],
    facts: ChannelFacts,
    min_security: SecurityLevel,
    refusals: tuple[Refusal, ...],
) -> ChannelChoice:
    """`refusals` are checks in order (consent, caps): each says why not, or None."""
    dropped: list[str] = []
    eligible: list[Channel] = []
    for channel in preferences:
        reason: str | None = None
        level = facts.security.get(channel)
        if level is None:
            reason = f"{channel.value}: no adapter sends text on it"
        elif channel not in facts.reachable:
            reason = f"{channel.value}: no address for the customer"
        elif level < min_security:
            reason = (
                f"{channel.value}: security {level.name.lower()} is below "
                f"{min_security.name.lower()}"
            )
        else:
            for check in refusals:
                why = check(channel)
                if why is not None:
                    reason = f"{channel.value}: {why}"
                    break
        if reason is None:
            eligible.append(channel)
        else:
            dropped.append(reason)
    if not eligible:
        return ChannelChoice(None, None, tuple(dropped), tuple(dropped or ["no channel"]))
    order = {ch: i for i, ch in enumerate(preferences)}
    if facts.low_value:
        best = min(eligible, key=lambda ch: (facts.costs.get(ch, 0.0), order[ch]))
        why = f"{best.value}: cheapest eligible channel for a low-value customer"
    elif facts.last_active in eligible:
        best = facts.last_active
        why = f"{best.value}: the channel the customer was last active on"
    else:
        best = eligible[0]
        why = f"{best.value}: first eligible channel in the rule's preference"
    return ChannelChoice(best, facts.reachable[best], (*dropped, why), tuple(dropped))
