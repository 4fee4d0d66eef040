"""Opt-out by keyword: a customer who answers STOP (NIE, WYPISZ, UNSUBSCRIBE, ...) on a
channel gets no more proactive messages on it.

Called by the ingest for each customer message, in the same unit of work: the consents
for every purpose on that channel are withdrawn (so service messages stop too: STOP means
stop), the opt-out is counted against the last proactive rule sent there, and a note
says so on the customer's timeline.
"""

from __future__ import annotations

from sqlalchemy import desc, insert, select, update

from omnicenter.domain import Channel, EventKind
from omnicenter.domain.ids import new_id
from omnicenter.domain.model import AuthorType
from omnicenter.engagement import Purpose, is_opt_out
from omnicenter.services.timeline import add_timeline_event
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t

__all__ = ["opt_out_on_keyword"]

_PROACTIVE = (Channel.SMS, Channel.EMAIL, Channel.MESSENGER, Channel.WEBCHAT)


def opt_out_on_keyword(uow: UnitOfWork, customer_id: str, channel: Channel, body: str) -> bool:
    """True when `body` is an opt-out and it was recorded."""
    if channel not in _PROACTIVE or not is_opt_out(body):
        return False
    conn = uow.conn
    root = customers_repo.root_of(conn, customer_id)
    c = t.customer_consents.c
    for purpose in Purpose:
        key = (c.customer_id == root, c.channel == channel.value, c.purpose == purpose.value)
        values = {"granted": False, "source": "keyword", "updated_at": uow.now}
        if conn.execute(select(c.granted).where(*key)).first() is None:
            conn.execute(
                insert(t.customer_consents).values(
                    customer_id=root, channel=channel.value, purpose=purpose.value, **values
                )
            )
        else:
            conn.execute(update(t.customer_consents).where(*key).values(**values))
    d = t.engagement_decisions.c
    last = conn.execute(
        select(d.rule_id)
        .where(d.customer_id == root, d.channel == channel.value, d.status == "sent")
        .order_by(desc(d.sent_at))
        .limit(1)
    ).first()
    rule_id = last.rule_id if last else None
    conn.execute(
        insert(t.engagement_optouts).values(
            id=new_id("opt"), customer_id=root, channel=channel.value,
            keyword=body.strip()[:80], rule_id=rule_id, created_at=uow.now,
        )
    )  # fmt: skip
    uow.audit("system", "customer.opt_out", "customer", root, channel=channel.value, rule=rule_id)
    add_timeline_event(
        uow, customer_id=root, case_id=None, interaction_id=None, kind=EventKind.NOTE,
        channel=None, author_type=AuthorType.SYSTEM, author_id=None,
        body=f"Consent: opted out of every message by {channel.value} (keyword)",
        meta={"consent": [{"channel": channel.value, "purpose": p.value, "granted": False,
                           "source": "keyword"} for p in Purpose], "opt_out_rule": rule_id},
    )  # fmt: skip
    return True
