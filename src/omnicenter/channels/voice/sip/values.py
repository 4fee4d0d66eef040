"""Structured header values: SIP URIs, name-addr (From/To/Contact), Via and CSeq."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from omnicenter.channels.voice.sip.errors import SipParseError

__all__ = [
    "BRANCH_MAGIC",
    "CSeq",
    "NameAddr",
    "SipUri",
    "Via",
    "format_params",
    "parse_params",
]

BRANCH_MAGIC = "z9hG4bK"  # RFC 3261 branch prefix: the branch alone identifies a transaction
_TOKEN = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")
_HOSTPORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?::(\d{1,5}))?$")


def parse_params(text: str) -> dict[str, str | None]:
    """`;a=1;b` -> {"a": "1", "b": None}; names are lower-cased, quotes kept."""
    params: dict[str, str | None] = {}
    for part in _split_semicolons(text):
        part = part.strip()
        if not part:
            continue
        name, eq, value = part.partition("=")
        params[name.strip().lower()] = value.strip() if eq else None
    return params


def format_params(params: dict[str, str | None]) -> str:
    return "".join(f";{k}" if v is None else f";{k}={v}" for k, v in params.items())


def _split_semicolons(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            out.append(text[start:i])
            start = i + 1
    out.append(text[start:])
    return out


def _parse_hostport(text: str, what: str) -> tuple[str, int | None]:
    m = _HOSTPORT.match(text.strip())
    if not m:
        raise SipParseError(f"Bad host in {what}")
    port = int(m.group(2)) if m.group(2) else None
    if port is not None and not 0 < port < 65536:
        raise SipParseError(f"Bad port in {what}")
    return m.group(1), port


@dataclass(frozen=True, slots=True)
class SipUri:
    """`sip:user@host:port;params?headers` (RFC 3261 section 19.1); `tel:` kept as user."""

    host: str
    user: str | None = None
    port: int | None = None
    scheme: str = "sip"
    params: dict[str, str | None] = field(default_factory=dict)
    headers: str = ""

    @classmethod
    def parse(cls, text: str) -> SipUri:
        text = text.strip()
        scheme, colon, rest = text.partition(":")
        scheme = scheme.lower()
        if not colon or scheme not in ("sip", "sips", "tel"):
            raise SipParseError(f"Unsupported URI scheme in {text[:40]!r}", 416)
        if scheme == "tel":
            number, _, params = rest.partition(";")
            return cls(host="", user=number, scheme="tel", params=parse_params(params))
        rest, _, hdrs = rest.partition("?")
        user: str | None = None
        if "@" in rest:
            user, _, rest = rest.rpartition("@")
            user = user.split(":", 1)[0]  # a password in a URI is never used
            if not user:
                raise SipParseError("Empty user in URI")
        hostport, _, params = rest.partition(";")
        host, port = _parse_hostport(hostport, "URI")
        return cls(
            host=host,
            user=user,
            port=port,
            scheme=scheme,
            params=parse_params(params),
            headers=hdrs,
        )

    def __str__(self) -> str:
        if self.scheme == "tel":
            return f"tel:{self.user}{format_params(self.params)}"
        user = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        hdrs = f"?{self.headers}" if self.headers else ""
        return f"{self.scheme}:{user}{self.host}{port}{format_params(self.params)}{hdrs}"

    @property
    def transport(self) -> str:
        value = self.params.get("transport")
        return (value or "udp").lower()

    def address(self, default_port: int = 5060) -> tuple[str, int]:
        """Where to send to, without DNS: hosts are IP literals or resolvable names."""
        return self.host.strip("[]"), self.port or default_port


@dataclass(frozen=True, slots=True)
class NameAddr:
    """`"Ann" <sip:ann@x>;tag=1` with the header parameters apart from the URI's."""

    uri: SipUri
    display: str | None = None
    params: dict[str, str | None] = field(default_factory=dict)
    wildcard: bool = False  # `Contact: *` in REGISTER

    @classmethod
    def parse(cls, text: str) -> NameAddr:
        text = text.strip()
        if text == "*":
            return cls(uri=SipUri(host=""), wildcard=True)
        if "<" in text:
            display, _, rest = text.partition("<")
            uri_text, close, params = rest.partition(">")
            if not close:
                raise SipParseError("Unclosed '<' in address")
            display = display.strip()
            if display.startswith('"') and display.endswith('"') and len(display) >= 2:
                display = display[1:-1]
            return cls(
                uri=SipUri.parse(uri_text),
                display=display or None,
                params=parse_params(params),
            )
        # addr-spec without brackets: everything after the first ';' is a header parameter
        uri_text, _, params = text.partition(";")
        return cls(uri=SipUri.parse(uri_text), params=parse_params(params))

    @property
    def tag(self) -> str | None:
        return self.params.get("tag")

    def with_tag(self, tag: str) -> NameAddr:
        return replace(self, params={**self.params, "tag": tag})

    def __str__(self) -> str:
        if self.wildcard:
            return "*"
        display = f'"{self.display}" ' if self.display else ""
        return f"{display}<{self.uri}>{format_params(self.params)}"


@dataclass(frozen=True, slots=True)
class Via:
    """`SIP/2.0/UDP host:port;branch=z9hG4bK...;rport;received=...`."""

    transport: str
    host: str
    port: int | None = None
    params: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Via:
        text = text.strip()
        proto, _, rest = text.partition(" ")
        parts = [p.strip() for p in proto.split("/")]
        if len(parts) != 3 or parts[0].upper() != "SIP" or parts[1] != "2.0" or not parts[2]:
            raise SipParseError("Bad Via protocol")
        sent_by, _, params = rest.strip().partition(";")
        host, port = _parse_hostport(sent_by, "Via")
        return cls(transport=parts[2].upper(), host=host, port=port, params=parse_params(params))

    @property
    def branch(self) -> str | None:
        return self.params.get("branch")

    def __str__(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"SIP/2.0/{self.transport} {self.host}{port}{format_params(self.params)}"

    def response_address(self, source: tuple[str, int]) -> tuple[str, int]:
        """RFC 3261 18.2.2 with RFC 3581 rport: reply where the request came from.

        We always reply to the packet's source for UDP, so a forged sent-by cannot turn the
        endpoint into a reflector aimed at a third party.
        """
        return source


@dataclass(frozen=True, slots=True)
class CSeq:
    number: int
    method: str

    @classmethod
    def parse(cls, text: str) -> CSeq:
        parts = text.split()
        if len(parts) != 2 or not parts[0].isdigit() or not _TOKEN.match(parts[1]):
            raise SipParseError("Bad CSeq")
        number = int(parts[0])
        if number >= 2**31:
            raise SipParseError("CSeq number out of range")
        return cls(number, parts[1])

    def __str__(self) -> str:
        return f"{self.number} {self.method}"
