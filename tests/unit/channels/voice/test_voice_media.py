"""G.711 tables, RTP packets, RFC 4733 events, SDP offer/answer and a loopback RTP stream."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicenter.channels.voice.media import g711
from omnicenter.channels.voice.media.audio import (
    concat,
    goertzel_power,
    load_wav,
    rms,
    silence,
    tone,
    write_wav,
)
from omnicenter.channels.voice.media.clock import MediaClock
from omnicenter.channels.voice.media.dtmf import DtmfDetector, dtmf_events, parse_info_body
from omnicenter.channels.voice.media.ports import PortRange
from omnicenter.channels.voice.media.rtp import RtpError, build_rtp, parse_rtp, sender_report
from omnicenter.channels.voice.media.sdp import SdpError, build_offer, negotiate, parse_sdp
from omnicenter.channels.voice.media.session import open_rtp_session

# A modest budget per property keeps the suite fast; deadline off for slow CI machines.
FUZZ = settings(max_examples=150, deadline=None)


def _audioop():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import audioop
        except ImportError:
            return None
    return audioop


@pytest.mark.parametrize("codec", ["PCMU", "PCMA"])
def test_g711_matches_the_reference_tables(codec: str) -> None:
    audioop = _audioop()
    if audioop is None:
        pytest.skip("no reference implementation on this Python")
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    codes = bytes(range(256))
    if codec == "PCMU":
        assert g711.encode(codec, pcm) == audioop.lin2ulaw(pcm.tobytes(), 2)
        assert g711.decode(codec, codes).tobytes() == audioop.ulaw2lin(codes, 2)
    else:
        assert g711.encode(codec, pcm) == audioop.lin2alaw(pcm.tobytes(), 2)
        assert g711.decode(codec, codes).tobytes() == audioop.alaw2lin(codes, 2)


def test_g711_known_values() -> None:
    zero = np.zeros(1, np.int16)
    assert g711.ulaw_encode(zero) == b"\xff"
    assert g711.alaw_encode(zero) == b"\xd5"
    assert g711.ulaw_decode(b"\x00")[0] == -32124
    assert g711.alaw_decode(b"\xd5")[0] == 8


@pytest.mark.parametrize("codec", ["PCMU", "PCMA"])
def test_g711_round_trip_error_is_small(codec: str) -> None:
    signal = tone(1000, 0.1, amplitude=12000)
    back = g711.decode(codec, g711.encode(codec, signal))
    error = rms(back.astype(np.int32) - signal.astype(np.int32))  # type: ignore[arg-type]
    assert error < 0.05 * rms(signal)
    assert goertzel_power(back, 1000) > 0.9


def test_rtp_round_trip_and_rejects() -> None:
    data = build_rtp(8, 65535, 2**32 - 1, 1234, b"abc", marker=True)
    packet = parse_rtp(data)
    assert (packet.pt, packet.seq, packet.timestamp, packet.ssrc) == (8, 65535, 2**32 - 1, 1234)
    assert packet.marker and packet.payload == b"abc"
    csrc_ext = bytes([0x91, 0]) + data[2:12] + b"\0\0\0\1" + b"\xbe\xde\x00\x01" + b"1234" + b"xy"
    assert parse_rtp(csrc_ext).payload == b"xy"
    with pytest.raises(RtpError):
        parse_rtp(b"\x00" * 12)
    with pytest.raises(RtpError):
        parse_rtp(data[:8])
    with pytest.raises(RtpError):
        parse_rtp(sender_report(1, 2, 3, 4))


@FUZZ
@given(st.binary(max_size=64))
def test_rtp_parser_only_raises_rtp_error(data: bytes) -> None:
    with contextlib.suppress(RtpError):
        parse_rtp(data)


def test_rfc4733_events_report_each_digit_once() -> None:
    detector = DtmfDetector()
    seen = [detector.feed(1000, p) for p, _ in dtmf_events("5")]
    seen += [detector.feed(2000, p) for p, _ in dtmf_events("#")]
    assert [d for d in seen if d] == ["5", "#"]
    first, marker = dtmf_events("1")[0]
    assert marker and struct.unpack("!BBH", first)[0] == 1
    assert dtmf_events("1")[-1][0][1] & 0x80  # end bit


@pytest.mark.parametrize(
    ("ctype", "body", "digit"),
    [
        ("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n", "5"),
        ("application/dtmf-relay", b"Signal= #\r\n", "#"),
        ("application/dtmf", b"11", "#"),
        ("application/dtmf", b"7", "7"),
        ("application/dtmf-relay", b"Duration=160", None),
        ("text/plain", b"5", None),
        ("application/dtmf", b"55", None),
    ],
)
def test_info_bodies(ctype: str, body: bytes, digit: str | None) -> None:
    assert parse_info_body(ctype, body) == digit


SIPP_SDP = (
    b"v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    b"t=0 0\r\nm=audio 6000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\n"
    b"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-11,16\r\na=ptime:20\r\n"
)


def test_answer_takes_the_offerers_first_supported_codec_and_dtmf() -> None:
    offer = parse_sdp(SIPP_SDP)
    assert (offer.address, offer.port) == ("127.0.0.1", 6000)
    answer = negotiate(offer, "127.0.0.1", 20000)
    assert [f.name for f in answer.formats] == ["PCMA", "telephone-event"]
    assert answer.dtmf is not None and answer.dtmf.pt == 101
    again = parse_sdp(answer.to_bytes())
    assert again.port == 20000 and again.direction == "sendrecv"


def test_hold_offers_are_recognised_and_answered() -> None:
    held = parse_sdp(SIPP_SDP + b"a=sendonly\r\n")
    assert held.on_hold
    assert negotiate(held, "127.0.0.1", 1).direction == "recvonly"
    old_style = parse_sdp(SIPP_SDP.replace(b"c=IN IP4 127.0.0.1", b"c=IN IP4 0.0.0.0"))
    assert old_style.on_hold


def test_offers_without_g711_are_refused_with_488() -> None:
    with pytest.raises(SdpError) as info:
        negotiate(parse_sdp(SIPP_SDP.replace(b"RTP/AVP 8 0 101", b"RTP/AVP 18")), "h", 1)
    assert info.value.status == 488
    with pytest.raises(SdpError):
        parse_sdp(b"v=0\r\n")
    assert build_offer("127.0.0.1", 4000).dtmf is not None


def test_wav_files_are_converted_to_8khz_mono(tmp_path: Path) -> None:
    path = tmp_path / "x.wav"
    import wave

    t = np.arange(16000) / 16000
    stereo = np.repeat((np.sin(2 * np.pi * 440 * t) * 10000).astype("<i2"), 2)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(stereo.tobytes())
    pcm = load_wav(path)
    assert len(pcm) == 8000
    assert goertzel_power(pcm, 440) > 0.9
    write_wav(path, concat(silence(0.1), tone(600, 0.2)))
    assert len(load_wav(path)) == 2400


async def test_two_rtp_sessions_carry_a_tone_and_digits() -> None:
    clock = MediaClock()
    ports = PortRange(0)
    a = await open_rtp_session("127.0.0.1", ports, clock)
    b = await open_rtp_session("127.0.0.1", ports, clock)
    try:
        a.configure(b.local, "PCMA", 8, 101)
        b.configure(a.local, "PCMA", 8, 101)
        heard: list[np.ndarray] = []
        b.audio_listeners.append(heard.append)
        digits: asyncio.Queue[str] = asyncio.Queue()
        b.on_digit = digits.put_nowait
        await a.play(tone(1000, 0.2))
        await a.send_digit("7")
        assert await asyncio.wait_for(digits.get(), 2) == "7"
        received = np.concatenate(heard)
        assert len(received) >= 1280  # a few packets may still be in flight
        assert goertzel_power(received, 1000) > 0.8
        assert a.stats.sent >= 10 and b.stats.received >= 10
    finally:
        a.close()
        b.close()
        await clock.aclose()
