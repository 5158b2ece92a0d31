"""Bodies of a station's and an office's compliance (GET …/compliance)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import Field

from service.domain.compliance import Finding, Rule, Verdict
from service.domain.partners import CertificateLevel
from service.domain.vocabulary import StationStatus
from service.schemas.common import Output

EVIDENCE_DESCRIPTION = (
    "What the verdict rests on, per rule: R1 `name`, `official_name`; R2 `township_code`,"
    " `township_needs_station`, `stations_in_township`; R3 `full_time_certified`, `certified`,"
    " `social_workers`, `minimum`; R4 `intermediate_or_senior`; R5 `is_demonstration`,"
    " `certified`; R6, R7, R18 `missing`, `missing_count`; R8 `service_window`, `service_items`,"
    " `administrative_items`; R9 `operating_mode`, `active_operating_contracts`; R10"
    " `supervision_linkages`, `sessions_in_quarter`, `quarter`, `last_session_on`,"
    " `tenure_advice`; R11 `assessed`, `below`, `year`, `below_threshold` (each worker's id,"
    " name as the caller may see it, level, hours, threshold); R16 `area`,"
    " `urban_rural_pairings`. Empty when the rule does not apply."
)


class KeyFigure(Output):
    """The one number of the evidence a report shows for the rule."""

    name: str
    value: Any


class FindingRead(Output):
    """One rule's verdict and why."""

    rule: Rule
    title_zh: str = Field(description="The rule in the policy's words.")
    verdict: Verdict
    message: str
    evidence: dict[str, Any] = Field(description=EVIDENCE_DESCRIPTION)
    key_figure: KeyFigure | None


class ComplianceStation(Output):
    """The station judged."""

    id: uuid.UUID
    name: str
    township_code: str
    district_code: str
    status: StationStatus


class StationComplianceRead(Output):
    """Every station rule's verdict on a day: `fail` breaks a rule the policy sets, `advisory`
    falls short of what it recommends or encourages."""

    station: ComplianceStation
    as_of: date
    overall: Verdict = Field(description="The worst verdict: fail, else advisory, else pass.")
    counts: dict[Verdict, int]
    training_thresholds: dict[CertificateLevel, float] = Field(
        description="R11: hours a year per certificate level (a level not listed is not assessed)."
    )
    verdicts: list[FindingRead]


class ComplianceOffice(Output):
    """The office judged."""

    id: uuid.UUID
    name: str
    station_id: uuid.UUID
    community_code: str
    is_demonstration: bool


class OfficeComplianceRead(Output):
    """R5's verdict on a community office."""

    office: ComplianceOffice
    as_of: date
    overall: Verdict
    verdicts: list[FindingRead]


def finding_read(finding: Finding) -> FindingRead:
    """A finding as the API shows it."""
    figure = None
    if finding.figure is not None:
        figure = KeyFigure(name=finding.figure, value=finding.evidence.get(finding.figure))
    return FindingRead(
        rule=finding.rule,
        title_zh=finding.rule.label_zh,
        verdict=finding.verdict,
        message=finding.message,
        evidence=finding.evidence,
        key_figure=figure,
    )


def verdict_counts(findings: list[Finding]) -> dict[Verdict, int]:
    """How many rules gave each verdict (every verdict listed, zeros included)."""
    return {verdict: sum(f.verdict is verdict for f in findings) for verdict in Verdict}
