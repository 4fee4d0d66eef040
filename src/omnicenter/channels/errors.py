"""The one error type channel adapters raise for bad input; entry points map it to 4xx/5xx."""

from __future__ import annotations

__all__ = ["ChannelError"]


class ChannelError(ValueError):
    def __init__(self, reason: str, *, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
