"""Callers: scopes (`admin` implying all but personal data and audit), bindings, stewards, and
who may read a person."""

from __future__ import annotations

import uuid

import pytest

from service.domain.access import (
    BUREAU,
    Caller,
    PersonFacts,
    Scope,
    Steward,
    outside_binding,
    separation_of_duties_problem,
)

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


STATION_A = uuid.UUID("00000000-0000-4000-8000-00000000000a")
STATION_B = uuid.UUID("00000000-0000-4000-8000-00000000000b")
ORG_O = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
ORG_P = uuid.UUID("00000000-0000-4000-8000-0000000000bb")
UNBOUND = Caller(uuid.uuid4(), "bureau", frozenset({Scope.PII_READ}))
AT_A = Caller(uuid.uuid4(), "station", frozenset({Scope.PII_READ}), station_id=STATION_A)
AT_O = Caller(uuid.uuid4(), "agency", frozenset({Scope.PII_READ}), organisation_id=ORG_O)


@pytest.mark.parametrize(
    ("who", "station", "expected"),
    [
        (UNBOUND, STATION_A, True),
        (UNBOUND, STATION_B, True),
        (AT_A, STATION_A, True),
        (AT_A, STATION_B, False),
        (AT_O, STATION_A, False),  # an organisation never changes a station's records
        (AT_O, STATION_B, False),
    ],
)
def test_who_changes_a_station_s_records(who: Caller, station: uuid.UUID, expected: bool) -> None:
    assert who.may_change_station(station) is expected


@pytest.mark.parametrize(
    ("who", "steward", "organisation", "expected"),
    [
        (UNBOUND, BUREAU, None, True),
        (UNBOUND, Steward(station_id=STATION_B), None, True),
        (AT_A, Steward(station_id=STATION_A), None, True),
        (AT_A, Steward(station_id=STATION_B), None, False),
        (AT_A, BUREAU, None, False),
        (AT_A, Steward(organisation_id=ORG_O), None, False),
        (AT_O, Steward(organisation_id=ORG_O), None, True),
        (AT_O, Steward(organisation_id=ORG_P), None, False),
        (AT_O, BUREAU, ORG_O, True),  # its own record, a team it leads, a resource it offers
        (AT_O, BUREAU, ORG_P, False),
        (AT_O, Steward(station_id=STATION_A), None, False),
    ],
)
def test_who_changes_a_partner_record(
    who: Caller, steward: Steward, organisation: uuid.UUID | None, expected: bool
) -> None:
    assert who.may_change_partner(steward, organisation_id=organisation) is expected


@pytest.mark.parametrize(
    ("who", "person", "expected"),
    [
        (UNBOUND, PersonFacts(), True),
        (AT_A, PersonFacts(), False),
        (AT_A, PersonFacts(station_id=STATION_A), True),  # its staff
        (AT_A, PersonFacts(station_id=STATION_B), False),
        (AT_A, PersonFacts(steward=Steward(station_id=STATION_A)), True),  # it keeps them
        (AT_A, PersonFacts(steward=Steward(station_id=STATION_B)), False),
        (AT_A, PersonFacts(offered_to_station=True), True),  # serving its requests
        (AT_A, PersonFacts(employer_organisation_id=ORG_O), False),
        (AT_O, PersonFacts(employer_organisation_id=ORG_O), True),
        (AT_O, PersonFacts(steward=Steward(organisation_id=ORG_O)), True),
        (AT_O, PersonFacts(steward=Steward(organisation_id=ORG_P)), False),
        (AT_O, PersonFacts(station_id=STATION_A, offered_to_station=True), False),
    ],
)
def test_who_reads_a_person(who: Caller, person: PersonFacts, expected: bool) -> None:
    assert who.may_read_person(person) is expected


@pytest.mark.parametrize("binding", [{}, {"station_id": STATION_A}, {"organisation_id": ORG_O}])
def test_without_pii_read_nobody_is_read(binding: dict[str, uuid.UUID]) -> None:
    who = Caller(uuid.uuid4(), "c", frozenset({Scope.ADMIN, Scope.REGISTRY_READ}), **binding)
    assert not who.may_read_person(PersonFacts(station_id=STATION_A, offered_to_station=True))


@pytest.mark.parametrize(
    ("scopes", "refused"),
    [
        ({Scope.PII_READ, Scope.AUDIT}, True),
        ({Scope.ADMIN, Scope.AUDIT}, True),
        ({Scope.ADMIN, Scope.PII_READ}, False),
        ({Scope.AUDIT, Scope.REGISTRY_READ}, False),
        ({Scope.PII_READ, Scope.REGISTRY_WRITE}, False),
        (set(Scope), True),
    ],
)
def test_separation_of_duties(scopes: set[Scope], refused: bool) -> None:
    assert (separation_of_duties_problem(scopes) is not None) is refused


@pytest.mark.parametrize(
    ("who", "code", "allocates"),
    [
        (UNBOUND, None, True),
        (AT_A, "outside_station_binding", False),
        (AT_O, "outside_organisation_binding", False),
    ],
)
def test_the_refusal_names_the_binding(who: Caller, code: str | None, allocates: bool) -> None:
    assert who.may_allocate() is allocates
    if code is not None:
        refusal = outside_binding(who, "this")
        assert refusal.code == code
        assert refusal.extra["bound_to"] == str(who.station_id or who.organisation_id)
