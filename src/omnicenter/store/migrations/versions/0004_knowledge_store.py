"""knowledge versions and records (omnicenter.store.knowledge)

Revision ID: 0004_knowledge_store
Revises: 0003_customer_consents
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicenter.store.types

revision = "0004_knowledge_store"
down_revision = "0003_customer_consents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", omnicenter.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=400), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=True),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_knowledge_versions")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_knowledge_versions_delivery_id")),
    )
    op.create_table(
        "knowledge_records",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("valid_from", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("valid_to", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["valid_from"],
            ["knowledge_versions.version"],
            name=op.f("fk_knowledge_records_valid_from_knowledge_versions"),
        ),
        sa.PrimaryKeyConstraint("kind", "key", "valid_from", name=op.f("pk_knowledge_records")),
    )
    with op.batch_alter_table("knowledge_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_knowledge_records_valid_to"), ["valid_to"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("knowledge_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_records_valid_to"))
    op.drop_table("knowledge_records")
    op.drop_table("knowledge_versions")
