"""The volunteer-hour ledger (民政部令第67号) of a team with mixed hours, written out in full."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from service.domain.fulfilment import Completion, MemberHours
from service.domain.requests import ProviderType
from service.domain.service_records import (
    LedgerEntry,
    ledger_entries,
    ledger_hours,
    ledger_row,
    spreadsheet_safe,
)

JIA, YI, BING, DING, WU = (uuid.UUID(int=n) for n in (1, 2, 3, 4, 5))
TEAM = uuid.UUID(int=99)
STATION = "杭州市西湖区北山街道社会工作站"
DAY = date(2026, 3, 14)


def entries_of(provider_type: ProviderType, provider_id: uuid.UUID, completion: Completion):
    return ledger_entries(
        provider_type,
        provider_id,
        completion,
        station_name=STATION,
        request_title="助老助餐",
        service_date=DAY,
        recorder="北山站",
    )


def test_a_teams_ledger_for_mixed_hours():
    completion = Completion(
        3,
        member_hours=(
            MemberHours(JIA, 2.5),
            MemberHours(YI, 0),  # came, served nothing: no record
            MemberHours(BING, 1.25),
            MemberHours(DING, 0.333),  # 0.33 to two places
            MemberHours(WU, 0.004),  # 0.00 to two places: no record either
        ),
        outcome_note="送餐12户",
    )

    def entry(volunteer: uuid.UUID, hours: float) -> LedgerEntry:
        return LedgerEntry(volunteer, STATION, "助老助餐", DAY, hours, "送餐12户", "北山站")

    assert entries_of(ProviderType.VOLUNTEER_TEAM, TEAM, completion) == [
        entry(JIA, 2.5),
        entry(BING, 1.25),
        entry(DING, 0.33),
    ]


def test_a_volunteers_ledger_keeps_the_title_as_content_without_a_note():
    completion = Completion(1, volunteer_hours=1.006)
    assert entries_of(ProviderType.VOLUNTEER, JIA, completion) == [
        LedgerEntry(JIA, STATION, "助老助餐", DAY, 1.01, "助老助餐", "北山站")
    ]


@pytest.mark.parametrize("hours", [None, 0, 0.004])
def test_a_volunteer_without_hours_has_no_record(hours):
    assert entries_of(ProviderType.VOLUNTEER, JIA, Completion(1, volunteer_hours=hours)) == []


@pytest.mark.parametrize("provider_type", [ProviderType.ORGANISATION, ProviderType.SOCIAL_WORKER])
def test_only_volunteers_and_teams_keep_a_ledger(provider_type):
    completion = Completion(1, volunteer_hours=3, member_hours=(MemberHours(JIA, 3),))
    assert entries_of(provider_type, JIA, completion) == []


def test_long_texts_are_cut_to_the_columns():
    [entry] = ledger_entries(
        ProviderType.VOLUNTEER,
        JIA,
        Completion(1, volunteer_hours=2, outcome_note="记" * 2001),
        station_name="站" * 129,
        request_title="题" * 129,
        service_date=DAY,
        recorder="人" * 101,
    )
    assert (entry.organisation_name, entry.project) == ("站" * 128, "题" * 128)
    assert (entry.content, entry.recorder) == ("记" * 2000, "人" * 100)


@pytest.mark.parametrize(
    ("hours", "shown"),
    [(2.0, "2"), (2.5, "2.5"), (1.25, "1.25"), (0.333, "0.33"), (10.0, "10"), (0.1, "0.1")],
)
def test_hours_print_with_at_most_two_decimals(hours, shown):
    assert ledger_hours(hours) == shown


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_is_quoted(first):
    assert spreadsheet_safe(f"{first}SUM(A1)") == f"'{first}SUM(A1)"


@pytest.mark.parametrize("text", ["SUM(A1)", "", " =1", "1+1"])
def test_any_other_cell_is_left_alone(text):
    assert spreadsheet_safe(text) == text


def test_a_row_takes_dates_and_hours_as_the_database_gives_them():
    row = {
        "volunteer_name": "甲",
        "organisation_name": STATION,
        "project": "助老助餐",
        "content": "送餐",
        "recorder": "北山站",
    }
    assert ledger_row(row | {"service_date": DAY, "hours": 2.0})[4] == "2"
    assert ledger_row(row | {"service_date": DAY, "hours": 0.333})[4] == "0.33"
    assert ledger_row(row | {"service_date": DAY, "hours": 2}) == [
        "甲",
        STATION,
        "助老助餐",
        "2026-03-14",
        "2",
        "送餐",
        "北山站",
    ]
    assert ledger_row(row | {"service_date": "2026-03-14", "hours": "2.50"}) == [
        "甲",
        STATION,
        "助老助餐",
        "2026-03-14",
        "2.50",
        "送餐",
        "北山站",
    ]
