"""The access checks as the use cases call them: who passes, and the 403 the others get, word for
word; which linkages a bound client sees; what separation of duties says."""

from __future__ import annotations

import uuid

import pytest

from service.domain.access import (
    Caller,
    Scope,
    Steward,
    check_may_change_partner,
    check_may_change_station,
    check_may_search_names,
    check_unbound,
    separation_of_duties_problem,
)
from service.domain.allocation import check_may_allocate
from service.domain.errors import Forbidden
from service.domain.linkages import PartnerType, Tie

STATION, OTHER_STATION = uuid.UUID(int=1), uuid.UUID(int=2)
ORGANISATION, OTHER_ORGANISATION = uuid.UUID(int=3), uuid.UUID(int=4)
BUREAU = Caller(uuid.UUID(int=10), "bureau", frozenset({Scope.ADMIN}))
AT_STATION = Caller(uuid.UUID(int=11), "station", frozenset({Scope.ADMIN}), station_id=STATION)
AT_ORGANISATION = Caller(
    uuid.UUID(int=12), "agency", frozenset({Scope.ADMIN}), organisation_id=ORGANISATION
)


def refusal(check, *args, **kwargs) -> tuple[str, str, dict]:
    with pytest.raises(Forbidden) as raised:
        check(*args, **kwargs)
    return raised.value.code, raised.value.detail, raised.value.extra


def test_a_station_bound_client_changes_only_its_station():
    check_may_change_station(BUREAU, OTHER_STATION, "the station")
    check_may_change_station(AT_STATION, STATION, "the station")
    assert refusal(check_may_change_station, AT_STATION, OTHER_STATION, "the station") == (
        "outside_station_binding",
        f"this client is bound to station {STATION} and may not change the station",
        {"binding": "station", "bound_to": str(STATION)},
    )


def test_a_partner_record_is_changed_by_its_steward_or_its_organisation():
    stewarded = Steward(station_id=STATION)
    check_may_change_partner(BUREAU, stewarded, "the volunteer")
    check_may_change_partner(AT_STATION, stewarded, "the volunteer")
    check_may_change_partner(AT_ORGANISATION, Steward(organisation_id=ORGANISATION), "the team")
    check_may_change_partner(AT_ORGANISATION, stewarded, "its record", organisation_id=ORGANISATION)
    assert refusal(
        check_may_change_partner,
        AT_ORGANISATION,
        stewarded,
        "the volunteer",
        organisation_id=OTHER_ORGANISATION,
    ) == (
        "outside_organisation_binding",
        f"this client is bound to organisation {ORGANISATION} and may not change the volunteer",
        {"binding": "organisation", "bound_to": str(ORGANISATION)},
    )


def test_what_a_client_registers_is_stewarded_by_its_binding():
    assert BUREAU.steward() == Steward()
    assert AT_STATION.steward() == Steward(station_id=STATION)
    assert AT_ORGANISATION.steward() == Steward(organisation_id=ORGANISATION)


def test_the_bureaus_own_work_refuses_every_bound_client():
    check_unbound(BUREAU, "clients")
    assert refusal(check_unbound, AT_STATION, "clients")[:2] == (
        "outside_station_binding",
        f"this client is bound to station {STATION} and may not change clients",
    )
    assert refusal(check_unbound, AT_ORGANISATION, "clients")[0] == "outside_organisation_binding"


def test_searching_persons_by_name_needs_pii_read():
    check_may_search_names(Caller(uuid.uuid4(), "reader", frozenset({Scope.PII_READ})))
    assert refusal(check_may_search_names, BUREAU) == (
        "insufficient_scope",
        "searching persons by name (`q`) reads their names: it needs the scope 'pii:read'",
        {"required_scope": "pii:read"},
    )


@pytest.mark.parametrize(
    ("tie", "bureau", "station", "organisation"),
    [
        (Tie(STATION, PartnerType.ORGANISATION, ORGANISATION), True, True, True),
        (Tie(OTHER_STATION, PartnerType.ORGANISATION, ORGANISATION), True, False, True),
        (Tie(STATION, PartnerType.UNIVERSITY, ORGANISATION), True, True, False),  # same id
        (Tie(OTHER_STATION, PartnerType.STATION, STATION), True, True, False),  # a pairing
        (Tie(OTHER_STATION, PartnerType.ORGANISATION, OTHER_ORGANISATION), True, False, False),
    ],
)
def test_a_bound_client_sees_the_linkages_it_is_an_end_of(tie, bureau, station, organisation):
    assert [tie.seen_by(who) for who in (BUREAU, AT_STATION, AT_ORGANISATION)] == [
        bureau,
        station,
        organisation,
    ]


def test_batch_allocation_is_the_bureaus():
    check_may_allocate(BUREAU)
    assert refusal(check_may_allocate, AT_STATION)[:2] == (
        "outside_station_binding",
        f"this client is bound to station {STATION} and may not change batch allocation,"
        " which spans stations",
    )


def test_separation_of_duties_says_which_two_scopes_and_what_to_do():
    assert separation_of_duties_problem({Scope.PII_READ, Scope.AUDIT, Scope.REGISTRY_READ}) == (
        "one client may not hold both 'audit' and 'pii:read' (separation of duties):"
        " issue two clients"
    )
