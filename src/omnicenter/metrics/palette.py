"""One colour per channel, the same in every chart and every run (report and wallboard)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping

__all__ = ["CHANNEL_COLOURS", "TARGET_COLOUR", "channel_colour"]

# Colour-blind-safe (Okabe–Ito) hues, fixed per channel.
CHANNEL_COLOURS: Mapping[str, str] = {
    "voice": "#0072B2",
    "webchat": "#E69F00",
    "email": "#009E73",
    "sms": "#CC79A7",
    "form": "#56B4E9",
    "whatsapp": "#117733",
    "messenger": "#D55E00",
    "instagram": "#882255",
    "telegram": "#332288",
}
_SPARE = ("#999933", "#44AA99", "#AA4499", "#661100", "#6699CC", "#888888")
TARGET_COLOUR = "#111827"


def channel_colour(channel: str) -> str:
    """A channel's colour; a channel not in the table gets one from its name (stable)."""
    return CHANNEL_COLOURS.get(channel) or _SPARE[zlib.crc32(channel.encode()) % len(_SPARE)]
