"""Row-to-domain conversion, in one place."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Row

from omnicenter.domain import (
    Agent,
    AgentRole,
    Case,
    CaseStatus,
    Channel,
    Customer,
    Interaction,
    InteractionStatus,
    Presence,
    Priority,
)

__all__ = ["AnyRow", "to_agent", "to_case", "to_customer", "to_interaction"]

# A result row of any shape (columns read by name): SQLAlchemy types rows by their columns.
AnyRow: TypeAlias = Row[*tuple[Any, ...]]


def to_customer(r: AnyRow) -> Customer:
    return Customer(
        id=r.id,
        display_name=r.display_name,
        created_at=r.created_at,
        segment=r.segment,
        value=r.value,
        merged_into=r.merged_into,
    )


def to_case(r: AnyRow) -> Case:
    return Case(
        id=r.id,
        customer_id=r.customer_id,
        subject=r.subject,
        status=CaseStatus(r.status),
        priority=Priority(r.priority),
        origin=Channel(r.origin),
        created_at=r.created_at,
        updated_at=r.updated_at,
        owner_agent_id=r.owner_agent_id,
        sla_due_at=r.sla_due_at,
        fields=dict(r.fields or {}),
    )


def to_interaction(r: AnyRow) -> Interaction:
    return Interaction(
        id=r.id,
        case_id=r.case_id,
        customer_id=r.customer_id,
        channel=Channel(r.channel),
        address=r.address,
        status=InteractionStatus(r.status),
        created_at=r.created_at,
        updated_at=r.updated_at,
        subject=r.subject,
    )


def to_agent(r: AnyRow) -> Agent:
    return Agent(
        id=r.id,
        username=r.username,
        display_name=r.display_name,
        role=AgentRole(r.role),
        team=r.team,
        partner=r.partner,
        skills=dict(r.skills or {}),
        channels=tuple(Channel(c) for c in (r.channels or [])),
        capacity=dict(r.capacity or {}),
        max_total=r.max_total,
        presence=Presence(r.presence),
        presence_reason=r.presence_reason,
    )
