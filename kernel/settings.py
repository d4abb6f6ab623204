"""Settings from ``ALLIANCE_*`` environment variables and an optional ``.env`` file."""

from __future__ import annotations

import enum
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Mode", "Settings"]


class Mode(enum.StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ALLIANCE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    mode: Mode = Mode.DEVELOPMENT
    database_url: str = "sqlite:///var/alliance.sqlite"
    secret_key: SecretStr | None = Field(default=None, min_length=32)
    var_dir: Path = Path("var")
    # Token claims: the gateway refuses tokens issued for another deployment.
    token_issuer: str = "alliance-kernel"
    token_audience: str = "alliance-graphql"
    # Connections each process keeps open (PostgreSQL pool size; SQLite readers).
    db_pool_size: int = Field(default=8, ge=1, le=100)
    # Serving processes run the event dispatcher (delivery after commit); tests turn it off
    # and drain explicitly.
    background_tasks: bool = True
    # Answers kept per process by the GraphQL response cache (docs/performance.md); 0 = off.
    response_cache_entries: int = Field(default=2048, ge=0, le=1_000_000)
    # Served processes tune Python's cyclic garbage collector after start-up: the objects
    # alive then are frozen out of it, and young objects are collected every 10,000
    # allocations instead of 700 (docs/performance.md "The garbage collector").
    gc_tuning: bool = True
    # Plugin slugs not to load, comma-separated (ALLIANCE_PLUGINS_BLOCKED=groupbuy,bakery).
    plugins_blocked: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("plugins_blocked", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [slug.strip() for slug in value.split(",") if slug.strip()]
        return value

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.mode is Mode.PRODUCTION and self.secret_key is None:
            raise ValueError(
                "ALLIANCE_SECRET_KEY is required in production mode (at least 32 characters)"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @cached_property
    def signing_key(self) -> str:
        """The secret key; in development one is generated once and kept under ``var_dir``."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        # Exclusive create: two processes starting together must agree on one key.
        try:
            with path.open("x") as handle:
                handle.write(key)
            path.chmod(0o600)
        except FileExistsError:
            return path.read_text().strip()
        return key
