"""Wiring: the one place where settings become engines, listeners and senders.

Nothing is built at import time; `Services.start()` is called by the app's lifespan (and by
tests and benchmarks that want the real thing without HTTP).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnicenter.bus import EventQueues, InProcessBus
from omnicenter.bus.events import BusEvent
from omnicenter.channels.email import EmailLimits, EmailListener, EmailSendError, SmtpRelaySender
from omnicenter.channels.sms import OutboxSmsProvider, SmsProvider, SmsSendError, TwilioSmsProvider
from omnicenter.channels.webchat import VisitorHub
from omnicenter.domain import Channel, OutboundMessage
from omnicenter.routing import RoutingConfig
from omnicenter.runtime import Runtime
from omnicenter.services.delivery import DeliveryError, Dispatcher
from omnicenter.services.promises import OpenPromise, open_promises, restore_promises
from omnicenter.services.replies import SenderSettings
from omnicenter.services.routing_live import LiveRouter, load_routing_config
from omnicenter.settings import Settings
from omnicenter.store.db import Database

__all__ = ["Services"]

log = logging.getLogger(__name__)


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
    dispatcher: Dispatcher = field(init=False)
    sms: SmsProvider = field(init=False)
    email_relay: SmtpRelaySender | None = field(init=False, default=None)
    email_listener: EmailListener | None = field(init=False, default=None)
    router: LiveRouter | None = field(init=False, default=None)
    voice: Any = field(init=False, default=None)  # VoiceHandle when voice is enabled
    bot: Any = field(init=False, default=None)  # BotHandle when the bot is enabled
    # KnowledgeService when the bot or a shop connector needs knowledge; `shop` is the
    # WooCommerce connector (pulls on a schedule, verifies webhooks) when one is set.
    knowledge: Any = field(init=False, default=None)
    shop: Any = field(init=False, default=None)
    _knowledge_stop: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _knowledge_tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)
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
        self.dispatcher = Dispatcher(
            self.runtime,
            {
                Channel.EMAIL: self._send_email,
                Channel.SMS: self._send_sms,
                Channel.WEBCHAT: self._send_webchat,
            },
        )
        self.bus.subscribe(self._to_queues)

    @property
    def email_limits(self) -> EmailLimits:
        s = self.settings
        return EmailLimits(
            max_message_bytes=s.email_max_message_bytes,
            max_attachment_bytes=s.email_max_attachment_bytes,
        )

    async def start(self, *, smtp: bool = True, migrate: bool = True) -> None:
        if migrate:
            await asyncio.to_thread(self.db.migrate)
        if smtp:
            from omnicenter.api.email_inbound import make_accept

            self.email_listener = EmailListener(
                self.settings.smtp_host,
                self.settings.smtp_port,
                make_accept(self),
                self.email_limits,
                set(self.settings.email_accepted_domains) or None,
            )
            await self.email_listener.start()
        if self.settings.routing_enabled:
            saved = Path(self.settings.data_dir) / "routing.json"
            raw = (
                json.loads(saved.read_text())
                if saved.exists()
                else load_routing_config(self.settings.routing_config)
            )
            config = RoutingConfig.from_dict(raw)
            self.router = LiveRouter(self.runtime, config)
        if self.settings.bot_enabled or self.settings.woocommerce_url:
            await self._start_knowledge()
        if self.settings.bot_enabled:
            from omnicenter.services.bot_live import attach_bot

            # Before routing starts, so that conversations the bot holds are not queued.
            self.bot = await attach_bot(
                self,
                self.settings.bot_flow,
                self.settings.bot_catalog or None,
                knowledge=self.knowledge,
            )
        owed: list[OpenPromise] = []
        if self.router is not None:
            # Callback promises still owed are scheduled again (below, once the phone that
            # keeps them runs), not queued as plain contacts.
            owed = await self.runtime.read(open_promises)
            await self.router.start(held={p.interaction_id for p in owed})
            self.bus.subscribe(self.router.enqueue)
        if self.settings.voice_enabled:
            from omnicenter.services.voice_live import attach_voice

            self.voice = await attach_voice(self)
            voice_flow = os.environ.get("OMNICENTER_VOICE_FLOW", "")
            if voice_flow and self.bot is not None:
                from omnicenter.services.voice_flows import attach_flow_ivr

                # The phone runs this flow with the bot's knowledge; the menu stays the
                # fallback when none is set.
                await attach_flow_ivr(self, self.voice, voice_flow)
            elif voice_flow:
                log.warning(
                    "OMNICENTER_VOICE_FLOW needs the bot's knowledge (OMNICENTER_BOT_ENABLED); "
                    "calls get the DTMF menu"
                )
        if owed:
            await restore_promises(self, owed)
        resumed = await self.dispatcher.resume()
        if resumed:
            log.info("resuming delivery of %d pending outbound messages", resumed)

    async def _start_knowledge(self) -> None:
        """Knowledge from the database (default) or data_dir/knowledge.json; reload when
        another process saves a version; pull the shop on its interval."""
        from datetime import timedelta

        from omnicenter.knowledge import (
            FileKnowledgeRepository,
            KnowledgeChange,
            KnowledgeService,
            watch_versions,
        )
        from omnicenter.knowledge.connectors import (
            PullSchedule,
            WooCommerceConnector,
            run_pull_loop,
        )
        from omnicenter.store.knowledge import SqlKnowledgeRepository

        s = self.settings
        catalog = Path(s.bot_catalog) if s.bot_catalog else None
        if s.knowledge_store == "file":
            if catalog is None or s.woocommerce_url:  # else the bot imports its catalog
                repository = FileKnowledgeRepository(s.data_dir)
                self.knowledge = await asyncio.to_thread(KnowledgeService, repository)
        else:
            sql = SqlKnowledgeRepository(self.db)
            self.knowledge = await asyncio.to_thread(KnowledgeService, sql)
            if catalog is not None and self.knowledge.snapshot.revision == 0:
                # The catalog folder seeds an empty database; later changes are imports.
                files = sorted(p for p in catalog.iterdir() if p.is_file())
                change = KnowledgeChange(author="omnicenter", source=f"catalog {catalog}")
                report = await asyncio.to_thread(
                    self.knowledge.import_files, files, None, change=change
                )
                if not report.applied:
                    problems = "; ".join(str(r) for r in report.rejected[:5])
                    raise RuntimeError(f"catalog {catalog} was not imported: {problems}")
            self._knowledge_tasks.append(
                asyncio.create_task(
                    watch_versions(self.knowledge, s.knowledge_reload_s, self._knowledge_stop)
                )
            )
        if s.woocommerce_url:
            self.shop = WooCommerceConnector(
                s.woocommerce_url,
                s.woocommerce_consumer_key,
                s.woocommerce_consumer_secret.get_secret_value(),
                s.woocommerce_webhook_secret.get_secret_value(),
            )
            if s.knowledge_pull_interval_s > 0 and self.knowledge is not None:
                schedule = PullSchedule(interval=timedelta(seconds=s.knowledge_pull_interval_s))
                self._knowledge_tasks.append(
                    asyncio.create_task(
                        run_pull_loop(self.shop, self.knowledge, schedule, self._knowledge_stop)
                    )
                )

    async def stop(self) -> None:
        self._knowledge_stop.set()
        for task in self._knowledge_tasks:
            await task
        if self.voice is not None:
            await self.voice.close()
        if self.bot is not None:
            await self.bot.close()
        if self.router is not None:
            await self.router.stop()
        if self.email_listener is not None:
            await self.email_listener.stop()
        await self.dispatcher.drain()
        if isinstance(self.sms, TwilioSmsProvider):
            await self.sms.aclose()
        self.runtime.close()
        self.db.dispose()

    # -- live push -------------------------------------------------------------------------
    def _to_queues(self, event: BusEvent) -> None:
        self.queues.push(event.model_dump(mode="json"))

    # -- channel senders -------------------------------------------------------------------
    async def _send_email(self, msg: OutboundMessage) -> tuple[str, str | None]:
        if self.email_relay is None:
            return "stored", None
        try:
            message_id = await self.email_relay.send(msg)
        except EmailSendError as exc:
            raise DeliveryError(str(exc), temporary=exc.temporary) from exc
        return "sent", message_id

    async def _send_sms(self, msg: OutboundMessage) -> tuple[str, str | None]:
        try:
            return await self.sms.send(msg)
        except SmsSendError as exc:
            raise DeliveryError(exc.reason, temporary=exc.temporary) from exc

    async def _send_webchat(self, msg: OutboundMessage) -> tuple[str, str | None]:
        payload: dict[str, Any] = {
            "type": "message",
            "event_id": msg.event_id,
            "author_type": msg.meta.get("author_type", "agent"),
            "body": msg.body,
        }
        if msg.meta.get("buttons"):
            payload["buttons"] = msg.meta["buttons"]
        delivered = await self.visitors.send(msg.to, payload)
        # Offline visitors read the transcript when they come back.
        return ("sent" if delivered else "stored"), None
