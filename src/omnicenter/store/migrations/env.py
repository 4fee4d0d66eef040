"""Alembic environment: runs on the connection handed in by `Database.migrate`."""

from __future__ import annotations

from alembic import context

from omnicenter.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through Database.migrate or tests
    raise RuntimeError("run migrations through omnicenter (omnicenter db upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
