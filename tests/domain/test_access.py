"""Callers: scopes with `admin` implying all, and the station binding."""

from __future__ import annotations

import uuid

import pytest

from service.domain.access import Caller, Scope

OWN = uuid.UUID("00000000-0000-4000-8000-000000000001")
OTHER = uuid.UUID("00000000-0000-4000-8000-000000000002")


def caller(*scopes: Scope, station_id: uuid.UUID | None = None) -> Caller:
    return Caller(uuid.uuid4(), "client", frozenset(scopes), station_id)


@pytest.mark.parametrize(
    ("held", "asked", "expected"),
    [
        ((), Scope.REGISTRY_READ, False),
        ((), Scope.ADMIN, False),
        ((Scope.REGISTRY_READ,), Scope.REGISTRY_READ, True),
        ((Scope.REGISTRY_READ,), Scope.REGISTRY_WRITE, False),
        ((Scope.REGISTRY_READ,), Scope.ADMIN, False),
        ((Scope.REGISTRY_WRITE,), Scope.REGISTRY_WRITE, True),
        ((Scope.REGISTRY_WRITE,), Scope.REGISTRY_READ, False),
        ((Scope.REGISTRY_WRITE,), Scope.ADMIN, False),
        ((Scope.REGISTRY_READ, Scope.REGISTRY_WRITE), Scope.ADMIN, False),
    ],
)
def test_has_without_admin(held: tuple[Scope, ...], asked: Scope, expected: bool) -> None:
    assert caller(*held).has(asked) is expected


@pytest.mark.parametrize("asked", [s for s in Scope if s not in (Scope.PII_READ, Scope.AUDIT)])
def test_admin_implies_every_scope_but_personal_data_and_audit(asked: Scope) -> None:
    assert caller(Scope.ADMIN).has(asked)


@pytest.mark.parametrize("asked", [Scope.PII_READ, Scope.AUDIT])
def test_admin_implies_neither_reading_personal_data_nor_auditing_it(asked: Scope) -> None:
    assert not caller(Scope.ADMIN).has(asked)
    assert caller(Scope.ADMIN, asked).has(asked)


def test_unbound_caller_may_change_any_station() -> None:
    unbound = caller(Scope.REGISTRY_WRITE)
    assert not unbound.is_station_bound
    assert unbound.may_change_station(OWN)
    assert unbound.may_change_station(OTHER)


def test_bound_caller_may_change_only_its_own_station() -> None:
    bound = caller(Scope.REGISTRY_WRITE, station_id=OWN)
    assert bound.is_station_bound
    assert bound.may_change_station(OWN)
    assert not bound.may_change_station(OTHER)


def test_binding_holds_even_for_admin() -> None:
    bound_admin = caller(Scope.ADMIN, station_id=OWN)
    assert bound_admin.may_change_station(OWN)
    assert not bound_admin.may_change_station(OTHER)
