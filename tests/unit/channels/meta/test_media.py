"""Media downloads: retried when a retry may help, never losing the message silently."""

from __future__ import annotations

import pytest

from omnicenter.channels.meta import (
    MediaGone,
    MediaRef,
    MediaUnavailable,
    RetryPolicy,
    download_all,
)

REF = MediaRef("1003383421387256", "image/jpeg", "image-1.jpg")


class Flaky:
    """Fails `failures` times (with `error`), then returns the bytes."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    async def __call__(self, ref: MediaRef) -> bytes:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return b"jpeg"


class Pauses:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def test_one_failed_download_is_retried() -> None:
    fetch, pauses = Flaky(1, MediaUnavailable("500")), Pauses()
    files = await download_all([REF], fetch, RetryPolicy(3, 0.5, pauses))
    assert [(f.filename, f.content_type, f.data) for f in files] == [
        ("image-1.jpg", "image/jpeg", b"jpeg")
    ]
    assert fetch.calls == 2 and pauses.delays == [0.5]


async def test_network_errors_are_retried_with_growing_pauses() -> None:
    fetch, pauses = Flaky(2, ConnectionResetError("reset")), Pauses()
    await download_all([REF], fetch, RetryPolicy(3, 0.5, pauses))
    assert pauses.delays == [0.5, 1.0]


async def test_when_every_attempt_fails_the_delivery_is_refused_for_a_redelivery() -> None:
    fetch = Flaky(5, MediaUnavailable("503"))
    with pytest.raises(MediaUnavailable) as info:
        await download_all([REF], fetch, RetryPolicy(3, 0, Pauses()))
    assert info.value.status == 503 and fetch.calls == 3


async def test_a_file_refused_for_good_is_left_out_without_retrying() -> None:
    fetch = Flaky(1, MediaGone("404"))
    assert await download_all([REF], fetch, RetryPolicy(3, 0, Pauses())) == ()
    assert fetch.calls == 1
