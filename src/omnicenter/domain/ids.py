"""Identifiers: a short type prefix and a time-ordered random part (sortable like ULIDs).

Within one process the ids are strictly increasing (monotonic ULIDs): two ids made in the
same millisecond keep the order they were made in, so the messages of one bot turn, which
share a timestamp, sort in the order they were written.
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["new_id"]

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, random part) of the last id made here


def _b32(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        out.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def _next(millis: int) -> tuple[int, int]:
    global _last
    with _lock:
        last_millis, last_rand = _last
        if millis > last_millis:
            rand = int.from_bytes(os.urandom(10), "big")
        else:  # the same millisecond (or the clock stepped back): one more than the last
            millis, rand = last_millis, last_rand + 1
            if rand >> _RANDOM_BITS:  # 2**80 ids in one millisecond: borrow the next one
                millis, rand = millis + 1, 0
        _last = (millis, rand)
        return _last


def new_id(prefix: str) -> str:
    """`cus_01hx...`: 48 bits of milliseconds then 80 random bits, so ids sort by creation time."""
    millis, rand = _next(time.time_ns() // 1_000_000)
    return f"{prefix}_{_b32(millis, 10)}{_b32(rand, 16)}"
