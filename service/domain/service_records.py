"""The volunteer-hour ledger: the service records (志愿服务记录) of the Ministry of Civil Affairs'
rules on volunteer service records (民政部令第67号) – volunteer, organisation, project, date,
hours, content, recorder – written when volunteers' offers are completed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from service.domain.fulfilment import Completion
from service.domain.requests import ProviderType

# The fields of a volunteer service record (民政部令第67号), as the CSV export heads them.
LEDGER_COLUMNS = (
    "志愿者姓名",
    "志愿服务组织",
    "志愿服务项目",
    "服务日期",
    "服务时长(小时)",
    "服务内容",
    "记录人",
)
RECORDER_MAX = 100
CONTENT_MAX = 2000
PROJECT_MAX = 128


@dataclass(frozen=True, slots=True)
class ServiceRecordFilter:
    """The filters of the volunteer-hour ledger; dates are inclusive service dates."""

    volunteer_id: uuid.UUID | None = None
    station_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    visible_to_station: uuid.UUID | None = None
    visible_to_organisation: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One volunteer's service record (志愿服务记录) of one completed offer."""

    volunteer_id: uuid.UUID
    organisation_name: str
    project: str
    service_date: date
    hours: float
    content: str
    recorder: str


def ledger_entries(
    provider_type: ProviderType,
    provider_id: uuid.UUID,
    completion: Completion,
    *,
    station_name: str,
    request_title: str,
    service_date: date,
    recorder: str,
) -> list[LedgerEntry]:
    """The service records a completion writes: one for a volunteer, one per member of a team
    who served; hours of zero record nothing."""
    if provider_type is ProviderType.VOLUNTEER:
        served: Iterable[tuple[uuid.UUID, float]] = (
            [(provider_id, completion.volunteer_hours)] if completion.volunteer_hours else []
        )
    elif provider_type is ProviderType.VOLUNTEER_TEAM:
        served = [(m.volunteer_id, m.hours) for m in completion.member_hours or ()]
    else:
        return []
    content = (completion.outcome_note or request_title)[:CONTENT_MAX]
    return [
        LedgerEntry(
            volunteer_id=volunteer_id,
            organisation_name=station_name[:PROJECT_MAX],
            project=request_title[:PROJECT_MAX],
            service_date=service_date,
            hours=round(hours, 2),
            content=content,
            recorder=recorder[:RECORDER_MAX],
        )
        for volunteer_id, hours in served
        if round(hours, 2) > 0
    ]


def ledger_hours(value: float) -> str:
    """Hours as the ledger prints them: up to two decimals, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def spreadsheet_safe(text: str) -> str:
    """A cell that a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def ledger_row(values: Mapping[str, object]) -> list[str]:
    """One service record as a CSV row, in the order of LEDGER_COLUMNS."""
    service_date, hours = values["service_date"], values["hours"]
    return [
        spreadsheet_safe(str(values["volunteer_name"])),
        spreadsheet_safe(str(values["organisation_name"])),
        spreadsheet_safe(str(values["project"])),
        service_date.isoformat() if isinstance(service_date, date) else str(service_date),
        ledger_hours(float(hours)) if isinstance(hours, int | float) else str(hours),
        spreadsheet_safe(str(values["content"])),
        spreadsheet_safe(str(values["recorder"])),
    ]
