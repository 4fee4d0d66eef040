"""Flows: bots and IVR scripts written once in YAML and rendered per channel.

Read `engine.FlowEngine` first (a pure function of flow version, state and input), then
`parser.parse_flow` (the language and its line-accurate errors) and `render.render`.
"""

from omnicenter.flows.engine import ESCAPE_WORDS, FlowEngine, detect_lang, is_escape
from omnicenter.flows.intents import (
    HybridClassifier,
    IntentClassifier,
    IntentMatch,
    KeywordClassifier,
)
from omnicenter.flows.model import Flow, Intent
from omnicenter.flows.outputs import (
    HANDOVER_VALUE,
    CallbackRequest,
    Ended,
    HandoverRequest,
    Message,
    Option,
    Output,
    Prompt,
    Turn,
    VerificationRequest,
)
from omnicenter.flows.parser import FlowError, FlowIssue, load_flow, parse_flow
from omnicenter.flows.registry import FlowRegistry, VersionError
from omnicenter.flows.render import Button, Rendered, render
from omnicenter.flows.state import ConversationState, Status

__all__ = [
    "ESCAPE_WORDS",
    "HANDOVER_VALUE",
    "Button",
    "CallbackRequest",
    "ConversationState",
    "Ended",
    "Flow",
    "FlowEngine",
    "FlowError",
    "FlowIssue",
    "FlowRegistry",
    "HandoverRequest",
    "HybridClassifier",
    "Intent",
    "IntentClassifier",
    "IntentMatch",
    "KeywordClassifier",
    "Message",
    "Option",
    "Output",
    "Prompt",
    "Rendered",
    "Status",
    "Turn",
    "VerificationRequest",
    "VersionError",
    "detect_lang",
    "is_escape",
    "load_flow",
    "parse_flow",
    "render",
]
