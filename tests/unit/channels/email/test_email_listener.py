"""The SMTP listener over real TCP, driven by Python's own smtplib client."""

from __future__ import annotations

import asyncio
import smtplib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from omnicenter.channels.email import EmailLimits, EmailListener, EmailRejected, parse_email

MESSAGE = (
    b"From: Jan <jan@customer.example>\r\nTo: help@shop.example\r\n"
    b"Subject: hello\r\nMessage-ID: <m1@customer.example>\r\n\r\nWhere is my order?\r\n"
)


@dataclass
class Recorder:
    """An accept callback that stores what it got; it can be told to fail or to wait."""

    received: list[tuple[bytes, str, list[str]]] = field(default_factory=list)
    fail_with: Exception | None = None
    gate: asyncio.Event | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> None:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_with is not None:
            raise self.fail_with
        self.received.append((raw, mail_from, rcpt_tos))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


Start = Callable[..., Awaitable[EmailListener]]


@pytest.fixture
async def start_listener(recorder: Recorder) -> AsyncIterator[Start]:
    listeners: list[EmailListener] = []

    async def start(**kwargs: object) -> EmailListener:
        listener = EmailListener("127.0.0.1", 0, recorder, hostname="mx.test", **kwargs)  # type: ignore[arg-type]
        await listener.start()
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        await listener.stop()


def _send(port: int, raw: bytes, to: list[str] | None = None) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=10) as client:
        return client.sendmail("jan@customer.example", to or ["help@shop.example"], raw)


def _text(reply: bytes | str) -> str:
    return reply.decode() if isinstance(reply, bytes) else reply


def _send_error(port: int, raw: bytes, to: list[str] | None = None) -> tuple[int, str]:
    try:
        _send(port, raw, to)
    except smtplib.SMTPDataError as exc:
        return exc.smtp_code, _text(exc.smtp_error)
    except smtplib.SMTPRecipientsRefused as exc:
        [(code, text)] = exc.recipients.values()
        return code, text.decode()
    except smtplib.SMTPSenderRefused as exc:
        return exc.smtp_code, _text(exc.smtp_error)
    raise AssertionError("the message was accepted")


async def test_port_zero_reports_the_bound_port(start_listener: Start) -> None:
    listener = await start_listener()
    assert listener.port > 0
    assert listener.running


async def test_accepts_and_hands_over_raw_envelope(
    start_listener: Start, recorder: Recorder
) -> None:
    listener = await start_listener()
    refused = await asyncio.to_thread(_send, listener.port, MESSAGE)
    assert refused == {}
    [(raw, mail_from, rcpt_tos)] = recorder.received
    assert parse_email(raw).message_id == "m1@customer.example"
    assert mail_from == "jan@customer.example"
    assert rcpt_tos == ["help@shop.example"]


async def test_250_only_after_accept_returns(start_listener: Start, recorder: Recorder) -> None:
    recorder.gate = asyncio.Event()
    listener = await start_listener()
    order: list[str] = []

    def client() -> None:
        _send(listener.port, MESSAGE)
        order.append("client got 250")

    sending = asyncio.create_task(asyncio.to_thread(client))
    await recorder.entered.wait()
    assert recorder.received == []
    order.append("accept returns")
    recorder.gate.set()
    await sending
    assert order == ["accept returns", "client got 250"]
    assert len(recorder.received) == 1
    # The reply also depends on accept's outcome (see the 451 test below), which it could
    # not if it were sent before accept finished.


async def test_accept_failure_is_a_temporary_451(
    start_listener: Start, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.fail_with = RuntimeError("database is locked")
    listener = await start_listener()
    code, text = await asyncio.to_thread(_send_error, listener.port, MESSAGE)
    assert (code, text) == (451, "4.3.0 Temporary failure, please try again later")
    assert "database is locked" in caplog.text
    # The listener keeps serving.
    recorder.fail_with = None
    assert await asyncio.to_thread(_send, listener.port, MESSAGE) == {}


async def test_accept_can_reject_with_its_own_reason(
    start_listener: Start, recorder: Recorder
) -> None:
    recorder.fail_with = EmailRejected(550, "5.7.1", "sender is blocked")
    listener = await start_listener()
    code, text = await asyncio.to_thread(_send_error, listener.port, MESSAGE)
    assert (code, text) == (550, "5.7.1 sender is blocked")


async def test_parse_rejection_is_a_5xx_with_the_reason(
    start_listener: Start, recorder: Recorder
) -> None:
    listener = await start_listener()
    raw = b"To: help@shop.example\r\nSubject: no sender\r\n\r\nhi\r\n"
    code, text = await asyncio.to_thread(_send_error, listener.port, raw)
    assert (code, text) == (550, "5.1.7 the message has no From header")
    assert recorder.received == []


async def test_attachment_limit_reason_reaches_the_sender(start_listener: Start) -> None:
    listener = await start_listener(limits=EmailLimits(max_attachment_bytes=1024))
    raw = (
        b"From: a@customer.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="big.pdf"\r\n\r\n'
        + (b"x" * 62 + b"\r\n") * 32  # 2 KB in short lines: SMTP caps lines at 1000
        + b"--b--\r\n"
    )
    code, text = await asyncio.to_thread(_send_error, listener.port, raw)
    assert (code, text) == (552, "5.3.4 attachment 'big.pdf' is 2 KB, the limit is 1 KB")


async def test_size_is_advertised_and_enforced(start_listener: Start) -> None:
    listener = await start_listener(limits=EmailLimits(max_message_bytes=4096))

    def ehlo_size() -> str | None:
        with smtplib.SMTP("127.0.0.1", listener.port, timeout=10) as client:
            client.ehlo("client.test")
            return client.esmtp_features.get("size")

    assert await asyncio.to_thread(ehlo_size) == "4096"
    code, _ = await asyncio.to_thread(_send_error, listener.port, MESSAGE + b"x" * 8192)
    assert code == 552


async def test_unknown_recipient_domain_is_refused_at_rcpt(
    start_listener: Start, recorder: Recorder
) -> None:
    listener = await start_listener(accepted_domains={"Shop.Example"})
    code, text = await asyncio.to_thread(_send_error, listener.port, MESSAGE, ["x@other.example"])
    assert code == 550 and text.startswith("5.1.1 <x@other.example>")
    # Mixed: the known recipient still gets the message.
    refused = await asyncio.to_thread(
        _send, listener.port, MESSAGE, ["help@shop.example", "x@other.example"]
    )
    assert list(refused) == ["x@other.example"]
    assert recorder.received[0][2] == ["help@shop.example"]


async def test_too_many_recipients(start_listener: Start, recorder: Recorder) -> None:
    listener = await start_listener(max_recipients=2)
    rcpts = [f"r{i}@shop.example" for i in range(3)]
    refused = await asyncio.to_thread(_send, listener.port, MESSAGE, rcpts)
    assert refused == {"r2@shop.example": (452, b"4.5.3 Too many recipients")}
    assert recorder.received[0][2] == rcpts[:2]


def _garbage_session(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.recv(1024)  # greeting
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.mark.parametrize(
    "payload",
    [
        b"\x00\xff\xfe garbage \x80\r\n",
        b"HELO\r\nMAIL FROM:<<<>>>\r\nRCPT TO:\r\nDATA\r\n",
        b"A" * 100_000 + b"\r\n",
        b"EHLO x\r\nMAIL FROM:<a@b> SIZE=notanumber\r\nBDAT 10\r\n\r\n",
        b"EHLO x\r\nAUTH PLAIN \xff\xff\r\nSTARTTLS\r\n",
        b"\r\n" * 50,
        b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<help@shop.example>\r\nDATA\r\n\xff\x00garbage",
    ],
)
async def test_garbage_on_the_socket_does_not_kill_the_listener(
    start_listener: Start, recorder: Recorder, payload: bytes
) -> None:
    listener = await start_listener()
    await asyncio.to_thread(_garbage_session, listener.port, payload)
    assert await asyncio.to_thread(_send, listener.port, MESSAGE) == {}
    assert len(recorder.received) == 1


async def test_stop_closes_the_port_and_open_sessions(recorder: Recorder) -> None:
    listener = EmailListener("127.0.0.1", 0, recorder, hostname="mx.test")
    await listener.start()
    port = listener.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert (await reader.readline()).startswith(b"220 ")
    await listener.stop()
    assert not listener.running
    assert await reader.read() == b""  # the open session was closed by the server
    writer.close()
    await writer.wait_closed()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_start_twice_is_an_error(start_listener: Start) -> None:
    listener = await start_listener()
    with pytest.raises(RuntimeError):
        await listener.start()
