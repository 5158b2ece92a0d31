"""Every controlled vocabulary by the name the API publishes it under (GET /v1/vocabularies)."""

from __future__ import annotations

from service.domain.compliance import Rule, Verdict
from service.domain.evaluations import (
    EvaluationDimension,
    EvaluationOutcome,
    SatisfactionGrade,
    SurveyMethod,
)
from service.domain.linkages import LinkageKind, LinkageStatus, PartnerType
from service.domain.offerings import QuantityUnit, ServiceCategory, Skill, TargetGroup
from service.domain.partners import (
    CertificateLevel,
    CharityResourceKind,
    Employment,
    OrganisationKind,
    PartnerStatus,
    SupervisorLevel,
    TeamRole,
    UniversityOffer,
)
from service.domain.supervision import (
    SessionStatus,
    SupervisionForm,
    SupervisorType,
    TrainingKind,
    TrainingProviderType,
    TrainingStatus,
)
from service.domain.vocabulary import (
    Facility,
    FocusGroup,
    Labelled,
    ManagementSystem,
    OperatingMode,
    ServiceItemCategory,
    Specialty,
    StationStatus,
)

VOCABULARIES: dict[str, type[Labelled]] = {
    "station_status": StationStatus,
    "operating_mode": OperatingMode,
    "facility": Facility,
    "management_system": ManagementSystem,
    "focus_group": FocusGroup,
    "specialty": Specialty,
    "service_item_category": ServiceItemCategory,
    "service_category": ServiceCategory,
    "skill": Skill,
    "target_group": TargetGroup,
    "quantity_unit": QuantityUnit,
    "partner_status": PartnerStatus,
    "organisation_kind": OrganisationKind,
    "certificate_level": CertificateLevel,
    "employment": Employment,
    "supervisor_level": SupervisorLevel,
    "university_offer": UniversityOffer,
    "charity_resource_kind": CharityResourceKind,
    "team_role": TeamRole,
    "linkage_kind": LinkageKind,
    "linkage_status": LinkageStatus,
    "partner_type": PartnerType,
    "supervision_form": SupervisionForm,
    "supervisor_type": SupervisorType,
    "session_status": SessionStatus,
    "training_kind": TrainingKind,
    "training_provider_type": TrainingProviderType,
    "training_status": TrainingStatus,
    "evaluation_dimension": EvaluationDimension,
    "evaluation_outcome": EvaluationOutcome,
    "satisfaction_grade": SatisfactionGrade,
    "survey_method": SurveyMethod,
    "rule": Rule,
    "verdict": Verdict,
}
