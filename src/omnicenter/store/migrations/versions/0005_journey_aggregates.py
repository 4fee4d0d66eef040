"""journeys: one summary row per case, kept with the metric buckets

Revision ID: 0005_journey_aggregates
Revises: 0004_knowledge_store
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from omnicenter.store.metrics import rebuild_journeys

revision = "0005_journey_aggregates"
down_revision = "0004_knowledge_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "journeys",
        sa.Column("case_id", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("resolved_at", sa.Float(), nullable=True),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("hops", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("last_channel", sa.String(length=20), nullable=False),
        sa.Column("last_contact", sa.String(length=120), nullable=False),
        sa.Column("last_outcome", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_journeys")),
    )
    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_journeys_started_at"), ["started_at"], unique=False)
    # the journeys of the history recorded so far, read once from the timeline
    rebuild_journeys(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journeys_started_at"))
    op.drop_table("journeys")
