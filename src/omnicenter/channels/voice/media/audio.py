"""Audio as 8 kHz mono int16 numpy arrays: WAV in and out, tones, and tone detection."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.signal import resample_poly

__all__ = [
    "FRAME",
    "RATE",
    "AudioError",
    "concat",
    "frames",
    "goertzel_power",
    "load_wav",
    "rms",
    "silence",
    "tone",
    "write_wav",
]

Pcm = npt.NDArray[np.int16]
RATE = 8000
FRAME = 160  # 20 ms at 8 kHz: one RTP packet of G.711


class AudioError(ValueError):
    """A prompt file that cannot be played (not PCM WAV, empty)."""


def load_wav(path: Path) -> Pcm:
    """Any PCM WAV (8/16/32-bit, mono or stereo, any rate) as 8 kHz mono int16."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            raw = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a PCM WAV file ({exc})") from None
    if width == 1:
        data = (np.frombuffer(raw, np.uint8).astype(np.float64) - 128) * 256
    elif width == 2:
        data = np.frombuffer(raw, "<i2").astype(np.float64)
    elif width == 4:
        data = np.frombuffer(raw, "<i4").astype(np.float64) / 65536
    else:
        raise AudioError(f"{path}: {8 * width}-bit samples are not supported")
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    if rate != RATE:
        g = np.gcd(rate, RATE)
        data = resample_poly(data, RATE // g, rate // g)
    if data.size == 0:
        raise AudioError(f"{path}: empty")
    return np.clip(np.round(data), -32768, 32767).astype(np.int16)


def write_wav(path: Path, pcm: Pcm, *, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.astype("<i2").tobytes())


def tone(freq: float | tuple[float, ...], seconds: float, amplitude: float = 8000) -> Pcm:
    t = np.arange(int(seconds * RATE)) / RATE
    freqs = freq if isinstance(freq, tuple) else (freq,)
    wave_ = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)
    return (np.asarray(wave_) * amplitude).astype(np.int16)


def silence(seconds: float) -> Pcm:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def concat(*parts: Pcm) -> Pcm:
    return np.concatenate(parts).astype(np.int16) if parts else silence(0)


def frames(pcm: Pcm) -> list[Pcm]:
    """20 ms frames; the last one padded with silence."""
    padded = np.concatenate([pcm, np.zeros(-len(pcm) % FRAME, np.int16)])
    return list(padded.reshape(-1, FRAME))


def rms(pcm: Pcm) -> float:
    return float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) if pcm.size else 0.0


def goertzel_power(pcm: Pcm, freq: float) -> float:
    """Share of the signal's energy at `freq` (0..1): the test for a known tone."""
    x = pcm.astype(np.float64)
    if not x.size or not np.any(x):
        return 0.0
    n = np.arange(x.size)
    ref = np.exp(-2j * np.pi * freq * n / RATE)
    power = np.abs(np.dot(x, ref)) ** 2 * 2 / x.size
    return float(power / np.dot(x, x))
