"""Customers, identities, merges and merge suggestions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update

from omnicenter.domain import Customer, Identity
from omnicenter.domain.ids import new_id
from omnicenter.store import tables as t
from omnicenter.store.rows import AnyRow, to_customer

__all__ = [
    "DisplayName",
    "add_identity",
    "create_customer",
    "customer_family",
    "display_names",
    "find_identities",
    "get_customer",
    "identities_of",
    "root_of",
]


def get_customer(conn: Connection, customer_id: str) -> Customer | None:
    row = conn.execute(select(t.customers).where(t.customers.c.id == customer_id)).first()
    return to_customer(row) if row else None


def root_of(conn: Connection, customer_id: str) -> str:
    """Merges point straight at the surviving customer, so one hop finds it."""
    merged = conn.execute(
        select(t.customers.c.merged_into).where(t.customers.c.id == customer_id)
    ).scalar()
    return merged or customer_id


_FAMILY = select(t.customers.c.id).where(
    or_(t.customers.c.id == bindparam("root"), t.customers.c.merged_into == bindparam("root"))
)
_INSERT_CUSTOMER = insert(t.customers)
_INSERT_IDENTITY = insert(t.identities)


def customer_family(conn: Connection, root_id: str) -> list[str]:
    """The customer and every customer merged into it: whose history forms one timeline."""
    return [r.id for r in conn.execute(_FAMILY, {"root": root_id})]


def create_customer(
    conn: Connection, now: datetime, display_name: str | None, name_key: str | None
) -> str:
    cid = new_id("cus")
    conn.execute(
        _INSERT_CUSTOMER,
        {
            "id": cid,
            "display_name": display_name,
            "name_key": name_key,
            "segment": "standard",
            "value": 0.0,
            "created_at": now,
            "updated_at": now,
        },
    )
    return cid


_FIND = select(
    t.identities.c.kind,
    t.identities.c.address,
    t.identities.c.customer_id,
    func.coalesce(t.customers.c.merged_into, t.customers.c.id).label("root"),
    t.customers.c.display_name,
).join(t.customers, t.customers.c.id == t.identities.c.customer_id)
_FIND_ONE = _FIND.where(
    t.identities.c.kind == bindparam("kind"), t.identities.c.address == bindparam("address")
)


def find_identities(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], AnyRow]:
    """Known identities among `keys`, each with the root customer it resolves to (`.root`)."""
    keys = list(keys)
    if not keys:
        return {}
    if len(keys) == 1:  # the hot path: one sender address, one prepared statement
        rows = conn.execute(_FIND_ONE, {"kind": keys[0][0], "address": keys[0][1]})
    else:
        cond = or_(*(and_(t.identities.c.kind == k, t.identities.c.address == a) for k, a in keys))
        rows = conn.execute(_FIND.where(cond))
    return {(r.kind, r.address): r for r in rows}


def add_identity(
    conn: Connection,
    now: datetime,
    customer_id: str,
    kind: str,
    address: str,
    *,
    verified: bool = False,
    match_key: str | None = None,
) -> str:
    iid = new_id("idn")
    conn.execute(
        _INSERT_IDENTITY,
        {
            "id": iid,
            "customer_id": customer_id,
            "kind": kind,
            "address": address,
            "verified": verified,
            "match_key": match_key,
            "created_at": now,
        },
    )
    return iid


def identities_of(conn: Connection, customer_ids: list[str]) -> list[Identity]:
    rows = conn.execute(
        select(t.identities)
        .where(t.identities.c.customer_id.in_(customer_ids))
        .order_by(t.identities.c.created_at)
    )
    return [Identity(r.kind, r.address, r.customer_id, r.verified) for r in rows]


def set_merged_into(conn: Connection, ids: list[str], target: str | None, now: datetime) -> None:
    conn.execute(
        update(t.customers)
        .where(t.customers.c.id.in_(ids))
        .values(merged_into=target, updated_at=now)
    )


class DisplayName(NamedTuple):
    """`name`: the best name in the merge family (None if nobody gave one); `shown`: what
    people see, that name else a phone number else an email address; never an internal id."""

    name: str | None
    shown: str


# Which address stands in for a missing name: a phone number reads best, then an email.
_ADDRESS_ORDER = {"phone": 0, "sms": 0, "whatsapp": 1, "email": 2}


def display_names(conn: Connection, root_ids: Iterable[str]) -> dict[str, DisplayName]:
    """The one rule for a customer's name on screen, for each root customer.

    The root's own name wins, else the earliest name of a customer merged into it (a
    form's name field and a messenger profile name are stored as customers' names); with
    no name, the family's phone number, else its email, else any address of its own."""
    roots = set(root_ids)
    if not roots:
        return {}
    c = t.customers.c
    family = conn.execute(
        select(c.id, c.merged_into, c.display_name, c.created_at)
        .where(or_(c.id.in_(roots), c.merged_into.in_(roots)))
        .order_by(c.created_at, c.id)
    ).all()
    root_of_member = {r.id: r.merged_into or r.id for r in family}
    names: dict[str, str] = {}
    for r in family:
        name = (r.display_name or "").strip()
        root = root_of_member[r.id]
        if name and (root not in names or r.id == root):
            names[root] = name
    addresses: dict[str, tuple[int, str]] = {}
    i = t.identities.c
    for ident in conn.execute(
        select(i.customer_id, i.kind, i.address)
        .where(i.customer_id.in_(list(root_of_member)))
        .order_by(i.created_at, i.id)
    ):
        root = root_of_member[ident.customer_id]
        rank = _ADDRESS_ORDER.get(ident.kind, 3)
        if root not in addresses or rank < addresses[root][0]:
            addresses[root] = (rank, ident.address)
    return {
        root: DisplayName(
            names.get(root),
            names.get(root) or (addresses[root][1] if root in addresses else "unknown customer"),
        )
        for root in roots
    }
