"""Downloading the media a message points at, with retries: one failed download must not
lose a customer's photo.

Each attempt that fails for a reason a retry may cure (the network, a 5xx, a 429) is tried
again after a growing pause; when the attempts are spent, `MediaUnavailable` (a 503
`ChannelError`) makes the webhook answer 503, so the provider delivers the message again
later (its id makes the second delivery the first stored). A refusal (4xx: expired,
deleted) cannot be cured: the message is taken without the file, which stays listed in
the event's `meta["media"]`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import httpx

from omnicenter.channels.errors import ChannelError
from omnicenter.channels.meta.messages import MediaRef
from omnicenter.domain import Attachment

__all__ = ["MediaGone", "MediaUnavailable", "RetryPolicy", "download_all", "fetch_file"]

log = logging.getLogger(__name__)


class MediaUnavailable(ChannelError):
    """A file could not be fetched now; the webhook is refused so it comes again."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, status=503)


class MediaGone(Exception):
    """The provider refused the file for good (expired, deleted, too large)."""


async def fetch_file(
    client: httpx.AsyncClient, url: str, *, headers: dict[str, str] | None = None
) -> bytes:
    """One download attempt, its failure named as a retry may cure it (`MediaUnavailable`:
    the network, a 5xx, a 429) or not (`MediaGone`: any other refusal)."""
    try:
        resp = await client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        raise MediaUnavailable(f"media download failed ({type(exc).__name__})") from None
    if resp.status_code >= 500 or resp.status_code == 429:
        raise MediaUnavailable(f"media download answered {resp.status_code}")
    if resp.status_code >= 400:
        raise MediaGone(f"media download refused ({resp.status_code})")
    return resp.content


class RetryPolicy:
    """`attempts` tries, waiting `first_delay_s`, then twice as long each time; `sleep` is
    injectable so tests do not wait."""

    def __init__(
        self,
        attempts: int = 3,
        first_delay_s: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.attempts = attempts
        self.first_delay_s = first_delay_s
        self.sleep = sleep


Fetch = Callable[[MediaRef], Awaitable[bytes]]


async def download_all(
    refs: Sequence[MediaRef], fetch: Fetch, policy: RetryPolicy
) -> tuple[Attachment, ...]:
    """The files of `refs` that exist. `fetch` raises `MediaGone` for a file refused for
    good and `MediaUnavailable` (or any `OSError`) for a failure a retry may cure."""
    files: list[Attachment] = []
    for ref in refs:
        data = await _fetch_one(ref, fetch, policy)
        if data is not None:
            files.append(Attachment(ref.filename, ref.content_type, data))
    return tuple(files)


async def _fetch_one(ref: MediaRef, fetch: Fetch, policy: RetryPolicy) -> bytes | None:
    delay = policy.first_delay_s
    last = ""
    for attempt in range(1, policy.attempts + 1):
        try:
            return await fetch(ref)
        except MediaGone as exc:
            log.warning("media %s refused by the provider: %s", ref.ref, exc)
            return None
        except (MediaUnavailable, OSError) as exc:
            last = str(exc)
            log.info("media %s: attempt %d failed: %s", ref.ref, attempt, last)
        if attempt < policy.attempts:
            await policy.sleep(delay)
            delay *= 2
    raise MediaUnavailable(f"media {ref.ref} could not be downloaded: {last}")
