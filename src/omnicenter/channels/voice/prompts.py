"""Prompt files: WAV per prompt name in a directory, generated for the demo when missing.

Recorded prompts win: a file `<name>.wav` in the prompts directory is used as it is (any
PCM WAV; it is converted to 8 kHz mono on load). Missing prompts are spoken with
`espeak-ng` when installed, else replaced by a short beep so calls still work.

`SpeechSynth` speaks dynamic text (a flow's answers: prices, order status) at run time,
cached by a hash of (voice, text), so a phrase said twice is synthesised once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from omnicenter.channels.voice.media.audio import (
    AudioError,
    concat,
    load_wav,
    silence,
    tone,
    write_wav,
)

__all__ = ["PromptStore", "SpeechSynth", "music_on_hold"]

log = logging.getLogger(__name__)
Pcm = npt.NDArray[np.int16]

HOW_TO_RECORD = (
    "To use recorded prompts, put PCM WAV files named <prompt>.wav (8 kHz mono is best) in {dir}; "
    "install espeak-ng to have missing ones spoken automatically."
)


def _fallback() -> Pcm:
    return concat(tone(880, 0.15, amplitude=4000), silence(0.35))


def music_on_hold(seconds: float = 8.0) -> Pcm:
    """A soft, royalty-free arpeggio (A minor, C major) made of sine tones."""
    notes = [220.0, 261.63, 329.63, 261.63, 261.63, 329.63, 392.0, 329.63]
    step = seconds / len(notes)
    parts = []
    for f in notes:
        t = tone((f, f * 2), step, amplitude=3000)
        envelope = np.minimum(1.0, np.linspace(0, 8, t.size)) * np.linspace(1, 0.6, t.size)
        parts.append((t * envelope).astype(np.int16))
    return concat(*parts)


class PromptStore:
    def __init__(self, directory: Path, texts: Mapping[str, str] | None = None) -> None:
        self.directory = directory
        self.texts = dict(texts or {})
        self._cache: dict[str, Pcm] = {}

    def ensure(self, *, espeak: str | None = None) -> list[str]:
        """Create every missing prompt with a text; returns the names generated."""
        self.directory.mkdir(parents=True, exist_ok=True)
        espeak = espeak or shutil.which("espeak-ng")
        made: list[str] = []
        missing = [n for n in self.texts if not (self.directory / f"{n}.wav").exists()]
        if missing and espeak is None:
            log.warning(
                "espeak-ng not found: %d prompts will be beeps. %s",
                len(missing),
                HOW_TO_RECORD.format(dir=self.directory),
            )
            return made
        for name in missing:
            path = self.directory / f"{name}.wav"
            assert espeak is not None
            try:
                subprocess.run(
                    [espeak, "-v", "en-us", "-s", "150", "-w", str(path), self.texts[name]],
                    check=True,
                    capture_output=True,
                    timeout=30,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning("espeak-ng failed for %s: %s", name, exc)
                continue
            made.append(name)
        moh = self.directory / "music_on_hold.wav"
        if not moh.exists():
            write_wav(moh, music_on_hold())
            made.append("music_on_hold")
        if made:
            log.info(
                "generated prompts %s in %s. %s",
                made,
                self.directory,
                HOW_TO_RECORD.format(dir=self.directory),
            )
        return made

    def get(self, name: str) -> Pcm:
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        path = self.directory / f"{name}.wav"
        try:
            pcm = load_wav(path)
        except (FileNotFoundError, AudioError) as exc:
            if name == "music_on_hold":
                pcm = music_on_hold()
            else:
                log.warning(
                    "prompt %s unusable (%s). %s",
                    name,
                    exc,
                    HOW_TO_RECORD.format(dir=self.directory),
                )
                pcm = _fallback()
        self._cache[name] = pcm
        return pcm

    def sequence(self, *names: str, gap: float = 0.2) -> Pcm:
        parts: list[Pcm] = []
        for name in names:
            parts += [self.get(name), silence(gap)]
        return concat(*parts) if parts else silence(0.02)


# espeak-ng voice per flow language; anything else is read with the English voice.
_VOICES = {"pl": "pl", "en": "en-us"}


class SpeechSynth:
    """Text to 8 kHz speech with espeak-ng, cached as WAV files named by a text hash.

    Without espeak-ng (or when it fails) the caller hears a short tone instead of the
    text, and the log says once how to get speech. `espeak=""` switches speech off."""

    def __init__(self, directory: Path, *, espeak: str | None = None, rate: int = 150) -> None:
        self.directory = directory
        self.espeak = espeak if espeak is not None else shutil.which("espeak-ng")
        self.rate = rate
        self._memory: dict[str, Pcm] = {}
        self._warned = False

    @property
    def available(self) -> bool:
        return bool(self.espeak)

    def path_for(self, text: str, lang: str) -> Path:
        voice = _VOICES.get(lang, "en-us")
        digest = hashlib.sha256(f"{voice}\0{self.rate}\0{text}".encode()).hexdigest()[:32]
        return self.directory / f"{digest}.wav"

    async def speak(self, text: str, lang: str) -> Pcm:
        path = self.path_for(text, lang)
        key = str(path)
        cached = self._memory.get(key)
        if cached is not None:
            return cached
        pcm = await asyncio.to_thread(self._load_or_make, path, text, lang)
        self._memory[key] = pcm
        return pcm

    def _load_or_make(self, path: Path, text: str, lang: str) -> Pcm:
        if not path.exists():
            if not self.espeak:
                if not self._warned:
                    log.warning(
                        "espeak-ng not found: flow answers on the phone are replaced by a tone. "
                        "Install espeak-ng to have them spoken."
                    )
                    self._warned = True
                return _fallback()
            self.directory.mkdir(parents=True, exist_ok=True)
            voice = _VOICES.get(lang, "en-us")
            partial = path.with_suffix(".part.wav")
            try:
                subprocess.run(
                    [self.espeak, "-v", voice, "-s", str(self.rate), "-w", str(partial), text],
                    check=True,
                    capture_output=True,
                    timeout=30,
                )
                partial.replace(path)  # whole files only: a crash never leaves half a prompt
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning("espeak-ng failed (%s); the caller hears a tone instead", exc)
                return _fallback()
        try:
            return load_wav(path)
        except AudioError as exc:
            log.warning("speech file %s unusable (%s)", path, exc)
            return _fallback()
