"""G.711 μ-law and A-law (ITU-T G.711) as numpy lookup tables.

The tables are computed once, on first use, with the classic segment arithmetic of the
reference implementation, vectorised over all 65536 16-bit samples; coding is then one
table lookup per sample, which keeps per-packet cost tiny when relaying between codecs.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

__all__ = ["alaw_decode", "alaw_encode", "decode", "encode", "ulaw_decode", "ulaw_encode"]

Pcm = npt.NDArray[np.int16]

_BIAS = 0x84


@cache
def _ulaw_tables() -> tuple[npt.NDArray[np.uint8], Pcm]:
    # 14-bit arithmetic of the reference code (and of CPython's former audioop).
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    mag = np.minimum(np.abs(pcm), 8159) + (_BIAS >> 2)
    seg = np.searchsorted(np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]), mag)
    uval = (seg << 4) | ((mag >> (seg + 1)) & 0x0F)
    enc = np.where(seg >= 8, 0x7F, uval) ^ mask
    codes = np.arange(256, dtype=np.int32)
    u = ~codes & 0xFF
    dec = (((u & 0x0F) << 3) + _BIAS) << ((u >> 4) & 0x07)
    dec = np.where(u & 0x80, _BIAS - dec, dec - _BIAS)
    return enc.astype(np.uint8), dec.astype(np.int16)


@cache
def _alaw_tables() -> tuple[npt.NDArray[np.uint8], Pcm]:
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 3
    mask = np.where(pcm >= 0, 0xD5, 0x55)
    mag = np.where(pcm >= 0, pcm, -pcm - 1)
    seg = np.searchsorted(np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]), mag)
    shift = np.where(seg < 2, 1, seg)
    aval = (seg << 4) | ((mag >> shift) & 0x0F)
    aval = np.where(seg >= 8, 0x7F, aval)
    enc = (aval ^ mask) & 0xFF
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    seg_d = (codes & 0x70) >> 4
    t = (codes & 0x0F) << 4
    t = np.where(seg_d == 0, t + 8, t + 0x108)
    t = np.where(seg_d > 1, t << np.maximum(seg_d - 1, 0), t)
    dec = np.where(codes & 0x80, t, -t)
    return enc.astype(np.uint8), dec.astype(np.int16)


def ulaw_encode(pcm: Pcm) -> bytes:
    table = _ulaw_tables()[0]
    return table[pcm.astype(np.int32) + 32768].tobytes()


def ulaw_decode(data: bytes) -> Pcm:
    return _ulaw_tables()[1][np.frombuffer(data, dtype=np.uint8)]


def alaw_encode(pcm: Pcm) -> bytes:
    table = _alaw_tables()[0]
    return table[pcm.astype(np.int32) + 32768].tobytes()


def alaw_decode(data: bytes) -> Pcm:
    return _alaw_tables()[1][np.frombuffer(data, dtype=np.uint8)]


def encode(codec: str, pcm: Pcm) -> bytes:
    """`codec` is the SDP encoding name, PCMU or PCMA."""
    return alaw_encode(pcm) if codec.upper() == "PCMA" else ulaw_encode(pcm)


def decode(codec: str, data: bytes) -> Pcm:
    return alaw_decode(data) if codec.upper() == "PCMA" else ulaw_decode(data)
