"""Persistence: SQLAlchemy Core tables, the database handle and one repository module per aggregate."""

from omnicenter.store.db import Database
from omnicenter.store.tables import metadata

__all__ = ["Database", "metadata"]
