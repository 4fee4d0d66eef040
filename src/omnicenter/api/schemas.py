"""Request bodies. Unknown fields are refused (a typo must not be silently ignored)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from omnicenter.domain import AgentRole, CaseStatus, Channel, Presence, Priority
from omnicenter.services.agents import DEFAULT_CAPACITY, DEFAULT_CHANNELS

__all__ = [
    "AgentIn",
    "CaseMessageIn",
    "CasePatch",
    "ChatSessionIn",
    "CustomerIn",
    "IdentityIn",
    "LoginIn",
    "MergeIn",
    "MessageIn",
    "NoteIn",
    "PresenceIn",
    "TokenIn",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class TokenIn(_In):
    name: str = Field(min_length=1, max_length=120)
    agent_id: str | None = None


class AgentIn(_In):
    username: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=200)
    role: AgentRole = AgentRole.AGENT
    team: str = "default"
    skills: dict[str, int] = Field(default_factory=dict)
    channels: list[Channel] = Field(default_factory=lambda: list(DEFAULT_CHANNELS))
    capacity: dict[str, Annotated[int, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: dict(DEFAULT_CAPACITY)
    )
    max_total: int = Field(default=8, ge=1, le=100)


class PresenceIn(_In):
    presence: Presence
    reason: str | None = Field(default=None, max_length=200)


class CustomerIn(_In):
    display_name: str | None = Field(default=None, max_length=200)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=20)


class IdentityIn(_In):
    kind: str = Field(pattern=r"^(email|phone|webchat|messenger)$")
    address: str = Field(min_length=1, max_length=320)
    verified: bool = False


class MergeIn(_In):
    source_id: str
    target_id: str
    reason: str = Field(default="merged by an agent", max_length=400)


class ToldFactIn(_In):
    """A fact from the knowledge panel the reply tells (as `GET /knowledge/...` gave it):
    kept on the message, so the answer audit compares agents with the bot."""

    key: str = Field(min_length=1, max_length=200)
    value: dict[str, Any]
    sources: list[str] = Field(default_factory=list, max_length=20)
    revision: int = Field(default=0, ge=0)


class MessageIn(_In):
    body: str = Field(min_length=1, max_length=100_000)
    subject: str | None = Field(default=None, max_length=400)
    facts: list[ToldFactIn] = Field(default_factory=list, max_length=20)


class CaseMessageIn(MessageIn):
    channel: Channel
    to: str | None = Field(default=None, max_length=320)


class NoteIn(_In):
    body: str = Field(min_length=1, max_length=20_000)


class CasePatch(_In):
    status: CaseStatus | None = None
    priority: Priority | None = None
    owner_agent_id: str | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=400)


class ChatSessionIn(_In):
    widget_key: str
    visitor_token: str | None = None
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    # the widget's language (browser or pre-chat form); the bot answers in it
    lang: str | None = Field(default=None, pattern="^(pl|en)$")


CustomerIn.model_rebuild()
