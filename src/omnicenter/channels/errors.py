"""The two errors every channel adapter raises: bad input in, a failed send out.

A protocol library's exceptions (smtplib/aiosmtplib, httpx, a closed socket) are translated
into these at the adapter's edge, so callers only ever catch these two.
"""

from __future__ import annotations

__all__ = ["ChannelError", "SendError"]


class ChannelError(ValueError):
    """Input `receive` refuses; entry points answer `status` (4xx) with `reason`."""

    def __init__(self, reason: str, *, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class SendError(Exception):
    """`send` failed. `temporary`: the same message may go through later (retry it);
    otherwise retrying cannot help (a refused recipient, a message the channel cannot carry)."""

    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary
