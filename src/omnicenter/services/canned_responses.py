"""Canned responses: ready answers an agent picks and edits before sending."""

from __future__ import annotations

__all__ = ["CANNED_RESPONSES"]

# Variables in {braces} are filled in by the desktop from the open case.
CANNED_RESPONSES: tuple[dict[str, str], ...] = (
    {"id": "greet", "title": "Greeting", "body": "Hello {customer_name}, I'm {agent_name}. How can I help?"},
    {"id": "check", "title": "Checking", "body": "Thank you, {customer_name}. Let me check that for you."},
    {"id": "order", "title": "Order status", "body": "Your case {case_ref} is in progress; I will update you today."},
    {"id": "bye", "title": "Closing", "body": "Is there anything else I can do for you, {customer_name}?"},
)  # fmt: skip
