"""Wiring: the one place where settings become engines, adapters and live components.

Nothing is built at import time; `Services.start()` is called by the app's lifespan (and by
tests and benchmarks that want the real thing without HTTP). Start order: the store, then
the live components (router, knowledge, bot, phone), then the work the last run left open,
and the channels' doors last, so nothing arrives before there is someone to take it.
Who hears the bus, and in which order, is one table: `Services._listeners`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from omnicenter.bus import EventQueues, InProcessBus
from omnicenter.bus.events import BusEvent
from omnicenter.channels.base import ChannelAdapter
from omnicenter.channels.email import EmailChannel, EmailLimits, EmailListener, SmtpRelaySender
from omnicenter.channels.forms import FormsChannel
from omnicenter.channels.instagram import InstagramChannel
from omnicenter.channels.messenger import MessengerChannel
from omnicenter.channels.meta import GraphApi
from omnicenter.channels.registry import is_realtime
from omnicenter.channels.sms import OutboxSmsProvider, SmsChannel, SmsProvider, TwilioSmsProvider
from omnicenter.channels.telegram import BotApi, TelegramChannel
from omnicenter.channels.voice import VoiceChannel, VoiceSettings
from omnicenter.channels.voice.prompts import SpeechSynth
from omnicenter.channels.webchat import VisitorHub, WebchatChannel
from omnicenter.channels.whatsapp import WhatsappChannel
from omnicenter.domain import Channel, InboundEvent
from omnicenter.flows import Flow, FlowEngine
from omnicenter.knowledge import AnswerRecorder, KnowledgeService
from omnicenter.knowledge.connectors import WooCommerceConnector
from omnicenter.live.bot import Bot, flow_registry, load_knowledge
from omnicenter.live.callbacks import Callbacks
from omnicenter.live.engagement import Engagement, engagement_for
from omnicenter.live.intake import ContactIntake
from omnicenter.live.knowledge import KnowledgeUpdates, open_knowledge, shop_connector
from omnicenter.live.outbox import Dispatcher
from omnicenter.live.phone.flow_ivr import FlowIvr, flow_ivr
from omnicenter.live.phone.phone import Phone, start_phone, voice_settings_for
from omnicenter.live.restore import restore_open_work
from omnicenter.live.router import LiveRouter
from omnicenter.live.routing_config import routing_config_for
from omnicenter.routing import RoutingConfig
from omnicenter.runtime import Runtime
from omnicenter.services.bot_turns import bot_channels
from omnicenter.services.inbound import IngestResult, ingest
from omnicenter.services.replies import SenderSettings
from omnicenter.settings import Settings
from omnicenter.store.db import Database

__all__ = ["ChannelAdapters", "Services"]

log = logging.getLogger(__name__)

Listener = Callable[[BusEvent], None]


@dataclass(frozen=True, slots=True)
class ChannelAdapters:
    """One adapter per channel package: the entry points call `receive`, the outbox `send`."""

    email: EmailChannel
    sms: SmsChannel
    webchat: WebchatChannel
    forms: FormsChannel
    voice: VoiceChannel
    whatsapp: WhatsappChannel
    messenger: MessengerChannel
    instagram: InstagramChannel
    telegram: TelegramChannel

    def by_channel(self) -> dict[Channel, ChannelAdapter[Any]]:
        adapters: tuple[ChannelAdapter[Any], ...] = (
            self.email,
            self.sms,
            self.webchat,
            self.forms,
            self.voice,
            self.whatsapp,
            self.messenger,
            self.instagram,
            self.telegram,
        )
        return {a.manifest.channel: a for a in adapters}

    async def aclose(self) -> None:
        """Close the messaging channels' HTTP clients."""
        for adapter in (self.whatsapp, self.messenger, self.instagram, self.telegram):
            await adapter.aclose()


def _secret(settings: Settings) -> bytes:
    """The signing key: from settings, or generated once and kept beside the database."""
    configured = settings.secret_key.get_secret_value()
    if configured:
        return configured.encode()
    path = Path(settings.data_dir) / "secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()


@dataclass
class Services:
    settings: Settings
    db: Database = field(init=False)
    bus: InProcessBus = field(init=False)
    runtime: Runtime = field(init=False)
    queues: EventQueues = field(init=False)
    visitors: VisitorHub = field(init=False)
    channels: ChannelAdapters = field(init=False)
    dispatcher: Dispatcher = field(init=False)
    callbacks: Callbacks = field(init=False)
    sms: SmsProvider = field(init=False)
    email_relay: SmtpRelaySender | None = field(init=False, default=None)
    email_listener: EmailListener | None = field(init=False, default=None)
    router: LiveRouter | None = field(init=False, default=None)
    intake: ContactIntake | None = field(init=False, default=None)
    bot: Bot | None = field(init=False, default=None)
    voice: Phone | None = field(init=False, default=None)
    flow_ivr: FlowIvr | None = field(init=False, default=None)
    # the single source of truth when the bot or a shop connector needs it; `shop` is the
    # WooCommerce connector (pulls on a schedule, verifies webhooks) when one is set
    knowledge: KnowledgeService | None = field(init=False, default=None)
    shop: WooCommerceConnector | None = field(init=False, default=None)
    knowledge_updates: KnowledgeUpdates | None = field(init=False, default=None)
    # proactive engagement: business events in, held messages released on time
    engagement: Engagement | None = field(init=False, default=None)
    secret: bytes = field(init=False)
    sender: SenderSettings = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.secret = _secret(s)
        self.db = Database(s.sqlalchemy_url())
        self.bus = InProcessBus()
        self.runtime = Runtime(self.db, self.bus)
        self.queues = EventQueues(timeout_s=s.event_queue_timeout_s)
        self.visitors = VisitorHub()
        self.sender = SenderSettings(s.email_domain, s.email_from, s.sms_from)
        if s.sms_provider == "twilio":
            self.sms = TwilioSmsProvider(
                s.twilio_account_sid,
                s.twilio_auth_token.get_secret_value(),
                s.sms_from,
                api_base=s.twilio_api_base,
            )
        else:
            self.sms = OutboxSmsProvider()
        if s.smtp_relay_host:
            self.email_relay = SmtpRelaySender(
                s.smtp_relay_host,
                s.smtp_relay_port,
                s.email_from,
                s.email_domain,
                username=s.smtp_relay_username or None,
                password=s.smtp_relay_password.get_secret_value() or None,
                starttls=s.smtp_relay_starttls,
            )
        self.channels = ChannelAdapters(
            email=EmailChannel(self.email_relay, self.email_limits),
            sms=SmsChannel(self.sms, account_sid=s.twilio_account_sid or None),
            webchat=WebchatChannel(self.visitors),
            forms=FormsChannel(),
            voice=VoiceChannel(),
            whatsapp=WhatsappChannel(
                GraphApi(s.graph_api_base, s.whatsapp_access_token.get_secret_value()),
                s.whatsapp_phone_number_id,
            ),
            messenger=MessengerChannel(
                GraphApi(s.graph_api_base, s.messenger_page_access_token.get_secret_value())
            ),
            instagram=InstagramChannel(
                GraphApi(s.graph_api_base, s.instagram_access_token.get_secret_value())
            ),
            telegram=TelegramChannel(
                BotApi(s.telegram_bot_token.get_secret_value(), api_base=s.telegram_api_base)
            ),
        )
        self.dispatcher = Dispatcher(self.runtime, self.channels.by_channel())
        self.callbacks = Callbacks(self.runtime, None)
        self.bus.subscribe(self._hear)

    @property
    def email_limits(self) -> EmailLimits:
        s = self.settings
        return EmailLimits(
            max_message_bytes=s.email_max_message_bytes,
            max_attachment_bytes=s.email_max_attachment_bytes,
        )

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self, *, smtp: bool = True, migrate: bool = True) -> None:
        s = self.settings
        if migrate:
            await asyncio.to_thread(self.db.migrate)
        if s.routing_enabled:
            config = RoutingConfig.from_dict(routing_config_for(s.data_dir, s.routing_config))
            self.router = LiveRouter(self.runtime, config, is_realtime=is_realtime)
            self.intake = ContactIntake(self.router)
            self.callbacks.router = self.router
            await self.router.start()
        # the single source of truth serves agents (the knowledge panel) as well as the bot
        await self._start_knowledge()
        if s.bot_enabled:
            await self.attach_bot(s.bot_flow, s.bot_catalog or None, knowledge=self.knowledge)
        if s.voice_enabled:
            await self.attach_voice()
            voice_flow = os.environ.get("OMNICENTER_VOICE_FLOW", "")
            if voice_flow and self.bot is not None:
                # The phone runs this flow with the bot's knowledge; the menu stays the
                # fallback when none is set.
                await self.attach_flow_ivr(voice_flow)
            elif voice_flow:
                log.warning(
                    "OMNICENTER_VOICE_FLOW needs the bot's knowledge (OMNICENTER_BOT_ENABLED); "
                    "calls get the DTMF menu"
                )
        if self.router is not None:
            await restore_open_work(
                self.runtime,
                self.router,
                gate=self.bot,
                keeper=self.voice.service if self.voice is not None else None,
            )
        self.engagement = engagement_for(
            s, self.runtime, self.dispatcher, self.knowledge, self.sender
        )
        await self.engagement.start()
        resumed = await self.dispatcher.resume()
        if resumed:
            log.info("resuming delivery of %d pending outbound messages", resumed)
        if smtp:
            from omnicenter.api.email_inbound import make_accept

            self.email_listener = EmailListener(
                s.smtp_host,
                s.smtp_port,
                make_accept(self),
                self.email_limits,
                set(s.email_accepted_domains) or None,
            )
            await self.email_listener.start()

    async def stop(self) -> None:
        if self.email_listener is not None:
            await self.email_listener.stop()
        if self.voice is not None:
            await self.voice.stop()
        if self.bot is not None:
            await self.bot.stop()
        if self.knowledge_updates is not None:
            await self.knowledge_updates.stop()
        if self.router is not None:
            await self.router.stop()
        if self.engagement is not None:
            await self.engagement.stop()
        await self.dispatcher.drain()
        await self.channels.aclose()
        if isinstance(self.sms, TwilioSmsProvider):
            await self.sms.aclose()
        self.runtime.close()
        self.db.dispose()

    async def _start_knowledge(self) -> None:
        s = self.settings
        self.knowledge = await open_knowledge(s, self.db)
        self.shop = shop_connector(s)
        if self.knowledge is not None:
            self.knowledge_updates = KnowledgeUpdates(
                self.knowledge,
                reload_s=s.knowledge_reload_s,
                watch=s.knowledge_store != "file",
                shop=self.shop,
                pull_interval_s=s.knowledge_pull_interval_s,
            )
            await self.knowledge_updates.start()

    # -- the one ingest --------------------------------------------------------------------
    async def ingest(self, event: InboundEvent) -> IngestResult:
        """A contact from any channel, as the entry points hand it in: stored (and only
        then acknowledged) with this installation's region and case-join window."""
        s = self.settings
        return await self.runtime.write(
            ingest,
            event,
            region=s.default_region,
            join_window=timedelta(hours=s.case_join_window_h),
        )

    # -- live components -------------------------------------------------------------------
    async def attach_bot(
        self,
        flow_path: Path | str,
        catalog_dir: Path | str | None,
        *,
        knowledge: KnowledgeService | None = None,
        recorder: AnswerRecorder | None = None,
        flows: Sequence[Flow] = (),
    ) -> Bot:
        """The bot on the live channels, answering from `knowledge` (else the catalog
        folder, else what `omnicenter knowledge import` saved), as routing's contact gate."""
        registry, flow_id = flow_registry(flow_path, flows)
        if knowledge is None:
            knowledge = await asyncio.to_thread(load_knowledge, self.settings.data_dir, catalog_dir)
        bot = Bot(
            self.runtime,
            registry,
            flow_id,
            knowledge,
            channels=bot_channels(self.runtime.channels),
            outbox=self.dispatcher,
            routing=self.router,
            callbacks=self.callbacks,
            sender=self.sender,
            recorder=recorder,
            otp_secret=hmac.new(self.secret, b"one-time codes", hashlib.sha256).digest(),
        )
        self.bot = bot
        if self.intake is not None:
            self.intake.gate = bot
        await bot.start()
        return bot

    async def attach_voice(
        self, voice: VoiceSettings | None = None, *, require_ivr_skills: bool = False
    ) -> Phone:
        """The SIP endpoint on the live services; stopped with them."""
        s = self.settings
        phone = await start_phone(
            self.runtime,
            self.router,
            voice if voice is not None else voice_settings_for(s),
            ingest=self.ingest,
            secret=self.secret,
            require_ivr_skills=require_ivr_skills,
        )
        self.voice = phone
        self.callbacks.keeper = phone.service
        return phone

    async def attach_flow_ivr(
        self,
        flow_path: Path | str,
        *,
        engine: FlowEngine | None = None,
        speech: SpeechSynth | None = None,
        digit_timeout: float = 5.0,
    ) -> FlowIvr:
        """Every inbound call runs `flow_path`, answered from the bot's knowledge (one
        source of truth for every channel) unless `engine` is given."""
        if self.voice is None:
            raise ValueError("the flow IVR needs the phone: attach voice first")
        if engine is None:
            if self.bot is None:
                raise ValueError("the flow IVR needs knowledge: attach the bot or pass an engine")
            engine = self.bot.engine
        if speech is None:
            speech = SpeechSynth(self.voice.endpoint.settings.data_dir / "speech")
        ivr = flow_ivr(
            self.runtime, self.callbacks, engine, flow_path, speech, digit_timeout=digit_timeout
        )
        self.voice.service.flow_ivr = ivr
        self.flow_ivr = ivr
        return ivr

    # -- the bus ---------------------------------------------------------------------------
    def _listeners(self) -> list[tuple[str, Listener]]:
        """Who hears every event, in this order: the live push to browsers; the bot (it
        claims a conversation before the intake asks it); the contact intake; the router;
        the phone (an offer of a call task rings a phone)."""
        table: list[tuple[str, Listener | None]] = [
            ("live push", self._to_queues),
            ("bot", self.bot.on_event if self.bot is not None else None),
            ("intake", self.intake.on_event if self.intake is not None else None),
            ("router", self.router.enqueue if self.router is not None else None),
            ("phone", self.voice.service.on_bus if self.voice is not None else None),
        ]
        return [(name, fn) for name, fn in table if fn is not None]

    def _hear(self, event: BusEvent) -> None:
        for name, listener in self._listeners():
            try:
                listener(event)
            except Exception:  # one failing listener must not starve the others
                log.exception("%s failed on %s", name, event.type)

    def _to_queues(self, event: BusEvent) -> None:
        self.queues.push(event.model_dump(mode="json"))
