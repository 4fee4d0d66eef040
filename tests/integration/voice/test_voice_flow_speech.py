"""Speech for a flow's dynamic text: espeak-ng at run time, cached by text hash; without
it, a tone and a clear log line."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from voice_helpers import require_tool

from omnicenter.channels.voice.media.audio import goertzel_power
from omnicenter.channels.voice.prompts import SpeechSynth


async def test_dynamic_text_is_spoken_once_and_then_read_from_the_cache(tmp_path: Path) -> None:
    require_tool("espeak-ng")
    speech = SpeechSynth(tmp_path / "speech")
    first = await speech.speak("Koszulka bawełniana: 51,29 zł.", "pl")
    assert first.size > 8000  # over a second of 8 kHz speech
    files = list((tmp_path / "speech").glob("*.wav"))
    assert files == [speech.path_for("Koszulka bawełniana: 51,29 zł.", "pl")]
    again = SpeechSynth(tmp_path / "speech", espeak="/nonexistent/espeak-ng")
    cached = await again.speak("Koszulka bawełniana: 51,29 zł.", "pl")
    assert (cached == first).all()  # from the file: the missing binary was never run
    other = await speech.speak("Koszulka bawełniana: 51,29 zł.", "en")
    assert len(list((tmp_path / "speech").glob("*.wav"))) == 2 and other.size > 0


async def test_without_espeak_the_caller_hears_a_tone_and_the_log_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    speech = SpeechSynth(tmp_path / "speech")
    assert not speech.available
    with caplog.at_level(logging.WARNING):
        pcm = await speech.speak("53,99 zł", "pl")
        await speech.speak("179,00 zł", "pl")
    assert goertzel_power(pcm[:800], 880) > 0.5
    warnings = [r.getMessage() for r in caplog.records if "espeak-ng not found" in r.getMessage()]
    assert len(warnings) == 1  # said once, not for every answer
    assert not list((tmp_path / "speech").glob("*.wav"))
