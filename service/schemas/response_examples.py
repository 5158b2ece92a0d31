"""Named examples of the main success responses, shown in the contract beside each operation
(`service/http/openapi.py`) and validated against their models by a test: one walk from a
station to the hours ledger (the README's walkthrough), with identifiers and instants fixed.

The walk's pieces that recur (the audit stamps, the visit's window, a provider's score
components, the offer itself) are built once below and composed, so one edit changes every
example that shows them; the generated contract is the same as when each was written out."""

from __future__ import annotations

from typing import Any

from service.schemas.examples import AGENCY, STATION, VOLUNTEER

REQUEST = "7e1a3c5b-9d2f-4b6a-8c0e-1f3a5b7d9c2e"
OFFER = "9c2e4a6b-8d0f-4a1c-9e3b-5d7f9a1b3c5e"
RUN = "1b3d5f7a-9c2e-4d6b-8f0a-2c4e6a8b0d1f"
SERVICE_RECORD = "3c5e7a9b-1d3f-4e6a-8b0c-4e6a8c0d2f3a"
CLIENT = "5d7f9b1c-3e5a-4f7b-9c1d-6f8b0d2e4a5c"

CREATED = "2026-12-04T08:00:00Z"
STARTS = "2026-12-05T01:30:00Z"
ENDS = "2026-12-05T03:30:00Z"
RESPONDED = "2026-12-05T03:40:00Z"

STATION_NAME = "杭州市西湖区北山街道社会工作站"
AGENCY_NAME = "杭州市西湖区阳光社会工作服务中心"
VOLUNTEER_NAME = "李*梅"
REQUEST_TITLE = "独居老人上门探访"
OUTCOME_NOTE = "探访三户独居老人"

# The matching weights the walk was scored with, in the order an explanation lists them.
WEIGHTS = {
    "skill_coverage": 0.3,
    "distance": 0.15,
    "capacity_headroom": 0.1,
    "reliability": 0.2,
    "fairness": 0.1,
    "linkage": 0.1,
    "proximity": 0.05,
}
FILTERS = ("kind", "active", "area", "availability", "capacity", "qualification")
PROVIDER_TYPES = ("organisation", "volunteer", "volunteer_team")


def _stamps(version: int = 1) -> dict[str, Any]:
    """A record's optimistic-lock version and audit instants (created and last updated)."""
    return {"version": version, "created_at": CREATED, "updated_at": CREATED}


def _window() -> dict[str, str]:
    """The visit's window: the request's, and so each offer's."""
    return {"starts_at": STARTS, "ends_at": ENDS}


def _components(**values: float) -> list[dict[str, Any]]:
    """A provider's score components: each value by its weight, rounded as the scorer does."""
    return [
        {
            "component": name,
            "value": values[name],
            "weight": weight,
            "contribution": round(values[name] * weight, 6),
        }
        for name, weight in WEIGHTS.items()
    ]


def _volunteer_components() -> list[dict[str, Any]]:
    """The volunteer's components: skills, place and hours all fit; the default reliability."""
    return _components(
        skill_coverage=1.0,
        distance=1.0,
        capacity_headroom=1.0,
        reliability=0.7,
        fairness=1.0,
        linkage=0.0,
        proximity=1.0,
    )


def _offer(**changes: Any) -> dict[str, Any]:
    """The volunteer's offer for the request as proposed, with `changes` laid over it."""
    return {
        "id": OFFER,
        "request_id": REQUEST,
        "station_id": STATION,
        "provider_type": "volunteer",
        "provider_id": VOLUNTEER,
        "quantity": 1,
        "unit": "people",
        "status": "proposed",
        "window": _window(),
        "expires_at": ENDS,
        "score": 0.84,
        "explanation": _volunteer_components(),
        "allocation_run_id": None,
        "offered_by_client_id": CLIENT,
        "responded_at": None,
        "responded_by_client_id": None,
        "responded_on_behalf": False,
        "completed_at": None,
        "actual_quantity": None,
        "volunteer_hours": None,
        "beneficiaries": None,
        "outcome_note": None,
        "rating": None,
        "rating_note": None,
        "rated_at": None,
        **_stamps(),
    } | changes


RESPONSE_EXAMPLES: dict[str, dict[str, Any]] = {
    "StationRead": {
        "registered": {
            "id": STATION,
            "name": STATION_NAME,
            "township_code": "330106002",
            "district_code": "330106",
            "status": "operating",
            "operating_mode": "purchased_service",
            "is_demonstration": False,
            "demonstration_year": None,
            "facilities": [
                "casework_room",
                "group_activity_room",
                "multifunction_room",
                "archive_room",
            ],
            "management_systems": ["posts", "finance", "training", "volunteers", "archives"],
            "specialties": ["elderly"],
            "focus_groups": ["elderly_care"],
            "service_items": [{"title": "独居老人探访", "category": "elderly_care"}],
            "address": "杭州市西湖区北山街道保俶路1号",
            "location": {"lat": 30.2597, "lon": 120.1466},
            "contact_phone": "0571-87000000",
            **_stamps(),
        }
    },
    "OrganisationRead": {
        "agency": {
            "id": AGENCY,
            "name": AGENCY_NAME,
            "uscc": "52330106MJ0000017B",
            "registration_category": {
                "code": "52",
                "name": "private_non_enterprise_unit",
                "label_zh": "民办非企业单位",
            },
            "kind": "social_work_agency",
            "is_charity": False,
            "is_social_work_agency": True,
            "service_categories": ["professional_service", "volunteer_service"],
            "skills": ["casework", "elderly_care"],
            "service_area": ["330106"],
            "location": {"lat": 30.27, "lon": 120.13},
            "capacity": {"amount": 40, "unit": "people"},
            "contact_name": "王*",
            "contact_phone": "0571-87000001",
            "steward": None,
            "status": "active",
            **_stamps(),
        }
    },
    "VolunteerRead": {
        "registered": {
            "id": VOLUNTEER,
            "name": VOLUNTEER_NAME,
            "phone": "139****1111",
            "id_number": None,
            "skills": ["home_visits", "elderly_care"],
            "service_area": ["330106002"],
            "home_location": {"lat": 30.26, "lon": 120.15},
            "availability": {
                "weekly": [
                    {"weekday": day, "start": "00:00", "end": "23:59"} for day in range(1, 8)
                ],
                "exceptions": [],
            },
            "hours_per_week": 6,
            "steward": None,
            "status": "active",
            **_stamps(),
        }
    },
    "ResourceRequestRead": {
        "posted": {
            "id": REQUEST,
            "station_id": STATION,
            "office_id": None,
            "district_code": "330106",
            "division_code": "330106002051",
            "title": REQUEST_TITLE,
            "description": None,
            "category": "volunteer_service",
            "required_skills": ["home_visits"],
            "preferred_skills": ["first_aid"],
            "target_groups": ["elderly"],
            "quantity": 1,
            "unit": "people",
            "committed_quantity": 0,
            "fulfilled_quantity": 0,
            "quantity_left": 1,
            "location": {"lat": 30.26, "lon": 120.15},
            "window": _window(),
            "urgency": "normal",
            "status": "open",
            **_stamps(),
        }
    },
    "CandidateList": {
        "ranked": {
            "request_id": REQUEST,
            "quantity_left": 1,
            "candidates": [
                {
                    "provider_type": "volunteer",
                    "provider_id": VOLUNTEER,
                    "name": VOLUNTEER_NAME,
                    "capacity_left": 1,
                    "distance_km": 0.0,
                    "score": 0.84,
                    "components": _volunteer_components(),
                },
                {
                    "provider_type": "organisation",
                    "provider_id": AGENCY,
                    "name": AGENCY_NAME,
                    "capacity_left": 1,
                    "distance_km": 2.219,
                    "score": 0.461231,
                    "components": _components(
                        skill_coverage=0.0,
                        distance=0.641538,
                        capacity_headroom=1.0,
                        reliability=0.7,
                        fairness=1.0,
                        linkage=0.0,
                        proximity=0.5,
                    ),
                },
            ],
            "removed": [
                {"provider_type": provider_type, "filter": name, "removed": 0}
                for provider_type in PROVIDER_TYPES
                for name in FILTERS
            ],
        }
    },
    "OfferBatch": {"offered": {"items": [_offer()]}},
    "OfferRead": {
        "completed": _offer(
            status="completed",
            responded_at=RESPONDED,
            responded_by_client_id=CLIENT,
            responded_on_behalf=True,
            completed_at=RESPONDED,
            actual_quantity=1,
            volunteer_hours=1.5,
            beneficiaries=3,
            outcome_note=OUTCOME_NOTE,
            version=3,
        )
    },
    "ServiceRecordPage": {
        "ledger": {
            "items": [
                {
                    "id": SERVICE_RECORD,
                    "volunteer_id": VOLUNTEER,
                    "volunteer_name": VOLUNTEER_NAME,
                    "organisation_name": STATION_NAME,
                    "project": REQUEST_TITLE,
                    "service_date": "2026-12-05",
                    "hours": 1.5,
                    "content": OUTCOME_NOTE,
                    "recorder": "bootstrap-admin",
                    "offer_id": OFFER,
                    "request_id": REQUEST,
                    "station_id": STATION,
                    "created_at": CREATED,
                }
            ],
            "next_page_token": None,
        }
    },
    "AllocationRunRead": {
        "queued": {
            "id": RUN,
            "district_code": "330106",
            "status": "queued",
            "requested_by_client_id": CLIENT,
            "request_count": 0,
            "candidate_count": 0,
            "assignment_count": 0,
            "total_score": 0.0,
            "solver_seconds": None,
            "total_seconds": None,
            "error": None,
            "attempts": 0,
            "created_at": CREATED,
            "started_at": None,
            "finished_at": None,
            "applied_at": None,
        }
    },
}
