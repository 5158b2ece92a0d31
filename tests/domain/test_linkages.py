"""The linkage graph's rules: who may be linked how (R9, R10, R15, R16, R19), the R10 advisory,
overlapping duplicates, the status machine, R16 pairs and R3 staffing."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.divisions import DivisionKind
from service.domain.errors import FieldProblem
from service.domain.linkages import (
    ALLOWED_PARTNERS,
    DatedLinkage,
    LinkageKind,
    LinkageStatus,
    PartnerFacts,
    PartnerType,
    ProposedLinkage,
    Tie,
    duplicate_of,
    is_urban_rural_pair,
    linkage_problems,
    linkage_warnings,
    periods_overlap,
    staffing,
    supervision_term_is_short,
    transition_allowed,
    urban_rural,
)
from service.domain.partners import CertificateLevel, Employment
from service.domain.vocabulary import OperatingMode

K, P, S = LinkageKind, PartnerType, LinkageStatus
PURCHASED, POSTS = OperatingMode.PURCHASED_SERVICE, OperatingMode.TOWNSHIP_POSTS
START = date(2025, 1, 1)
A, B, C = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def codes(problems: list[FieldProblem]) -> list[str]:
    return [p.code for p in problems]


def proposed(kind: LinkageKind, ends_on: date | None = None, **kw: object) -> ProposedLinkage:
    return ProposedLinkage(kind, kw.pop("starts_on", START), ends_on, **kw)  # type: ignore[arg-type]


# Every (kind, partner type) pair: allowed exactly when ALLOWED_PARTNERS says so, and the table
# says what the policy says.
EXPECTED_PARTNERS = {
    K.OPERATING_CONTRACT: {P.ORGANISATION},  # R9: a professional social work agency
    K.SUPERVISION: {P.SOCIAL_WORKER, P.ORGANISATION, P.UNIVERSITY},  # R10: bought in or 政校合作
    K.PRACTICE_BASE: {P.UNIVERSITY},  # R15
    K.RESEARCH_BASE: {P.UNIVERSITY},
    K.TEACHING_BASE: {P.UNIVERSITY},
    K.CASE_BASE: {P.UNIVERSITY},
    K.RESOURCE_PARTNER: {P.ORGANISATION, P.CHARITY_RESOURCE, P.VOLUNTEER_TEAM, P.UNIVERSITY},
    K.PAIRING: {P.STATION},  # R16
}


def test_the_allowed_partners_table_is_the_policy():
    assert {kind: set(types) for kind, types in ALLOWED_PARTNERS.items()} == EXPECTED_PARTNERS


def qualified(partner_type: PartnerType) -> PartnerFacts:
    """A partner that meets every qualification its type can have."""
    return PartnerFacts(
        partner_type, is_social_work_agency=True, is_supervisor=True, offers_supervision=True
    )


@pytest.mark.parametrize(("kind", "partner_type"), list(itertools.product(K, P)))
def test_a_kind_links_only_its_partner_types(kind, partner_type):
    problems = linkage_problems(proposed(kind), qualified(partner_type), station_mode=PURCHASED)

    if partner_type in EXPECTED_PARTNERS[kind]:
        assert problems == []
    else:
        assert codes(problems) == ["partner_type_not_allowed"]
        assert problems[0].field == "partner_type"


@pytest.mark.parametrize(
    ("kind", "partner", "mode", "expected"),
    [
        # R9: operating contracts
        (
            K.OPERATING_CONTRACT,
            PartnerFacts(P.ORGANISATION, is_social_work_agency=True),
            PURCHASED,
            [],
        ),
        (
            K.OPERATING_CONTRACT,
            PartnerFacts(P.ORGANISATION),
            PURCHASED,
            ["not_a_social_work_agency"],
        ),
        (
            K.OPERATING_CONTRACT,
            PartnerFacts(P.ORGANISATION, is_social_work_agency=True),
            POSTS,
            ["station_not_purchased_service"],
        ),
        (
            K.OPERATING_CONTRACT,
            PartnerFacts(P.ORGANISATION, is_social_work_agency=True),
            None,
            ["station_not_purchased_service"],
        ),
        (
            K.OPERATING_CONTRACT,
            PartnerFacts(P.ORGANISATION),
            POSTS,
            ["not_a_social_work_agency", "station_not_purchased_service"],
        ),
        # R10: who may supervise (the station's operating mode does not matter)
        (K.SUPERVISION, PartnerFacts(P.SOCIAL_WORKER, is_supervisor=True), POSTS, []),
        (K.SUPERVISION, PartnerFacts(P.SOCIAL_WORKER), PURCHASED, ["not_a_supervisor"]),
        (K.SUPERVISION, PartnerFacts(P.ORGANISATION, is_social_work_agency=True), None, []),
        (K.SUPERVISION, PartnerFacts(P.ORGANISATION), PURCHASED, ["not_a_supervisor"]),
        (K.SUPERVISION, PartnerFacts(P.UNIVERSITY, offers_supervision=True), PURCHASED, []),
        (K.SUPERVISION, PartnerFacts(P.UNIVERSITY), PURCHASED, ["not_a_supervisor"]),
        # a supervisor's flags on the wrong type do not count
        (
            K.SUPERVISION,
            PartnerFacts(P.UNIVERSITY, is_supervisor=True),
            PURCHASED,
            ["not_a_supervisor"],
        ),
        (
            K.SUPERVISION,
            PartnerFacts(P.SOCIAL_WORKER, offers_supervision=True),
            None,
            ["not_a_supervisor"],
        ),
        # R16: pairing
        (K.PAIRING, PartnerFacts(P.STATION), POSTS, []),
        (K.PAIRING, PartnerFacts(P.STATION, is_same_station=True), POSTS, ["pairing_with_itself"]),
        # R15, R19: no qualification beyond the type
        (K.PRACTICE_BASE, PartnerFacts(P.UNIVERSITY), None, []),
        (K.RESOURCE_PARTNER, PartnerFacts(P.CHARITY_RESOURCE), None, []),
        # a withdrawn partner gets no live linkage
        (
            K.RESOURCE_PARTNER,
            PartnerFacts(P.VOLUNTEER_TEAM, is_withdrawn=True),
            None,
            ["partner_withdrawn"],
        ),
    ],
)
def test_qualification_rules(kind, partner, mode, expected):
    problems = linkage_problems(proposed(kind), partner, station_mode=mode)

    assert codes(problems) == expected
    for problem in problems:
        assert problem.field in {"partner_id", "station_id"}
        if problem.code in {"not_a_social_work_agency", "station_not_purchased_service"}:
            assert problem.rule == "R9"
        if problem.code == "not_a_supervisor":
            assert problem.rule == "R10"


def test_an_ended_linkage_may_name_a_withdrawn_partner():
    partner = PartnerFacts(P.VOLUNTEER_TEAM, is_withdrawn=True)
    history = proposed(K.RESOURCE_PARTNER, status=S.ENDED)
    suspended = proposed(K.RESOURCE_PARTNER, status=S.SUSPENDED)

    assert linkage_problems(history, partner, station_mode=None) == []
    assert codes(linkage_problems(suspended, partner, station_mode=None)) == ["partner_withdrawn"]


@pytest.mark.parametrize(
    ("ends_on", "expected"),
    [
        (None, []),
        (START, []),  # one day
        (START - timedelta(days=1), ["window_ends_before_start"]),
    ],
)
def test_a_linkage_ends_on_or_after_its_start(ends_on, expected):
    problems = linkage_problems(
        proposed(K.PRACTICE_BASE, ends_on), PartnerFacts(P.UNIVERSITY), station_mode=None
    )
    assert codes(problems) == expected
    assert all(p.field == "ends_on" for p in problems)


def test_a_bad_period_and_a_wrong_partner_type_are_both_reported():
    problems = linkage_problems(
        proposed(K.PAIRING, START - timedelta(days=1)),
        PartnerFacts(P.UNIVERSITY),
        station_mode=None,
    )
    assert codes(problems) == ["window_ends_before_start", "partner_type_not_allowed"]


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "short"),
    [
        (date(2025, 1, 1), None, False),  # open-ended
        (date(2025, 1, 1), date(2027, 12, 31), False),  # exactly three years, last day included
        (date(2025, 1, 1), date(2027, 12, 30), True),  # a day short
        (date(2025, 1, 1), date(2028, 1, 1), False),
        (date(2025, 1, 1), date(2030, 12, 31), False),  # six years: R10 warns only when short
        (date(2025, 1, 1), date(2025, 12, 31), True),
        (date(2025, 3, 1), date(2028, 2, 29), False),  # a leap day inside the term
        (date(2024, 2, 29), date(2027, 2, 28), False),  # from a leap day: to 28 February
        (date(2024, 2, 29), date(2027, 2, 27), True),
        (date(2024, 3, 1), date(2027, 2, 28), False),
        (date(2024, 3, 1), date(2027, 2, 27), True),
        (date(9997, 1, 1), date.max, False),  # no overflow at the end of the calendar
        (date(9998, 1, 1), date.max, True),
        (date.min, date.max, False),
    ],
)
def test_supervision_terms_are_counted_in_calendar_years(starts_on, ends_on, short):
    assert supervision_term_is_short(starts_on, ends_on) is short
    warnings = linkage_warnings(K.SUPERVISION, starts_on, ends_on)
    assert [(w.code, w.rule) for w in warnings] == ([("supervision_term_short", "R10")] * short)


@pytest.mark.parametrize("kind", [k for k in K if k is not K.SUPERVISION])
def test_only_supervision_carries_the_term_advice(kind):
    assert linkage_warnings(kind, START, START) == []


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 12, 31), None), True),  # one day
        ((date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), None), False),
        ((date(2025, 1, 1), None), (date(2030, 1, 1), date(2030, 1, 2)), True),
        ((date(2025, 1, 1), None), (date(2020, 1, 1), None), True),
        ((date(2025, 6, 1), date(2025, 6, 30)), (date(2025, 1, 1), date(2025, 5, 31)), False),
        ((date(2025, 6, 1), date(2025, 6, 30)), (date(2025, 6, 10), date(2025, 6, 12)), True),
    ],
)
def test_periods_overlap_when_they_share_a_day(a, b, overlap):
    assert periods_overlap(*a, *b) is overlap
    assert periods_overlap(*b, *a) is overlap


periods = st.tuples(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))),
).filter(lambda p: p[1] is None or p[1] >= p[0])


@given(periods, periods)
def test_periods_overlap_exactly_when_some_day_lies_in_both(a, b):
    last = date(2031, 1, 1)
    days_a = {a[0] + timedelta(n) for n in range(((a[1] or last) - a[0]).days + 1)}
    days_b = {b[0] + timedelta(n) for n in range(((b[1] or last) - b[0]).days + 1)}
    assert periods_overlap(*a, *b) is bool(days_a & days_b)


def dated(
    tie: Tie,
    *,
    kind: LinkageKind = K.PAIRING,
    period: tuple[date, date | None] = (START, None),
    status: LinkageStatus = S.ACTIVE,
    linkage_id: uuid.UUID | None = None,
) -> DatedLinkage:
    return DatedLinkage(linkage_id or uuid.uuid4(), tie, kind, *period, status)


A_WITH_B = Tie(A, P.STATION, B)
B_WITH_A = Tie(B, P.STATION, A)
A_WITH_C = Tie(A, P.STATION, C)
UNIVERSITY_TIE = Tie(A, P.UNIVERSITY, B)


@pytest.mark.parametrize(
    ("new", "existing", "duplicate"),
    [
        (dated(A_WITH_B), dated(A_WITH_B), True),
        (dated(B_WITH_A), dated(A_WITH_B), True),  # the same pairing from the other side
        (dated(A_WITH_C), dated(A_WITH_B), False),
        (dated(A_WITH_B), dated(A_WITH_B, status=S.SUSPENDED), True),  # suspended still counts
        (dated(A_WITH_B), dated(A_WITH_B, status=S.ENDED), False),  # ended is history
        (dated(A_WITH_B, status=S.ENDED), dated(A_WITH_B), False),  # history duplicates nothing
        (
            dated(A_WITH_B, period=(date(2027, 1, 1), None)),
            dated(A_WITH_B, period=(START, date(2026, 12, 31))),
            False,
        ),
        (
            dated(A_WITH_B, period=(date(2026, 12, 31), None)),
            dated(A_WITH_B, period=(START, date(2026, 12, 31))),
            True,
        ),
        (
            dated(UNIVERSITY_TIE, kind=K.PRACTICE_BASE),
            dated(UNIVERSITY_TIE, kind=K.RESEARCH_BASE),
            False,
        ),
        (
            dated(UNIVERSITY_TIE, kind=K.PRACTICE_BASE),
            dated(UNIVERSITY_TIE, kind=K.PRACTICE_BASE),
            True,
        ),
        # a university's id equal to a station's does not make a reversed pairing
        (
            dated(Tie(B, P.UNIVERSITY, A), kind=K.RESOURCE_PARTNER),
            dated(Tie(A, P.UNIVERSITY, B), kind=K.RESOURCE_PARTNER),
            False,
        ),
    ],
)
def test_duplicates_share_kind_ends_and_a_day(new, existing, duplicate):
    assert (duplicate_of(new, [existing]) is existing) is duplicate


def test_a_linkage_does_not_duplicate_itself():
    linkage = dated(A_WITH_B)
    assert duplicate_of(linkage, [linkage]) is None


@pytest.mark.parametrize(
    ("tie", "station", "involved", "other_end"),
    [
        (A_WITH_B, A, True, (P.STATION, B)),
        (A_WITH_B, B, True, (P.STATION, A)),
        (A_WITH_B, C, False, (P.STATION, B)),
        (UNIVERSITY_TIE, A, True, (P.UNIVERSITY, B)),
        (UNIVERSITY_TIE, B, False, (P.UNIVERSITY, B)),  # a university is no station
    ],
)
def test_a_pairing_is_seen_from_both_stations(tie, station, involved, other_end):
    assert tie.involves_station(station) is involved
    assert tie.other_end(station) == other_end


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        (S.ACTIVE, S.ACTIVE, True),
        (S.ACTIVE, S.SUSPENDED, True),
        (S.SUSPENDED, S.ACTIVE, True),
        (S.ACTIVE, S.ENDED, True),
        (S.SUSPENDED, S.ENDED, True),
        (S.ENDED, S.ENDED, True),
        (S.ENDED, S.ACTIVE, False),
        (S.ENDED, S.SUSPENDED, False),
    ],
)
def test_ended_is_final(current, wanted, allowed):
    assert transition_allowed(current, wanted) is allowed


D = DivisionKind
URBAN_RURAL_PAIRS = {(D.DISTRICT, D.COUNTY), (D.DISTRICT, D.COUNTY_LEVEL_CITY)}
COUNTY_LEVEL = [D.DISTRICT, D.COUNTY, D.COUNTY_LEVEL_CITY]


@pytest.mark.parametrize(("first", "second"), list(itertools.product(COUNTY_LEVEL, COUNTY_LEVEL)))
def test_urban_rural_pairs_join_a_district_with_a_county_or_county_level_city(first, second):
    expected = (first, second) in URBAN_RURAL_PAIRS or (second, first) in URBAN_RURAL_PAIRS
    assert is_urban_rural_pair(first, second) is expected
    assert urban_rural(K.PAIRING, first, second) is expected


def test_only_a_pairing_is_urban_rural():
    assert urban_rural(K.RESOURCE_PARTNER, D.DISTRICT, D.COUNTY) is False
    assert urban_rural(K.PAIRING, D.DISTRICT, None) is False


L, E = CertificateLevel, Employment


@pytest.mark.parametrize(
    ("groups", "expected", "compliant"),
    [
        ([], (0, 0, 0), False),
        ([(L.INTERMEDIATE, E.FULL_TIME, 3)], (3, 3, 3), True),
        ([(L.ASSISTANT, E.FULL_TIME, 2), (L.SENIOR, E.PART_TIME, 5)], (7, 7, 2), False),
        ([(L.NONE, E.FULL_TIME, 9), (L.ASSISTANT, E.FULL_TIME, 2)], (11, 2, 2), False),
        ([(L.ASSISTANT, E.FULL_TIME, 1), (L.SENIOR, E.FULL_TIME, 2)], (3, 3, 3), True),
    ],
)
def test_r3_counts_full_time_certified_social_workers(groups, expected, compliant):
    result = staffing(groups)
    assert (result.count, result.certified, result.full_time_certified) == expected
    assert result.r3_compliant is compliant
