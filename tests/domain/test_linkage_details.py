"""Linkage rules in detail: what each refusal says, R10's three years counted over leap days and
the end of the calendar, and which periods make a duplicate."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from service.domain.errors import FieldProblem
from service.domain.linkages import (
    DatedLinkage,
    LinkageKind,
    LinkageStatus,
    PartnerFacts,
    PartnerType,
    ProposedLinkage,
    Tie,
    duplicate_of,
    linkage_problems,
    linkage_warnings,
    supervision_term_is_short,
)
from service.domain.vocabulary import OperatingMode

K, P = LinkageKind, PartnerType
START = date(2026, 1, 1)


def problems_of(kind, partner, *, mode=OperatingMode.PURCHASED_SERVICE, **linkage):
    proposed = ProposedLinkage(kind, linkage.pop("starts_on", START), linkage.pop("ends_on", None))
    return linkage_problems(proposed, partner, station_mode=mode)


def test_an_operating_contract_with_a_plain_organisation_of_a_self_run_station():
    assert problems_of(
        K.OPERATING_CONTRACT, PartnerFacts(P.ORGANISATION), mode=OperatingMode.TOWNSHIP_POSTS
    ) == [
        FieldProblem(
            "partner_id",
            "an operating contract is only with a professional social work agency",
            "not_a_social_work_agency",
            "R9",
        ),
        FieldProblem(
            "station_id",
            "only a station run by purchased service has an operating contract",
            "station_not_purchased_service",
            "R9",
        ),
    ]


@pytest.mark.parametrize(
    "partner",
    [
        PartnerFacts(P.SOCIAL_WORKER),
        PartnerFacts(P.ORGANISATION),
        PartnerFacts(P.UNIVERSITY, is_supervisor=True, is_social_work_agency=True),
    ],
)
def test_supervision_by_someone_who_cannot_supervise(partner):
    assert problems_of(K.SUPERVISION, partner) == [
        FieldProblem(
            "partner_id",
            "supervision needs a recognised supervisor, a social work agency or a university"
            " that offers supervision",
            "not_a_supervisor",
            "R10",
        )
    ]


def test_a_station_pairing_with_itself_and_a_withdrawn_partner():
    partner = PartnerFacts(P.STATION, is_same_station=True, is_withdrawn=True)
    assert problems_of(K.PAIRING, partner, ends_on=date(2025, 12, 31)) == [
        FieldProblem(
            "ends_on", "2025-12-31 is before starts_on 2026-01-01", "window_ends_before_start"
        ),
        FieldProblem("partner_id", "a station cannot pair with itself", "pairing_with_itself"),
        FieldProblem(
            "partner_id",
            "the partner has withdrawn from the network; only an ended linkage can name it",
            "partner_withdrawn",
        ),
    ]


@pytest.mark.parametrize(
    ("kind", "partner_type", "message"),
    [
        (
            K.PRACTICE_BASE,
            P.ORGANISATION,
            "a practice_base linkage ties a station to university, not an organisation",
        ),
        (
            K.SUPERVISION,
            P.VOLUNTEER_TEAM,
            "a supervision linkage ties a station to organisation, social_worker, university,"
            " not a volunteer_team",
        ),
        (
            K.OPERATING_CONTRACT,
            P.STATION,
            "an operating_contract linkage ties a station to organisation, not a station",
        ),
    ],
)
def test_a_linkage_to_the_wrong_kind_of_partner_names_the_right_ones(kind, partner_type, message):
    assert problems_of(kind, PartnerFacts(partner_type)) == [
        FieldProblem("partner_type", message, "partner_type_not_allowed")
    ]


def test_a_short_supervision_term_is_advice_with_its_reason():
    [warning] = linkage_warnings(K.SUPERVISION, START, date(2027, 12, 31))
    assert (warning.code, warning.message, warning.rule) == (
        "supervision_term_short",
        "supervisors should stay 3–5 years; this term is shorter than 3 years",
        "R10",
    )


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "short"),
    [
        (date(2024, 2, 29), date(2027, 2, 28), False),  # three years: 2027 has no 29 February
        (date(2024, 2, 29), date(2027, 2, 27), True),
        (date(2026, 2, 10), date(2029, 2, 9), False),  # any other February day is itself
        (date(2026, 2, 10), date(2029, 2, 8), True),
        (date(2026, 2, 10), date(2029, 2, 20), False),
        (date(2026, 3, 29), date(2029, 3, 10), True),
        (date(2026, 6, 10), date(2029, 4, 30), True),
        (date(2026, 6, 10), date(2029, 6, 9), False),
        (date(9997, 1, 2), date.max, True),  # the day after date.max is 10000-01-01
        (date(9997, 1, 1), date.max, False),
    ],
)
def test_three_years_are_counted_in_calendar_years(starts_on, ends_on, short):
    assert supervision_term_is_short(starts_on, ends_on) is short


TIE = Tie(uuid.UUID(int=1), P.UNIVERSITY, uuid.UUID(int=2))


def dated(starts_on: date, ends_on: date | None) -> DatedLinkage:
    return DatedLinkage(
        uuid.uuid4(), TIE, K.PRACTICE_BASE, starts_on, ends_on, LinkageStatus.ACTIVE
    )


@pytest.mark.parametrize(
    ("first", "second", "duplicate"),
    [
        ((date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), None), False),
        ((date(2026, 1, 1), None), (date(2025, 1, 1), date(2025, 12, 31)), False),
        ((date(2025, 1, 1), date(2026, 1, 1)), (date(2026, 1, 1), None), True),  # one shared day
    ],
)
def test_a_duplicate_shares_a_day(first, second, duplicate):
    existing = dated(*second)
    assert (duplicate_of(dated(*first), [existing]) is existing) is duplicate
