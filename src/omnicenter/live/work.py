"""The one way into routing: a `RouteRequest` says what work waits and why it is routed now.

Every piece of work reaches the live router through `LiveRouter.route(request)`: a new
contact, a bot's handover, a call, a callback promised, a task restored after a restart, a
case transferred to a queue. Contacts and handovers arrive by interaction id through
`LiveRouter.admit`, which reads the work from the store in order with the other bus
events and then routes it the same way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from omnicenter.domain import Channel
from omnicenter.routing.skills import SkillReq
from omnicenter.services.assignments import WaitingWork

__all__ = ["OfferError", "RouteRequest", "Why"]


class OfferError(ValueError):
    """An answer routing cannot take: the offer is gone, the task or queue unknown."""


class Why(enum.StrEnum):
    """Why work is routed now; the timeline's `task_queued` fact keeps it."""

    CONTACT = "contact"  # a customer wrote (chat, email, SMS, form) and no bot holds them
    HANDOVER = "handover"  # the bot handed the conversation to people
    CALL = "call"  # a caller chose a queue in the IVR
    CALLBACK = "callback"  # a callback promised (flow, widget, phone menu) or retried
    RESTORED = "restored"  # open work or an owed promise found at start
    TRANSFER = "transfer"  # a case routing did not hold was transferred to a queue


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """Work to route. `queue` None: the work's hint or the default queue; `channel` None:
    the work's own; `callback_at`: a callback due then (epoch seconds), keeping
    `promise_id` (default: the task's id); `task_id` names the task (a restored task keeps
    its id); `recorded`: its `task_queued` fact is on the timeline already (not counted
    twice after a restart)."""

    why: Why
    work: WaitingWork
    queue: str | None = None
    channel: Channel | None = None
    skills: tuple[SkillReq, ...] = ()
    priority: int = 2
    callback_at: float | None = None
    task_id: str | None = None
    promise_id: str | None = None
    recorded: bool = False
