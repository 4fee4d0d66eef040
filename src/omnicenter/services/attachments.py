"""Files on the timeline: checked against the limits, stored on an event, read back.

An agent's files go out as MIME parts of an email reply; a chat visitor's upload is stored on
the visitor's message. Either way the file is checked once, here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TypedDict

from sqlalchemy import Connection, select

from omnicenter.domain import Agent, Channel
from omnicenter.domain.ids import new_id
from omnicenter.domain.messages import Attachment
from omnicenter.services.replies import ReplyResult, SenderSettings, reply_on_channel
from omnicenter.services.uow import UnitOfWork
from omnicenter.store import tables as t

__all__ = [
    "ATTACHMENT_CHANNELS",
    "ATTACHMENT_MAX_BYTES",
    "ATTACHMENT_TYPES",
    "MAX_FILES_PER_REPLY",
    "AttachmentError",
    "StoredAttachment",
    "StoredFile",
    "attach_to_event",
    "attachment",
    "reply_with_files",
]

ATTACHMENT_MAX_BYTES = 5 * 1_048_576
MAX_FILES_PER_REPLY = 5
# Agents' files travel as MIME parts of an email; chat and SMS carry text only.
ATTACHMENT_CHANNELS = frozenset({Channel.EMAIL})
ATTACHMENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)


class AttachmentError(ValueError):
    """The file is too large, of a refused type, or its event is unknown."""


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    id: str
    filename: str
    content_type: str
    data: bytes


class StoredFile(TypedDict):
    """A file stored with a reply, as the API reports it."""

    id: str
    filename: str
    size: int
    content_type: str


def attachment(conn: Connection, attachment_id: str) -> StoredAttachment | None:
    row = conn.execute(select(t.attachments).where(t.attachments.c.id == attachment_id)).first()
    if row is None:
        return None
    return StoredAttachment(row.id, row.filename, row.content_type, bytes(row.data))


def _check_file(filename: str, content_type: str, data: bytes) -> Attachment:
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise AttachmentError(f"file too large: the limit is {ATTACHMENT_MAX_BYTES} bytes")
    if not data:
        raise AttachmentError("empty file")
    if content_type not in ATTACHMENT_TYPES:
        raise AttachmentError(f"file type {content_type!r} is not accepted")
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:255] or "file"
    return Attachment(name, content_type, data)


def attach_to_event(
    uow: UnitOfWork, event_id: str, filename: str, content_type: str, data: bytes
) -> str:
    """Store a checked file on an existing timeline event; returns the attachment id."""
    att = _check_file(filename, content_type, data)
    if uow.conn.execute(select(t.events.c.id).where(t.events.c.id == event_id)).first() is None:
        raise AttachmentError("unknown event")
    return _store_file(uow, event_id, att)


def _store_file(uow: UnitOfWork, event_id: str, att: Attachment) -> str:
    att_id = new_id("att")
    uow.conn.execute(
        t.attachments.insert().values(
            id=att_id,
            event_id=event_id,
            filename=att.filename,
            content_type=att.content_type,
            size=att.size,
            sha256=hashlib.sha256(att.data).hexdigest(),
            data=att.data,
        )
    )
    return att_id


def reply_with_files(
    uow: UnitOfWork,
    agent: Agent,
    case_id: str,
    channel: Channel,
    body: str,
    files: list[tuple[str, str, bytes]],
    *,
    sender: SenderSettings,
) -> tuple[ReplyResult, list[StoredFile]]:
    """An agent's reply with files, in one transaction: the message, its outbox row and the
    files on its event (the email sender attaches them as MIME parts)."""
    if channel not in ATTACHMENT_CHANNELS:
        raise AttachmentError(f"files can be sent by {', '.join(sorted(ATTACHMENT_CHANNELS))} only")
    if not 1 <= len(files) <= MAX_FILES_PER_REPLY:
        raise AttachmentError(f"attach 1 to {MAX_FILES_PER_REPLY} files")
    checked = [_check_file(name, ctype, data) for name, ctype, data in files]
    result = reply_on_channel(uow, agent, case_id, channel, body, sender=sender)
    stored: list[StoredFile] = []
    for att in checked:
        att_id = _store_file(uow, result.event_id, att)  # checked above, on the reply's event
        stored.append(
            StoredFile(
                id=att_id, filename=att.filename, size=att.size, content_type=att.content_type
            )
        )
    return result, stored
