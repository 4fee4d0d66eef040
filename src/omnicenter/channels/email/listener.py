"""Inbound SMTP on the application's own asyncio loop (aiosmtpd's protocol, no thread).

`250` is sent only after `accept` returned, and the service commits inside `accept`: a
`250` therefore means the message is stored. Anything we cannot take now gets a `4xx` so
the sending server retries; anything we will never take gets a `5xx` with the reason.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import weakref
from collections.abc import Awaitable, Callable

from aiosmtpd.smtp import SMTP, Envelope, Session

from omnicenter.channels.email.errors import EmailRejected
from omnicenter.channels.email.limits import EmailLimits
from omnicenter.channels.email.parse import parse_email

__all__ = ["AcceptCallback", "EmailListener"]

log = logging.getLogger(__name__)

AcceptCallback = Callable[[bytes, str, list[str]], Awaitable[None]]
"""`accept(raw, mail_from, rcpt_tos)`: store the message durably or raise."""

# Parsing a large message takes milliseconds; do it off the loop so chats and calls
# served by the same process do not stall.
_THREAD_PARSE_BYTES = 256 * 1024


class _Handler:
    """aiosmtpd handler hooks: RCPT checks the domain, DATA parses and hands over."""

    def __init__(
        self,
        accept: AcceptCallback,
        limits: EmailLimits,
        accepted_domains: set[str] | None,
        max_recipients: int,
    ) -> None:
        self.accept = accept
        self.limits = limits
        self.domains = (
            {d.lower().rstrip(".") for d in accepted_domains} if accepted_domains else None
        )
        self.max_recipients = max_recipients

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= self.max_recipients:
            return "452 4.5.3 Too many recipients"
        domain = address.rpartition("@")[2].lower().rstrip(".")
        if self.domains is not None and domain not in self.domains:
            return f"550 5.1.1 <{address}>: recipient domain is not served here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content
        if raw is None:
            content = envelope.content
            raw = (
                content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content
            )
        if raw is None:
            return "554 5.6.0 No message data"
        mail_from = envelope.mail_from or ""
        rcpt_tos = list(envelope.rcpt_tos)
        try:
            if len(raw) > _THREAD_PARSE_BYTES:
                await asyncio.to_thread(parse_email, raw, self.limits)
            else:
                parse_email(raw, self.limits)
            await self.accept(raw, mail_from, rcpt_tos)
        except EmailRejected as rejected:
            log.info("rejected mail from <%s> to %s: %s", mail_from, rcpt_tos, rejected)
            return rejected.smtp_reply
        except Exception:
            log.exception("accepting mail from <%s> to %s failed", mail_from, rcpt_tos)
            return "451 4.3.0 Temporary failure, please try again later"
        return "250 2.0.0 Message accepted"


class EmailListener:
    """An SMTP server for inbound mail, started on the running loop with `await start()`."""

    def __init__(
        self,
        host: str,
        port: int,
        accept: AcceptCallback,
        limits: EmailLimits = EmailLimits(),  # noqa: B008  (frozen: safe to share)
        accepted_domains: set[str] | None = None,
        *,
        hostname: str | None = None,
        max_recipients: int = 100,
        timeout: float = 300.0,
    ) -> None:
        self.host = host
        self._port = port
        self._limits = limits
        self._handler = _Handler(accept, limits, accepted_domains, max_recipients)
        # socket.getfqdn() (aiosmtpd's default) may block on DNS: resolve it once, here.
        self._hostname = hostname or socket.gethostname()
        self._timeout = timeout
        self._server: asyncio.Server | None = None
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    @property
    def port(self) -> int:
        """The port actually bound (the ephemeral one when constructed with port 0)."""
        return self._port

    @property
    def running(self) -> bool:
        return self._server is not None

    def _protocol(self) -> SMTP:
        smtp = SMTP(
            self._handler,
            data_size_limit=self._limits.max_message_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=self._hostname,
            ident="omnicenter ESMTP",
            timeout=self._timeout,
            loop=asyncio.get_running_loop(),
        )
        self._sessions.add(smtp)
        return smtp

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the email listener is already running")
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, self.host, self._port)
        self._port = self._server.sockets[0].getsockname()[1]
        log.info("SMTP listening on %s:%d", self.host, self._port)

    async def stop(self) -> None:
        """Stop accepting and close open sessions; a message being accepted is cut short
        before its 250, so the sender retries it."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for session in list(self._sessions):
            transport = session.transport
            if transport is not None:
                transport.close()
        await server.wait_closed()
        # Let the sessions' tasks see connection_lost and finish their cancellation.
        await asyncio.sleep(0)
