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


def test_production_refuses_the_embedded_database_and_a_missing_pii_key():
    key = "dGVzdC1vbmx5LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE="
    with pytest.raises(ValidationError, match="PostgreSQL"):
        make(environment="production", pii_key=key)
    url = "postgresql+asyncpg://u:p@db/linkage"
    with pytest.raises(ValidationError, match="LINKAGE_PII_KEY"):
        make(environment="production", database_url=url)
    assert not make(environment="production", database_url=url, pii_key=key).is_sqlite


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
