"""SIP requests and responses: reading and writing the wire format (RFC 3261 sections 7, 18, 20).

`parse_message` reads one datagram (or one framed stream message) and raises `SipParseError`
with the status a peer should get and, when possible, the partial message to answer.
`validate_request` adds the checks a server makes before any transaction sees the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from omnicenter.channels.voice.sip.errors import SipParseError
from omnicenter.channels.voice.sip.headers import Headers
from omnicenter.channels.voice.sip.values import CSeq, NameAddr, SipUri, Via

__all__ = [
    "KNOWN_METHODS",
    "REASONS",
    "SipMessage",
    "SipRequest",
    "SipResponse",
    "can_answer",
    "make_response",
    "parse_message",
    "validate_request",
]

KNOWN_METHODS = frozenset(
    {
        "INVITE",
        "ACK",
        "BYE",
        "CANCEL",
        "OPTIONS",
        "REGISTER",
        "INFO",
        "PRACK",
        "SUBSCRIBE",
        "NOTIFY",
        "REFER",
        "MESSAGE",
        "UPDATE",
        "PUBLISH",
    }
)

REASONS = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    423: "Interval Too Brief",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    483: "Too Many Hops",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    491: "Request Pending",
    500: "Server Internal Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    505: "Version Not Supported",
    603: "Decline",
}

_TOKEN = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")
_MAX_MESSAGE = 65535


@dataclass(slots=True)
class SipMessage:
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""

    # Shortcuts for the headers every transaction needs; they raise SipParseError when absent.
    @property
    def call_id(self) -> str:
        value = self.headers.get("Call-ID")
        if not value:
            raise SipParseError("Missing Call-ID")
        return value.strip()

    @property
    def cseq(self) -> CSeq:
        value = self.headers.get("CSeq")
        if value is None:
            raise SipParseError("Missing CSeq")
        return CSeq.parse(value)

    @property
    def via(self) -> list[Via]:
        return [Via.parse(v) for v in self.headers.get_all("Via")]

    @property
    def top_via(self) -> Via:
        values = self.headers.get_all("Via")
        if not values:
            raise SipParseError("Missing Via")
        return Via.parse(values[0])

    @property
    def from_(self) -> NameAddr:
        value = self.headers.get("From")
        if value is None:
            raise SipParseError("Missing From")
        return NameAddr.parse(value)

    @property
    def to(self) -> NameAddr:
        value = self.headers.get("To")
        if value is None:
            raise SipParseError("Missing To")
        return NameAddr.parse(value)

    @property
    def contact(self) -> NameAddr | None:
        values = self.headers.get_all("Contact")
        return NameAddr.parse(values[0]) if values else None

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _head(self) -> str:
        raise NotImplementedError

    def to_bytes(self) -> bytes:
        """Serialise with a correct Content-Length (always written: stream transports need it)."""
        lines = [self._head()]
        lines.extend(f"{n}: {v}" for n, v in self.headers if n != "Content-Length")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass(slots=True)
class SipRequest(SipMessage):
    method: str = "OPTIONS"
    uri: str = "sip:invalid"

    def _head(self) -> str:
        return f"{self.method} {self.uri} SIP/2.0"

    @property
    def request_uri(self) -> SipUri:
        return SipUri.parse(self.uri)


@dataclass(slots=True)
class SipResponse(SipMessage):
    status: int = 200
    reason: str = "OK"

    def _head(self) -> str:
        return f"SIP/2.0 {self.status} {self.reason}"


def _split_head(data: bytes) -> tuple[bytes, bytes, bool]:
    """Head, body and whether the blank line that ends the headers was found."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        idx = data.find(sep)
        if idx >= 0:
            return data[:idx], data[idx + len(sep) :], True
    return data, b"", False


def _header_lines(head: str) -> list[str]:
    """Lines of the head with folded continuation lines joined (RFC 3261 7.3.1)."""
    lines: list[str] = []
    for raw in head.replace("\r\n", "\n").split("\n"):
        if raw[:1] in (" ", "\t"):
            if len(lines) < 2:
                raise SipParseError("Continuation line without a header")
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw)
    return lines


def _start_line(line: str) -> SipMessage:
    if line.startswith("SIP/"):
        parts = line.split(" ", 2)
        if len(parts) < 2 or parts[0] != "SIP/2.0":
            raise SipParseError("Bad status line", None)
        code = parts[1]
        if len(code) != 3 or not code.isdigit() or not 100 <= int(code) <= 699:
            raise SipParseError("Bad status code", None)
        return SipResponse(status=int(code), reason=parts[2].strip() if len(parts) > 2 else "")
    parts = line.split(" ")
    if len(parts) != 3 or not all(parts):
        raise SipParseError("Bad request line", None)
    method, uri, version = parts
    if not _TOKEN.match(method):
        raise SipParseError("Bad method", None)
    if ":" not in uri:
        raise SipParseError("Bad Request-URI", None)
    request = SipRequest(method=method, uri=uri)
    if version.upper() != "SIP/2.0":
        # Answerable only if the headers survive, so the caller decides after reading them.
        request.headers.add("X-Bad-Version", version)
    return request


def parse_message(data: bytes, *, stream: bool = False) -> SipRequest | SipResponse:
    """Read one SIP message.

    On a datagram transport a body longer than Content-Length is cut (RFC 3261 18.3) and a
    missing Content-Length means "the rest of the datagram"; on a stream transport the
    framer has already cut the message to Content-Length. A body shorter than
    Content-Length is a truncated message: 400.
    """
    if len(data) > _MAX_MESSAGE:
        raise SipParseError("Message too large", 513)
    data = data.lstrip(b"\r\n")
    if not data:
        raise SipParseError("Empty message", None)
    head_bytes, body, complete = _split_head(data)
    try:
        head = head_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise SipParseError("Header is not UTF-8", None) from None
    lines = _header_lines(head)
    message = _start_line(lines[0])
    bad_line: str | None = None
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _TOKEN.match(name):
            # Keep reading: the headers after a broken line are what lets us answer 400.
            bad_line = bad_line or line
            continue
        message.headers.add(name, value.strip())
    if bad_line is not None:
        raise SipParseError(f"Bad header line {bad_line[:40]!r}", 400, message)
    if not complete:
        raise SipParseError("Truncated message: no end of headers", 400, message)
    bad_version = message.headers.get("X-Bad-Version")
    if bad_version is not None:
        message.headers.remove("X-Bad-Version")
        raise SipParseError("SIP Version Not Supported", 505, message)
    length_text = message.headers.get("Content-Length")
    if length_text is None:
        if stream:
            raise SipParseError("Missing Content-Length on a stream transport", 400, message)
    else:
        if not length_text.strip().isdigit():
            raise SipParseError("Bad Content-Length", 400, message)
        length = int(length_text)
        if length > len(body):
            raise SipParseError("Content-Length larger than the body", 400, message)
        body = body[:length]
    message.body = body
    assert isinstance(message, SipRequest | SipResponse)
    return message


def validate_request(request: SipRequest) -> None:
    """The mandatory-header checks of RFC 3261 8.2 and 16.3; raise with the code to answer."""
    headers = request.headers
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        if not headers.get_all(name):
            raise SipParseError(f"Missing {name}", 400, request)
    try:
        via = request.top_via
        cseq = request.cseq
        request.from_  # noqa: B018 - parsing is the check
        request.to  # noqa: B018
    except SipParseError as exc:
        raise SipParseError(exc.reason, 400, request) from None
    if cseq.method != request.method:
        raise SipParseError("CSeq method does not match the request", 400, request)
    if via.branch is None and request.method != "ACK":
        raise SipParseError("Via without branch", 400, request)
    max_forwards = headers.get("Max-Forwards")
    if max_forwards is not None:
        if not max_forwards.strip().isdigit():
            raise SipParseError("Bad Max-Forwards", 400, request)
        if int(max_forwards) == 0 and request.method not in ("OPTIONS", "ACK"):
            raise SipParseError("Too Many Hops", 483, request)
    try:
        request.request_uri  # noqa: B018
    except SipParseError as exc:
        raise SipParseError(exc.reason, exc.status, request) from None


def can_answer(message: SipMessage | None) -> bool:
    """Whether enough survived parsing to build a response a peer can match."""
    if not isinstance(message, SipRequest) or message.method == "ACK":
        return False
    try:
        message.top_via  # noqa: B018
        message.cseq  # noqa: B018
        message.call_id  # noqa: B018
        message.from_  # noqa: B018
        message.to  # noqa: B018
    except SipParseError:
        return False
    return True


def make_response(
    request: SipRequest,
    status: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    body: bytes = b"",
    content_type: str | None = None,
) -> SipResponse:
    """A response carrying the request's Via list, From, To (tagged), Call-ID and CSeq."""
    response = SipResponse(status=status, reason=reason or REASONS.get(status, "Unknown"))
    for name, value in request.headers:
        if name in ("Via", "From", "Call-ID", "CSeq", "Record-Route"):
            if name == "Record-Route" and not 100 < status < 300:
                continue
            response.headers.add(name, value)
        elif name == "To":
            if to_tag is not None and status > 100 and not _has_tag(value):
                value = f"{value};tag={to_tag}"
            response.headers.add(name, value)
    if content_type is not None:
        response.headers.add("Content-Type", content_type)
    response.body = body
    return response


def _has_tag(value: str) -> bool:
    try:
        return NameAddr.parse(value).tag is not None
    except SipParseError:
        return True  # leave an unreadable To alone
