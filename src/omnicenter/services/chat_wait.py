"""What the chat widget tells a visitor about the wait, and when it offers a callback or an
email instead of waiting."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from omnicenter.domain import Presence
from omnicenter.services.wallboard import database_figures

__all__ = ["WIDGET_LONG_WAIT_S", "ChatWait", "chat_wait", "estimate_from_database"]

WIDGET_LONG_WAIT_S = 180  # beyond this the widget offers a callback or an email instead


@dataclass(frozen=True, slots=True)
class ChatWait:
    estimated_wait_s: int | None  # None: nobody can answer now
    agents_available: int
    long_wait: bool


def chat_wait(seconds: int | None, agents_available: int) -> ChatWait:
    """An estimate (from routing, or `estimate_from_database`) as the widget gets it."""
    return ChatWait(
        estimated_wait_s=seconds,
        agents_available=agents_available,
        long_wait=seconds is None or seconds > WIDGET_LONG_WAIT_S,
    )


def estimate_from_database(conn: Connection, now: datetime) -> ChatWait:
    """Without live routing: one minute per chat ahead of you, shared among the agents
    who are available."""
    board = database_figures(conn, now)
    waiting = int(board["channels"].get("webchat", {}).get("waiting", 0))
    available = int(board["agents_by_state"].get(Presence.AVAILABLE.value, 0))
    seconds = None if available == 0 else int(math.ceil((waiting + 1) / available) * 60)
    return chat_wait(seconds, available)
