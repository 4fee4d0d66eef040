"""Channels and what each one can do: the manifest every channel adapter declares."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = [
    "Channel",
    "ChannelManifest",
    "OverLength",
    "RichElement",
    "SecurityLevel",
    "TooLong",
    "split_text",
]


class Channel(enum.StrEnum):
    """A way a customer reaches us. The value is also the identity kind prefix."""

    WEBCHAT = "webchat"
    EMAIL = "email"
    SMS = "sms"
    VOICE = "voice"
    MESSENGER = "messenger"
    FORM = "form"
    CALLBACK = "callback"
    WHATSAPP = "whatsapp"
    INSTAGRAM = "instagram"
    TELEGRAM = "telegram"


class SecurityLevel(enum.IntEnum):
    """How much a channel can be trusted with; engagement rules compare against it."""

    PUBLIC = 0  # anyone can spoof the sender (SMS, plain email)
    SESSION = 1  # tied to a browser session or messenger account
    VERIFIED = 2  # the customer proved who they are (login, OTP)


class OverLength(enum.StrEnum):
    """What happens to an outbound text longer than the channel's `max_length`."""

    REFUSE = "refuse"  # the writer is told at once (`TooLong`) and shortens it
    SPLIT = "split"  # sent as several messages, cut at word boundaries


class RichElement(enum.StrEnum):
    """Interactive elements a channel can show besides text."""

    BUTTONS = "buttons"  # quick replies: a tap sends the button's value back
    LISTS = "lists"  # a list picker with sections and rows
    TEMPLATES = "templates"  # provider-approved message templates (cards, carousels)


class TooLong(ValueError):
    """A text over a channel's limit, on a channel that refuses such texts."""

    def __init__(self, channel: Channel, length: int, limit: int) -> None:
        super().__init__(
            f"a {channel.value} message is limited to {limit} characters; this one has {length}"
        )
        self.channel = channel
        self.length = length
        self.limit = limit


_LAST_SPACE = re.compile(r".*\s", re.DOTALL)


def split_text(text: str, limit: int) -> tuple[str, ...]:
    """`text` in parts of at most `limit` characters, cut at the last whitespace that fits
    (a word longer than `limit` is cut where the limit falls). Whitespace at a cut is
    dropped; every other character is kept, in order. A text within the limit is returned
    unchanged as one part."""
    if limit < 1:
        raise ValueError(f"limit must be positive, not {limit}")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        # The last whitespace may sit right after the last character that fits.
        match = _LAST_SPACE.match(rest, 0, limit + 1)
        head = rest[: match.end() - 1].rstrip() if match else ""
        if head:
            parts.append(head)
            rest = rest[len(head) :]
        elif rest[0].isspace():  # leading whitespace is no part of its own
            pass
        else:  # no word boundary within reach: cut the word
            parts.append(rest[:limit])
            rest = rest[limit:]
        rest = rest.lstrip()
    if rest or not parts:
        parts.append(rest)
    return tuple(parts)


@dataclass(frozen=True, slots=True)
class ChannelManifest:
    """What a channel adapter declares about itself (Home Assistant's manifest, for channels).

    `realtime`: the customer waits on the line (a call, a chat) rather than in a queue.
    `max_length`: the longest text one outbound message carries (None: no limit);
    `over_length` says what `fit` does with a longer one. Each adapter bounds what it
    receives itself (docs/channels/<name>.md gives the figures).
    `text_replies`: whether an agent or a bot can write to the customer on this channel;
    `answered_on`: the channels that answer it instead, in order of preference.
    `reply_window`: how long after the customer's last message a free-form reply may be
    sent (Meta's 24-hour customer-service window; None: any time). Outside it only what
    the provider allows goes (an approved template, a tagged message).
    """

    channel: Channel
    realtime: bool
    media_types: tuple[str, ...]
    max_length: int | None
    security: SecurityLevel
    over_length: OverLength = OverLength.REFUSE
    rich: frozenset[RichElement] = field(default_factory=frozenset)
    text_replies: bool = True
    answered_on: tuple[Channel, ...] = ()
    supports_html: bool = False
    supports_attachments: bool = False
    reply_window: timedelta | None = None
    # a person may answer longer than the window allows a bot (Meta's HUMAN_AGENT tag)
    agent_reply_window: timedelta | None = None

    def __post_init__(self) -> None:
        if self.max_length is not None and self.max_length < 1:
            raise ValueError(f"{self.channel.value}: max_length must be positive")
        if self.text_replies and self.answered_on:
            raise ValueError(f"{self.channel.value}: a channel with replies is answered on itself")
        if not self.text_replies and self.rich:
            raise ValueError(f"{self.channel.value}: rich elements need text replies")

    def fit(self, body: str) -> tuple[str, ...]:
        """The messages to send for `body`: itself when it fits, else the parts the
        policy makes. Raises `TooLong` (with the limit) when the policy is REFUSE."""
        limit = self.max_length
        if limit is None or len(body) <= limit:
            return (body,)
        if self.over_length is OverLength.REFUSE:
            raise TooLong(self.channel, len(body), limit)
        return split_text(body, limit)

    def window_closes_at(self, last_inbound: datetime) -> datetime | None:
        """When a free-form reply stops being allowed, given the time of the customer's
        last message; None when the channel has no window."""
        if self.reply_window is None:
            return None
        return last_inbound + self.reply_window

    def window_open(
        self, last_inbound: datetime | None, now: datetime, *, by_agent: bool = False
    ) -> bool:
        """Whether a free-form reply may be sent at `now`: always on a channel without a
        window; never before the customer has written on one with a window."""
        window = self.window_for(by_agent=by_agent)
        if window is None:
            return True
        if last_inbound is None:
            return False
        return now < last_inbound + window

    def window_for(self, *, by_agent: bool = False) -> timedelta | None:
        """The reply window for a bot (or the business), or for a person."""
        if by_agent and self.agent_reply_window is not None:
            return self.agent_reply_window
        return self.reply_window
