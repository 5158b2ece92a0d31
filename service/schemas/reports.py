"""Bodies of the bureau's reports (/v1/reports/…): figures per district and in total, and rows
naming stations only for the stations the caller may read.

`total` is the whole scope: the city, or the district (or township) filtered on.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from service.domain.compliance import Rule, Verdict
from service.domain.coverage import TargetYear
from service.domain.linkages import LinkageKind, PartnerType
from service.domain.offerings import ServiceCategory, Skill
from service.domain.partners import CertificateLevel, Employment, SupervisorLevel
from service.domain.requests import Urgency
from service.schemas.common import Output
from service.schemas.compliance import KeyFigure
from service.schemas.divisions import TargetProgressRead

NAMED_STATIONS = (
    "Only stations whose compliance the caller may read: all for the bureau's clients, its own"
    " for a station, those it is linked with for an organisation."
)


class District(Output):
    """A county-level unit a row of figures is about."""

    district_code: str
    district_name: str


class RuleTally(Output):
    """How many stations got each verdict on one rule."""

    rule: Rule
    title_zh: str
    counts: dict[Verdict, int]


class ComplianceFigures(Output):
    """Stations judged, their overall verdicts, and the verdicts per rule."""

    stations: int
    overall: dict[Verdict, int] = Field(description="Stations by their worst verdict.")
    rules: list[RuleTally]


class DistrictCompliance(ComplianceFigures, District):
    """Compliance in one district."""


class StationShortfall(Output):
    """A station that fails a rule (or falls short of its advice), with the key figure."""

    station_id: uuid.UUID
    station_name: str
    district_code: str
    verdict: Verdict
    key_figure: KeyFigure | None
    message: str


class RuleShortfalls(Output):
    """The stations that fail a rule or fall short of its advice."""

    rule: Rule
    title_zh: str
    stations: list[StationShortfall] = Field(description=NAMED_STATIONS)


class ComplianceReport(Output):
    """Stations passing each rule per district and in total, and those short of each rule."""

    as_of: date
    district_code: str | None
    township_code: str | None
    training_thresholds: dict[CertificateLevel, float]
    total: ComplianceFigures
    districts: list[DistrictCompliance]
    shortfalls: list[RuleShortfalls]


class TargetFigures(Output):
    """What R14 counts, for one district or in total."""

    townships_needing_station: int
    stations: int
    operating_stations: int
    coverage_ratio: float = Field(description="Operating stations ÷ townships needing one.")
    demonstration_stations: int
    demonstration_stations_by_year: dict[str, int] = Field(
        description="Demonstration stations designated by the end of each target year."
    )
    offices: int
    demonstration_offices: int


class DistrictTargets(TargetFigures, District):
    """R14's figures in one district."""


class YearTargets(Output):
    """One target year of R14: its targets against the city's figures."""

    year: TargetYear
    deadline: date
    due: bool = Field(description="The deadline has passed.")
    targets: list[TargetProgressRead]


class TargetsReport(Output):
    """R14 for 2021, 2023 and 2025: the city's targets, and the figures per district.

    The registry keeps no history of when a station began to operate: stations and offices are
    counted as they stand, demonstration stations by the year they were designated."""

    district_code: str | None
    years: list[YearTargets]
    total: TargetFigures
    districts: list[DistrictTargets]


class RequestFigures(Output):
    """Requests posted in the period and how far they got."""

    posted: int
    committed: int = Field(description="With an offer accepted (or since completed).")
    fulfilled: int = Field(description="Fulfilled or closed after fulfilment.")
    fulfilment_rate: float | None = Field(description="fulfilled ÷ posted.")


class AreaRequestFigures(RequestFigures):
    """Requests in an area, with the median time to their first commitment."""

    median_hours_to_first_commitment: float | None


class LinkageFigures(Output):
    """Five-society activity in an area."""

    partners_by_type: dict[PartnerType, int] = Field(
        description="Distinct partners with an active linkage (a partner of two stations once)."
    )
    active_linkages_by_kind: dict[LinkageKind, int]
    requests: AreaRequestFigures


class DistrictLinkage(LinkageFigures, District):
    """Five-society activity in one district."""


class StationLinkage(Output):
    """One station's partners and requests."""

    station_id: uuid.UUID
    station_name: str
    district_code: str
    partners_by_type: dict[PartnerType, int]
    requests: RequestFigures


class FulfilmentCell(Output):
    """Requests of one category and urgency: posted, fulfilled, the rate."""

    category: ServiceCategory
    urgency: Urgency
    posted: int
    fulfilled: int
    fulfilment_rate: float | None


class LinkageReport(Output):
    """Five-society activity: partners, active linkages, requests and their fulfilment."""

    period_from: date
    period_to: date
    linkages_active_on: date = Field(description="Linkages are counted as active on this day.")
    district_code: str | None
    township_code: str | None
    total: LinkageFigures
    districts: list[DistrictLinkage]
    stations: list[StationLinkage] = Field(description=NAMED_STATIONS)
    fulfilment: list[FulfilmentCell]


class HoursFigures(Output):
    """Volunteer hours recorded and the service records they come in."""

    hours: float
    records: int


class DistrictHours(HoursFigures, District):
    """Volunteer hours in one district."""


class StationHours(HoursFigures):
    """Volunteer hours at one station."""

    station_id: uuid.UUID
    station_name: str
    district_code: str


class SkillHours(Output):
    """Hours of service on requests that asked for a skill (a record counts under each skill
    its request asked for)."""

    skill: Skill
    label_zh: str
    hours: float
    records: int


class MonthHours(HoursFigures):
    """Volunteer hours in one month (service dates, Hangzhou time)."""

    month: str = Field(examples=["2026-03"])


class HoursReport(Output):
    """The volunteer-hours ledger summed by district, station, skill and month."""

    period_from: date
    period_to: date
    district_code: str | None
    township_code: str | None
    total: HoursFigures
    by_district: list[DistrictHours]
    by_station: list[StationHours] = Field(description=NAMED_STATIONS)
    by_skill: list[SkillHours]
    by_month: list[MonthHours]


class BucketCount(Output):
    """Workers whose training hours in the year fall in a bucket."""

    bucket: str = Field(examples=["48–72"])
    workers: int


class WorkforceFigures(Output):
    """Social workers of the stations in an area (active ones)."""

    social_workers: int
    by_certificate_level: dict[CertificateLevel, int]
    by_employment: dict[Employment, int]
    full_time_certified: int
    supervisors: int = Field(description="Workers with a recognised supervisor level.")
    supervisors_by_level: dict[SupervisorLevel, int]
    training_hours: list[BucketCount]
    assessed: int = Field(description="Workers whose level has an R11 threshold.")
    below_threshold: int


class DistrictWorkforce(WorkforceFigures, District):
    """The workforce of one district's stations."""


class WorkerShortfall(Output):
    """A worker below their R11 training hours."""

    social_worker_id: uuid.UUID
    name: str = Field(description="Masked unless the caller may read the person.")
    station_id: uuid.UUID
    station_name: str
    certificate_level: CertificateLevel
    hours: float
    threshold: float


class WorkforceReport(Output):
    """Social workers by qualification and employment, supervisors, training hours in the
    year judged and the workers below their R11 threshold."""

    as_of: date
    training_from: date
    training_to: date
    training_thresholds: dict[CertificateLevel, float]
    district_code: str | None
    township_code: str | None
    total: WorkforceFigures
    districts: list[DistrictWorkforce]
    below_threshold: list[WorkerShortfall] = Field(description=NAMED_STATIONS)
