"""customer consents per channel and purpose

Revision ID: 0003_customer_consents
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import omnicenter.store.types

revision = "0003_customer_consents"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_consents",
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("updated_at", omnicenter.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_consents_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint(
            "customer_id", "channel", "purpose", name=op.f("pk_customer_consents")
        ),
    )


def downgrade() -> None:
    op.drop_table("customer_consents")
