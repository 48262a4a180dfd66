"""Typed settings, read from the environment and an optional ``.env`` file."""

from __future__ import annotations

import ipaddress
import os
from functools import cached_property
from typing import Any, Literal
from urllib.parse import unquote, urlparse

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "parlo-development-secret-change-me-0123456789"


class SettingsError(ValueError):
    """Settings that cannot be used. Its text names each setting and the problem, never a value:
    pydantic's ValidationError keeps the whole input (every secret) in ``errors()``/``json()``, so
    it is not re-raised nor chained."""


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_url=False, include_context=False, include_input=False):
        where = ".".join(str(part) for part in item.get("loc", ())) or "settings"
        lines.append(f"{where}: {item.get('msg', 'invalid')}")
    return "Invalid Parlo settings:\n  " + "\n  ".join(lines)


def _split(value: str) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


class Settings(BaseSettings):
    # hide_input_in_errors: a failing model must never echo its input (secrets) in the error text.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True)

    env: Literal["development", "production", "test"] = Field("development", validation_alias="PARLO_ENV")
    database_url: str = Field("sqlite:///parlo.db", validation_alias="PARLO_DATABASE_URL")
    secret_key: SecretStr = Field(SecretStr(DEV_SECRET), validation_alias="PARLO_SECRET_KEY")
    admin_password: SecretStr | None = Field(None, validation_alias="PARLO_ADMIN_PASSWORD")
    public_base_url: str = Field("http://127.0.0.1:8000", validation_alias="PARLO_PUBLIC_BASE_URL")
    redis_url: str = Field("redis://127.0.0.1:6379/0", validation_alias="PARLO_REDIS_URL")
    central_whatsapp_number: str = Field("+525500000000", validation_alias="PARLO_CENTRAL_WHATSAPP_NUMBER")
    # Addresses (IPs or CIDR networks, comma-separated) of the reverse proxies whose X-Forwarded-For /
    # X-Forwarded-Proto headers are believed. Empty (default): forwarded headers are ignored and the
    # client is the TCP peer.
    trusted_proxies: str = Field("", validation_alias="PARLO_TRUSTED_PROXIES")
    # Redis keys of the login throttles start with this (shared by every web process on PARLO_REDIS_URL).
    throttle_prefix: str = Field("parlo:throttle", validation_alias="PARLO_THROTTLE_PREFIX")

    twilio_account_sid: str | None = Field(None, validation_alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: SecretStr | None = Field(None, validation_alias="TWILIO_AUTH_TOKEN")
    # One base URL for every Twilio host Parlo calls (api, messaging, content): see infra/twilio_client.py.
    twilio_api_url: str = Field("https://api.twilio.com", validation_alias="PARLO_TWILIO_API_URL")
    # Parlo's WhatsApp Business Account: every provisioned number is registered under it.
    twilio_waba_id: str = Field("", validation_alias="PARLO_TWILIO_WABA_ID")

    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("OPENAI_BASE_URL", "PARLO_OPENAI_BASE_URL"))
    llm_model: str = Field("gpt-4.1", validation_alias="PARLO_LLM_MODEL")
    llm_timeout_seconds: float = Field(12.0, validation_alias="PARLO_LLM_TIMEOUT_SECONDS")

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.env != "production":
            return self
        missing = []
        if self.secret_key.get_secret_value() == DEV_SECRET or len(self.secret_key.get_secret_value()) < 32:
            missing.append("PARLO_SECRET_KEY (at least 32 characters, not the development default)")
        if self.admin_password is None or len(self.admin_password.get_secret_value()) < 12:
            missing.append("PARLO_ADMIN_PASSWORD (at least 12 characters)")
        if not self.twilio_account_sid or self.twilio_auth_token is None:
            missing.append("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if self.database_url.startswith("sqlite"):
            missing.append("PARLO_DATABASE_URL (postgresql://...; SQLite is for development)")
        if missing:
            raise ValueError("Production mode refuses to start without: " + "; ".join(missing))
        return self

    def __init__(self, **values: Any) -> None:
        problem = None
        try:
            super().__init__(**values)
        except ValidationError as error:
            problem = _describe(error)
        if problem is not None:
            raise SettingsError(problem)  # outside the except block: no chained ValidationError

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for item in _split(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"PARLO_TRUSTED_PROXIES: «{item}» no es una dirección IP ni una red (CIDR)") from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _split(self.trusted_proxies)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))

    @cached_property
    def sqlite_path(self) -> str:
        if not self.database_url.startswith("sqlite:///"):
            # The scheme only: a URL may carry a password.
            scheme = self.database_url.split(":", 1)[0][:20]
            raise ValueError(f"Unsupported PARLO_DATABASE_URL scheme {scheme!r} (use sqlite:///... or postgresql://...)")
        return self.database_url[len("sqlite:///"):] or "parlo.db"

    @property
    def sqlite_readmodels_path(self) -> str:
        """Read models live beside the event store in a file of their own.

        SQLite has one writer per file: a projection batch holding the read-model write lock must
        never stall a command writing events (the WhatsApp policies issue commands mid-batch).
        """
        root, ext = os.path.splitext(self.sqlite_path)
        return f"{root}.readmodels{ext or '.db'}"

    @property
    def effective_admin_password(self) -> str | None:
        if self.admin_password is not None:
            return self.admin_password.get_secret_value()
        return "parlo-admin" if self.env != "production" else None

    def postgres_parts(self) -> dict[str, str]:
        parsed = urlparse(self.database_url.replace("postgresql+psycopg://", "postgresql://"))
        return {
            "host": parsed.hostname or "127.0.0.1",
            "port": str(parsed.port or 5432),
            "user": unquote(parsed.username or "postgres"),
            "password": unquote(parsed.password or ""),
            "dbname": (parsed.path or "/parlo").lstrip("/") or "parlo",
        }
