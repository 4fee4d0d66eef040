"""The flow engine: (flow version, conversation state, input) -> (new state, outputs).

`FlowEngine.start` opens a conversation and runs until the first prompt; `handle` takes
one customer input. Neither keeps anything between calls: the state they return is the
whole conversation, so the service can persist it as JSON and resume anywhere.

Read `handle` first, then `_run` (steps that need no input) and `_accept` (input steps).
A customer can always reach a person: an escape word ("agent", "człowiek",
"konsultant", "human"...), "0", or the handover button at any input step; and the bot
hands over by itself after `max_failures` inputs in a row it did not understand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from omnicenter.flows.answers import fact_record, fact_vars, not_found_vars
from omnicenter.flows.entities import entities_in
from omnicenter.flows.escape import ESCAPE_WORDS, is_escape
from omnicenter.flows.intents import IntentClassifier, KeywordClassifier
from omnicenter.flows.model import (
    Ask,
    Branch,
    Callback,
    Choose,
    Collect,
    CollectKind,
    Condition,
    End,
    Flow,
    Handover,
    Localized,
    Lookup,
    LookupKind,
    Say,
    SetFields,
    Step,
)
from omnicenter.flows.otp import MAX_ATTEMPTS, check_code, issue_code
from omnicenter.flows.outputs import (
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
from omnicenter.flows.state import ConversationState, Status
from omnicenter.flows.texts import phrase
from omnicenter.flows.validators import validate
from omnicenter.knowledge.asker import Asker
from omnicenter.knowledge.base import KnowledgeQuery
from omnicenter.knowledge.facts import (
    Fact,
    FaqQuery,
    HoursQuery,
    NotFound,
    OrderQuery,
    PolicyQuery,
    PriceQuery,
    ProductFact,
    ProductQuery,
    Query,
    StockQuery,
)
from omnicenter.knowledge.records import PolicyKind
from omnicenter.knowledge.text import fold, tokens

__all__ = ["ESCAPE_WORDS", "FlowEngine", "detect_lang", "is_escape"]

_MAX_AUTO_STEPS = 200
_TEMPLATE = re.compile(r"\{([A-Za-z_][\w.]*)\}")
_PL_LETTERS = set("ąćęłńóśźż")
_PL_WORDS = frozenset(
    [
        "czy",
        "jest",
        "nie",
        "mam",
        "moje",
        "moja",
        "gdzie",
        "zamowienie",
        "dzien",
        "dobry",
        "witam",
        "chce",
        "prosze",
        "jak",
        "ile",
        "kiedy",
        "jaka",
        "jaki",
        "sie",
        "mnie",
        "paczka",
        "zwrot",
        "cena",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "is",
        "my",
        "where",
        "what",
        "hello",
        "hi",
        "want",
        "order",
        "how",
        "please",
        "when",
        "which",
        "price",
        "return",
        "parcel",
        "does",
        "can",
        "you",
    ]
)
_POLICY_OF = {
    LookupKind.RETURN_POLICY: PolicyKind.RETURN,
    LookupKind.EXCHANGE_POLICY: PolicyKind.EXCHANGE,
    LookupKind.COMPLAINT_POLICY: PolicyKind.COMPLAINT,
}


def detect_lang(text: str) -> str | None:
    """ "pl" or "en" when the text says so clearly, else None."""
    if _PL_LETTERS & set(text.lower()):
        return "pl"
    words = set(tokens(text))
    pl, en = len(words & _PL_WORDS), len(words & _EN_WORDS)
    if pl > en:
        return "pl"
    if en > pl:
        return "en"
    return None


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Work:
    """A mutable copy of the state for the length of one turn."""

    def __init__(self, flow: Flow, state: ConversationState, now: datetime) -> None:
        self.flow = flow
        self.state = state
        self.now = now
        self.lang = state.lang
        self.status = state.status
        self.step: str | None = state.step
        self.vars: dict[str, Any] = dict(state.vars)
        self.fields: dict[str, str] = dict(state.fields)
        self.intent = state.intent
        self.confidence = state.confidence
        self.failures = state.failures
        self.low_confidence = state.low_confidence
        self.transcript = list(state.transcript)
        self.facts = list(state.facts)
        self.verified = list(state.verified)
        self.known = dict(state.known)
        self.verify = dict(state.verify) if state.verify is not None else None
        self.entities: dict[CollectKind, str] = {}  # read from this turn's text only
        self.pending_facts: list[dict[str, Any]] = []
        self.outputs: list[Output] = []

    def text(self, localized: Localized) -> str:
        return self.format(localized.get(self.lang))

    def phrase(self, name: str) -> str:
        return self.format(phrase(name, self.lang, self.flow.texts))

    def format(self, template: str) -> str:
        def resolve(match: re.Match[str]) -> str:
            value = self.lookup_var(match.group(1))
            return "" if value is None else str(value)

        return _TEMPLATE.sub(resolve, template)

    def lookup_var(self, path: str) -> Any:
        head, *rest = path.split(".")
        value: Any = self.vars.get(head, self.fields.get(head))
        if head == "fields" and rest:
            value, rest = self.fields.get(rest[0]), rest[1:]
        for part in rest:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    @property
    def asker(self) -> Asker:
        return Asker.of(self.state.customer_id, (*self.state.identities, *self.verified))

    def say(self, text: str) -> None:
        if text:
            self.outputs.append(Message(text, tuple(self.pending_facts)))
            self.transcript.append(("bot", text))
            self.pending_facts = []

    def finish(self, turn_increment: int) -> Turn:
        state = self.state.evolve(
            lang=self.lang,
            status=self.status,
            step=self.step,
            vars=self.vars,
            fields=self.fields,
            intent=self.intent,
            confidence=self.confidence,
            failures=self.failures,
            low_confidence=self.low_confidence,
            transcript=tuple(self.transcript),
            facts=tuple(self.facts),
            turn=self.state.turn + turn_increment,
            verified=tuple(self.verified),
            known=self.known,
            verify=self.verify,
        )
        return Turn(state, tuple(self.outputs))


class FlowEngine:
    def __init__(
        self,
        knowledge: KnowledgeQuery | None = None,
        classifier: IntentClassifier | None = None,
        clock: Callable[[], datetime] = _utc_now,
        otp_secret: bytes | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.classifier: IntentClassifier = classifier or KeywordClassifier()
        self._clock = clock
        # Without a secret no code can be sent: a customer who must prove an order is
        # theirs is handed to a person instead.
        self._otp_secret = otp_secret

    # ------------------------------------------------------------ public

    def start(
        self,
        flow: Flow,
        *,
        conversation_id: str,
        channel: str,
        customer_id: str | None = None,
        lang: str | None = None,
        fields: dict[str, str] | None = None,
        now: datetime | None = None,
        identities: Iterable[str] = (),
        known: Mapping[str, str] | None = None,
    ) -> Turn:
        """Open a conversation pinned to this flow version and run to the first prompt.

        `identities`: who is asking, as the channel proved it (`kind:address`); order data
        is told only to its owner. `known`: fields collected earlier (on the case, on any
        channel); a step that would ask for one of them takes it instead, once.
        """
        state = ConversationState(
            conversation_id=conversation_id,
            flow_id=flow.id,
            flow_version=flow.version,
            channel=channel,
            lang=lang if lang in flow.langs else flow.default_lang,
            customer_id=customer_id,
            lang_locked=lang in flow.langs,
            fields=dict(fields or {}),
            identities=tuple(identities),
            known=dict(known or {}),
        )
        work = _Work(flow, state, now or self._clock())
        self._run(work, flow.start)
        return work.finish(0)

    def handle(
        self, flow: Flow, state: ConversationState, text: str, now: datetime | None = None
    ) -> Turn:
        """One customer input. `flow` must be the version the conversation started on."""
        if (flow.id, flow.version) != (state.flow_id, state.flow_version):
            raise ValueError(
                f"conversation {state.conversation_id} runs {state.flow_id} v{state.flow_version}, "
                f"not {flow.id} v{flow.version}"
            )
        work = _Work(flow, state, now or self._clock())
        if state.status is not Status.ACTIVE or state.step is None:
            if state.status is Status.ENDED:
                work.say(work.phrase("closed"))
            return work.finish(0)  # after a handover a person answers, not the bot
        work.transcript.append(("customer", text))
        if state.turn == 0 and not state.lang_locked:
            detected = detect_lang(text)
            if detected in flow.langs:
                work.lang = detected
        extra = frozenset(fold(w) for w in flow.settings.escape_words)
        if is_escape(text, extra):
            self._handover(work, "requested")
            return work.finish(1)
        if work.verify is not None:
            self._check_code(work, text)
            return work.finish(1)
        step = flow.steps[state.step]
        if not isinstance(step, Collect):
            work.entities = entities_in(text)
        next_step = self._accept(work, step, text)
        if next_step is not None:
            work.failures, work.low_confidence = 0, False
            self._run(work, next_step)
        return work.finish(1)

    # ------------------------------------------------------------ input steps

    def _accept(self, work: _Work, step: Step, text: str) -> str | None:
        """The next step after a valid input, or None after a failure (already handled)."""
        settings = work.flow.settings
        match step:
            case Choose():
                chosen, confidence = self._choose(step, text, settings.min_confidence)
                if chosen is None:
                    self._failed(work, step, confidence > 0)
                    return None
                option = next(o for o in step.options if o.id == chosen)
                work.vars[step.var] = option.id
                work.fields[step.var] = option.id
                work.intent, work.confidence = option.id, confidence
                return option.next
            case Ask():
                work.vars[step.var] = text.strip()
                if not step.routes:
                    work.fields[step.var] = text.strip()
                    return step.next
                intents = [work.flow.intents[name] for name in step.routes]
                ranked = self.classifier.rank(text, intents)
                if ranked and ranked[0].confidence >= settings.min_confidence:
                    work.intent, work.confidence = ranked[0].name, ranked[0].confidence
                    return step.routes[ranked[0].name]
                if step.otherwise is not None:
                    return step.otherwise
                self._failed(work, step, bool(ranked))
                return None
            case Collect():
                value = validate(
                    step.kind, text, now=work.now, timezone=settings.timezone, pattern=step.pattern
                ) or entities_in(text).get(step.kind)
                if value is None:
                    self._failed(work, step, False)
                    return None
                work.vars[step.field] = value
                work.fields[step.field] = value
                return step.next
            case _:
                raise AssertionError(f"step {step.id} does not take input")

    def _choose(self, step: Choose, text: str, min_confidence: float) -> tuple[str | None, float]:
        stripped = text.strip()
        if stripped.isdigit() and 1 <= int(stripped) <= len(step.options):
            return step.options[int(stripped) - 1].id, 1.0
        for option in step.options:
            if stripped == option.id:
                return option.id, 1.0  # a button's value
        ranked = self.classifier.rank(text, [o.as_intent() for o in step.options])
        if not ranked:
            return None, 0.0
        best = ranked[0]
        # An equal score is a tie unless one matched a longer phrase ("kosztuje dostawa"
        # says more than "kosztuje").
        ambiguous = len(ranked) > 1 and (ranked[1].confidence, ranked[1].words) == (
            best.confidence,
            best.words,
        )
        if best.confidence >= min_confidence and not ambiguous:
            return best.name, best.confidence
        return None, best.confidence

    def _failed(self, work: _Work, step: Choose | Ask | Collect, low_confidence: bool) -> None:
        work.failures += 1
        work.low_confidence = low_confidence
        if work.failures >= work.flow.settings.max_failures:
            self._handover(work, "low_confidence" if low_confidence else "failures")
            return None
        if isinstance(step, Collect):
            work.say(work.text(step.error) if step.error else work.phrase("invalid_value"))
        else:
            work.say(work.phrase("not_understood"))
        self._prompt(work, step, retry=True)
        return None

    # ------------------------------------------------------------ running

    def _run(self, work: _Work, step_id: str) -> None:
        """Run steps that need no input until a prompt, an end or a handover."""
        for _ in range(_MAX_AUTO_STEPS):
            step = work.flow.steps[step_id]
            match step:
                case Say():
                    work.say(work.text(step.text))
                    step_id = step.next
                case Lookup():
                    after = self._lookup(work, step)
                    if after is None:
                        return  # waiting for a one-time code
                    step_id = after
                case SetFields():
                    for name, template in step.values.items():
                        work.fields[name] = work.format(template)
                    step_id = step.next
                case Branch():
                    step_id = next(
                        (c.next for c in step.cases if self._holds(work, c.condition)),
                        step.otherwise,
                    )
                case Callback():
                    at_text = work.format(step.at)
                    try:
                        at = datetime.fromisoformat(at_text) if at_text else None
                    except ValueError:
                        at = None
                    phone = work.format(step.phone)
                    work.outputs.append(CallbackRequest(phone, at, work.intent or ""))
                    work.say(
                        work.text(step.text)
                        if step.text
                        else work.phrase("callback_scheduled").replace("{phone}", phone)
                    )
                    step_id = step.next
                case Handover():
                    self._handover(work, "flow", step)
                    return
                case End():
                    text = work.text(step.text) if step.text else work.phrase("bye")
                    work.transcript.append(("bot", text))
                    work.outputs.append(Ended(text))
                    work.status, work.step = Status.ENDED, None
                    return
                case Choose() | Ask() | Collect():
                    given = self._given(work, step)
                    if given is None:
                        self._prompt(work, step)
                        return
                    step_id = given
        # Only a flow whose loops all pass through branches can get here.
        self._handover(work, "flow_loop")

    @staticmethod
    def _given(work: _Work, step: Choose | Ask | Collect) -> str | None:
        """The next step when the customer already gave this step's value: a field known
        from earlier (used once, so a menu shown again asks again) or, for a collect step,
        a value in this turn's text."""
        match step:
            case Collect():
                value = work.known.pop(step.field, None) or work.entities.pop(step.kind, None)
                if not value:
                    return None
                work.vars[step.field] = value
                work.fields[step.field] = value
                return step.next
            case Choose():
                option = next((o for o in step.options if o.id == work.known.get(step.var)), None)
                if option is None:
                    return None
                del work.known[step.var]
                work.vars[step.var] = work.fields[step.var] = option.id
                work.intent, work.confidence = option.id, 1.0
                return option.next
            case Ask():
                value = work.known.get(step.var)
                if not value or step.routes:
                    return None
                del work.known[step.var]
                work.vars[step.var] = work.fields[step.var] = value
                return step.next

    def _prompt(self, work: _Work, step: Choose | Ask | Collect, retry: bool = False) -> None:
        text = work.text(step.text)
        options: tuple[Option, ...] = ()
        expects = "text"
        if isinstance(step, Choose):
            options = tuple(
                Option(i, o.id, work.text(o.label)) for i, o in enumerate(step.options, start=1)
            )
            expects = "choice"
        elif isinstance(step, Collect):
            expects = step.kind.value
        work.outputs.append(
            Prompt(text, step.id, expects, options, work.phrase("human_option"), retry)
        )
        work.transcript.append(("bot", text))
        work.status, work.step = Status.ACTIVE, step.id

    def _holds(self, work: _Work, condition: Condition) -> bool:
        if condition.intent is not None:
            return work.intent == condition.intent
        value = work.lookup_var(condition.var or "")
        if condition.exists is not None:
            return (value not in (None, "", False)) == condition.exists
        text = "" if value is None else str(value)
        if condition.equals is not None:
            return text == condition.equals
        if condition.not_equals is not None:
            return text != condition.not_equals
        return condition.one_of is not None and text in condition.one_of

    def _lookup(self, work: _Work, step: Lookup) -> str | None:
        """The next step, or None when the answer waits for proof (a code, or a person)."""
        args = {name: work.format(template) for name, template in step.args.items()}
        answer = self._ask_knowledge(work, step.kind, args)
        if isinstance(answer, NotFound) and answer.reason == "verification_required":
            self._verify_first(work, step, answer)
            return None
        if isinstance(answer, NotFound):
            work.vars[step.var] = not_found_vars(answer, work.lang)
            return step.not_found or step.next
        work.vars[step.var] = fact_vars(answer, work.lang)
        record = fact_record(answer)
        work.facts.append(record)
        work.pending_facts.append(record)
        return step.next

    def _ask_knowledge(
        self, work: _Work, kind: LookupKind, args: dict[str, str]
    ) -> Fact | NotFound:
        if self.knowledge is None:
            raise RuntimeError("this flow looks things up but the engine has no knowledge")
        customer = work.state.customer_id
        query: Query
        if kind in (LookupKind.PRICE, LookupKind.STOCK, LookupKind.PRODUCT):
            product = self.knowledge.ask(ProductQuery(args.get("product", "")))
            if kind is LookupKind.PRODUCT or not isinstance(product, ProductFact):
                return product
            if kind is LookupKind.PRICE:
                basket = tuple(s for s in args.get("basket", "").split(",") if s.strip())
                quantity = int(args["quantity"]) if args.get("quantity", "").isdigit() else 1
                query = PriceQuery(product.sku, customer, work.now, quantity, basket, work.asker)
            else:
                query = StockQuery(product.sku, args.get("location") or None)
        elif kind is LookupKind.ORDER_STATUS:
            query = OrderQuery(args.get("order", ""), args.get("email") or None, asker=work.asker)
        elif kind in _POLICY_OF:
            query = PolicyQuery(
                _POLICY_OF[kind], args.get("order") or None, work.now, asker=work.asker
            )
        elif kind is LookupKind.OPENING_HOURS:
            query = HoursQuery(work.now, args.get("location") or "shop")
        else:
            query = FaqQuery(args.get("text", ""), work.lang)
        return self.knowledge.ask(query)

    # ------------------------------------------------------------ proof of ownership

    def _verify_first(self, work: _Work, step: Lookup, refused: NotFound) -> None:
        """Order data goes to its owner only: send a one-time code to a contact on the
        order and wait for it, or, with nowhere to send one, hand over to a person."""
        if self._otp_secret is None or not refused.verify:
            work.say(work.phrase("verify_person"))
            self._handover(work, "verification_required")
            return
        contact = next(
            (c for c in refused.verify if c.kind == "email" and work.state.channel != "email"),
            refused.verify[0],
        )
        issued_at = work.now
        code = issue_code(self._otp_secret, work.state.conversation_id, contact.address, issued_at)
        work.outputs.append(
            VerificationRequest(
                kind=contact.kind,
                address=contact.address,
                masked=contact.masked,
                code=code,
                lang=work.lang,
                text=phrase("verify_message", work.lang, work.flow.texts).replace("{code}", code),
            )
        )
        sent = phrase("verify_sent", work.lang, work.flow.texts)
        work.say(sent.replace("{masked}", contact.masked))
        work.verify = {
            "step": step.id,
            "kind": contact.kind,
            "address": contact.address,
            "masked": contact.masked,
            "issued_at": issued_at.isoformat(),
            "attempts": 0,
        }
        self._code_prompt(work, step.id)

    def _code_prompt(self, work: _Work, step_id: str, retry: bool = False) -> None:
        text = work.phrase("verify_prompt")
        work.outputs.append(Prompt(text, step_id, "code", (), work.phrase("human_option"), retry))
        work.transcript.append(("bot", text))
        work.status, work.step = Status.ACTIVE, step_id

    def _check_code(self, work: _Work, text: str) -> None:
        pending = work.verify
        assert pending is not None
        secret = self._otp_secret
        issued_at = datetime.fromisoformat(str(pending["issued_at"]))
        address = str(pending["address"])
        conversation = work.state.conversation_id
        if secret is not None and check_code(
            secret, conversation, address, issued_at, text, work.now
        ):
            work.verify = None
            work.verified.append(f"{pending['kind']}:{address}")
            work.failures, work.low_confidence = 0, False
            self._run(work, str(pending["step"]))
            return
        attempts = int(pending.get("attempts", 0)) + 1
        if attempts >= MAX_ATTEMPTS:
            work.verify = None
            self._handover(work, "verification_failed")
            return
        work.verify = {**pending, "attempts": attempts}
        work.say(work.phrase("verify_wrong"))
        self._code_prompt(work, str(pending["step"]), retry=True)

    def _handover(self, work: _Work, reason: str, step: Handover | None = None) -> None:
        settings = work.flow.settings
        text = work.text(step.text) if step is not None and step.text else work.phrase("handover")
        work.say(text)
        work.outputs.append(
            HandoverRequest(
                reason=reason,
                queue=(step.queue if step is not None and step.queue else settings.handover_queue),
                skills=step.skills if step is not None else (),
                priority=step.priority if step is not None else "normal",
                intent=work.intent,
                confidence=work.confidence,
                fields=dict(work.fields),
                transcript=tuple(work.transcript),
                facts=tuple(work.facts),
                flow_id=work.flow.id,
                flow_version=work.flow.version,
                step=work.step,
                channel=work.state.channel,
                customer_id=work.state.customer_id,
                lang=work.lang,
                text=text,
            )
        )
        work.status, work.step = Status.HANDOVER, None
