"""A customer's name on screen: the best name in its merge family, else its phone number
or email; never an internal `cus_…` id (inbox, 360 panel, search)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert

from omnicenter.domain import Agent, AgentRole
from omnicenter.services.queries import customer_detail, list_cases, list_customers
from omnicenter.store import Database
from omnicenter.store import customers as repo
from omnicenter.store import tables as t

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _case(conn: Connection, case_id: str, customer_id: str) -> None:
    conn.execute(insert(t.cases), {"id": case_id, "customer_id": customer_id, "origin": "sms",
                                   "status": "open", "priority": 2, "subject": "Hello",
                                   "fields": {}, "created_at": NOW, "updated_at": NOW})  # fmt: skip


def test_a_merge_into_a_nameless_customer_shows_the_familys_name(db: Database) -> None:
    with db.transaction() as conn:
        nameless = repo.create_customer(conn, NOW, None, None)  # an SMS from a new number
        repo.add_identity(conn, NOW, nameless, "phone", "+48601000111")
        named = repo.create_customer(conn, NOW, "Anna Nowak", "anna nowak")  # a web form
        repo.add_identity(conn, NOW, named, "email", "anna@example.com")
        repo.set_merged_into(conn, [named], nameless, NOW)  # automatic merge into the first
        stranger = repo.create_customer(conn, NOW, None, None)
        repo.add_identity(conn, NOW, stranger, "phone", "+48601000222")
        _case(conn, "cas_1", nameless)
        _case(conn, "cas_2", stranger)
    with db.reader() as conn:
        names = repo.display_names(conn, [nameless, stranger])
        inbox = {c["id"]: c["customer_name"] for c in list_cases(conn, status="all")}
        agent = Agent("agt_1", "anna", "Anna", AgentRole.AGENT)
        panel = customer_detail(conn, named, agent)
        found = list_customers(conn, "+48601000")
    assert names[nameless] == ("Anna Nowak", "Anna Nowak")
    assert names[stranger] == (None, "+48601000222")  # an unknown SMS sender: the number
    assert inbox == {"cas_1": "Anna Nowak", "cas_2": "+48601000222"}
    assert panel is not None and panel["display_name"] == panel["shown_name"] == "Anna Nowak"
    shown = {c["shown_name"] for c in found}
    assert shown == {"Anna Nowak", "+48601000222"}
    assert not any(n.startswith("cus_") for n in (*inbox.values(), *shown))


def test_a_customers_own_name_wins_and_email_stands_in_without_a_phone(db: Database) -> None:
    with db.transaction() as conn:
        root = repo.create_customer(conn, NOW, "Jan Kowalski", None)
        other = repo.create_customer(conn, NOW, "J. K.", None)
        repo.set_merged_into(conn, [other], root, NOW)
        mail = repo.create_customer(conn, NOW, "  ", None)
        repo.add_identity(conn, NOW, mail, "email", "ewa@example.com")
        ghost = repo.create_customer(conn, NOW, None, None)
    with db.reader() as conn:
        names = repo.display_names(conn, [root, mail, ghost])
    assert names[root].shown == "Jan Kowalski"
    assert names[mail] == (None, "ewa@example.com")
    assert names[ghost].shown == "unknown customer"
