"""webchat_sessions.lang: the language the visitor chose (browser or pre-chat form)

Revision ID: 0007_session_lang
Revises: 0006_engagement
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_session_lang"
down_revision = "0006_engagement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webchat_sessions") as batch:
        batch.add_column(sa.Column("lang", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webchat_sessions") as batch:
        batch.drop_column("lang")
