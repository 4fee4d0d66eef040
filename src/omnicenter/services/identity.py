"""Identity resolution: which customer is writing, automatic merges, suggestions, un-merge.

An exact match on a normalised address is the same person: the customers are merged at once
(audited, reversible). A fuzzy match (same name, same phone digits with another country code)
only becomes a suggestion for an agent to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, or_, select, update

from omnicenter.bus.events import CustomersMerged, CustomersUnmerged
from omnicenter.domain.ids import new_id
from omnicenter.identity import (
    InvalidAddress,
    name_key,
    normalize_address,
    phone_match_key,
    suggest_matches,
)
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import customers as repo
from omnicenter.store import tables as t

__all__ = ["Claim", "MergeError", "decide_suggestion", "merge", "resolve_customer", "unmerge"]


class MergeError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Claim:
    """An address the contact came from (primary) or told us (e.g. an email in a chat form)."""

    kind: str
    address: str
    verified: bool = False


def normalize_claims(claims: list[Claim], region: str) -> list[Claim]:
    out: list[Claim] = []
    seen: set[tuple[str, str]] = set()
    for claim in claims:
        try:
            address = normalize_address(claim.kind, claim.address, region)
        except InvalidAddress:
            if claim is claims[0]:
                raise
            continue  # a bad extra claim (typo in a form) must not lose the message
        if (claim.kind, address) not in seen:
            seen.add((claim.kind, address))
            out.append(Claim(claim.kind, address, claim.verified))
    return out


def resolve_customer(
    uow: UnitOfWork, claims: list[Claim], display_name: str | None, region: str = "PL"
) -> str:
    """Return the (root) customer for these addresses, creating or merging as needed."""
    claims = normalize_claims(claims, region)
    conn = uow.conn
    found = repo.find_identities(conn, [(c.kind, c.address) for c in claims])
    roots: list[str] = []
    for claim in claims:
        row = found.get((claim.kind, claim.address))
        if row is not None and row.root not in roots:
            roots.append(row.root)
    created = changed = False
    if not roots:
        customer_id = repo.create_customer(conn, uow.now, display_name, name_key(display_name))
        created = changed = True
    else:
        # The oldest customer survives; ids sort by creation time.
        roots.sort()
        customer_id = roots[0]
        for other in roots[1:]:
            keys = ", ".join(f"{c.kind}:{c.address}" for c in claims)
            merge(uow, other, customer_id, actor="system", reason=f"exact match on {keys}")
    for claim in claims:
        if (claim.kind, claim.address) not in found:
            match_key = phone_match_key(claim.address) if claim.kind == "phone" else None
            repo.add_identity(
                conn,
                uow.now,
                customer_id,
                claim.kind,
                claim.address,
                verified=claim.verified,
                match_key=match_key,
            )
            changed = True
    named = any(row.display_name for row in found.values())
    if display_name and not created and not named and _fill_name(uow, customer_id, display_name):
        changed = True
    if changed:
        record_suggestions(uow, customer_id, created=created)
    return customer_id


def _fill_name(uow: UnitOfWork, customer_id: str, display_name: str) -> bool:
    result = uow.conn.execute(
        update(t.customers)
        .where(t.customers.c.id == customer_id, t.customers.c.display_name.is_(None))
        .values(display_name=display_name, name_key=name_key(display_name), updated_at=uow.now)
    )
    return bool(result.rowcount)


def record_suggestions(uow: UnitOfWork, customer_id: str, *, created: bool = False) -> None:
    """Store suggestions for customers who look like this one (see `suggest_matches`)."""
    conn = uow.conn
    family = [customer_id] if created else repo.customer_family(conn, customer_id)
    root = func.coalesce(t.customers.c.merged_into, t.customers.c.id)
    mine = select(t.customers.c.name_key).where(
        t.customers.c.id.in_(family), t.customers.c.name_key.is_not(None)
    )
    same_name = [
        r.root
        for r in conn.execute(
            select(root.label("root")).where(
                t.customers.c.name_key.in_(mine), t.customers.c.id.not_in(family)
            )
        )
    ]
    tails = select(t.identities.c.match_key).where(
        t.identities.c.customer_id.in_(family), t.identities.c.match_key.is_not(None)
    )
    same_tail = [
        r.root
        for r in conn.execute(
            select(root.label("root"))
            .join(t.identities, t.identities.c.customer_id == t.customers.c.id)
            .where(t.identities.c.match_key.in_(tails), t.customers.c.id.not_in(family))
        )
    ]
    for hint in suggest_matches(customer_id, same_name, same_tail):
        a, b = sorted((customer_id, hint.other_customer_id))
        exists = conn.execute(
            select(t.merge_suggestions.c.id).where(
                t.merge_suggestions.c.customer_a == a, t.merge_suggestions.c.customer_b == b
            )
        ).first()
        if exists is None:
            conn.execute(
                insert(t.merge_suggestions).values(
                    id=new_id("sug"),
                    customer_a=a,
                    customer_b=b,
                    reason=hint.reason,
                    score=hint.score,
                    status="open",
                    created_at=uow.now,
                )
            )


def merge(uow: UnitOfWork, source_id: str, target_id: str, *, actor: str, reason: str) -> str:
    """Fold `source` (and whatever was merged into it) into `target`. Nothing is copied or lost."""
    conn = uow.conn
    source_root = repo.root_of(conn, source_id)
    target_root = repo.root_of(conn, target_id)
    if repo.get_customer(conn, source_id) is None or repo.get_customer(conn, target_id) is None:
        raise MergeError("unknown customer")
    if source_root == target_root:
        raise MergeError("these customers are already one")
    moved = repo.customer_family(conn, source_root)
    repo.set_merged_into(conn, moved, target_root, uow.now)
    merge_id = new_id("mrg")
    conn.execute(
        insert(t.merge_records).values(
            id=merge_id,
            source_id=source_root,
            target_id=target_root,
            moved_ids=moved,
            reason=reason,
            actor=actor,
            created_at=uow.now,
        )
    )
    conn.execute(
        update(t.merge_suggestions)
        .where(
            or_(
                (t.merge_suggestions.c.customer_a.in_(moved))
                & (t.merge_suggestions.c.customer_b == target_root),
                (t.merge_suggestions.c.customer_b.in_(moved))
                & (t.merge_suggestions.c.customer_a == target_root),
            ),
            t.merge_suggestions.c.status == "open",
        )
        .values(status="accepted", decided_at=uow.now, decided_by=actor)
    )
    uow.audit(actor, "customer.merge", "customer", target_root, source=source_root, reason=reason)
    uow.emit(
        CustomersMerged(
            merge_id=merge_id, source_id=source_root, target_id=target_root, reason=reason
        )
    )
    return merge_id


def unmerge(uow: UnitOfWork, merge_id: str, *, actor: str) -> None:
    conn = uow.conn
    rec = conn.execute(select(t.merge_records).where(t.merge_records.c.id == merge_id)).first()
    if rec is None:
        raise MergeError("unknown merge")
    if rec.undone_at is not None:
        raise MergeError("this merge was already undone")
    later = conn.execute(
        select(t.merge_records.c.id).where(
            t.merge_records.c.source_id == rec.target_id,
            t.merge_records.c.created_at > rec.created_at,
            t.merge_records.c.undone_at.is_(None),
        )
    ).first()
    if later is not None:
        raise MergeError(f"undo merge {later.id} first: the target was merged further")
    moved: list[str] = list(rec.moved_ids)
    repo.set_merged_into(conn, [rec.source_id], None, uow.now)
    others = [cid for cid in moved if cid != rec.source_id]
    if others:
        repo.set_merged_into(conn, others, rec.source_id, uow.now)
    conn.execute(
        update(t.merge_records)
        .where(t.merge_records.c.id == merge_id)
        .values(undone_at=uow.now, undone_by=actor)
    )
    uow.audit(
        actor,
        "customer.unmerge",
        "customer",
        rec.target_id,
        source=rec.source_id,
        merge_id=merge_id,
    )
    uow.emit(CustomersUnmerged(merge_id=merge_id, source_id=rec.source_id, target_id=rec.target_id))


def decide_suggestion(
    uow: UnitOfWork, suggestion_id: str, *, accept: bool, actor: str
) -> str | None:
    conn = uow.conn
    sug = conn.execute(
        select(t.merge_suggestions).where(t.merge_suggestions.c.id == suggestion_id)
    ).first()
    if sug is None:
        raise MergeError("unknown suggestion")
    if sug.status != "open":
        raise MergeError(f"suggestion already {sug.status}")
    merge_id = None
    if accept:
        # The older customer survives.
        target, source = sorted((sug.customer_a, sug.customer_b))
        merge_id = merge(
            uow, source, target, actor=actor, reason=f"confirmed suggestion: {sug.reason}"
        )
    conn.execute(
        update(t.merge_suggestions)
        .where(t.merge_suggestions.c.id == suggestion_id)
        .values(status="accepted" if accept else "rejected", decided_at=uow.now, decided_by=actor)
    )
    uow.audit(
        actor, "suggestion.accept" if accept else "suggestion.reject", "suggestion", suggestion_id
    )
    return merge_id


def create_customer(
    uow: UnitOfWork,
    display_name: str | None,
    claims: list[Claim],
    *,
    actor: str,
    region: str = "PL",
) -> str:
    """A customer entered by an agent; known addresses resolve to (and merge) existing ones."""
    if claims:
        customer_id = resolve_customer(uow, claims, display_name, region)
    else:
        customer_id = repo.create_customer(uow.conn, uow.now, display_name, name_key(display_name))
    uow.audit(actor, "customer.create", "customer", customer_id)
    return customer_id


def attach_identity(
    uow: UnitOfWork, customer_id: str, claim: Claim, *, actor: str, region: str = "PL"
) -> dict[str, object]:
    """Add an address to a customer; if it already belongs to someone else, that is the same
    person (exact match) and the two are merged."""
    conn = uow.conn
    if repo.get_customer(conn, customer_id) is None:
        raise MergeError("unknown customer")
    root = repo.root_of(conn, customer_id)
    address = normalize_address(claim.kind, claim.address, region)
    found = repo.find_identities(conn, [(claim.kind, address)]).get((claim.kind, address))
    merge_id = None
    if found is None:
        match_key = phone_match_key(address) if claim.kind == "phone" else None
        repo.add_identity(
            conn, uow.now, root, claim.kind, address, verified=claim.verified, match_key=match_key
        )
        record_suggestions(uow, root)
    else:
        other = repo.root_of(conn, found.customer_id)
        if other != root:
            merge_id = merge(
                uow, other, root, actor=actor, reason=f"exact match on {claim.kind}:{address}"
            )
    uow.audit(actor, "identity.add", "customer", root, kind=claim.kind, address=address)
    return {"customer_id": root, "kind": claim.kind, "address": address, "merge_id": merge_id}
