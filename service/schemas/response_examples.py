"""Named examples of the main success responses, shown in the contract beside each operation
(`service/http/openapi.py`) and validated against their models by a test: one walk from a
station to the hours ledger (the README's walkthrough), with identifiers and instants fixed."""

from __future__ import annotations

from typing import Any

from service.schemas.examples import AGENCY, STATION, VOLUNTEER

REQUEST = "7e1a3c5b-9d2f-4b6a-8c0e-1f3a5b7d9c2e"
OFFER = "9c2e4a6b-8d0f-4a1c-9e3b-5d7f9a1b3c5e"
RUN = "1b3d5f7a-9c2e-4d6b-8f0a-2c4e6a8b0d1f"
SERVICE_RECORD = "3c5e7a9b-1d3f-4e6a-8b0c-4e6a8c0d2f3a"
CLIENT = "5d7f9b1c-3e5a-4f7b-9c1d-6f8b0d2e4a5c"

RESPONSE_EXAMPLES: dict[str, dict[str, Any]] = {
    "StationRead": {
        "registered": {
            "id": STATION,
            "name": "杭州市西湖区北山街道社会工作站",
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
            "version": 1,
            "created_at": "2026-12-04T08:00:00Z",
            "updated_at": "2026-12-04T08:00:00Z",
        }
    },
    "OrganisationRead": {
        "agency": {
            "id": AGENCY,
            "name": "杭州市西湖区阳光社会工作服务中心",
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
            "version": 1,
            "created_at": "2026-12-04T08:00:00Z",
            "updated_at": "2026-12-04T08:00:00Z",
        }
    },
    "VolunteerRead": {
        "registered": {
            "id": VOLUNTEER,
            "name": "李*梅",
            "phone": "139****1111",
            "id_number": None,
            "skills": ["home_visits", "elderly_care"],
            "service_area": ["330106002"],
            "home_location": {"lat": 30.26, "lon": 120.15},
            "availability": {
                "weekly": [
                    {"weekday": 1, "start": "00:00", "end": "23:59"},
                    {"weekday": 2, "start": "00:00", "end": "23:59"},
                    {"weekday": 3, "start": "00:00", "end": "23:59"},
                    {"weekday": 4, "start": "00:00", "end": "23:59"},
                    {"weekday": 5, "start": "00:00", "end": "23:59"},
                    {"weekday": 6, "start": "00:00", "end": "23:59"},
                    {"weekday": 7, "start": "00:00", "end": "23:59"},
                ],
                "exceptions": [],
            },
            "hours_per_week": 6,
            "steward": None,
            "status": "active",
            "version": 1,
            "created_at": "2026-12-04T08:00:00Z",
            "updated_at": "2026-12-04T08:00:00Z",
        }
    },
    "ResourceRequestRead": {
        "posted": {
            "id": REQUEST,
            "station_id": STATION,
            "office_id": None,
            "district_code": "330106",
            "division_code": "330106002051",
            "title": "独居老人上门探访",
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
            "window": {"starts_at": "2026-12-05T01:30:00Z", "ends_at": "2026-12-05T03:30:00Z"},
            "urgency": "normal",
            "status": "open",
            "version": 1,
            "created_at": "2026-12-04T08:00:00Z",
            "updated_at": "2026-12-04T08:00:00Z",
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
                    "name": "李*梅",
                    "capacity_left": 1,
                    "distance_km": 0.0,
                    "score": 0.84,
                    "components": [
                        {
                            "component": "skill_coverage",
                            "value": 1.0,
                            "weight": 0.3,
                            "contribution": 0.3,
                        },
                        {
                            "component": "distance",
                            "value": 1.0,
                            "weight": 0.15,
                            "contribution": 0.15,
                        },
                        {
                            "component": "capacity_headroom",
                            "value": 1.0,
                            "weight": 0.1,
                            "contribution": 0.1,
                        },
                        {
                            "component": "reliability",
                            "value": 0.7,
                            "weight": 0.2,
                            "contribution": 0.14,
                        },
                        {"component": "fairness", "value": 1.0, "weight": 0.1, "contribution": 0.1},
                        {"component": "linkage", "value": 0.0, "weight": 0.1, "contribution": 0.0},
                        {
                            "component": "proximity",
                            "value": 1.0,
                            "weight": 0.05,
                            "contribution": 0.05,
                        },
                    ],
                },
                {
                    "provider_type": "organisation",
                    "provider_id": AGENCY,
                    "name": "杭州市西湖区阳光社会工作服务中心",
                    "capacity_left": 1,
                    "distance_km": 2.219,
                    "score": 0.461231,
                    "components": [
                        {
                            "component": "skill_coverage",
                            "value": 0.0,
                            "weight": 0.3,
                            "contribution": 0.0,
                        },
                        {
                            "component": "distance",
                            "value": 0.641538,
                            "weight": 0.15,
                            "contribution": 0.096231,
                        },
                        {
                            "component": "capacity_headroom",
                            "value": 1.0,
                            "weight": 0.1,
                            "contribution": 0.1,
                        },
                        {
                            "component": "reliability",
                            "value": 0.7,
                            "weight": 0.2,
                            "contribution": 0.14,
                        },
                        {"component": "fairness", "value": 1.0, "weight": 0.1, "contribution": 0.1},
                        {"component": "linkage", "value": 0.0, "weight": 0.1, "contribution": 0.0},
                        {
                            "component": "proximity",
                            "value": 0.5,
                            "weight": 0.05,
                            "contribution": 0.025,
                        },
                    ],
                },
            ],
            "removed": [
                {"provider_type": "organisation", "filter": "kind", "removed": 0},
                {"provider_type": "organisation", "filter": "active", "removed": 0},
                {"provider_type": "organisation", "filter": "area", "removed": 0},
                {"provider_type": "organisation", "filter": "availability", "removed": 0},
                {"provider_type": "organisation", "filter": "capacity", "removed": 0},
                {"provider_type": "organisation", "filter": "qualification", "removed": 0},
                {"provider_type": "volunteer", "filter": "kind", "removed": 0},
                {"provider_type": "volunteer", "filter": "active", "removed": 0},
                {"provider_type": "volunteer", "filter": "area", "removed": 0},
                {"provider_type": "volunteer", "filter": "availability", "removed": 0},
                {"provider_type": "volunteer", "filter": "capacity", "removed": 0},
                {"provider_type": "volunteer", "filter": "qualification", "removed": 0},
                {"provider_type": "volunteer_team", "filter": "kind", "removed": 0},
                {"provider_type": "volunteer_team", "filter": "active", "removed": 0},
                {"provider_type": "volunteer_team", "filter": "area", "removed": 0},
                {"provider_type": "volunteer_team", "filter": "availability", "removed": 0},
                {"provider_type": "volunteer_team", "filter": "capacity", "removed": 0},
                {"provider_type": "volunteer_team", "filter": "qualification", "removed": 0},
            ],
        }
    },
    "OfferBatch": {
        "offered": {
            "items": [
                {
                    "id": OFFER,
                    "request_id": REQUEST,
                    "station_id": STATION,
                    "provider_type": "volunteer",
                    "provider_id": VOLUNTEER,
                    "quantity": 1,
                    "unit": "people",
                    "status": "proposed",
                    "window": {
                        "starts_at": "2026-12-05T01:30:00Z",
                        "ends_at": "2026-12-05T03:30:00Z",
                    },
                    "expires_at": "2026-12-05T03:30:00Z",
                    "score": 0.84,
                    "explanation": [
                        {
                            "component": "skill_coverage",
                            "value": 1.0,
                            "weight": 0.3,
                            "contribution": 0.3,
                        },
                        {
                            "component": "distance",
                            "value": 1.0,
                            "weight": 0.15,
                            "contribution": 0.15,
                        },
                        {
                            "component": "capacity_headroom",
                            "value": 1.0,
                            "weight": 0.1,
                            "contribution": 0.1,
                        },
                        {
                            "component": "reliability",
                            "value": 0.7,
                            "weight": 0.2,
                            "contribution": 0.14,
                        },
                        {"component": "fairness", "value": 1.0, "weight": 0.1, "contribution": 0.1},
                        {"component": "linkage", "value": 0.0, "weight": 0.1, "contribution": 0.0},
                        {
                            "component": "proximity",
                            "value": 1.0,
                            "weight": 0.05,
                            "contribution": 0.05,
                        },
                    ],
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
                    "version": 1,
                    "created_at": "2026-12-04T08:00:00Z",
                    "updated_at": "2026-12-04T08:00:00Z",
                }
            ]
        }
    },
    "OfferRead": {
        "completed": {
            "id": OFFER,
            "request_id": REQUEST,
            "station_id": STATION,
            "provider_type": "volunteer",
            "provider_id": VOLUNTEER,
            "quantity": 1,
            "unit": "people",
            "status": "completed",
            "window": {"starts_at": "2026-12-05T01:30:00Z", "ends_at": "2026-12-05T03:30:00Z"},
            "expires_at": "2026-12-05T03:30:00Z",
            "score": 0.84,
            "explanation": [
                {"component": "skill_coverage", "value": 1.0, "weight": 0.3, "contribution": 0.3},
                {"component": "distance", "value": 1.0, "weight": 0.15, "contribution": 0.15},
                {
                    "component": "capacity_headroom",
                    "value": 1.0,
                    "weight": 0.1,
                    "contribution": 0.1,
                },
                {"component": "reliability", "value": 0.7, "weight": 0.2, "contribution": 0.14},
                {"component": "fairness", "value": 1.0, "weight": 0.1, "contribution": 0.1},
                {"component": "linkage", "value": 0.0, "weight": 0.1, "contribution": 0.0},
                {"component": "proximity", "value": 1.0, "weight": 0.05, "contribution": 0.05},
            ],
            "allocation_run_id": None,
            "offered_by_client_id": CLIENT,
            "responded_at": "2026-12-05T03:40:00Z",
            "responded_by_client_id": CLIENT,
            "responded_on_behalf": True,
            "completed_at": "2026-12-05T03:40:00Z",
            "actual_quantity": 1,
            "volunteer_hours": 1.5,
            "beneficiaries": 3,
            "outcome_note": "探访三户独居老人",
            "rating": None,
            "rating_note": None,
            "rated_at": None,
            "version": 3,
            "created_at": "2026-12-04T08:00:00Z",
            "updated_at": "2026-12-04T08:00:00Z",
        }
    },
    "ServiceRecordPage": {
        "ledger": {
            "items": [
                {
                    "id": SERVICE_RECORD,
                    "volunteer_id": VOLUNTEER,
                    "volunteer_name": "李*梅",
                    "organisation_name": "杭州市西湖区北山街道社会工作站",
                    "project": "独居老人上门探访",
                    "service_date": "2026-12-05",
                    "hours": 1.5,
                    "content": "探访三户独居老人",
                    "recorder": "bootstrap-admin",
                    "offer_id": OFFER,
                    "request_id": REQUEST,
                    "station_id": STATION,
                    "created_at": "2026-12-04T08:00:00Z",
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
            "created_at": "2026-12-04T08:00:00Z",
            "started_at": None,
            "finished_at": None,
            "applied_at": None,
        }
    },
}
