"""The in-process API-key cache: cheap on the hot path, and a revocation lands within its TTL."""

from __future__ import annotations

from service.domain.access import Scope
from service.usecases.clients import Authenticator, create_client, hash_key, revoke_client


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_answers_are_cached_for_the_ttl_then_looked_up_again(services, count_queries):
    issued = await create_client(services, name="cached", scopes=[Scope.REGISTRY_READ])
    clock = FakeMonotonic()
    authenticator = Authenticator(services, ttl=5, monotonic=clock)

    counter = count_queries()
    caller = await authenticator.authenticate(issued.api_key)
    assert caller is not None and caller.client_id == issued.record.id
    await authenticator.authenticate(issued.api_key)
    assert len(counter.statements) == 1

    await revoke_client(services, client_id=issued.record.id)
    assert await authenticator.authenticate(issued.api_key) is not None  # still within the TTL

    clock.now += 5.01
    assert await authenticator.authenticate(issued.api_key) is None


async def test_a_repeated_unknown_key_is_answered_from_the_cache(services, count_queries):
    authenticator = Authenticator(services, ttl=5, monotonic=FakeMonotonic())
    counter = count_queries()
    for _ in range(3):
        assert await authenticator.authenticate("lk_guess") is None
    assert len(counter.statements) == 1


async def test_keys_are_stored_only_as_hashes(services):
    issued = await create_client(services, name="hashed", scopes=[Scope.REGISTRY_READ])
    assert issued.record.key_hash == hash_key(issued.api_key)
    assert issued.api_key not in issued.record.model_dump_json()
    assert issued.record.key_prefix == issued.api_key[:10]
