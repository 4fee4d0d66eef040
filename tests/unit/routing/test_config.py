import tomllib
from pathlib import Path

import pytest

from omnicenter.domain import Channel
from omnicenter.routing import (
    ConfigError,
    Policy,
    RoutingConfig,
    SkillReq,
    parse_skill,
    parse_skills,
)

DEMO = Path(__file__).parents[3] / "examples" / "routing" / "demo.toml"


def test_skill_expressions() -> None:
    assert parse_skill("language:pl>=3") == SkillReq("language:pl", 3)
    assert parse_skill("returns") == SkillReq("returns", 1)
    assert parse_skills(["a>=2", "a>=4", "b"], "x") == (SkillReq("a", 4), SkillReq("b", 1))
    assert parse_skills({"a": 2}, "x") == (SkillReq("a", 2),)


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"queues": {}}, "queues"),
        ({"queues": {"q": {"policy": "random"}}}, "queues.q.policy"),
        ({"queues": {"q": {"skills": ["pl>=9"]}}}, "queues.q.skills[0]"),
        ({"queues": {"q": {"sla": {"voice": {"target": 1.5}}}}}, "queues.q.sla.voice.target"),
        ({"queues": {"q": {"sla": {"fax": {"target": 0.5}}}}}, "queues.q.sla.fax"),
        (
            {"queues": {"q": {"overflow": [{"when": "closed", "to": "nowhere"}]}}},
            "queues.q.overflow[0].to",
        ),
        (
            {"queues": {"q": {"overflow": [{"when": "max_wait", "to": "q"}]}}},
            "queues.q.overflow[0].after",
        ),
        ({"queues": {"q": {"hours": {"timezone": "Mars/Base"}}}}, "queues.q.hours.timezone"),
        ({"queues": {"q": {"hours": {"mon": "18:00-08:00"}}}}, "queues.q.hours.mon"),
        ({"queues": {"q": {"widening": [{"after": 5}]}}}, "queues.q.widening[0]"),
        ({"queues": {"q": {"colour": "red"}}}, "queues.q.colour"),
        ({"queues": {"q": {}}, "engine": {"offer_timeout": -1}}, "engine.offer_timeout"),
        ({"queues": {"q": {}}, "value_rules": [{"name": "x"}]}, "value_rules[0]"),
    ],
)
def test_errors_name_the_key(raw: dict[str, object], path: str) -> None:
    with pytest.raises(ConfigError) as info:
        RoutingConfig.from_dict(raw)
    assert info.value.path == path
    assert str(info.value).startswith(path)


def test_demo_file_parses() -> None:
    config = RoutingConfig.from_dict(tomllib.loads(DEMO.read_text()))
    returns = config.queues["returns"]
    assert SkillReq("returns", 2) in returns.skills
    assert returns.policy is Policy.LONGEST_IDLE
    assert returns.sla_for(Channel.VOICE).within == 20
    assert returns.callback is not None
    assert any(rule.to == "partner" for rule in returns.overflow)
    assert config.queues["partner"].data_scope == "limited"
    assert config.value_rules
