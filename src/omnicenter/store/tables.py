"""The schema, in SQLAlchemy Core. Alembic migrations are generated from this metadata.

The timeline (`events`) is append-only; every KPI, journey and audit later reads from it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from omnicenter.store.types import UTCDateTime

__all__ = [
    "agents",
    "api_tokens",
    "attachments",
    "audit_log",
    "cases",
    "customer_consents",
    "customers",
    "email_message_ids",
    "events",
    "identities",
    "inbound_keys",
    "interactions",
    "journeys",
    "knowledge_records",
    "knowledge_versions",
    "merge_records",
    "merge_suggestions",
    "metadata",
    "outbox",
    "webchat_sessions",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 40  # length of our prefixed ids

customers = Table(
    "customers",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("display_name", String(200)),
    Column("name_key", String(200), index=True),  # normalised name, for fuzzy suggestions
    Column("segment", String(40), nullable=False, default="standard"),
    Column("value", Float, nullable=False, default=0.0),
    Column("merged_into", String(ID), ForeignKey("customers.id"), index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

identities = Table(
    "identities",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("address", String(320), nullable=False),
    Column("match_key", String(64), index=True),  # e.g. last digits of a phone, for suggestions
    Column("verified", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("kind", "address", name="uq_identities_kind_address"),
)

merge_records = Table(
    "merge_records",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("source_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("target_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("moved_ids", JSON, nullable=False),  # every customer re-pointed by this merge
    Column("reason", String(400), nullable=False),
    Column("actor", String(80), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("undone_at", UTCDateTime),
    Column("undone_by", String(80)),
)

merge_suggestions = Table(
    "merge_suggestions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("customer_a", String(ID), ForeignKey("customers.id"), nullable=False, index=True),
    Column("customer_b", String(ID), ForeignKey("customers.id"), nullable=False, index=True),
    Column("reason", String(400), nullable=False),
    Column("score", Float, nullable=False),
    Column("status", String(20), nullable=False, default="open"),  # open|accepted|rejected
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String(80)),
    UniqueConstraint("customer_a", "customer_b", name="uq_merge_suggestions_pair"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False, index=True),
    Column("subject", String(400), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("priority", Integer, nullable=False),
    Column("origin", String(20), nullable=False),
    Column("owner_agent_id", String(ID)),
    Column("sla_due_at", UTCDateTime),
    Column("fields", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
    Column("closed_at", UTCDateTime),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("case_id", String(ID), ForeignKey("cases.id"), nullable=False, index=True),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("address", String(320), nullable=False),
    Column("status", String(20), nullable=False),
    Column("subject", String(400)),
    Column("subject_key", String(400)),  # normalised subject, for email threading fallback
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),
    Index("ix_interactions_customer_channel", "customer_id", "channel", "status"),
)

events = Table(
    "events",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("case_id", String(ID), ForeignKey("cases.id")),
    Column("interaction_id", String(ID), ForeignKey("interactions.id")),
    Column("kind", String(20), nullable=False),
    Column("channel", String(20)),
    Column("author_type", String(20), nullable=False),
    Column("author_id", String(ID)),
    Column("body", Text, nullable=False),
    Column("html", Text),
    Column("meta", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_events_customer_time", "customer_id", "created_at"),
    Index("ix_events_interaction_time", "interaction_id", "created_at"),
    Index("ix_events_case_time", "case_id", "created_at"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("event_id", String(ID), ForeignKey("events.id"), nullable=False, index=True),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(120), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

inbound_keys = Table(
    "inbound_keys",
    metadata,
    Column("channel", String(20), primary_key=True),
    Column("key", String(400), primary_key=True),
    Column("event_id", String(ID), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

email_message_ids = Table(
    "email_message_ids",
    metadata,
    Column("message_id", String(400), primary_key=True),
    Column("interaction_id", String(ID), ForeignKey("interactions.id"), nullable=False, index=True),
    Column("event_id", String(ID), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

webchat_sessions = Table(
    "webchat_sessions",
    metadata,
    Column("id", String(ID), primary_key=True),  # the visitor id
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("interaction_id", String(ID), ForeignKey("interactions.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("lang", String(8)),  # the language the visitor chose: the bot speaks it too
)

agents = Table(
    "agents",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("username", String(80), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(300)),
    Column("role", String(20), nullable=False),
    Column("team", String(80), nullable=False, default="default"),
    Column("partner", Boolean, nullable=False, default=False),
    Column("skills", JSON, nullable=False, default=dict),
    Column("channels", JSON, nullable=False, default=list),
    Column("capacity", JSON, nullable=False, default=dict),
    Column("max_total", Integer, nullable=False, default=8),
    Column("presence", String(20), nullable=False, default="offline"),
    Column("presence_reason", String(200)),
    Column("presence_since", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("agent_id", String(ID), ForeignKey("agents.id"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("event_id", String(ID), nullable=False, index=True),
    Column("interaction_id", String(ID), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("to_address", String(320), nullable=False),
    Column("from_address", String(320)),
    Column("subject", String(400)),
    Column("body", Text, nullable=False),
    Column("headers", JSON, nullable=False, default=dict),
    Column("status", String(20), nullable=False, index=True),  # pending|sent|stored|failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("provider_ref", String(200)),
    Column("error", String(1000)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("actor", String(80), nullable=False),
    Column("action", String(80), nullable=False),
    Column("subject_type", String(40), nullable=False),
    Column("subject_id", String(ID), nullable=False, index=True),
    Column("detail", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)

# What a customer agreed to, per channel and purpose (marketing, service); the newest answer
# wins, each change is also a note on the customer's timeline.
customer_consents = Table(
    "customer_consents",
    metadata,
    Column("customer_id", String(ID), ForeignKey("customers.id"), primary_key=True),
    Column("channel", String(20), primary_key=True),
    Column("purpose", String(40), primary_key=True),
    Column("granted", Boolean, nullable=False),
    Column("source", String(80), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Knowledge: one row per version (who/when/source) and one row per record per version in
# which it changed; a record row is valid from `valid_from` until `valid_to` (exclusive,
# NULL while current). See omnicenter.store.knowledge.
knowledge_versions = Table(
    "knowledge_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("author", String(120), nullable=False),
    Column("source", String(400), nullable=False),
    Column("delivery_id", String(200), unique=True),  # a webhook delivery applied once
    Column("changed", Integer, nullable=False),
    Column("records", Integer, nullable=False),
)

knowledge_records = Table(
    "knowledge_records",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("key", String(400), primary_key=True),
    Column(
        "valid_from",
        Integer,
        ForeignKey("knowledge_versions.version"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("valid_to", Integer, index=True),
    Column("payload", JSON, nullable=False),
)

# One row per case: its journey so far (first contact, resolution, path of channels, last
# step), kept up to date by omnicenter.store.metrics.record in the unit of work that stores
# the events, so journey reports read an index instead of the timeline. Times: epoch s.
journeys = Table(
    "journeys",
    metadata,
    Column("case_id", String(120), primary_key=True),
    Column("started_at", Float, nullable=False, index=True),
    Column("resolved_at", Float),
    Column("contacts", Integer, nullable=False),
    Column("hops", Integer, nullable=False),
    Column("path", Text, nullable=False),
    Column("last_channel", String(20), nullable=False),
    Column("last_contact", String(120), nullable=False),
    Column("last_outcome", String(10), nullable=False),
)

# Proactive engagement (omnicenter.engagement, services/engagement.py): the business events
# received (idempotent by the sender's id), one decision per rule and event (the unique
# pair is the send's idempotency key: a restart or a rule change never sends it twice),
# what the customer told us about time zone, language and suppression, and opt-outs.
engagement_events = Table(
    "engagement_events",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("type", String(80), nullable=False),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("fields", JSON, nullable=False, default=dict),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Index("ix_engagement_events_customer_type", "customer_id", "type", "occurred_at"),
)

engagement_decisions = Table(
    "engagement_decisions",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("rule_id", String(120), nullable=False),
    Column("rule_version", Integer, nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("status", String(20), nullable=False),  # sent|held|skipped
    Column("reason", String(1000), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("channel", String(20)),
    Column("address", String(320)),
    Column("holdout", Boolean, nullable=False, default=False),
    Column("explanation", JSON, nullable=False, default=list),
    Column("due_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("release_at", UTCDateTime),  # when a held message is looked at again
    Column("outbox_id", String(ID)),
    Column("interaction_id", String(ID)),
    Column("case_id", String(ID)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("rule_id", "event_id", name="uq_engagement_decisions_rule_event"),
    Index("ix_engagement_decisions_status_release", "status", "release_at"),
    Index("ix_engagement_decisions_customer_sent", "customer_id", "channel", "sent_at"),
)

engagement_profiles = Table(
    "engagement_profiles",
    metadata,
    Column("customer_id", String(ID), ForeignKey("customers.id"), primary_key=True),
    Column("timezone", String(64)),
    Column("lang", String(10)),
    Column("suppressed", Boolean, nullable=False, default=False),
    Column("suppressed_reason", String(400)),
    Column("updated_at", UTCDateTime, nullable=False),
)

engagement_optouts = Table(
    "engagement_optouts",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("customer_id", String(ID), ForeignKey("customers.id"), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("keyword", String(80), nullable=False),
    Column("rule_id", String(120), index=True),  # the last proactive rule on that channel
    Column("created_at", UTCDateTime, nullable=False),
)
