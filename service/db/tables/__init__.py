"""SQLModel table classes: the schema of record. Never used as request or response bodies."""

from service.db.tables.access import (
    ApiClientRecord,
    AuditEventRecord,
    IdempotencyRecord,
    LeaseRecord,
)
from service.db.tables.bulk import BulkJobRecord, ExternalIdRecord
from service.db.tables.columns import table, utcnow
from service.db.tables.compliance import (
    EvaluationRecord,
    SatisfactionSurveyRecord,
    SupervisionSessionRecord,
    SupervisionSessionVersionRecord,
    TrainingRecordRecord,
    VolunteerHoursRecord,
)
from service.db.tables.demo import DemoRecord
from service.db.tables.integration import (
    OutboxEventRecord,
    WebhookDeliveryRecord,
    WebhookSubscriptionRecord,
)
from service.db.tables.linkages import LinkageRecord
from service.db.tables.partners import (
    CharityResourceRecord,
    OrganisationRecord,
    SocialWorkerRecord,
    UniversityRecord,
    VolunteerRecord,
    VolunteerTeamMemberRecord,
    VolunteerTeamRecord,
)
from service.db.tables.registry import DivisionRecord, OfficeRecord, StationRecord
from service.db.tables.requests import (
    AllocationAssignmentRecord,
    AllocationRunRecord,
    OfferRecord,
    ResourceRequestRecord,
    ServiceRecordRecord,
)

__all__ = [
    "BulkJobRecord",
    "ExternalIdRecord",
    "AllocationAssignmentRecord",
    "AllocationRunRecord",
    "OfferRecord",
    "ResourceRequestRecord",
    "ServiceRecordRecord",
    "ApiClientRecord",
    "AuditEventRecord",
    "CharityResourceRecord",
    "DemoRecord",
    "DivisionRecord",
    "EvaluationRecord",
    "IdempotencyRecord",
    "LeaseRecord",
    "LinkageRecord",
    "OfficeRecord",
    "OutboxEventRecord",
    "WebhookDeliveryRecord",
    "WebhookSubscriptionRecord",
    "OrganisationRecord",
    "SatisfactionSurveyRecord",
    "SocialWorkerRecord",
    "StationRecord",
    "SupervisionSessionRecord",
    "SupervisionSessionVersionRecord",
    "TrainingRecordRecord",
    "UniversityRecord",
    "VolunteerHoursRecord",
    "VolunteerRecord",
    "VolunteerTeamMemberRecord",
    "VolunteerTeamRecord",
    "table",
    "utcnow",
]
