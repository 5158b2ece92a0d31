"""The service's one settings class: environment variables prefixed LINKAGE_."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal

import limits
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service.domain.fulfilment import DEFAULT_HOLD_HOURS, MAX_HOLD_HOURS
from service.domain.matching import DEFAULT_WEIGHTS, Component
from service.domain.partners import CertificateLevel
from service.domain.supervision import DEFAULT_THRESHOLDS


class Settings(BaseSettings):
    """Configuration read from the environment (and an optional `.env`); nothing connects here."""

    model_config = SettingsConfigDict(env_prefix="LINKAGE_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: SecretStr | None = Field(
        default=None,
        description="postgresql+asyncpg://… in production; unset: SQLite in data_dir.",
    )
    read_database_url: SecretStr | None = Field(
        default=None,
        description="A PostgreSQL replica for reads; unset: reads use database_url.",
    )
    data_dir: Path = Path("var")
    pii_key: SecretStr | None = Field(
        default=None,
        description="32-byte URL-safe base64 master key for personal data; required in"
        " production, else kept in data_dir/pii.key.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="Where callers reach the service: the OpenAPI `servers` entry.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access_log: bool = True

    db_pool_size: int = Field(default=10, ge=1, le=100)
    db_max_overflow: int = Field(
        default=0, ge=0, le=100, description="Extra connections are opened and closed per use."
    )
    db_statement_cache_size: int = Field(
        default=100, ge=0, description="asyncpg prepared statements (ignored behind PgBouncer)."
    )
    db_pgbouncer: bool = Field(
        default=False,
        description="The database URL is PgBouncer in transaction mode: no prepared statement"
        " outlives its transaction, and statement_timeout is not sent at connect (PgBouncer"
        " refuses it): set it on the role (ALTER ROLE … SET statement_timeout).",
    )
    # Every database call is bounded, so that a database that is down or slow is a fast 503.
    db_connect_timeout_seconds: float = Field(
        default=5.0, gt=0, le=300, description="Opening a connection (TCP and start-up)."
    )
    db_pool_timeout_seconds: float = Field(
        default=5.0, gt=0, le=300, description="Waiting for a free pooled connection."
    )
    db_command_timeout_seconds: float = Field(
        default=12.0,
        gt=0,
        le=3600,
        description="Waiting for the answer to one statement; then the connection is dropped.",
    )
    db_statement_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="PostgreSQL statement_timeout of every connection (migrations excepted).",
    )

    redis_url: SecretStr | None = Field(
        default=None,
        description="redis://host:6379/0: rate limits shared by every replica; unset: per process.",
    )
    redis_key_prefix: str = Field(
        default="linkage",
        pattern=r"^[A-Za-z0-9:_-]{1,64}$",
        description="Prefix of the service's keys in Redis (one Redis for several services).",
    )
    redis_timeout_seconds: float = Field(
        default=0.5, gt=0, le=30, description="Connecting to Redis and waiting for its answer."
    )
    rate_limit_default: str = Field(
        default="1200/minute", description="Requests per API client, every route counted."
    )
    rate_limit_identifier_search: str = Field(
        default="30/minute", description="Searches by resident ID number, per client."
    )
    rate_limit_contact: str = Field(
        default="60/minute", description="Unmasked contact reads, per client."
    )
    rate_limit_candidates: str = Field(
        default="120/minute", description="Candidate searches of a request, per client."
    )
    rate_limit_allocation_runs: str = Field(
        default="6/minute", description="Allocation runs started, per client."
    )
    rate_limit_unknown_keys: str = Field(
        default="30/minute", description="Unknown or revoked API keys, per client address."
    )

    page_token_secret: SecretStr | None = Field(
        default=None,
        description="Signs page tokens (HMAC-SHA256), at least 32 characters; required in"
        " production, else kept in data_dir/page-token.key.",
    )
    page_token_previous_secret: SecretStr | None = Field(
        default=None,
        description="The secret before the last rotation: tokens it signed are still accepted.",
    )

    auth_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    idempotency_ttl_hours: int = Field(default=48, ge=24, le=24 * 30)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_bulk_body_bytes: int = Field(
        default=64 * 1_048_576, ge=1024, description="The body limit of POST /v1/bulk/… ."
    )
    tune_gc: bool = Field(
        default=True, description="Freeze start-up objects and collect garbage less often."
    )
    match_weights: dict[str, float] = Field(
        default_factory=lambda: {k.value: v for k, v in DEFAULT_WEIGHTS.items()},
        description="Weight of each matching component (normalised); see GET …/candidates.",
    )
    match_radius_km: float = Field(
        default=3.0, gt=0, le=50, description="Providers this close qualify whatever their area."
    )
    match_totals_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="How long registry sizes (the baseline of 'removed by kind/active') live.",
    )
    offer_hold_hours: int = Field(
        default=DEFAULT_HOLD_HOURS,
        ge=1,
        le=MAX_HOLD_HOURS,
        description="How long an offer holds the provider's capacity when its maker names no time.",
    )
    housekeeping_interval_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often lapsed offers and requests are expired, orphaned allocation runs"
        " taken over and stored idempotent responses purged: by one replica of many per tick.",
    )
    allocation_lease_seconds: float = Field(
        default=60.0,
        ge=1,
        le=900,
        description="How long a process's claim on a running allocation run holds (renewed a"
        " third of the way through); a run whose process died is taken over by another"
        " process's housekeeping sweep once its lease lapses.",
    )
    training_hours_thresholds: dict[str, float] = Field(
        default_factory=lambda: {k.value: v for k, v in DEFAULT_THRESHOLDS.items()},
        description="R11: training hours a year each certificate level needs; a level left out"
        " (by default `none`) is not assessed.",
    )
    fast_reads: bool = Field(
        default=True,
        description="Serve GET /v1/stations/{id} ahead of the framework (same answers, faster).",
    )
    relay_enabled: bool = Field(
        default=True,
        description="Run the webhook relay inside the app (else run `linkage relay` apart).",
    )
    relay_interval_seconds: float = Field(
        default=1.0, gt=0, le=300, description="How often the relay looks for due deliveries."
    )
    relay_idle_max_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="An idle relay looks ever less often (the interval doubled after each round"
        " that found nothing), down to once in this long; work this process commits (events, a"
        " new or resumed subscription) wakes it at once, but work written by another process"
        " (another replica, or the app when `linkage relay` runs apart) can wait this long after"
        " an idle spell. Set it to the interval to keep the relay looking at the interval.",
    )
    relay_batch_size: int = Field(
        default=50, ge=1, le=1000, description="Deliveries one relay claims at a time."
    )
    relay_lease_seconds: float = Field(
        default=120.0,
        ge=10,
        le=3600,
        description="How long a claimed delivery is the claimer's; after that (its relay died)"
        " another relay sends it again. Longer than the connect and read timeouts together.",
    )
    webhook_connect_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="Connecting to a receiver."
    )
    webhook_read_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Waiting for a receiver's answer."
    )
    webhook_retry_base_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="The first retry's delay (then doubling)."
    )
    webhook_retry_cap_seconds: float = Field(
        default=3600.0, gt=0, le=86400, description="The longest delay between two attempts."
    )
    webhook_retry_window_hours: float = Field(
        default=48.0,
        ge=24,
        le=24 * 14,
        description="How long a failing delivery is retried before its subscription is disabled.",
    )
    webhook_secret_grace_hours: float = Field(
        default=24.0,
        ge=0,
        le=24 * 30,
        description="After a rotation, how long deliveries are signed with the old secret too.",
    )
    webhook_allow_loopback: bool = Field(
        default=False,
        description="Allow http:// receivers on loopback addresses (tests, a local embedded"
        " setup); never in production.",
    )
    bootstrap_admin: bool = Field(
        default=True,
        description="On first start with no clients, create one admin and print its key.",
    )
    migrate_on_start: bool = Field(
        default=True,
        description="`linkage serve` applies pending migrations first; false where a separate"
        " `linkage migrate` job runs before a rollout (several replicas).",
    )
    graceful_shutdown_seconds: int = Field(
        default=30,
        gt=0,
        le=600,
        description="On SIGTERM, how long requests in flight may finish before uvicorn stops.",
    )

    @field_validator("match_weights")
    @classmethod
    def _known_components(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - {c.value for c in Component}
        if unknown:
            raise ValueError(f"unknown matching components: {', '.join(sorted(unknown))}")
        if any(weight < 0 for weight in value.values()) or sum(value.values()) <= 0:
            raise ValueError("weights are non-negative and not all zero")
        return value

    @field_validator("training_hours_thresholds")
    @classmethod
    def _known_levels(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - {level.value for level in CertificateLevel}
        if unknown:
            raise ValueError(f"unknown certificate levels: {', '.join(sorted(unknown))}")
        if any(not 0 < hours <= 1000 for hours in value.values()):
            raise ValueError("thresholds are hours a year, above 0 and at most 1000")
        return value

    @field_validator(
        "rate_limit_default",
        "rate_limit_identifier_search",
        "rate_limit_contact",
        "rate_limit_candidates",
        "rate_limit_allocation_runs",
        "rate_limit_unknown_keys",
    )
    @classmethod
    def _one_rate(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError as exc:
            raise ValueError("a rate such as 30/minute, 5/second or 1000/hour") from exc
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("redis://", "rediss://")):
            raise ValueError("use redis://host:port/db or rediss://…")
        return value

    @field_validator("page_token_secret", "page_token_previous_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError(
                "at least 32 characters (python -c 'import secrets;"
                " print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _supported_driver(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            url = value.get_secret_value()
            if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
                raise ValueError("use postgresql+asyncpg://… or sqlite+aiosqlite://…")
        return value

    @model_validator(mode="after")
    def _production_needs_postgresql_and_its_secrets(self) -> Settings:
        if self.environment == "production":
            if self.database_url is None or self.is_sqlite:
                raise ValueError("production runs on PostgreSQL: set LINKAGE_DATABASE_URL")
            if self.pii_key is None:
                raise ValueError("production encrypts personal data: set LINKAGE_PII_KEY")
            if self.webhook_allow_loopback:
                raise ValueError(
                    "production never calls loopback receivers: unset"
                    " LINKAGE_WEBHOOK_ALLOW_LOOPBACK"
                )
            if self.page_token_secret is None:
                raise ValueError(
                    "production replicas sign page tokens alike: set LINKAGE_PAGE_TOKEN_SECRET"
                )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL in effect: the configured one, or the embedded SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite+aiosqlite:///{(self.data_dir / 'linkage.db').resolve()}"

    @property
    def read_url(self) -> str:
        """Where reads go: the replica if one is configured, else the primary."""
        if self.read_database_url is not None:
            return self.read_database_url.get_secret_value()
        return self.sqlalchemy_url

    @property
    def idempotency_ttl(self) -> timedelta:
        """How long a stored idempotent response is replayed."""
        return timedelta(hours=self.idempotency_ttl_hours)

    @property
    def is_sqlite(self) -> bool:
        """Whether the embedded SQLite database is in use."""
        return self.sqlalchemy_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """Settings of this process, read once."""
    return Settings()
