"""Persistence: SQLAlchemy Core tables, the database handle and one repository module per aggregate."""

from omnicenter.store import metrics as _metrics  # noqa: F401  (registers its tables)
from omnicenter.store.db import Database
from omnicenter.store.tables import metadata

__all__ = ["Database", "metadata"]
