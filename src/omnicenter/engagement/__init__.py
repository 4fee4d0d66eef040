"""Proactive engagement: rules as data, consent, quiet hours, caps, the right channel (pure).

Read `decide.decide` first: one rule, one event, one customer -> send, hold or skip, with
the reason. The services (`services/engagement.py`) gather the `Situation` from the store
and write what was decided; docs/engagement.md describes the rule language.
"""

from omnicenter.engagement.caps import cap_refusal
from omnicenter.engagement.choice import ChannelChoice, ChannelFacts, choose_channel
from omnicenter.engagement.consent import ConsentMap, consent_refusal
from omnicenter.engagement.decide import Decision, Outcome, Situation, condition_scope, decide
from omnicenter.engagement.expr import Expression, ExpressionError, compile_expression
from omnicenter.engagement.holdout import in_holdout
from omnicenter.engagement.model import (
    BusinessEvent,
    Caps,
    Conversion,
    CustomerRef,
    FactLookup,
    Purpose,
    QuietHours,
    Rule,
    RuleSet,
    RuleSettings,
    Template,
)
from omnicenter.engagement.optout import OPT_OUT_WORDS, is_opt_out
from omnicenter.engagement.parser import RuleIssue, RulesError, load_rules, parse_rules
from omnicenter.engagement.quiet import customer_zone, quiet_until
from omnicenter.engagement.templates import MissingValue, lookup_facts, render

__all__ = [
    "OPT_OUT_WORDS",
    "BusinessEvent",
    "Caps",
    "ChannelChoice",
    "ChannelFacts",
    "ConsentMap",
    "Conversion",
    "CustomerRef",
    "Decision",
    "Expression",
    "ExpressionError",
    "FactLookup",
    "MissingValue",
    "Outcome",
    "Purpose",
    "QuietHours",
    "Rule",
    "RuleIssue",
    "RuleSet",
    "RuleSettings",
    "RulesError",
    "Situation",
    "Template",
    "cap_refusal",
    "choose_channel",
    "compile_expression",
    "condition_scope",
    "consent_refusal",
    "customer_zone",
    "decide",
    "in_holdout",
    "is_opt_out",
    "load_rules",
    "lookup_facts",
    "parse_rules",
    "quiet_until",
    "render",
]
