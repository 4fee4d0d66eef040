"""Raw SIP on the wire: broken, hostile and out-of-place messages get the right answer (or
none), and the endpoint keeps serving afterwards. Also REGISTER with digest and CANCEL."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace

import pytest

from omnicenter.channels.voice import SimpleVoiceService, VoiceEndpoint, VoiceSettings
from omnicenter.channels.voice.sip import SipResponse, parse_message
from omnicenter.channels.voice.softphone import Softphone


def request(
    method: str,
    *,
    branch: str = "z9hG4bKt1",
    extra: str = "",
    body: str = "",
    cseq_method: str | None = None,
    length: int | None = None,
) -> bytes:
    head = (
        f"{method} sip:ivr@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:9;branch={branch};rport\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:tester@127.0.0.1>;tag=abc\r\n"
        "To: <sip:ivr@127.0.0.1>\r\n"
        f"Call-ID: {branch}@test\r\n"
        f"CSeq: 1 {cseq_method or method}\r\n"
        f"{extra}"
        f"Content-Length: {len(body) if length is None else length}\r\n\r\n{body}"
    )
    return head.encode()


class Wire:
    """A bare UDP socket talking to the endpoint."""

    def __init__(self, endpoint: VoiceEndpoint) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.addr = (endpoint.host, endpoint.port)

    async def exchange(self, data: bytes, *, wait: float = 1.0) -> SipResponse | None:
        loop = asyncio.get_running_loop()
        await loop.sock_sendto(self.sock, data, self.addr)
        try:
            raw = await asyncio.wait_for(loop.sock_recv(self.sock, 65535), wait)
        except TimeoutError:
            return None
        message = parse_message(raw)
        assert isinstance(message, SipResponse)
        return message

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
async def wire(endpoint: VoiceEndpoint):  # type: ignore[no-untyped-def]
    w = Wire(endpoint)
    yield w
    w.close()


CASES = [
    ("unknown method", request("FROBNICATE"), 501),
    ("known but not allowed", request("SUBSCRIBE"), 405),
    ("Content-Length too large", request("OPTIONS", body="abc", length=50), 400),
    (
        "Content-Length not a number",
        request("OPTIONS").replace(b"Content-Length: 0", b"Content-Length: ten"),
        400,
    ),
    ("CSeq method mismatch", request("OPTIONS", cseq_method="INVITE"), 400),
    ("Via without branch", request("OPTIONS").replace(b";branch=z9hG4bKt1", b""), 400),
    ("wrong version", request("OPTIONS").replace(b"SIP/2.0\r\n", b"SIP/3.0\r\n", 1), 505),
    ("too many hops", request("INFO").replace(b"Max-Forwards: 70", b"Max-Forwards: 0"), 483),
    ("unsupported extension", request("OPTIONS", extra="Require: 100rel, foo\r\n"), 420),
    ("BYE outside a dialog", request("BYE"), 481),
    ("CANCEL of nothing", request("CANCEL"), 481),
    (
        "in-dialog request for an unknown dialog",
        request("INFO").replace(b"To: <sip:ivr@127.0.0.1>", b"To: <sip:ivr@127.0.0.1>;tag=nope"),
        481,
    ),
    ("bad header line", request("OPTIONS", extra="This is not a header\r\n"), 400),
    (
        "bad Request-URI scheme",
        request("OPTIONS").replace(b"OPTIONS sip:ivr@127.0.0.1", b"OPTIONS http://x"),
        416,
    ),
    (
        "INVITE with a codec we lack",
        request(
            "INVITE",
            body="v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 18\r\n",
            extra="Content-Type: application/sdp\r\n",
        ),
        488,
    ),
]


@pytest.mark.parametrize(("data", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_bad_requests_get_the_right_error(
    wire: Wire, endpoint: VoiceEndpoint, data: bytes, status: int
) -> None:
    response = await wire.exchange(data)
    if status == 488:  # an INVITE gets 100 Trying first
        assert response is not None and response.status == 100
        response = await wire.exchange(b"\r\n\r\n")
    assert response is not None and response.status == status
    assert response.call_id.endswith("@test")
    ok = await wire.exchange(request("OPTIONS", branch="z9hG4bKafter"))
    assert ok is not None and ok.status == 200


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\xff garbage",
        b"OPTIONS sip:ivr@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 1",  # truncated, nothing to answer
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKforged\r\nFrom: <sip:a@b>;tag=1\r\n"
        b"To: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",  # forged Via
        request("ACK"),  # an ACK nobody waits for
    ],
    ids=["empty", "garbage", "truncated", "response-with-forged-via", "stray-ack"],
)
async def test_unanswerable_messages_are_dropped(
    wire: Wire, endpoint: VoiceEndpoint, data: bytes
) -> None:
    assert await wire.exchange(data, wait=0.3) is None
    ok = await wire.exchange(request("OPTIONS", branch="z9hG4bKafter2"))
    assert ok is not None and ok.status == 200


async def test_forged_via_gets_answer_at_the_real_source(wire: Wire) -> None:
    data = request("OPTIONS").replace(b"127.0.0.1:9;", b"203.0.113.7:5060;")
    response = await wire.exchange(data)
    assert response is not None and response.status == 200
    via = response.top_via
    assert via.params["received"] == "127.0.0.1"
    assert via.params["rport"] == str(wire.sock.getsockname()[1])


async def test_retransmitted_request_gets_the_same_response(wire: Wire) -> None:
    first = await wire.exchange(request("OPTIONS", branch="z9hG4bKsame"))
    again = await wire.exchange(request("OPTIONS", branch="z9hG4bKsame"))
    assert first is not None and again is not None
    assert first.to_bytes() == again.to_bytes()


async def test_options_over_tcp(endpoint: VoiceEndpoint) -> None:
    reader, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
    writer.write(request("OPTIONS").replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP"))
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
    assert head.startswith(b"SIP/2.0 200 OK")
    writer.write(
        request("OPTIONS", branch="z9hG4bKno-length").replace(b"Content-Length: 0\r\n", b"")
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
    assert head.startswith(b"SIP/2.0 400")
    writer.close()
    await writer.wait_closed()


async def test_register_requires_the_right_password(
    endpoint: VoiceEndpoint, service: SimpleVoiceService
) -> None:
    wrong = Softphone("agent1", (endpoint.host, endpoint.port), password="wrong", t1=0.1)
    right = Softphone(
        "agent1", (endpoint.host, endpoint.port), password="secret1", t1=0.1, protocol="TCP"
    )
    stranger = Softphone("nobody", (endpoint.host, endpoint.port), password="x", t1=0.1)
    for phone in (wrong, right, stranger):
        await phone.start()
    try:
        assert (await wrong.register()).status == 401
        assert (await stranger.register()).status == 401
        assert service.idle_agents() == []
        response = await right.register()
        assert response.status == 200
        assert response.contact is not None and response.contact.params["expires"] == "300"
        assert service.idle_agents() == ["agt_1"]
        binding = endpoint.registrar.lookup("agent1")
        assert binding is not None and binding.peer.protocol == "TCP"
        assert (await right.register(expires=0)).status == 200
        assert endpoint.registrar.lookup("agent1") is None
        assert service.idle_agents() == []
        assert (await right.register(expires=5)).status == 423
    finally:
        for phone in (wrong, right, stranger):
            await phone.aclose()


async def test_cancel_before_answer_gets_487(settings: VoiceSettings) -> None:
    endpoint = VoiceEndpoint(replace(settings, answer_after=5.0), SimpleVoiceService())
    await endpoint.start()
    wire = Wire(endpoint)
    try:
        sdp = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
        invite = request(
            "INVITE", branch="z9hG4bKcancelme", body=sdp, extra="Content-Type: application/sdp\r\n"
        )
        assert (r := await wire.exchange(invite)) is not None and r.status == 100
        assert (r := await wire.exchange(b"\r\n\r\n")) is not None and r.status == 180
        cancel = request("CANCEL", branch="z9hG4bKcancelme")
        statuses = set()
        r = await wire.exchange(cancel)
        assert r is not None
        statuses.add((r.cseq.method, r.status))
        r = await wire.exchange(b"\r\n\r\n")
        assert r is not None
        statuses.add((r.cseq.method, r.status))
        assert statuses == {("CANCEL", 200), ("INVITE", 487)}
        await asyncio.sleep(0)
        assert endpoint.calls == {} or all(c.caller.ended.done() for c in endpoint.calls.values())
    finally:
        wire.close()
        await endpoint.aclose()
