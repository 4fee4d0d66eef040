"""parse_email on recorded messages from common clients."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from omnicenter.channels.email import EmailRejected, parse_email

Load = Callable[[str], bytes]


def test_gmail_alternative_prefers_plain_text_and_keeps_html(eml: Load) -> None:
    parsed = parse_email(eml("gmail_alternative.eml"))
    assert parsed.message_id == "CAOx3KXW9d+pLm4aQ7f2Hq1r8cX=0bN6v@mail.gmail.com"
    assert parsed.from_address == "jan.nowak@gmail.com"  # lower-cased
    assert parsed.from_name == "Jan Nowak"
    assert parsed.to == ("help@shop.example",)
    assert parsed.subject == "Where is my order 10482?"
    assert parsed.date == datetime(2024, 10, 1, 8, 2, 1, tzinfo=UTC)
    assert parsed.text.startswith("Hello,\n\nI ordered a kettle")
    assert "\r" not in parsed.text
    assert parsed.html is not None and parsed.html.startswith('<div dir="ltr">')
    assert parsed.attachments == ()
    assert not parsed.auto_submitted
    assert not parsed.synthetic_id


def test_outlook_base64_bodies_cc_and_encoded_attachment_name(eml: Load) -> None:
    parsed = parse_email(eml("outlook_attachment.eml"))
    assert parsed.from_name == "Maria Wiśniewska"
    assert parsed.from_address == "maria.wisniewska@firma.example"
    assert parsed.cc == ("piotr@firma.example",)
    assert "w załączniku przesyłam fakturę" in parsed.text
    [attachment] = parsed.attachments
    assert attachment.filename == "Faktura_żółw.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.data.startswith(b"%PDF-1.4")
    assert attachment.size == 1540


def test_apple_mail_quoted_printable_split_body_and_inline_image(eml: Load) -> None:
    parsed = parse_email(eml("apple_mail_qp.eml"))
    assert "the lamp arrived broken – the glass shade is cracked" in parsed.text
    assert "Can you send a replacement? I’d rather not" in parsed.text  # second text part
    [image] = parsed.attachments
    assert (image.filename, image.content_type) == ("IMG_0412.png", "image/png")
    assert image.data.startswith(b"\x89PNG")


def test_polish_iso_8859_2_8bit_body_and_folded_encoded_subject(eml: Load) -> None:
    parsed = parse_email(eml("polish_iso8859_2.eml"))
    assert parsed.subject == "Reklamacja zamówienia łódź - ekspres uszkodzony"
    assert parsed.from_name == "Grzegorz Brzęczyszczykiewicz"
    assert "Żółta lampka świeci cały czas." in parsed.text
    assert parsed.message_id == "000001db1665$a1b2c3d4$e5f6a7b8$@example.pl"


def test_polish_windows_1250_base64_subject_and_qp_body(eml: Load) -> None:
    parsed = parse_email(eml("polish_windows1250.eml"))
    assert parsed.subject == "Odp: Zwrot – kiedy pieniądze?"
    assert parsed.from_name == "Agnieszka Łukasiewicz"
    assert "„Proszę” o szybką odpowiedź." in parsed.text


def test_html_only_newsletter_gets_a_readable_text_rendering(eml: Load) -> None:
    parsed = parse_email(eml("html_newsletter.eml"))
    assert parsed.html is not None and "<table" in parsed.html
    assert parsed.text.startswith("Autumn sale – up to 40% off")
    assert "- Kettles & toasters\n- Lamps" in parsed.text
    assert "Shop now (https://shop.example/sale)" in parsed.text
    assert "tracking" not in parsed.text and "color" not in parsed.text  # script, style
    assert "<" not in parsed.text
    assert parsed.auto_submitted and parsed.auto_reason == "Precedence: bulk"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_reply.eml", "Auto-Submitted: auto-replied"),
        ("bounce_report.eml", "Auto-Submitted: auto-replied"),
        ("html_newsletter.eml", "Precedence: bulk"),
    ],
)
def test_automatic_mail_is_flagged(eml: Load, name: str, reason: str) -> None:
    parsed = parse_email(eml(name))
    assert parsed.auto_submitted
    assert parsed.auto_reason == reason


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-generated\r\n", "Auto-Submitted: auto-generated"),
        ("Precedence: junk\r\n", "Precedence: junk"),
        ("X-Autoreply: yes\r\n", "x-autoreply header"),
        ("List-Id: <sales.lists.example>\r\n", "mailing list"),
        ("Content-Type: multipart/report; boundary=x\r\n", "delivery or read report"),
        ("", None),
        ("Auto-Submitted: no\r\n", None),
    ],
)
def test_auto_submitted_rules(headers: str, reason: str | None) -> None:
    raw = f"From: a@b.example\r\n{headers}Subject: s\r\n\r\nbody\r\n".encode()
    parsed = parse_email(raw)
    assert parsed.auto_reason == reason
    assert parsed.auto_submitted is (reason is not None)


def test_noreply_sender_is_automatic() -> None:
    parsed = parse_email(b"From: No-Reply@shop.example\r\n\r\nhi\r\n")
    assert parsed.auto_reason == "sender no-reply"


def test_reply_threading_headers(eml: Load) -> None:
    parsed = parse_email(eml("reply_thread.eml"))
    assert parsed.in_reply_to == "evt_01j9b0000000000000000000aa@shop.example"
    assert parsed.references == (
        "CAOx3KXW9d+pLm4aQ7f2Hq1r8cX=0bN6v@mail.gmail.com",
        "evt_01j9a7k9zzzzzzzzzzzzzzzzzz@shop.example",
        "CAOx3KXW9d+reply1@mail.gmail.com",
        "evt_01j9b0000000000000000000aa@shop.example",
    )
    # In-Reply-To first, then the References not already named.
    assert parsed.thread_refs[0] == parsed.in_reply_to
    assert len(parsed.thread_refs) == 4


def test_references_without_brackets_and_the_limit_keeps_the_newest() -> None:
    refs = " ".join(f"<r{i}@x.example>" for i in range(150))
    raw = (
        f"From: a@b.example\r\nReferences: {refs}\r\nIn-Reply-To: bare@x.example\r\n\r\nx".encode()
    )
    parsed = parse_email(raw)
    assert parsed.in_reply_to == "bare@x.example"
    assert len(parsed.references) == 100
    assert parsed.references[-1] == "r149@x.example"


def test_missing_message_id_gets_a_stable_synthetic_id(eml: Load) -> None:
    raw = eml("no_message_id.eml")
    first = parse_email(raw)
    assert first.synthetic_id
    assert first.message_id.startswith("sha256.") and first.message_id.endswith(".invalid")
    # A relay that adds a trace header on re-delivery does not change the id...
    redelivered = b"Received: from relay2.example by mx.shop.example; Sat, 12 Oct 2024\r\n" + raw
    assert parse_email(redelivered).message_id == first.message_id
    # ...but a different message does.
    assert parse_email(raw.replace(b"not really", b"really")).message_id != first.message_id


def test_forwarded_message_is_an_eml_attachment(eml: Load) -> None:
    parsed = parse_email(eml("forwarded_rfc822.eml"))
    assert parsed.text == "See the confirmation below, the price is wrong.\n"
    [forwarded] = parsed.attachments
    assert forwarded.filename == "Order confirmation 10490.eml"
    assert forwarded.content_type == "message/rfc822"
    assert parse_email(forwarded.data).from_address == "orders@shop.example"


def test_unknown_charsets_and_broken_encodings_degrade_instead_of_failing(eml: Load) -> None:
    parsed = parse_email(eml("bad_charset.eml"))
    assert parsed.subject.startswith("Hello and ")  # unknown charset: decoded as UTF-8
    assert parsed.from_name == "Kor"
    assert parsed.date is None  # "not a date at all"
    assert "café" in parsed.text  # charset=base64 is not a text codec: UTF-8 fallback


def test_undecodable_bytes_become_replacement_characters() -> None:
    raw = b"From: a@b.example\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbad \xff\xfe here"
    assert parse_email(raw).text == "bad \xff\xfe here".encode("latin-1").decode("utf-8", "replace")


def test_declared_ascii_with_8bit_utf8_body_is_read_as_utf8() -> None:
    raw = "From: a@b.example\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nżółw".encode()
    assert parse_email(raw).text == "żółw"


def test_raw_utf8_headers_are_decoded() -> None:
    raw = "From: Zoë Ärger <zoe@b.example>\r\nSubject: Grüße aus Köln\r\n\r\nx".encode()
    parsed = parse_email(raw)
    assert parsed.subject == "Grüße aus Köln"
    assert parsed.from_name == "Zoë Ärger"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("Tue, 1 Oct 2024 10:02:01 +0200", datetime(2024, 10, 1, 8, 2, 1, tzinfo=UTC)),
        ("1 Oct 2024 10:02:01 -0000", datetime(2024, 10, 1, 10, 2, 1, tzinfo=UTC)),
        ("Tue, 1 Oct 2024 10:02:01 GMT", datetime(2024, 10, 1, 10, 2, 1, tzinfo=UTC)),
        ("yesterday", None),
        ("Tue, 31 Feb 2024 10:02:01 +0200", None),
    ],
)
def test_date_is_utc_or_none(date: str, expected: datetime | None) -> None:
    parsed = parse_email(f"From: a@b.example\r\nDate: {date}\r\n\r\nx".encode())
    assert parsed.date == expected
    assert parsed.date is None or parsed.date.utcoffset() is not None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"To: help@shop.example\r\nSubject: hi\r\n\r\nbody", "the message has no From header"),
        (b"From: not an address\r\n\r\nbody", "the From header has no valid email address"),
        (b"", "the message has no From header"),
    ],
)
def test_mail_without_a_usable_from_is_rejected(raw: bytes, reason: str) -> None:
    with pytest.raises(EmailRejected) as info:
        parse_email(raw)
    assert (info.value.smtp_code, info.value.enhanced_status) == (550, "5.1.7")
    assert info.value.reason == reason


def test_sender_header_is_used_when_from_has_no_address() -> None:
    raw = b"From: undisclosed\r\nSender: Bot <bot@b.example>\r\n\r\nx"
    assert parse_email(raw).from_address == "bot@b.example"


def test_attachment_without_a_name_gets_one_from_its_type() -> None:
    raw = (
        b"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
        b"--zz\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--zz\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0=\r\n--zz--\r\n"
    )
    parsed = parse_email(raw)
    assert [(a.filename, a.data) for a in parsed.attachments] == [("part-1.pdf", b"%PDF-")]
    assert parsed.text == "see attached"  # the CRLF before a delimiter belongs to it


def test_path_separators_are_removed_from_attachment_names() -> None:
    raw = (
        b"From: a@b.example\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="../../etc/passwd"\r\n\r\nx'
    )
    [attachment] = parse_email(raw).attachments
    assert "/" not in attachment.filename
