"""Demo data for `omnicenter serve --demo`: agents, customers on several channels, open cases."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from omnicenter.domain import AgentRole, Channel, InboundEvent
from omnicenter.services.agents import NewAgent, create_agent
from omnicenter.services.inbound import ingest
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t

__all__ = ["DEMO_AGENTS", "DEMO_PASSWORD", "load_demo"]

DEMO_PASSWORD = "demo-password"

DEMO_AGENTS = [
    NewAgent(
        "anna",
        "Anna Kowalska",
        AgentRole.AGENT,
        DEMO_PASSWORD,
        team="sales",
        skills={"language:pl": 5, "language:en": 4, "orders": 3, "returns": 2},
    ),
    NewAgent(
        "tomek",
        "Tomasz Wiśniewski",
        AgentRole.AGENT,
        DEMO_PASSWORD,
        team="support",
        skills={"language:pl": 5, "returns": 4, "complaints": 3},
    ),
    NewAgent(
        "sara",
        "Sara Lewandowska",
        AgentRole.SUPERVISOR,
        DEMO_PASSWORD,
        team="support",
        skills={"language:pl": 5, "language:en": 5, "complaints": 5},
    ),
    NewAgent("admin", "Administrator", AgentRole.ADMIN, DEMO_PASSWORD),
    NewAgent(
        "partner",
        "Night Desk (partner)",
        AgentRole.PARTNER,
        DEMO_PASSWORD,
        team="acme-outsourcing",
        partner=True,
        skills={"language:en": 4, "orders": 2, "returns": 1},
    ),
]

_MESSAGES = [
    InboundEvent(
        Channel.EMAIL,
        "ewa.zielinska@example.com",
        "Dzień dobry, kiedy dotrze moje zamówienie 100234?",
        datetime(2026, 1, 1, tzinfo=UTC),
        "demo-1@example.com",
        subject="Zamówienie 100234",
        sender_name="Ewa Zielińska",
        message_ref="demo-1@example.com",
        meta={"normalized_subject": "zamówienie 100234"},
    ),
    InboundEvent(
        Channel.SMS,
        "+48601234567",
        "Czy mogę zwrócić buty kupione 20 dni temu?",
        datetime(2026, 1, 1, tzinfo=UTC),
        "SMdemo0000000000000000000000000001",
    ),
    InboundEvent(
        Channel.FORM,
        "john.smith@example.com",
        "My blender arrived broken. Order 100777.",
        datetime(2026, 1, 1, tzinfo=UTC),
        "demo-form:1",
        sender_name="John Smith",
        subject="Complaint: broken blender",
        fields={
            "name": "John Smith",
            "email": "john.smith@example.com",
            "phone": "+44 7700 900123",
            "order": "100777",
            "message": "My blender arrived broken. Order 100777.",
        },
    ),
]


def load_demo(uow: UnitOfWork) -> bool:
    """Idempotent: does nothing when the demo agents exist already."""
    if uow.conn.execute(select(t.agents.c.id).where(t.agents.c.username == "anna")).first():
        return False
    for agent in DEMO_AGENTS:
        create_agent(uow, agent, actor="demo")
    for msg in _MESSAGES:
        ingest(uow, msg)
    return True
