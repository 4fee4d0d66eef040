"""proactive engagement: business events, decisions, profiles, opt-outs

Revision ID: 0006_engagement
Revises: 0005_journey_aggregates
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from omnicenter.store.types import UTCDateTime

revision = "0006_engagement"
down_revision = "0005_journey_aggregates"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def _customer(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["customer_id"], ["customers.id"], name=op.f(f"fk_{table}_customer_id_customers")
    )


def upgrade() -> None:
    op.create_table(
        "engagement_events",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        _when("occurred_at"),
        _when("received_at"),
        _customer("engagement_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_events")),
    )
    op.create_index(
        "ix_engagement_events_customer_type",
        "engagement_events",
        ["customer_id", "type", "occurred_at"],
    )
    op.create_table(
        "engagement_decisions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("rule_id", sa.String(length=120), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("holdout", sa.Boolean(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        _when("due_at"),
        _when("expires_at"),
        _when("release_at", nullable=True),
        sa.Column("outbox_id", sa.String(length=40), nullable=True),
        sa.Column("interaction_id", sa.String(length=40), nullable=True),
        sa.Column("case_id", sa.String(length=40), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _when("sent_at", nullable=True),
        _customer("engagement_decisions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_decisions")),
        sa.UniqueConstraint("rule_id", "event_id", name="uq_engagement_decisions_rule_event"),
    )
    op.create_index(
        "ix_engagement_decisions_status_release", "engagement_decisions", ["status", "release_at"]
    )
    op.create_index(
        "ix_engagement_decisions_customer_sent",
        "engagement_decisions",
        ["customer_id", "channel", "sent_at"],
    )
    op.create_table(
        "engagement_profiles",
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("lang", sa.String(length=10), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("suppressed_reason", sa.String(length=400), nullable=True),
        _when("updated_at"),
        _customer("engagement_profiles"),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_engagement_profiles")),
    )
    op.create_table(
        "engagement_optouts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("keyword", sa.String(length=80), nullable=False),
        sa.Column("rule_id", sa.String(length=120), nullable=True),
        _when("created_at"),
        _customer("engagement_optouts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_optouts")),
    )
    op.create_index(
        op.f("ix_engagement_optouts_rule_id"), "engagement_optouts", ["rule_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_engagement_optouts_rule_id"), table_name="engagement_optouts")
    op.drop_table("engagement_optouts")
    op.drop_table("engagement_profiles")
    op.drop_index("ix_engagement_decisions_customer_sent", table_name="engagement_decisions")
    op.drop_index("ix_engagement_decisions_status_release", table_name="engagement_decisions")
    op.drop_table("engagement_decisions")
    op.drop_index("ix_engagement_events_customer_type", table_name="engagement_events")
    op.drop_table("engagement_events")
