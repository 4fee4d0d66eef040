"""Agents and their credentials: accounts, login, API tokens, presence."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from omnicenter.bus.events import AgentPresenceChanged
from omnicenter.domain import Agent, AgentRole, Channel, Presence
from omnicenter.domain.ids import new_id
from omnicenter.metrics.events import AgentState, MetricEvent, MetricKind
from omnicenter.services.passwords import hash_password, verify_password
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t
from omnicenter.store.metrics import record as record_metrics
from omnicenter.store.rows import to_agent

__all__ = [
    "AgentError",
    "NewAgent",
    "agent_for_token",
    "create_agent",
    "get_agent",
    "issue_token",
    "login",
    "set_presence",
]

TOKEN_PREFIX = "oc_"


class AgentError(ValueError):
    pass


# What a new agent handles unless told otherwise: the written channels (a call needs a
# phone registered, which gives voice capacity on its own)
DEFAULT_CHANNELS: tuple[Channel, ...] = (
    Channel.WEBCHAT,
    Channel.EMAIL,
    Channel.SMS,
    Channel.FORM,
    Channel.MESSENGER,
    Channel.WHATSAPP,
    Channel.INSTAGRAM,
    Channel.TELEGRAM,
)
DEFAULT_CAPACITY: dict[str, int] = {
    "voice": 1,
    "webchat": 3,
    "email": 5,
    "sms": 5,
    "form": 5,
    "messenger": 3,
    "whatsapp": 3,
    "instagram": 3,
    "telegram": 3,
}


@dataclass(frozen=True)
class NewAgent:
    username: str
    display_name: str
    role: AgentRole = AgentRole.AGENT
    password: str | None = None
    team: str = "default"
    partner: bool = False
    skills: dict[str, int] = field(default_factory=dict)
    channels: tuple[Channel, ...] = DEFAULT_CHANNELS
    capacity: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CAPACITY))
    max_total: int = 8


def create_agent(uow: UnitOfWork, new: NewAgent, *, actor: str) -> Agent:
    exists = uow.conn.execute(
        select(t.agents.c.id).where(t.agents.c.username == new.username)
    ).first()
    if exists is not None:
        raise AgentError(f"username {new.username!r} is taken")
    agent_id = new_id("agt")
    uow.conn.execute(
        insert(t.agents).values(
            id=agent_id,
            username=new.username,
            display_name=new.display_name,
            password_hash=hash_password(new.password) if new.password else None,
            role=new.role.value,
            team=new.team,
            partner=new.partner or new.role is AgentRole.PARTNER,
            skills=new.skills,
            channels=[c.value for c in new.channels],
            capacity=new.capacity,
            max_total=new.max_total,
            presence=Presence.OFFLINE.value,
            created_at=uow.now,
        )
    )
    uow.audit(actor, "agent.create", "agent", agent_id, username=new.username, role=new.role.value)
    agent = get_agent(uow.conn, agent_id)
    assert agent is not None
    return agent


def get_agent(conn: Connection, agent_id: str) -> Agent | None:
    row = conn.execute(select(t.agents).where(t.agents.c.id == agent_id)).first()
    return to_agent(row) if row else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(uow: UnitOfWork, agent_id: str, name: str, ttl: timedelta | None = None) -> str:
    """A bearer token; only its hash is stored, so a database leak reveals no credentials."""
    if get_agent(uow.conn, agent_id) is None:
        raise AgentError(f"unknown agent {agent_id}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    uow.conn.execute(
        insert(t.api_tokens).values(
            id=new_id("tok"),
            agent_id=agent_id,
            token_hash=_token_hash(token),
            name=name,
            created_at=uow.now,
            expires_at=uow.now + ttl if ttl else None,
        )
    )
    return token


def login(uow: UnitOfWork, username: str, password: str) -> tuple[Agent, str] | None:
    row = uow.conn.execute(select(t.agents).where(t.agents.c.username == username)).first()
    if row is None or not verify_password(password, row.password_hash):
        return None
    token = issue_token(uow, row.id, "login", ttl=timedelta(hours=12))
    uow.audit(username, "agent.login", "agent", row.id)
    return to_agent(row), token


def agent_for_token(conn: Connection, token: str, now: datetime) -> Agent | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = conn.execute(
        select(t.agents)
        .join(t.api_tokens, t.api_tokens.c.agent_id == t.agents.c.id)
        .where(t.api_tokens.c.token_hash == _token_hash(token), t.api_tokens.c.revoked_at.is_(None))
        .add_columns(t.api_tokens.c.expires_at)
    ).first()
    if row is None or (row.expires_at is not None and row.expires_at < now):
        return None
    return to_agent(row)


def _record_time_in_state(uow: UnitOfWork, agent_id: str) -> None:
    """The state the agent leaves, and how long it lasted, for occupancy and utilisation
    (offline time is nobody's business)."""
    row = uow.conn.execute(
        select(t.agents.c.presence, t.agents.c.presence_since, t.agents.c.team).where(
            t.agents.c.id == agent_id
        )
    ).first()
    if row is None or row.presence_since is None or row.presence == Presence.OFFLINE.value:
        return
    seconds = (uow.now - row.presence_since).total_seconds()
    if seconds <= 0:
        return
    event = MetricEvent(
        MetricKind.AGENT_STATE,
        row.presence_since,
        agent=agent_id,
        team=row.team or "",
        state=AgentState(row.presence),
        seconds=seconds,
    )
    record_metrics(uow.conn, [event])


def set_presence(
    uow: UnitOfWork, agent_id: str, presence: Presence, reason: str | None, *, actor: str
) -> Agent:
    _record_time_in_state(uow, agent_id)
    result = uow.conn.execute(
        update(t.agents)
        .where(t.agents.c.id == agent_id)
        .values(presence=presence.value, presence_reason=reason, presence_since=uow.now)
    )
    if result.rowcount == 0:
        raise AgentError(f"unknown agent {agent_id}")
    uow.audit(actor, "agent.presence", "agent", agent_id, presence=presence.value, reason=reason)
    uow.emit(AgentPresenceChanged(agent_id=agent_id, presence=presence, reason=reason))
    agent = get_agent(uow.conn, agent_id)
    assert agent is not None
    return agent
