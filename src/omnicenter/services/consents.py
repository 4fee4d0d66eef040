"""What a customer agreed to be contacted for, per channel and purpose.

Consent belongs to the person, so it is kept on the merged (root) customer; every change is a
note on the customer's timeline and a line in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from omnicenter.domain import Agent
from omnicenter.domain.model import AuthorType, EventKind
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = [
    "CONSENT_CHANNELS",
    "CONSENT_PURPOSES",
    "ConsentChange",
    "ConsentError",
    "list_consents",
    "set_consents",
]

CONSENT_CHANNELS = (
    "email",
    "sms",
    "voice",
    "webchat",
    "messenger",
    "whatsapp",
    "instagram",
    "telegram",
)
CONSENT_PURPOSES = ("marketing", "service", "surveys")


class ConsentError(ValueError):
    """Unknown customer, channel or purpose."""


@dataclass(frozen=True, slots=True)
class ConsentChange:
    channel: str
    purpose: str
    granted: bool
    source: str


def _root(conn: Connection, customer_id: str) -> str:
    if customers_repo.get_customer(conn, customer_id) is None:
        raise ConsentError(f"unknown customer {customer_id}")
    return customers_repo.root_of(conn, customer_id)


def list_consents(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    c = t.customer_consents.c
    rows = conn.execute(
        select(c.channel, c.purpose, c.granted, c.source, c.updated_at)
        .where(c.customer_id == _root(conn, customer_id))
        .order_by(c.channel, c.purpose)
    )
    return [dict(r._mapping) for r in rows]


def set_consents(
    uow: UnitOfWork, agent: Agent, customer_id: str, changes: list[ConsentChange]
) -> list[dict[str, Any]]:
    """Record the answers (the newest wins); returns the customer's consents after it."""
    root = _root(uow.conn, customer_id)
    c = t.customer_consents.c
    lines = []
    for ch in changes:
        if ch.channel not in CONSENT_CHANNELS:
            raise ConsentError(f"unknown channel {ch.channel!r}; use one of {CONSENT_CHANNELS}")
        if ch.purpose not in CONSENT_PURPOSES:
            raise ConsentError(f"unknown purpose {ch.purpose!r}; use one of {CONSENT_PURPOSES}")
        key = (c.customer_id == root, c.channel == ch.channel, c.purpose == ch.purpose)
        before = uow.conn.execute(select(c.granted).where(*key)).first()
        if before is not None and before.granted == ch.granted:
            continue  # no change: nothing to audit
        values = {"granted": ch.granted, "source": ch.source, "updated_at": uow.now}
        if before is None:
            uow.conn.execute(
                t.customer_consents.insert().values(
                    customer_id=root, channel=ch.channel, purpose=ch.purpose, **values
                )
            )
        else:
            uow.conn.execute(t.customer_consents.update().where(*key).values(**values))
        lines.append(f"{ch.purpose} by {ch.channel} {'granted' if ch.granted else 'withdrawn'}")
        uow.audit(agent.username, "customer.consent", "customer", root, channel=ch.channel,
                  purpose=ch.purpose, granted=ch.granted, source=ch.source)  # fmt: skip
    if lines:
        body = "Consent: " + "; ".join(lines)
        meta: dict[str, Any] = {
            "consent": [
                {"channel": x.channel, "purpose": x.purpose, "granted": x.granted,
                 "source": x.source}
                for x in changes
            ]
        }  # fmt: skip
        add_timeline_event(
            uow, customer_id=root, case_id=None, interaction_id=None,
            kind=EventKind.NOTE, channel=None, author_type=AuthorType.AGENT, author_id=agent.id,
            body=body, meta=meta,
        )  # fmt: skip
    return list_consents(uow.conn, root)
