"""Named examples for the OpenAPI document: one realistic body per request schema and for the
main responses, all about 北山街道 in 西湖区. The identifiers are valid but fictitious; a test
validates every example against its schema, so they cannot drift from the contract."""

from __future__ import annotations

from typing import Any

STATION = "3f0c9a52-6e1b-4c8d-9a7e-2b4d6f8a1c3e"
AGENCY = "8b2e4d6f-1a3c-4e5f-8d7b-9c1a2b3d4e5f"
UNIVERSITY = "5a7c9e1b-3d5f-4b8a-9c2e-6f8a0b2c4d6e"
VOLUNTEER = "2d4f6a8c-0e2b-4d6f-8a1c-3e5a7c9e1b3d"
WORKER = "4b6d8f0a-2c4e-4a6b-8d0f-1a3c5e7b9d1f"
SECOND_WORKER = "6c8e0a2c-4e6b-4c8d-9f1a-3b5d7f9a1c3e"

BEISHAN_STATION = {
    "township_code": "330106002",
    "status": "operating",
    "operating_mode": "purchased_service",
    "facilities": ["casework_room", "group_activity_room", "multifunction_room", "archive_room"],
    "management_systems": ["posts", "finance", "training", "volunteers", "archives"],
    "focus_groups": ["elderly_care"],
    "specialties": ["elderly"],
    "service_items": [{"title": "独居老人探访", "category": "elderly_care"}],
    "address": "杭州市西湖区北山街道保俶路1号",
    "location": {"lat": 30.2597, "lon": 120.1466},
    "contact_phone": "0571-87000000",
}
WEEKENDS = {
    "weekly": [
        {"weekday": 6, "start": "09:00", "end": "12:00"},
        {"weekday": 7, "start": "09:00", "end": "12:00"},
    ],
    "exceptions": [{"date": "2027-02-06", "available": False, "note": "春节返乡"}],
}

REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "StationCreate": {"beishan": BEISHAN_STATION},
    "SubscriptionCreate": {
        "station_changes": {
            "url": "https://integration.example.gov.cn/linkage/webhooks",
            "event_types": ["station.created", "station.updated"],
            "division_code": "330106",
            "description": "西湖区民政数字化平台",
        }
    },
    "StationUpdate": {"demonstration": {"is_demonstration": True, "demonstration_year": 2023}},
    "OfficeCreate": {
        "shangbao": {"community_code": "330106002051", "featured_service": "老年人助餐与探访"}
    },
    "OfficeUpdate": {"demonstration": {"is_demonstration": True}},
    "OrganisationCreate": {
        "agency": {
            "name": "杭州市西湖区阳光社会工作服务中心",
            "uscc": "52330106MJ0000017B",
            "kind": "social_work_agency",
            "is_social_work_agency": True,
            "service_categories": ["professional_service", "volunteer_service"],
            "skills": ["casework", "elderly_care"],
            "service_area": ["330106"],
            "location": {"lat": 30.27, "lon": 120.13},
            "capacity": {"amount": 40, "unit": "people"},
            "contact_name": "王敏",
            "contact_phone": "0571-87000001",
        }
    },
    "OrganisationUpdate": {"skills": {"skills": ["casework", "elderly_care", "home_visits"]}},
    "UniversityCreate": {
        "zjut": {
            "name": "杭州某大学",
            "uscc": "12330000470003281H",
            "schools": ["公共管理学院"],
            "offers": ["practice_base", "internship", "supervision"],
            "service_area": ["330106"],
            "location": {"lat": 30.29, "lon": 120.16},
            "contact_name": "陈老师",
            "contact_email": "shegong@example.edu.cn",
        }
    },
    "UniversityUpdate": {"offers": {"offers": ["practice_base", "research"]}},
    "SocialWorkerCreate": {
        "certified": {
            "name": "李晓梅",
            "id_number": "330106198805120031",
            "certificate_level": "intermediate",
            "certificate_number": "ZJ-2019-000123",
            "employment": "full_time",
            "station_id": STATION,
            "supervisor_level": "none",
            "skills": ["casework", "elderly_care"],
            "service_area": ["330106002"],
            "weekly_hours": 40,
        }
    },
    "SocialWorkerUpdate": {"hours": {"weekly_hours": 32}},
    "SocialWorkerSearch": {"by_number": {"id_number": "330106198805120031"}},
    "VolunteerCreate": {
        "weekends": {
            "name": "张建华",
            "phone": "13900000000",
            "skills": ["home_visits", "companionship"],
            "service_area": ["330106002"],
            "home_location": {"lat": 30.26, "lon": 120.14},
            "availability": WEEKENDS,
            "hours_per_week": 6,
        }
    },
    "VolunteerUpdate": {"hours": {"hours_per_week": 4}},
    "VolunteerSearch": {"by_number": {"id_number": "33010219750903004X"}},
    "VolunteerTeamCreate": {
        "neighbours": {
            "name": "北山街道邻里守望志愿服务队",
            "leading_organisation_id": AGENCY,
            "skills": ["home_visits", "event_support"],
            "service_area": ["330106002"],
            "capacity_people": 12,
        }
    },
    "VolunteerTeamUpdate": {"capacity": {"capacity_people": 15}},
    "TeamMembershipIn": {"leader": {"role": "leader"}},
    "CharityResourceCreate": {
        "meal_fund": {
            "organisation_id": AGENCY,
            "title": "独居老人助餐补贴",
            "kind": "funds",
            "total_quantity": 50000,
            "unit": "yuan",
            "valid_from": "2027-01-01",
            "valid_until": "2027-12-31",
            "target_groups": ["elderly"],
            "service_area": ["330106"],
            "restrictions": "仅限辖区内80周岁以上独居老人",
        }
    },
    "CharityResourceUpdate": {"drawn": {"remaining_quantity": 42000}},
    "LinkageCreate": {
        "operating_contract": {
            "station_id": STATION,
            "partner_type": "organisation",
            "partner_id": AGENCY,
            "kind": "operating_contract",
            "starts_on": "2027-01-01",
            "ends_on": "2028-12-31",
            "agreement_reference": "西政采〔2026〕18号",
        }
    },
    "LinkageUpdate": {"end": {"status": "ended", "ends_on": "2027-06-30"}},
    "ResourceRequestCreate": {
        "home_visits": {
            "station_id": STATION,
            "title": "独居老人上门探访",
            "description": "周六上午上门探访两户独居老人，陪伴聊天并检查居家安全。",
            "category": "volunteer_service",
            "required_skills": ["home_visits"],
            "preferred_skills": ["first_aid"],
            "target_groups": ["elderly"],
            "quantity": 2,
            "unit": "people",
            "division_code": "330106002051",
            "location": {"lat": 30.2621, "lon": 120.1472},
            "window": {
                "starts_at": "2027-03-06T09:30:00+08:00",
                "ends_at": "2027-03-06T11:30:00+08:00",
            },
            "urgency": "normal",
        }
    },
    "ResourceRequestUpdate": {"more_people": {"quantity": 3}},
    "OfferBatchCreate": {
        "top_three": {"top": 3, "expires_in_hours": 24},
        "named": {"providers": [{"provider_type": "volunteer", "provider_id": VOLUNTEER}]},
    },
    "OfferCompletion": {
        "visit_done": {
            "actual_quantity": 1,
            "volunteer_hours": 2,
            "beneficiaries": 2,
            "outcome_note": "探访两户独居老人，均安好",
        }
    },
    "OfferRating": {"excellent": {"rating": 5, "note": "准时，细致"}},
    "AllocationRunCreate": {"xihu": {"district_code": "330106"}, "city": {}},
    "SupervisionSessionCreate": {
        "group": {
            "station_id": STATION,
            "supervisor": {"type": "organisation", "id": AGENCY},
            "held_on": "2026-11-20",
            "duration_minutes": 120,
            "form": "group",
            "topics": ["个案评估", "服务记录规范"],
            "attendees": [WORKER, SECOND_WORKER],
            "summary": "讨论两例独居老人个案的风险评估，统一服务记录格式。",
        }
    },
    "SupervisionSessionCorrection": {
        "longer": {"correction_note": "督导时长记录有误", "duration_minutes": 150}
    },
    "TrainingCourseCreate": {
        "continuing_education": {
            "kind": "continuing_education",
            "provider": {"type": "university", "id": UNIVERSITY},
            "course_title": "社会工作者继续教育：个案管理实务",
            "completed_on": "2026-11-15",
            "hours": 16,
            "attendees": [
                {"social_worker_id": WORKER, "certificate_number": "JX-2026-0173"},
                {"social_worker_id": SECOND_WORKER, "certificate_number": "JX-2026-0174"},
            ],
        }
    },
    "TrainingRecordUpdate": {"void": {"status": "voided"}},
    "EvaluationCreate": {
        "annual": {
            "station_id": STATION,
            "period_from": "2026-01-01",
            "period_to": "2026-06-30",
            "evaluator": "杭州市民政局",
            "scores": {"facilities": 92, "staffing": 85, "services": 88, "linkage": 90},
            "satisfaction": {
                "very_satisfied": 120,
                "satisfied": 64,
                "neutral": 10,
                "dissatisfied": 4,
                "very_dissatisfied": 2,
            },
            "outcome": "recommended_demonstration",
        }
    },
    "EvaluationUpdate": {"outcome": {"outcome": "excellent"}},
    "SurveyCreate": {
        "questionnaire": {
            "station_id": STATION,
            "period_from": "2026-07-01",
            "period_to": "2026-09-30",
            "method": "questionnaire",
            "very_satisfied": 80,
            "satisfied": 45,
            "neutral": 8,
            "dissatisfied": 2,
            "very_dissatisfied": 0,
        }
    },
}
