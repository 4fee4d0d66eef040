"""When the widget calls a wait long (and offers a callback or an email instead)."""

from __future__ import annotations

from omnicenter.services.chat_wait import WIDGET_LONG_WAIT_S, chat_wait


def test_a_wait_is_long_past_the_limit_or_when_nobody_can_answer() -> None:
    assert not chat_wait(WIDGET_LONG_WAIT_S, 2).long_wait
    assert chat_wait(WIDGET_LONG_WAIT_S + 1, 2).long_wait
    assert chat_wait(None, 0).long_wait
    assert chat_wait(30, 3).agents_available == 3
