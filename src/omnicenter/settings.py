"""Settings: `OMNICENTER_*` environment variables, or a TOML file named by `OMNICENTER_CONFIG`.

Nothing reads settings at import time; `load_settings()` is called once by the bootstrap.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "load_settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNICENTER_", extra="forbid")

    data_dir: Path = Path("data")
    database_url: str = ""  # empty: SQLite file in data_dir
    secret_key: SecretStr = SecretStr("")  # empty: generated once and kept in data_dir

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    sip_host: str = "127.0.0.1"
    sip_port: int = 5060
    public_base_url: str = ""  # how outside services see us (SMS webhook signatures)

    default_region: str = "PL"  # for phone numbers written without a country code
    # The center's IANA time zone: "a day" and hours in reports, exports, the KPI API and
    # planning histories are local ones (DST-correct); stored times stay UTC.
    timezone: str = "UTC"
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 10 * 1_048_576

    email_domain: str = "omnicenter.local"
    email_from: str = "support@omnicenter.local"
    email_accepted_domains: list[str] = Field(default_factory=list)  # empty: accept any
    email_max_message_bytes: int = 25 * 1_048_576
    email_max_attachment_bytes: int = 10 * 1_048_576
    smtp_relay_host: str = ""  # empty: outgoing email stays in the outbox table
    smtp_relay_port: int = 25
    smtp_relay_username: str = ""
    smtp_relay_password: SecretStr = SecretStr("")
    smtp_relay_starttls: bool = False

    sms_provider: Literal["outbox", "twilio"] = "outbox"
    sms_from: str = "+48800000000"
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_api_base: str = "https://api.twilio.com"

    # The SIP endpoint on sip_host:sip_port. `omnicenter serve` switches it on unless the
    # environment says otherwise; embedded uses (tests, scripts) start without it.
    voice_enabled: bool = False
    voice_config: str = ""  # a TOML file with a [voice] table (trunk, caller id, menu, accounts)
    # The bot answers web chat, SMS and email first and hands over to people. `serve --demo`
    # switches it on with the demo shop flow and catalog from the source tree's examples/.
    bot_enabled: bool = False
    bot_flow: str = ""
    bot_catalog: str = ""
    # Knowledge (catalog, prices, orders, policies): "sql" keeps every version in the
    # database, shared by all processes, which reload within knowledge_reload_s of a new
    # one; "file" keeps the latest snapshot in data_dir/knowledge.json.
    knowledge_store: Literal["sql", "file"] = "sql"
    knowledge_reload_s: float = Field(default=5.0, gt=0)
    # A WooCommerce shop pulled every knowledge_pull_interval_s (0: never; webhooks only).
    woocommerce_url: str = ""
    woocommerce_consumer_key: str = ""
    woocommerce_consumer_secret: SecretStr = SecretStr("")
    woocommerce_webhook_secret: SecretStr = SecretStr("")
    knowledge_pull_interval_s: int = Field(default=900, ge=0)
    routing_enabled: bool = True
    routing_config: str = ""  # a TOML file; empty: the packaged default (docs/routing.md)
    # A new contact from a known customer joins the customer's open case about the same
    # order, else the most recently active one within this many hours (0: never joins).
    case_join_window_h: float = Field(default=72.0, ge=0)

    widget_keys: list[str] = Field(default_factory=lambda: ["demo-widget-key"])
    form_keys: list[str] = Field(default_factory=lambda: ["demo-form-key"])
    event_queue_timeout_s: int = 600
    # Proactive engagement (docs/engagement.md): the rules file (YAML; empty: events are
    # kept but nothing is sent) and how often held messages are looked at again.
    engagement_rules: str = ""
    engagement_tick_s: float = Field(default=30.0, gt=0)

    # -- messaging channels (docs/channels/whatsapp.md, messenger.md, instagram.md,
    # telegram.md). A channel whose secret is empty refuses every webhook (503, logged);
    # one without an access token keeps replies in the outbox. The API bases are settings
    # so tests and staging can point them at a fake.
    meta_app_secret: SecretStr = SecretStr("")  # X-Hub-Signature-256 on every Meta POST
    meta_verify_token: SecretStr = SecretStr("")  # the handshake's hub.verify_token
    whatsapp_access_token: SecretStr = SecretStr("")
    whatsapp_phone_number_id: str = ""
    messenger_page_access_token: SecretStr = SecretStr("")
    instagram_access_token: SecretStr = SecretStr("")
    telegram_bot_token: SecretStr = SecretStr("")
    telegram_secret_token: SecretStr = SecretStr("")  # setWebhook's secret_token
    graph_api_base: str = "https://graph.facebook.com/v21.0"
    telegram_api_base: str = "https://api.telegram.org"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        from omnicenter.metrics.config import zone

        zone(name)  # ValueError naming the bad zone, when settings load
        return name

    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'omnicenter.sqlite3').resolve()}"


def load_settings(**overrides: Any) -> Settings:
    """Environment first, then the TOML file (if any) fills what the environment left unset."""
    file_values: dict[str, Any] = {}
    config_path = os.environ.get("OMNICENTER_CONFIG")
    if config_path:
        with open(config_path, "rb") as fh:
            file_values = tomllib.load(fh)
    env_names = {k[len("OMNICENTER_") :].lower() for k in os.environ if k.startswith("OMNICENTER_")}
    values = {k: v for k, v in file_values.items() if k not in env_names}
    values.update(overrides)
    return Settings(**values)
