"""metric buckets and fold state (omnicenter.store.metrics)

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Registers the tables on the shared metadata, so autogenerate and the test fixtures that
# drop `metadata.sorted_tables` see them even when nothing else imported the module.
import omnicenter.store.metrics  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COUNTERS = (
    "offered", "handled", "abandoned", "short_abandoned", "answered_in_sl", "wait_answered_s",
    "wait_abandoned_s", "ended", "talk_s", "hold_s", "wrap_s", "transfers", "repeats",
    "csat_responses", "csat_satisfied", "csat_score_sum", "resolved", "promises_made",
    "promises_kept", "promises_broken", "available_s", "busy_s", "wrap_up_s", "away_s",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "metric_buckets",
        sa.Column("interval_start", sa.BigInteger(), nullable=False),
        sa.Column("queue", sa.String(length=80), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("team", sa.String(length=80), nullable=False),
        sa.Column("agent", sa.String(length=40), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in COUNTERS),
        sa.PrimaryKeyConstraint(
            "interval_start",
            "queue",
            "channel",
            "segment",
            "team",
            "agent",
            name=op.f("pk_metric_buckets"),
        ),
    )
    op.create_table(
        "metric_state",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_metric_state")),
    )
    with op.batch_alter_table("metric_state", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metric_state_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("metric_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_state_at"))
    op.drop_table("metric_state")
    op.drop_table("metric_buckets")
