"""Invalid flows are rejected with errors that point at the right line."""

from __future__ import annotations

import textwrap

import pytest

from omnicenter.flows import FlowError, parse_flow
from omnicenter.flows.model import Choose, Collect, CollectKind

GOOD = """\
flow: demo
version: 2
start: hello
steps:
  hello:
    say: {pl: Cześć, en: Hi}
    next: pick
  pick:
    choose: topic
    text: Co dalej?
    options:
      - {id: a, label: A, next: bye}
      - {id: b, label: B, next: human}
  bye:
    end: Pa
  human:
    handover: shop
"""


def errors(text: str) -> list[tuple[int, str]]:
    with pytest.raises(FlowError) as info:
        parse_flow(textwrap.dedent(text), "f.yaml")
    return [(i.line, i.message) for i in info.value.issues]


def test_a_good_flow_parses() -> None:
    flow = parse_flow(GOOD)
    assert flow.id == "demo" and flow.version == 2
    step = flow.steps["pick"]
    assert isinstance(step, Choose) and [o.id for o in step.options] == ["a", "b"]
    assert step.line == 9


def test_unknown_step_type_points_at_its_line_with_a_suggestion() -> None:
    found = errors(GOOD.replace("    say: {pl: Cześć, en: Hi}", "    sya: {pl: Cześć, en: Hi}"))
    assert found == [(6, "unknown step type 'sya' in step 'hello'; did you mean 'say'?")]


def test_unknown_target_points_at_the_option_line() -> None:
    found = errors(GOOD.replace("{id: b, label: B, next: human}", "{id: b, label: B, next: humna}"))
    assert found == [(13, "step 'pick' goes to unknown step 'humna'; did you mean 'human'?")]


def test_cycle_without_exit_is_rejected_on_the_first_step_of_the_loop() -> None:
    text = """\
    flow: loop
    version: 1
    start: a
    steps:
      a:
        say: one
        next: b
      b:
        collect: email
        text: Your email?
        next: c
      c:
        say: thanks
        next: b
    """
    assert errors(text) == [
        (9, "cycle without exit: b -> c -> b never reaches an end or a handover")
    ]


def test_a_loop_with_a_way_out_is_fine() -> None:
    text = GOOD.replace("{id: a, label: A, next: bye}", "{id: a, label: A, next: hello}")
    assert parse_flow(text).steps["pick"]


def test_every_problem_is_reported_at_once() -> None:
    text = """\
    flow: many
    version: zero
    start: nowhere
    steps:
      a:
        collect: shoe_size
        text: Size?
        next: a
      b:
        lookup: price
        args: {sku: "{x}"}
        next: b
        colour: red
    """
    found = errors(text)
    assert (2, "version must be a whole number, got 'zero'") in found
    assert (
        6,
        "unknown value type 'shoe_size'; use one of order_number, email, date, datetime, "
        "phone, text, number",
    ) in found
    assert (11, "lookup price takes no argument 'sku'; it takes basket, product, quantity") in found
    assert (13, "unknown key 'colour' in lookup step 'b'") in found


def test_yaml_syntax_error_has_line_and_column() -> None:
    with pytest.raises(FlowError) as info:
        parse_flow("flow: x\nsteps:\n  a: [unclosed\n", "bad.yaml")
    issue = info.value.issues[0]
    assert issue.line == 4 and issue.message.startswith("invalid YAML")
    assert str(info.value).startswith("bad.yaml:4:")


def test_duplicate_keys_are_caught() -> None:
    found = errors(
        GOOD.replace("  bye:\n    end: Pa\n", "  bye:\n    end: Pa\n  bye:\n    end: Again\n")
    )
    assert (16, "duplicate key 'bye' in steps (first on line 14)") in found


def test_missing_start_points_at_the_start_line() -> None:
    found = errors(GOOD.replace("start: hello", "start: helo"))
    assert found == [(3, "start step 'helo' does not exist; did you mean 'hello'?")]


def test_two_types_in_one_step() -> None:
    found = errors(GOOD.replace("    next: pick\n", "    next: pick\n    end: x\n", 1))
    assert found == [(8, "step 'hello' has two step types: say and end")]


def test_collect_kinds_and_defaults() -> None:
    flow = parse_flow(
        GOOD.replace(
            "  bye:\n    end: Pa\n", "  bye:\n    collect: phone\n    text: Tel?\n    next: human\n"
        )
    )
    step = flow.steps["bye"]
    assert isinstance(step, Collect) and step.kind is CollectKind.PHONE and step.field == "phone"


def test_the_demo_flow_is_valid(shop_flow: object) -> None:
    assert shop_flow is not None
