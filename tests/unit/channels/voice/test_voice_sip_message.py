"""SIP message reading and writing: RFC 3261 torture-test style cases (RFC 4475) and fuzzing."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicenter.channels.voice.sip import (
    Headers,
    NameAddr,
    SipParseError,
    SipRequest,
    SipResponse,
    SipUri,
    Via,
    can_answer,
    make_response,
    parse_message,
    validate_request,
)

INVITE = (
    b"INVITE sip:ivr@127.0.0.1 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK776asdhds;rport\r\n"
    b"Max-Forwards: 70\r\n"
    b'From: "Ann" <sip:+48601234567@10.0.0.1>;tag=1928301774\r\n'
    b"To: <sip:ivr@127.0.0.1>\r\n"
    b"Call-ID: a84b4c76e66710@10.0.0.1\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Contact: <sip:ann@10.0.0.1:5070>\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: 4\r\n"
    b"\r\n"
    b"v=0\n"
)


# A modest budget per property keeps the suite fast; deadline off for slow CI machines.
FUZZ = settings(max_examples=150, deadline=None)


def test_parses_a_request_with_its_headers_and_body() -> None:
    msg = parse_message(INVITE)
    assert isinstance(msg, SipRequest)
    assert msg.method == "INVITE"
    assert msg.request_uri == SipUri(host="127.0.0.1", user="ivr")
    assert msg.top_via.branch == "z9hG4bK776asdhds"
    assert msg.top_via.port == 5070
    assert msg.from_.display == "Ann"
    assert msg.from_.tag == "1928301774"
    assert msg.from_.uri.user == "+48601234567"
    assert msg.cseq.number == 314159
    assert msg.body == b"v=0\n"
    validate_request(msg)


def test_compact_headers_and_folding_are_understood() -> None:
    data = (
        b"OPTIONS sip:ivr@127.0.0.1 SIP/2.0\r\n"
        b"v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa, SIP/2.0/TCP 10.0.0.2:5061;branch=z9hG4bKb\r\n"
        b"f: <sip:a@x>;tag=1\r\n"
        b"t: <sip:b@y>\r\n"
        b"i: call-1\r\n"
        b"CSeq:\r\n  7\r\n\tOPTIONS\r\n"
        b"l: 0\r\n\r\n"
    )
    msg = parse_message(data)
    assert [v.host for v in msg.via] == ["10.0.0.1", "10.0.0.2"]
    assert msg.call_id == "call-1"
    assert msg.cseq.number == 7
    assert msg.headers.get("Content-Length") == "0"
    validate_request(msg)  # type: ignore[arg-type]


def test_multi_value_headers_split_outside_quotes_and_brackets() -> None:
    headers = Headers([("Contact", '"Doe, John" <sip:a@x;p=1,2>, <sip:b@y>'), ("m", "<sip:c@z>")])
    assert headers.get_all("contact") == ['"Doe, John" <sip:a@x;p=1,2>', "<sip:b@y>", "<sip:c@z>"]
    headers = Headers([("WWW-Authenticate", 'Digest realm="a", nonce="b"')])
    assert headers.get_all("WWW-Authenticate") == ['Digest realm="a", nonce="b"']


def test_round_trip_keeps_everything_and_fixes_content_length() -> None:
    msg = parse_message(INVITE)
    msg.body = b"v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n"
    again = parse_message(msg.to_bytes())
    assert isinstance(again, SipRequest)
    assert again.body == msg.body
    assert again.headers.get("Content-Length") == str(len(msg.body))
    assert list(again.headers)[:-1] == [h for h in msg.headers if h[0] != "Content-Length"]


def test_parses_a_response() -> None:
    data = (
        b"SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        b"From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\r\n"
    )
    msg = parse_message(data)
    assert isinstance(msg, SipResponse)
    assert (msg.status, msg.reason) == (180, "Ringing")
    assert msg.to.tag == "2"


def test_body_longer_than_content_length_is_cut_on_datagrams() -> None:
    msg = parse_message(INVITE + b"garbage")
    assert msg.body == b"v=0\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (INVITE[:-2], "Content-Length larger than the body"),
        (INVITE.replace(b"Content-Length: 4", b"Content-Length: x"), "Bad Content-Length"),
        (INVITE.replace(b"Content-Length: 4", b"Content-Length: -1"), "Bad Content-Length"),
        (INVITE[: INVITE.index(b"\r\n\r\n")], "Truncated message: no end of headers"),
        (INVITE.replace(b"Max-Forwards: 70", b"Max Forwards 70"), "Bad header line"),
    ],
)
def test_broken_messages_get_400_with_enough_to_answer(data: bytes, reason: str) -> None:
    with pytest.raises(SipParseError) as info:
        parse_message(data)
    assert info.value.status == 400
    assert info.value.reason.startswith(reason)
    assert can_answer(info.value.partial)


def test_wrong_sip_version_is_505() -> None:
    with pytest.raises(SipParseError) as info:
        parse_message(INVITE.replace(b"SIP/2.0\r\n", b"SIP/7.0\r\n", 1))
    assert info.value.status == 505
    assert can_answer(info.value.partial)


def test_stream_transport_requires_content_length() -> None:
    data = INVITE.replace(b"Content-Length: 4\r\n", b"")
    assert parse_message(data).body == b"v=0\n"
    with pytest.raises(SipParseError):
        parse_message(data, stream=True)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\r\n\r\n",
        b"hello",
        b"INVITE sip:x SIP/2.0",
        b"SIP/2.0 99 Low\r\n\r\n",
        b"\xff\xfe\r\n\r\n",
    ],
)
def test_unreadable_start_lines_are_dropped(data: bytes) -> None:
    with pytest.raises(SipParseError) as info:
        parse_message(data)
    assert info.value.status is None or not can_answer(info.value.partial)


@pytest.mark.parametrize(
    ("replace", "status"),
    [
        ((b"CSeq: 314159 INVITE", b"CSeq: 314159 BYE"), 400),
        ((b"CSeq: 314159 INVITE", b"CSeq: 99999999999 INVITE"), 400),
        ((b";branch=z9hG4bK776asdhds", b""), 400),
        ((b"Max-Forwards: 70", b"Max-Forwards: 0"), 483),
        ((b"Call-ID: a84b4c76e66710@10.0.0.1\r\n", b""), 400),
        ((b"To: <sip:ivr@127.0.0.1>", b"To: <sip:ivr@127.0.0.1"), 400),
        ((b"INVITE sip:ivr@127.0.0.1", b"INVITE http://x"), 416),
    ],
)
def test_semantic_checks(replace: tuple[bytes, bytes], status: int) -> None:
    msg = parse_message(INVITE.replace(*replace))
    assert isinstance(msg, SipRequest)
    with pytest.raises(SipParseError) as info:
        validate_request(msg)
    assert info.value.status == status


def test_response_copies_dialog_headers_and_adds_a_to_tag() -> None:
    request = parse_message(INVITE)
    assert isinstance(request, SipRequest)
    response = make_response(request, 200, to_tag="abc", body=b"x", content_type="application/sdp")
    assert response.to.tag == "abc"
    assert response.headers.get_all("Via") == request.headers.get_all("Via")
    assert response.cseq == request.cseq
    assert make_response(request, 100, to_tag="abc").to.tag is None
    parsed = parse_message(response.to_bytes())
    assert isinstance(parsed, SipResponse) and parsed.body == b"x"


def test_values_parse_and_print() -> None:
    uri = SipUri.parse("sip:agent1:secret@[::1]:5070;transport=tcp?subject=x")
    assert (uri.user, uri.host, uri.port, uri.transport) == ("agent1", "[::1]", 5070, "tcp")
    assert str(uri) == "sip:agent1@[::1]:5070;transport=tcp?subject=x"
    addr = NameAddr.parse("sip:ann@x;tag=9")
    assert addr.tag == "9" and addr.uri.params == {}
    assert NameAddr.parse("*").wildcard
    via = Via.parse("SIP/2.0/udp 1.2.3.4:5060 ;branch=z9hG4bKx;rport")
    assert str(Via.parse(str(via))) == str(via)
    assert SipUri.parse("tel:+48601234567").user == "+48601234567"


# --- fuzzing -------------------------------------------------------------------------------

_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=12)
_value = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=","),
    min_size=1,
    max_size=30,
)


@FUZZ
@given(st.binary(max_size=600))
def test_arbitrary_bytes_raise_only_parse_errors(data: bytes) -> None:
    try:
        msg = parse_message(data)
    except SipParseError:
        return
    if isinstance(msg, SipRequest):
        with contextlib.suppress(SipParseError):
            validate_request(msg)


@FUZZ
@given(st.integers(min_value=0, max_value=len(INVITE)), st.binary(max_size=40))
def test_cut_or_corrupted_invites_never_crash(cut: int, noise: bytes) -> None:
    for data in (INVITE[:cut], INVITE[:cut] + noise + INVITE[cut:]):
        try:
            msg = parse_message(data)
            if isinstance(msg, SipRequest):
                validate_request(msg)
        except SipParseError as exc:
            assert exc.status in (None, 400, 405, 416, 483, 501, 505, 513)


@FUZZ
@given(
    method=st.sampled_from(["INVITE", "OPTIONS", "BYE", "REGISTER", "INFO"]),
    user=_token,
    branch=_token,
    cseq=st.integers(min_value=0, max_value=2**31 - 1),
    extra=st.lists(
        st.tuples(st.sampled_from(["X-A", "Subject", "User-Agent"]), _value), max_size=4
    ),
    body=st.binary(max_size=200),
    compact=st.booleans(),
)
def test_built_requests_round_trip(
    method: str,
    user: str,
    branch: str,
    cseq: int,
    extra: list[tuple[str, str]],
    body: bytes,
    compact: bool,
) -> None:
    request = SipRequest(method=method, uri=f"sip:{user}@127.0.0.1:5060")
    request.headers.add("v" if compact else "Via", f"SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK{branch}")
    request.headers.add("f" if compact else "From", f"<sip:{user}@h>;tag=t{branch}")
    request.headers.add("t" if compact else "To", f"<sip:{user}@127.0.0.1>")
    request.headers.add("i" if compact else "Call-ID", f"{branch}@h")
    request.headers.add("CSeq", f"{cseq} {method}")
    for name, value in extra:
        request.headers.add(name, value.strip() or "x")
    request.body = body
    parsed = parse_message(request.to_bytes())
    assert isinstance(parsed, SipRequest)
    validate_request(parsed)
    assert (parsed.method, parsed.uri, parsed.body) == (method, request.uri, body)
    assert parsed.cseq.number == cseq
    assert parsed.top_via.branch == f"z9hG4bK{branch}"
    assert [v for n, v in parsed.headers if n in ("X-A", "Subject", "User-Agent")] == [
        (v.strip() or "x") for _, v in extra
    ]
