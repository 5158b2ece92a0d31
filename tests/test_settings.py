"""Settings: validated at start, so a misconfigured process refuses to run."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.settings import Settings


def make(**values) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_embedded_default_is_sqlite_in_the_data_dir(tmp_path):
    settings = make(data_dir=tmp_path)
    assert settings.is_sqlite
    assert settings.sqlalchemy_url == f"sqlite+aiosqlite:///{tmp_path / 'linkage.db'}"


def test_production_refuses_the_embedded_database_and_missing_secrets():
    key = "dGVzdC1vbmx5LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE="
    secret = "s" * 32
    with pytest.raises(ValidationError, match="PostgreSQL"):
        make(environment="production", pii_key=key, page_token_secret=secret)
    url = "postgresql+asyncpg://u:p@db/linkage"
    with pytest.raises(ValidationError, match="LINKAGE_PII_KEY"):
        make(environment="production", database_url=url, page_token_secret=secret)
    with pytest.raises(ValidationError, match="LINKAGE_PAGE_TOKEN_SECRET"):
        make(environment="production", database_url=url, pii_key=key)
    production = make(
        environment="production", database_url=url, pii_key=key, page_token_secret=secret
    )
    assert not production.is_sqlite


def test_page_token_secrets_are_long_enough():
    with pytest.raises(ValidationError, match="32 characters"):
        make(page_token_secret="short")
    with pytest.raises(ValidationError, match="32 characters"):
        make(page_token_previous_secret="short")


@pytest.mark.parametrize(
    "name",
    [
        "rate_limit_default",
        "rate_limit_identifier_search",
        "rate_limit_contact",
        "rate_limit_candidates",
        "rate_limit_allocation_runs",
        "rate_limit_unknown_keys",
    ],
)
def test_rates_are_checked(name):
    with pytest.raises(ValidationError, match="30/minute"):
        make(**{name: "thirty a minute"})
    assert getattr(make(**{name: "5 per second"}), name) == "5 per second"


def test_redis_is_named_by_a_redis_url():
    with pytest.raises(ValidationError, match="redis://"):
        make(redis_url="http://cache:6379")
    assert make(redis_url="redis://127.0.0.1:6379/0").redis_url is not None


@pytest.mark.parametrize("url", ["postgresql://u@db/x", "mysql://u@db/x", "sqlite:///x.db"])
def test_only_async_drivers_are_accepted(url):
    with pytest.raises(ValidationError, match="asyncpg"):
        make(database_url=url)


def test_idempotency_keys_are_kept_at_least_a_day():
    with pytest.raises(ValidationError):
        make(idempotency_ttl_hours=23)
    assert make().idempotency_ttl.total_seconds() >= 24 * 3600


def test_settings_come_from_prefixed_environment_variables(monkeypatch):
    monkeypatch.setenv("LINKAGE_PORT", "9001")
    monkeypatch.setenv("LINKAGE_AUTH_CACHE_SECONDS", "1.5")
    settings = make()
    assert (settings.port, settings.auth_cache_seconds) == (9001, 1.5)
