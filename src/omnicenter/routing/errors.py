"""Errors the routing engine raises; all derive from `RoutingError`."""

from __future__ import annotations

__all__ = [
    "ClockError",
    "ConfigError",
    "InvalidTransition",
    "RoutingError",
    "UnknownAgent",
    "UnknownTask",
]


class RoutingError(Exception):
    """Base class of every routing error."""


class ConfigError(RoutingError, ValueError):
    """A routing configuration is invalid; `path` points at the offending key (`queues.sales.sla`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class UnknownTask(RoutingError, KeyError):
    def __str__(self) -> str:
        return f"unknown task {self.args[0]!r}"


class UnknownAgent(RoutingError, KeyError):
    def __str__(self) -> str:
        return f"unknown agent {self.args[0]!r}"


class InvalidTransition(RoutingError):
    """The event does not fit the task's or agent's state (accepting an offer made to someone else)."""


class ClockError(RoutingError, ValueError):
    """Time went backwards: every call must pass a `now` no earlier than the previous one."""
