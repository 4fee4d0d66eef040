"""Consents and files attached to an agent's email reply, on real databases (SQLite and
PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from omnicenter.domain import AgentRole, Channel, InboundEvent
from omnicenter.services import attachments
from omnicenter.services.agents import NewAgent, create_agent
from omnicenter.services.consents import ConsentChange, ConsentError, list_consents, set_consents
from omnicenter.services.inbound import ingest
from omnicenter.services.replies import SenderSettings
from omnicenter.store import Database
from omnicenter.store import cases as cases_repo
from omnicenter.store import tables as t
from tests.integration.foundation.test_store_services import NOW, email, read, run


@pytest.fixture
def agent(db: Database):  # type: ignore[no-untyped-def]
    return run(
        db, create_agent, NewAgent("anna", "Anna", AgentRole.AGENT, "secret-pass"), actor="test"
    )


def test_consents_newest_answer_wins_and_each_change_is_audited(db: Database, agent) -> None:  # type: ignore[no-untyped-def]
    mail = run(db, ingest, email("ola@example.com", "hi", "c1@x"))
    changes = [ConsentChange("email", "marketing", False, "phone call")]
    stored = run(db, set_consents, agent, mail.customer_id, changes)
    assert [(c["channel"], c["purpose"], c["granted"]) for c in stored] == [
        ("email", "marketing", False)
    ]
    run(db, set_consents, agent, mail.customer_id, changes)  # the same answer: no new audit
    run(
        db,
        set_consents,
        agent,
        mail.customer_id,
        [ConsentChange("email", "marketing", True, "web")],
    )
    after = read(db, list_consents, mail.customer_id)
    assert after[0]["granted"] is True and after[0]["source"] == "web"
    with db.reader() as conn:
        audits = conn.execute(
            select(t.audit_log.c.detail).where(t.audit_log.c.action == "customer.consent")
        ).all()
        notes = conn.execute(select(t.events.c.body).where(t.events.c.body.like("Consent:%"))).all()
    assert len(audits) == 2 and len(notes) == 2
    with pytest.raises(ConsentError, match="unknown purpose"):
        run(db, set_consents, agent, mail.customer_id, [ConsentChange("email", "x", True, "a")])
    with pytest.raises(ConsentError, match="unknown customer"):
        read(db, list_consents, "cus_nobody")


def test_files_go_on_the_reply_event_and_only_by_email(db: Database, agent) -> None:  # type: ignore[no-untyped-def]
    chat_event = InboundEvent(
        Channel.WEBCHAT, "vis_1", "Invoice please", NOW, "w1", meta={"session_id": "vis_1"}
    )
    chat = run(db, ingest, chat_event)
    mail = run(db, ingest, email("piotr@example.com", "Invoice please", "p1@x"))
    pdf = ("invoice.pdf", "application/pdf", b"%PDF-1.4")
    result, stored = run(
        db, attachments.reply_with_files, agent, mail.case_id, Channel.EMAIL, "Attached.", [pdf],
        sender=SenderSettings(),
    )  # fmt: skip
    assert [s["filename"] for s in stored] == ["invoice.pdf"]
    files = read(db, cases_repo.attachments_of_event, result.event_id)
    assert [(f.filename, f.content_type, f.data) for f in files] == [pdf]
    with pytest.raises(attachments.AttachmentError, match="by email only"):
        run(db, attachments.reply_with_files, agent, chat.case_id, Channel.WEBCHAT, "x", [pdf],
            sender=SenderSettings())  # fmt: skip
    with pytest.raises(attachments.AttachmentError, match="not accepted"):
        run(db, attachments.reply_with_files, agent, mail.case_id, Channel.EMAIL, "x",
            [("a.exe", "application/x-msdownload", b"MZ")], sender=SenderSettings())  # fmt: skip
    with db.reader() as conn:  # the refused replies left nothing behind
        assert len(conn.execute(select(t.outbox.c.id)).all()) == 1
