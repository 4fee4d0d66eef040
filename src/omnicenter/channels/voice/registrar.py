"""The registrar for agent phones (RFC 3261 section 10) with digest authentication.

Bindings live in memory: a phone re-registers every few minutes, so after a restart the
bindings come back on their own within one registration interval.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from omnicenter.channels.voice.sip import NameAddr, SipParseError, SipRequest
from omnicenter.channels.voice.transport import Peer

__all__ = ["Binding", "Registrar", "RegistrationError"]


class RegistrationError(Exception):
    def __init__(self, status: int, reason: str | None = None) -> None:
        super().__init__(reason or str(status))
        self.status = status


@dataclass(frozen=True, slots=True)
class Binding:
    username: str
    contact: str  # the Contact URI the phone asked us to call
    peer: Peer  # the flow it registered from: where INVITEs go (NAT-friendly)
    expires_at: float


class Registrar:
    def __init__(
        self,
        *,
        min_expires: int = 60,
        max_expires: int = 3600,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[str, Binding | None], None] | None = None,
    ) -> None:
        self.min_expires = min_expires
        self.max_expires = max_expires
        self._clock = clock
        self._bindings: dict[str, Binding] = {}
        self.on_change = on_change

    def lookup(self, username: str) -> Binding | None:
        binding = self._bindings.get(username)
        if binding is not None and binding.expires_at <= self._clock():
            del self._bindings[username]
            if self.on_change:
                self.on_change(username, None)
            return None
        return binding

    def bindings(self) -> list[Binding]:
        """Live bindings; expired ones are dropped (and reported to `on_change`) on the way."""
        return [b for u in list(self._bindings) if (b := self.lookup(u)) is not None]

    def next_expiry(self) -> float | None:
        """When the next binding runs out (on the registrar's clock), None without any."""
        return min((b.expires_at for b in self._bindings.values()), default=None)

    def seconds_to_next_expiry(self) -> float | None:
        nxt = self.next_expiry()
        return None if nxt is None else max(nxt - self._clock(), 0.0)

    def register(self, username: str, request: SipRequest, peer: Peer) -> list[tuple[str, int]]:
        """Apply a REGISTER from an authenticated `username`; returns (contact, expires) to list."""
        aor = request.to.uri
        if aor.user is not None and aor.user != username:
            raise RegistrationError(403, "To does not match the authenticated user")
        default = request.headers.get("Expires")
        contacts = request.headers.get_all("Contact")
        if not contacts:
            current = self.lookup(username)
            return [] if current is None else [(current.contact, self._left(current))]
        for raw in contacts:
            try:
                contact = NameAddr.parse(raw)
            except SipParseError:
                raise RegistrationError(400, "Bad Contact") from None
            expires_text = contact.params.get("expires") or default or "3600"
            if not expires_text.strip().isdigit():
                raise RegistrationError(400, "Bad Expires")
            expires = int(expires_text)
            if contact.wildcard or expires == 0:
                self.unregister(username)
                continue
            if expires < self.min_expires:
                raise RegistrationError(423)
            expires = min(expires, self.max_expires)
            binding = Binding(username, str(contact.uri), peer, self._clock() + expires)
            self._bindings[username] = binding  # one phone per agent: the newest wins
            if self.on_change:
                self.on_change(username, binding)
        current = self.lookup(username)
        return [] if current is None else [(current.contact, self._left(current))]

    def unregister(self, username: str) -> None:
        if self._bindings.pop(username, None) is not None and self.on_change:
            self.on_change(username, None)

    def _left(self, binding: Binding) -> int:
        return max(round(binding.expires_at - self._clock()), 0)
