"""/v1/volunteers: personal data sealed and masked, skills, area, availability, audited contact."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from service.domain.access import Scope
from tests.factories.partners import mobile, resident_id
from tests.factories.volunteers import create_volunteer, resident_id_ending_in_x, volunteer_body

PURPOSE = {"X-Access-Purpose": "%E6%A0%B8%E5%AE%9E%E8%BA%AB%E4%BB%BD"}  # 核实身份


def weekly(*windows: tuple) -> dict:
    """An `availability` override of weekly windows (weekday, start, end)."""
    keys = ("weekday", "start", "end")
    return {"availability": {"weekly": [dict(zip(keys, w, strict=True)) for w in windows]}}


def exceptions(*entries: tuple) -> dict:
    """An `availability` override of date exceptions (date, available[, note])."""
    keys = ("date", "available", "note")
    return {"availability": {"exceptions": [dict(zip(keys, e, strict=False)) for e in entries]}}


async def count(client) -> int:
    return len((await client.get("/v1/volunteers", params={"page_size": 200})).json()["items"])


async def test_registering_masks_the_phone_and_id_number_and_rounds_the_home(admin):
    id_number = resident_id(born="19850315", region="330106")
    body = volunteer_body(phone="13912345678", id_number=id_number)
    response = await admin.post("/v1/volunteers", json=body)

    assert response.status_code == 201, response.text
    volunteer = response.json()
    assert volunteer["phone"] == "139****5678"
    assert volunteer["id_number"] == f"330106********{id_number[-4:]}"
    assert volunteer["home_location"] == {"lat": 30.26, "lon": 120.14}
    assert volunteer["availability"] == {
        "weekly": [  # by weekday, then start
            {"weekday": 2, "start": "18:30", "end": "20:30"},
            {"weekday": 6, "start": "09:00", "end": "12:00"},
        ],
        "exceptions": [{"date": "2026-10-01", "available": False, "note": "国庆"}],
    }
    assert volunteer["hours_per_week"] == 5
    assert volunteer["status"] == "active"
    assert response.headers["location"] == f"/v1/volunteers/{volunteer['id']}"
    assert response.headers["etag"] == '"1"'


async def test_personal_data_is_stored_only_encrypted(admin, services):
    id_number = resident_id()
    await create_volunteer(admin, phone="13912345678", id_number=id_number)
    async with services.database.engine.connect() as connection:
        dump = str((await connection.execute(text("SELECT * FROM volunteer"))).all())
    assert "13912345678" not in dump
    assert id_number not in dump
    assert id_number[6:14] not in dump  # not even the birth date
    assert "139****5678" in dump


async def test_without_an_id_number_and_a_home(admin):
    volunteer = await create_volunteer(admin, id_number=None, home_location=None)
    assert volunteer["id_number"] is None
    assert volunteer["home_location"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": resident_id(born="19990231")}, "body.id_number"),  # no such day
        ({"id_number": resident_id(born="29990101")}, "body.id_number"),  # not born yet
        ({"id_number": "33010619900101123"}, "body.id_number"),
        ({"phone": "0571-87654321"}, "body.phone"),  # a person is reached on a mobile
        ({"phone": "12345678901"}, "body.phone"),
        ({"phone": None}, "body.phone"),
        ({"name": "李\x00华"}, "body.name"),
        ({"skills": ["juggling"]}, "body.skills[0]"),
        ({"service_area": ["330106999"]}, "body.service_area[0]"),
        ({"service_area": ["110101"]}, "body.service_area[0]"),
        ({"home_location": {"lat": 31.23, "lon": 121.47}}, "body.home_location"),  # 上海
        ({"home_location": {"lat": 30.26}}, "body.home_location.lon"),
        ({"hours_per_week": 169}, "body.hours_per_week"),
        ({"hours_per_week": -1}, "body.hours_per_week"),
        ({"hours_per_week": 10**30}, "body.hours_per_week"),
        ({"hours_per_week": 2.5}, "body.hours_per_week"),
        ({"status": "retired"}, "body.status"),
        ({"version": 3}, "body.version"),
        (weekly((1, "12:00", "09:00")), "body.availability.weekly[0]"),
        (weekly((1, "09:00", "09:00")), "body.availability.weekly[0]"),
        (weekly((3, "09:00", "12:00"), (3, "11:00", "13:00")), "body.availability.weekly"),
        (exceptions(("2026-05-01", False), ("2026-05-01", True)), "body.availability.exceptions"),
        (weekly((8, "09:00", "12:00")), "body.availability.weekly[0].weekday"),
        (weekly((1, "9:00", "12:00")), "body.availability.weekly[0].start"),
        (weekly((1, "09:00", "24:00")), "body.availability.weekly[0].end"),
        (weekly((1, "09:00+08:00", "12:00")), "body.availability.weekly[0].start"),
        (exceptions((0, False)), "body.availability.exceptions[0].date"),
        (exceptions(("2026-02-30", False)), "body.availability.exceptions[0].date"),
        (exceptions(("2026-05-01", False, "a\nb")), "body.availability.exceptions[0].note"),
    ],
)
async def test_bad_input_names_the_field_and_writes_nothing(admin, overrides, field):
    response = await admin.post("/v1/volunteers", json=volunteer_body(**overrides))

    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await count(admin) == 0


async def test_a_wrong_check_digit_is_named(admin):
    valid = resident_id()
    wrong = valid[:17] + ("1" if valid[17] != "1" else "2")
    response = await admin.post("/v1/volunteers", json=volunteer_body(id_number=wrong))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_resident_id"
    assert "check digit" in response.json()["detail"]
    assert wrong not in response.text


async def test_one_volunteer_per_id_number(admin, pii_admin):
    number = resident_id_ending_in_x()
    first = await create_volunteer(admin, id_number=number)
    body = volunteer_body(id_number=number.lower(), name="另一人")

    response = await pii_admin.post("/v1/volunteers", json=body)

    assert response.status_code == 409
    assert response.json()["code"] == "volunteer_exists"
    assert response.json()["existing_volunteer_id"] == first["id"]
    blind = await admin.post("/v1/volunteers", json=body)  # without pii:read: not whose it is
    assert blind.status_code == 409
    assert "existing_volunteer_id" not in blind.json()
    assert await count(admin) == 1


async def test_idempotent_creation_replays(admin):
    body = volunteer_body()
    headers = {"Idempotency-Key": "volunteer-1"}
    first = await admin.post("/v1/volunteers", json=body, headers=headers)
    again = await admin.post("/v1/volunteers", json=body, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await count(admin) == 1


async def test_filters(admin, pii_admin):
    await create_volunteer(
        admin,
        name="甲",
        skills=["home_visits"],
        service_area=["330106"],
        **weekly((6, "09:00", "12:00")),
    )
    await create_volunteer(
        admin,
        name="乙",
        skills=["legal_aid"],
        service_area=["330102001"],
        status="inactive",
        **weekly((2, "18:00", "20:00")),
    )

    async def names(**params):
        response = await pii_admin.get("/v1/volunteers", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert sorted(await names()) == ["乙", "甲"]
    assert await names(division_code="330106002051") == ["甲"]  # a community in 西湖区
    assert await names(division_code="330102001") == ["乙"]
    assert await names(division_code="330102") == []  # a district-wide need is wider
    assert await names(division_code="330100") == []  # no such district: nobody covers it
    assert await names(skill="legal_aid") == ["乙"]
    assert await names(status="active") == ["甲"]
    assert await names(available_weekday=6) == ["甲"]
    assert await names(available_weekday=2) == ["乙"]
    assert await names(available_weekday=7) == []
    assert await names(q="乙") == ["乙"]
    assert await names(q="%") == []


@pytest.mark.parametrize(
    "params",
    [{"available_weekday": 0}, {"available_weekday": 8}, {"skill": "juggling"}, {"sort": "name"}],
)
async def test_bad_filters_are_400(admin, params):
    response = await admin.get("/v1/volunteers", params=params)
    assert response.status_code == 400


async def test_pages_follow_registration_order(admin):
    registered = [  # names never order a list: they are personal data
        (await create_volunteer(admin, name=f"志愿者{index}"))["id"] for index in (2, 4, 0, 3, 1)
    ]
    ids, token = [], None
    while True:
        params = {"page_size": 2} | ({"page_token": token} if token else {})
        page = (await admin.get("/v1/volunteers", params=params)).json()
        ids += [item["id"] for item in page["items"]]
        if (token := page["next_page_token"]) is None:
            break
    assert ids == registered


async def test_get_answers_304_while_the_etag_matches(admin):
    volunteer = await create_volunteer(admin)
    url = f"/v1/volunteers/{volunteer['id']}"

    fetched = await admin.get(url)
    assert fetched.json() == volunteer
    assert (
        await admin.get(url, headers={"If-None-Match": fetched.headers["etag"]})
    ).status_code == 304
    assert (await admin.get(url.replace(volunteer["id"][:8], "00000000"))).status_code == 404


async def test_conditional_update_merges_what_was_sent(admin):
    volunteer = await create_volunteer(admin)
    url = f"/v1/volunteers/{volunteer['id']}"

    assert (await admin.patch(url, json={"hours_per_week": 8})).status_code == 428
    changed = await admin.patch(
        url,
        json={
            "hours_per_week": 8,
            "home_location": None,
            "id_number": None,
            "phone": "13700001111",
        },
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["hours_per_week"], body["home_location"], body["id_number"]) == (8, None, None)
    assert body["phone"] == "137****1111"
    assert body["skills"] == volunteer["skills"]  # not sent, not changed
    assert body["version"] == 2
    assert changed.headers["etag"] == '"2"'

    stale = await admin.patch(url, json={"hours_per_week": 9}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2


async def test_an_update_that_changes_nothing_keeps_the_version(admin):
    phone = mobile()
    volunteer = await create_volunteer(
        admin, phone=phone, home_location={"lat": 30.26, "lon": 120.14}
    )
    url = f"/v1/volunteers/{volunteer['id']}"

    same = await admin.patch(
        url,
        json={
            "phone": phone,
            "home_location": {"lat": 30.2611, "lon": 120.1399},
            "status": "active",
        },
        headers={"If-Match": "*"},
    )
    assert same.status_code == 200
    assert same.json()["version"] == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (weekly((5, "20:00", "08:00")), "body.availability.weekly[0]"),
        ({"home_location": {"lat": 30.27, "lon": 121.0}}, "body.home_location"),
        ({"service_area": ["330199"]}, "body.service_area[0]"),
        ({"id_number": resident_id(born="19990231")}, "body.id_number"),
        ({"name": None}, "body.name"),
        ({"phone": None}, "body.phone"),
        ({"hours_per_week": 200}, "body.hours_per_week"),
    ],
)
async def test_a_bad_update_names_the_field_and_changes_nothing(admin, changes, field):
    volunteer = await create_volunteer(admin)
    url = f"/v1/volunteers/{volunteer['id']}"

    response = await admin.patch(url, json=changes, headers={"If-Match": '"1"'})

    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert (await admin.get(url)).json() == volunteer


async def test_taking_another_volunteers_id_number_is_409(admin):
    number = resident_id()
    await create_volunteer(admin, id_number=number)
    other = await create_volunteer(admin, id_number=None)

    response = await admin.patch(
        f"/v1/volunteers/{other['id']}", json={"id_number": number}, headers={"If-Match": "*"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "volunteer_exists"
    assert (await admin.get(f"/v1/volunteers/{other['id']}")).json()["id_number"] is None


async def test_search_by_id_number_finds_the_masked_record(make_client, admin):
    number = resident_id()
    volunteer = await create_volunteer(admin, name="李晓华", id_number=number)
    searcher = await make_client(Scope.PII_READ)

    found = await searcher.post(
        "/v1/volunteers/search", json={"id_number": number}, headers=PURPOSE
    )
    missing = await searcher.post(
        "/v1/volunteers/search", json={"id_number": resident_id()}, headers=PURPOSE
    )

    assert found.status_code == 200, found.text
    assert found.json() == {"items": [volunteer | {"name": "李晓华"}]}
    assert number not in found.text
    assert missing.json() == {"items": []}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id_number": resident_id(born="19990231")}, "body.id_number"),
        ({"id_number": "330106"}, "body.id_number"),
        ({}, "body.id_number"),
        ({"id_number": resident_id(), "name": "x"}, "body.name"),
    ],
)
async def test_search_refuses_what_is_not_an_id_number(make_client, body, field):
    searcher = await make_client(Scope.PII_READ)
    response = await searcher.post("/v1/volunteers/search", json=body, headers=PURPOSE)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(
    "scopes", [(Scope.AUDIT,), (Scope.REGISTRY_READ,), (Scope.ADMIN,)], ids=str
)
async def test_search_needs_pii_read(make_client, scopes):
    client = await make_client(*scopes)
    response = await client.post(
        "/v1/volunteers/search", json={"id_number": resident_id()}, headers=PURPOSE
    )
    assert response.status_code == 403
    assert response.json()["required_scope"] == "pii:read"


async def audit_events(make_client, subject_id: str) -> list[dict]:
    auditor = await make_client(Scope.AUDIT)
    response = await auditor.get("/v1/audit-events", params={"subject_id": subject_id})
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_contact_discloses_and_audits(make_client, admin):
    number = resident_id()
    volunteer = await create_volunteer(admin, name="李晓华", phone="13912345678", id_number=number)
    reader = await make_client(Scope.PII_READ, name="街道核查系统")

    response = await reader.get(f"/v1/volunteers/{volunteer['id']}/contact", headers=PURPOSE)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": volunteer["id"],
        "name": "李晓华",
        "phone": "13912345678",
        "id_number": number,
    }
    assert response.headers["cache-control"] == "no-store"
    [event] = await audit_events(make_client, volunteer["id"])
    assert event["client_id"] == str(reader.client_id)
    assert event["client_name"] == "街道核查系统"
    assert event["action"] == "contact.read"
    assert event["subject_type"] == "volunteer"
    assert event["fields"] == ["name", "phone", "id_number"]
    assert event["purpose"] == "核实身份"
    assert event["request_id"] == response.headers["x-request-id"]


async def test_contact_without_an_id_number_audits_only_what_it_shows(make_client, admin):
    volunteer = await create_volunteer(admin, id_number=None)
    reader = await make_client(Scope.PII_READ)

    response = await reader.get(f"/v1/volunteers/{volunteer['id']}/contact", headers=PURPOSE)

    assert response.json()["id_number"] is None
    [event] = await audit_events(make_client, volunteer["id"])
    assert event["fields"] == ["name", "phone"]


@pytest.mark.parametrize(
    ("scopes", "headers", "status"),
    [
        ((Scope.REGISTRY_READ,), PURPOSE, 403),  # the registry scope shows masked data only
        ((Scope.PII_READ,), {}, 400),  # no purpose, no data
        ((Scope.PII_READ,), {"X-Access-Purpose": "x"}, 400),
    ],
)
async def test_contact_refused_writes_no_audit_event(make_client, admin, scopes, headers, status):
    volunteer = await create_volunteer(admin)
    client = await make_client(*scopes)

    response = await client.get(f"/v1/volunteers/{volunteer['id']}/contact", headers=headers)

    assert response.status_code == status
    assert await audit_events(make_client, volunteer["id"]) == []


async def test_contact_of_nobody_is_404_and_audits_nothing(make_client):
    reader = await make_client(Scope.PII_READ)
    nobody = "00000000-0000-4000-8000-000000000000"
    response = await reader.get(f"/v1/volunteers/{nobody}/contact", headers=PURPOSE)
    assert response.status_code == 404
    assert await audit_events(make_client, nobody) == []


async def test_search_is_never_read_as_an_id(admin):
    patched = await admin.patch("/v1/volunteers/search", json={}, headers={"If-Match": "*"})
    assert patched.status_code == 405
    assert "POST" in patched.headers["allow"]
    assert (await admin.get("/v1/volunteers/not-an-id")).json()["code"] == "not_found"


async def test_a_page_is_one_query_whatever_its_length(admin, count_queries):
    for index in range(6):
        await create_volunteer(admin, name=f"甲{index}")

    counter = count_queries()
    response = await admin.get(
        "/v1/volunteers", params={"available_weekday": 6, "skill": "home_visits"}
    )

    assert len(response.json()["items"]) == 6
    assert len(counter.statements) == 2  # the API key, then the page


NOWHEN = {"weekly": [], "exceptions": []}


@pytest.mark.parametrize(
    "body",
    [
        {k: v for k, v in volunteer_body().items() if k != "availability"},
        volunteer_body(availability=NOWHEN),
        volunteer_body(**exceptions(("2026-05-01", False))),
    ],
    ids=["left_out", "empty", "only_unavailable_dates"],
)
async def test_an_active_volunteer_who_could_never_be_matched_is_refused(admin, body):
    response = await admin.post("/v1/volunteers", json=body)

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "availability_required"
    assert [error["field"] for error in problem["errors"]] == ["body.availability.weekly"]
    assert "missing" in problem["detail"] and "inactive" in problem["detail"]
    assert await count(admin) == 0


async def test_an_inactive_volunteer_or_one_available_on_a_date_needs_no_weekly_slot(admin):
    away = await admin.post(
        "/v1/volunteers", json=volunteer_body(status="inactive", **{"availability": NOWHEN})
    )
    one_day = await admin.post(
        "/v1/volunteers", json=volunteer_body(**exceptions(("2026-05-01", True)))
    )

    assert (away.status_code, one_day.status_code) == (201, 201), away.text + one_day.text
    assert one_day.json()["availability"]["weekly"] == []


async def test_an_update_may_not_leave_an_active_volunteer_unmatchable(admin):
    away = await admin.post(
        "/v1/volunteers", json=volunteer_body(status="inactive", availability=NOWHEN)
    )
    url = f"/v1/volunteers/{away.json()['id']}"
    first = {"If-Match": '"1"'}

    back = await admin.patch(url, json={"status": "active"}, headers=first)
    assert back.status_code == 422, back.text
    assert back.json()["code"] == "availability_required"
    other = await admin.patch(url, json={"hours_per_week": 2}, headers=first)
    assert other.status_code == 200, "a change that leaves them inactive is fine"

    active = await create_volunteer(admin)
    emptied = await admin.patch(
        f"/v1/volunteers/{active['id']}", json={"availability": NOWHEN}, headers=first
    )
    assert emptied.status_code == 422
    assert emptied.json()["errors"][0]["field"] == "body.availability.weekly"
    both = await admin.patch(
        f"/v1/volunteers/{active['id']}",
        json={"availability": NOWHEN, "status": "inactive"},
        headers=first,
    )
    assert both.status_code == 200, both.text
