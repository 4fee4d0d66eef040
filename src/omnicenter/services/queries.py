"""Read models for the API and the desktop: lists, a customer's 360 view, the timeline.

Pure reads on a connection; partners (outsourced teams) get masked contact details.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, asc, desc, func, or_, select

from omnicenter.domain import Agent, AgentRole
from omnicenter.store import cases as cases_repo
from omnicenter.store import customers as customers_repo
from omnicenter.store import tables as t
from omnicenter.store.rows import AnyRow

__all__ = [
    "case_detail",
    "customer_detail",
    "interaction_detail",
    "list_agents",
    "list_cases",
    "list_customers",
    "list_merge_suggestions",
    "list_outbox",
    "mask",
    "timeline",
]


def mask(kind: str, address: str) -> str:
    """What a partner agent sees of an address: enough to talk, not enough to harvest."""
    if kind == "email" and "@" in address:
        local, domain = address.split("@", 1)
        return f"{local[:1]}***@{domain}"
    if kind == "phone":
        return address[:3] + "*" * max(len(address) - 6, 0) + address[-3:]
    return address[:4] + "***"


def _row(r: AnyRow) -> dict[str, Any]:
    return dict(r._mapping)


def list_cases(
    conn: Connection,
    *,
    status: str | None = "open",
    customer_id: str | None = None,
    owner: str | None = None,
    limit: int = 100,
    before: str | None = None,
) -> list[dict[str, Any]]:
    q = select(t.cases, t.customers.c.display_name.label("customer_name")).join(
        t.customers, t.customers.c.id == t.cases.c.customer_id
    )
    if status == "open":  # every status `CaseStatus.is_open` accepts
        q = q.where(cases_repo.CASE_IS_OPEN)
    elif status and status != "all":
        q = q.where(t.cases.c.status == status)
    if customer_id:
        family = customers_repo.customer_family(conn, customers_repo.root_of(conn, customer_id))
        q = q.where(t.cases.c.customer_id.in_(family))
    if owner:
        q = q.where(t.cases.c.owner_agent_id == owner)
    if before:
        q = q.where(t.cases.c.id < before)
    q = q.order_by(desc(t.cases.c.updated_at), desc(t.cases.c.id)).limit(limit)
    out = []
    for r in conn.execute(q):
        d = _row(r)
        d["customer_id"] = customers_repo.root_of(conn, d["customer_id"])
        out.append(d)
    names = customers_repo.display_names(conn, {d["customer_id"] for d in out})
    for d in out:  # the family's best name, else its phone or email: never an internal id
        d["customer_name"] = names[d["customer_id"]].shown
    return out


def case_detail(conn: Connection, case_id: str) -> dict[str, Any] | None:
    r = conn.execute(select(t.cases).where(t.cases.c.id == case_id)).first()
    if r is None:
        return None
    d = _row(r)
    d["customer_id"] = customers_repo.root_of(conn, d["customer_id"])
    d["interactions"] = [
        _row(i)
        for i in conn.execute(
            select(t.interactions)
            .where(t.interactions.c.case_id == case_id)
            .order_by(asc(t.interactions.c.created_at))
        )
    ]
    return d


def interaction_detail(
    conn: Connection, interaction_id: str, viewer: Agent
) -> dict[str, Any] | None:
    r = conn.execute(select(t.interactions).where(t.interactions.c.id == interaction_id)).first()
    if r is None:
        return None
    d = _row(r)
    if viewer.role is AgentRole.PARTNER:
        d["address"] = mask("email" if "@" in d["address"] else "phone", d["address"])
    events = timeline(conn, case_id=d["case_id"], viewer=viewer, limit=5000)
    d["events"] = [e for e in events if e["interaction_id"] == interaction_id]
    return d


def list_customers(conn: Connection, q: str | None, limit: int = 50) -> list[dict[str, Any]]:
    query = select(t.customers).where(t.customers.c.merged_into.is_(None))
    if q:
        like = f"%{q.lower()}%"
        sub = select(t.identities.c.customer_id).where(
            func.lower(t.identities.c.address).like(like)
        )
        query = query.where(
            or_(func.lower(t.customers.c.display_name).like(like), t.customers.c.id.in_(sub))
        )
    query = query.order_by(desc(t.customers.c.updated_at)).limit(limit)
    rows = [_row(r) for r in conn.execute(query)]
    names = customers_repo.display_names(conn, [d["id"] for d in rows])
    for d in rows:
        d["display_name"], d["shown_name"] = names[d["id"]]
    return rows


def customer_detail(conn: Connection, customer_id: str, viewer: Agent) -> dict[str, Any] | None:
    root = customers_repo.root_of(conn, customer_id)
    r = conn.execute(select(t.customers).where(t.customers.c.id == root)).first()
    if r is None:
        return None
    family = customers_repo.customer_family(conn, root)
    partner = viewer.role is AgentRole.PARTNER
    d = _row(r)
    if partner:
        d.pop("value", None)
    name = customers_repo.display_names(conn, [root])[root]
    d["display_name"] = name.name
    # A partner reads a stand-in address masked, as every address.
    d["shown_name"] = (
        name.shown
        if name.name or not partner
        else mask("email" if "@" in name.shown else "phone", name.shown)
    )
    d["merged_from"] = [c for c in family if c != root]
    d["identities"] = [
        {
            "kind": i.kind,
            "address": mask(i.kind, i.address) if partner else i.address,
            "verified": i.verified,
            "customer_id": i.customer_id,
        }
        for i in customers_repo.identities_of(conn, family)
    ]
    d["open_cases"] = list_cases(conn, status="open", customer_id=root, limit=50)
    d["merge_suggestions"] = list_merge_suggestions(conn, customer_id=root)
    d["merges"] = [
        _row(m)
        for m in conn.execute(
            select(t.merge_records)
            .where(t.merge_records.c.target_id == root)
            .order_by(asc(t.merge_records.c.created_at))
        )
    ]
    return d


def timeline(
    conn: Connection,
    *,
    customer_id: str | None = None,
    case_id: str | None = None,
    after: str | None = None,
    limit: int = 500,
    viewer: Agent | None = None,
) -> list[dict[str, Any]]:
    """Every event, every channel, oldest first (newest last, as a conversation reads)."""
    q = select(t.events)
    if customer_id is not None:
        family = customers_repo.customer_family(conn, customers_repo.root_of(conn, customer_id))
        q = q.where(t.events.c.customer_id.in_(family))
    if case_id is not None:
        q = q.where(t.events.c.case_id == case_id)
    if after:
        q = q.where(t.events.c.id > after)
    q = q.order_by(asc(t.events.c.created_at), asc(t.events.c.id)).limit(limit)
    rows = [_row(r) for r in conn.execute(q)]
    ids = [r["id"] for r in rows]
    atts: dict[str, list[dict[str, Any]]] = {}
    if ids:
        for a in conn.execute(
            select(
                t.attachments.c.id,
                t.attachments.c.event_id,
                t.attachments.c.filename,
                t.attachments.c.content_type,
                t.attachments.c.size,
            ).where(t.attachments.c.event_id.in_(ids))
        ):
            atts.setdefault(a.event_id, []).append(_row(a))
    partner = viewer is not None and viewer.role is AgentRole.PARTNER
    for r in rows:
        r["attachments"] = atts.get(r["id"], [])
        if partner:
            for key in ("from", "to"):
                if key in r["meta"]:
                    r["meta"][key] = "***"
    return rows


def list_merge_suggestions(
    conn: Connection, *, customer_id: str | None = None, status: str = "open"
) -> list[dict[str, Any]]:
    q = select(t.merge_suggestions).where(t.merge_suggestions.c.status == status)
    if customer_id:
        family = customers_repo.customer_family(conn, customer_id)
        q = q.where(
            or_(
                t.merge_suggestions.c.customer_a.in_(family),
                t.merge_suggestions.c.customer_b.in_(family),
            )
        )
    rows = [_row(r) for r in conn.execute(q.order_by(desc(t.merge_suggestions.c.score)))]
    # A suggestion between customers that were merged meanwhile is moot.
    return [
        r
        for r in rows
        if customers_repo.root_of(conn, r["customer_a"])
        != customers_repo.root_of(conn, r["customer_b"])
    ]


def list_outbox(
    conn: Connection, *, channel: str | None = None, status: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    q = select(t.outbox)
    conds = []
    if channel:
        conds.append(t.outbox.c.channel == channel)
    if status:
        conds.append(t.outbox.c.status == status)
    if conds:
        q = q.where(and_(*conds))
    return [_row(r) for r in conn.execute(q.order_by(desc(t.outbox.c.created_at)).limit(limit))]


def list_agents(conn: Connection) -> list[dict[str, Any]]:
    cols = [c for c in t.agents.c if c.name != "password_hash"]
    return [_row(r) for r in conn.execute(select(*cols).order_by(asc(t.agents.c.username)))]
