"""SIP dialogs (RFC 3261 section 12): the state that in-dialog requests are built from."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from omnicenter.channels.voice.sip import SipRequest, SipResponse
from omnicenter.channels.voice.transactions import new_branch
from omnicenter.channels.voice.transport import Peer

__all__ = ["Dialog", "new_tag"]


def new_tag() -> str:
    return os.urandom(6).hex()


@dataclass(eq=False)
class Dialog:
    call_id: str
    local_tag: str
    remote_tag: str
    local_uri: str  # the From/To value we present, tag excluded
    remote_uri: str
    remote_target: str  # the peer's Contact URI: the Request-URI of our requests
    peer: Peer  # where requests go: the flow the dialog was made on
    local_contact: str
    local_seq: int = field(default_factory=lambda: int.from_bytes(os.urandom(2), "big"))
    remote_seq: int | None = None
    route_set: list[str] = field(default_factory=list)
    terminated: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.call_id, self.local_tag, self.remote_tag)

    @classmethod
    def as_uas(cls, invite: SipRequest, local_tag: str, peer: Peer, contact: str) -> Dialog:
        remote = invite.from_
        target = invite.contact
        return cls(
            call_id=invite.call_id,
            local_tag=local_tag,
            remote_tag=remote.tag or "",
            local_uri=_strip_tag(invite.headers.get("To") or ""),
            remote_uri=_strip_tag(invite.headers.get("From") or ""),
            remote_target=str(target.uri) if target else invite.uri,
            peer=peer,
            local_contact=contact,
            remote_seq=invite.cseq.number,
            route_set=invite.headers.get_all("Record-Route"),
        )

    @classmethod
    def as_uac(cls, invite: SipRequest, response: SipResponse, peer: Peer) -> Dialog:
        target = response.contact
        return cls(
            call_id=invite.call_id,
            local_tag=invite.from_.tag or "",
            remote_tag=response.to.tag or "",
            local_uri=_strip_tag(invite.headers.get("From") or ""),
            remote_uri=_strip_tag(invite.headers.get("To") or ""),
            remote_target=str(target.uri) if target else invite.uri,
            peer=peer,
            local_contact=invite.headers.get("Contact") or "",
            local_seq=invite.cseq.number,
            route_set=list(reversed(response.headers.get_all("Record-Route"))),
        )

    def request(
        self, method: str, via_host: str, *, body: bytes = b"", content_type: str | None = None
    ) -> SipRequest:
        """A new in-dialog request; ACK and CANCEL reuse the INVITE's CSeq number."""
        if method not in ("ACK", "CANCEL"):
            self.local_seq += 1
        request = SipRequest(method=method, uri=self.remote_target)
        request.headers.add(
            "Via", f"SIP/2.0/{self.peer.protocol} {via_host};branch={new_branch()};rport"
        )
        request.headers.add("Max-Forwards", "70")
        for route in self.route_set:
            request.headers.add("Route", route)
        request.headers.add("From", f"{self.local_uri};tag={self.local_tag}")
        request.headers.add("To", f"{self.remote_uri};tag={self.remote_tag}")
        request.headers.add("Call-ID", self.call_id)
        request.headers.add("CSeq", f"{self.local_seq} {method}")
        if method in ("INVITE", "REFER", "UPDATE"):
            request.headers.add("Contact", self.local_contact)
        if content_type is not None:
            request.headers.add("Content-Type", content_type)
        request.body = body
        return request

    def accepts(self, request: SipRequest) -> bool:
        """RFC 3261 12.2.2: a lower CSeq than the last one is out of order (500)."""
        seq = request.cseq.number
        if request.method in ("ACK", "CANCEL"):
            return True
        if self.remote_seq is not None and seq <= self.remote_seq:
            return False
        self.remote_seq = seq
        return True


def _strip_tag(value: str) -> str:
    parts = [p for p in value.split(";") if not p.strip().lower().startswith("tag=")]
    return ";".join(parts).strip()
