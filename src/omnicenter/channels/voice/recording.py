"""Call recording: one stereo WAV per call, caller on the left, agent on the right.

Frames are queued as they arrive on each leg and written in step on the media clock, so
the two directions stay aligned even when one side is silent (comfort-noise gaps, hold).
"""

from __future__ import annotations

import wave
from collections import deque
from pathlib import Path

import numpy as np
import numpy.typing as npt

from omnicenter.channels.voice.media.audio import FRAME, RATE
from omnicenter.channels.voice.media.clock import MediaClock

__all__ = ["Recorder"]

Pcm = npt.NDArray[np.int16]
_SILENCE = np.zeros(FRAME, np.int16)
_MAX_BACKLOG = 10  # 200 ms: beyond that, frames are late enough to drop


class Recorder:
    def __init__(self, path: Path, clock: MediaClock) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._wav = wave.open(str(path), "wb")  # noqa: SIM115 - open for the call's lifetime
        self._wav.setnchannels(2)
        self._wav.setsampwidth(2)
        self._wav.setframerate(RATE)
        self._left: deque[Pcm] = deque()
        self._right: deque[Pcm] = deque()
        self._clock = clock
        self._handle = clock.add(self._tick)
        self.frames = 0

    def caller(self, pcm: Pcm) -> None:
        self._push(self._left, pcm)

    def agent(self, pcm: Pcm) -> None:
        self._push(self._right, pcm)

    @staticmethod
    def _push(queue: deque[Pcm], pcm: Pcm) -> None:
        for start in range(0, len(pcm), FRAME):
            chunk = pcm[start : start + FRAME]
            if len(chunk) < FRAME:
                chunk = np.concatenate([chunk, np.zeros(FRAME - len(chunk), np.int16)])
            queue.append(chunk)
        while len(queue) > _MAX_BACKLOG:
            queue.popleft()

    def _tick(self) -> None:
        left = self._left.popleft() if self._left else _SILENCE
        right = self._right.popleft() if self._right else _SILENCE
        self._wav.writeframes(np.column_stack([left, right]).astype("<i2").tobytes())
        self.frames += 1

    def close(self) -> Path:
        self._clock.remove(self._handle)
        while self._left or self._right:
            self._tick()
        self._wav.close()
        return self.path
