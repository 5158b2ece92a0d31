"""Personal data: the contact endpoint (unmasked, pii:read, audited first) and ID-number search."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest

from service.domain.access import Scope
from service.usecases import social_workers
from tests.factories.identifiers import resident_id_check
from tests.factories.partners import resident_id
from tests.factories.people import create_social_worker
from tests.factories.registry import BEISHAN, QINGBO, create_station

PURPOSE = {"X-Access-Purpose": "case follow-up call"}


async def events_about(auditor, subject_id: str) -> list[dict]:
    response = await auditor.get("/v1/audit-events", params={"subject_id": subject_id})
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


@pytest.fixture
async def auditor(make_client):
    return await make_client(Scope.AUDIT, name="auditor")


async def test_the_contact_is_unmasked_and_the_read_is_audited(admin, make_client, auditor):
    id_number = resident_id()
    worker = await create_social_worker(
        admin, name="张伟", id_number=id_number, phone="13812345678"
    )
    reader = await make_client(Scope.PII_READ, name="case-system")
    purpose = "核实身份"

    response = await reader.get(
        f"/v1/social-workers/{worker['id']}/contact",
        headers={"X-Access-Purpose": quote(purpose), "X-Request-ID": "contact-req-1"},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": worker["id"],
        "name": "张伟",
        "id_number": id_number,
        "phone": "13812345678",
    }
    assert response.headers["cache-control"] == "no-store"
    [event] = await events_about(auditor, worker["id"])
    assert event["client_id"] == str(reader.client_id)
    assert event["client_name"] == "case-system"
    assert event["action"] == "contact.read"
    assert (event["subject_type"], event["subject_id"]) == ("social_worker", worker["id"])
    assert sorted(event["fields"]) == ["id_number", "name", "phone"]
    assert event["purpose"] == purpose
    assert event["request_id"] == "contact-req-1"


async def test_every_read_is_one_more_event_and_an_absent_phone_is_not_disclosed(
    admin, make_client, auditor
):
    worker = await create_social_worker(admin, phone=None)
    reader = await make_client(Scope.PII_READ)
    url = f"/v1/social-workers/{worker['id']}/contact"

    for _ in range(2):
        response = await reader.get(url, headers=PURPOSE)
        assert response.status_code == 200
        assert response.json()["phone"] is None

    events = await events_about(auditor, worker["id"])
    assert len(events) == 2
    assert all(sorted(event["fields"]) == ["id_number", "name"] for event in events)
    request_ids = {event["request_id"] for event in events}
    assert len(request_ids) == 2
    assert "" not in request_ids


@pytest.mark.parametrize("scopes", [(Scope.REGISTRY_READ,), (Scope.REGISTRY_WRITE, Scope.AUDIT)])
async def test_without_pii_read_the_answer_is_403_and_nothing_is_recorded(
    admin, make_client, auditor, scopes
):
    worker = await create_social_worker(admin)
    client = await make_client(*scopes)

    response = await client.get(f"/v1/social-workers/{worker['id']}/contact", headers=PURPOSE)

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert await events_about(auditor, worker["id"]) == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Access-Purpose": ""},
        {"X-Access-Purpose": "x"},
        {"X-Access-Purpose": "%E6%A0"},  # a truncated UTF-8 sequence
        {"X-Access-Purpose": "%0A%0D"},
    ],
)
async def test_without_a_purpose_the_answer_is_400_and_nothing_is_recorded(
    admin, make_client, auditor, headers
):
    worker = await create_social_worker(admin)
    reader = await make_client(Scope.PII_READ)

    response = await reader.get(f"/v1/social-workers/{worker['id']}/contact", headers=headers)

    assert response.status_code == 400
    assert "id_number" not in response.json()
    assert await events_about(auditor, worker["id"]) == []


async def test_an_unknown_worker_is_404_and_nothing_is_recorded(make_client, auditor):
    reader = await make_client(Scope.PII_READ)
    missing = str(uuid.uuid4())

    response = await reader.get(f"/v1/social-workers/{missing}/contact", headers=PURPOSE)

    assert response.status_code == 404
    assert await events_about(auditor, missing) == []


async def test_when_the_audit_event_cannot_be_written_nothing_is_disclosed(
    admin, make_client, auditor, monkeypatch
):
    id_number = resident_id()
    worker = await create_social_worker(admin, id_number=id_number, phone="13812345678")
    reader = await make_client(Scope.PII_READ)
    record_disclosure = social_workers.record_disclosure

    def unwritable(session, services, **event):
        # The event is staged as usual but cannot be stored: its purpose column is NOT NULL.
        record_disclosure(session, services, **event)
        next(iter(session.new)).purpose = None

    monkeypatch.setattr(social_workers, "record_disclosure", unwritable)

    response = await reader.get(f"/v1/social-workers/{worker['id']}/contact", headers=PURPOSE)

    # The unforeseen constraint is answered as such – a problem, not a 500 – and discloses nothing.
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "constraint_violated"
    assert id_number not in response.text
    assert "13812345678" not in response.text
    assert await events_about(auditor, worker["id"]) == []


async def test_a_station_bound_reader_sees_only_its_own_station_s_workers(
    admin, make_client, auditor
):
    own = await create_station(admin, BEISHAN)
    other = await create_station(admin, QINGBO)
    mine = await create_social_worker(admin, station_id=own["id"])
    theirs = await create_social_worker(admin, station_id=other["id"])
    bound = await make_client(Scope.PII_READ, station_id=own["id"])

    assert (
        await bound.get(f"/v1/social-workers/{mine['id']}/contact", headers=PURPOSE)
    ).status_code == 200
    refused = await bound.get(f"/v1/social-workers/{theirs['id']}/contact", headers=PURPOSE)
    assert refused.status_code == 404
    assert await events_about(auditor, theirs["id"]) == []


async def test_audit_events_need_the_audit_scope(make_client):
    reader = await make_client(Scope.PII_READ, Scope.REGISTRY_READ)
    assert (await reader.get("/v1/audit-events")).status_code == 403


async def test_search_by_id_number_finds_the_masked_record(admin, make_client, auditor):
    id_number = resident_id()
    worker = await create_social_worker(admin, name="张伟", id_number=id_number)
    await create_social_worker(admin)
    searcher = await make_client(Scope.PII_READ, name="case-system")
    search = "/v1/social-workers/search"

    found = await searcher.post(search, json={"id_number": id_number}, headers=PURPOSE)
    assert found.status_code == 200, found.text
    [item] = found.json()["items"]
    assert (item["id"], item["name"]) == (worker["id"], "张伟")
    assert id_number not in found.text
    missing = await searcher.post(search, json={"id_number": resident_id()}, headers=PURPOSE)
    assert missing.json()["items"] == []

    wrong = await searcher.post(search, json={"id_number": id_number[:17] + "Y"}, headers=PURPOSE)
    assert wrong.status_code == 422
    no_birth_date = "33010619900230123" + resident_id_check("33010619900230123")
    invalid = await searcher.post(search, json={"id_number": no_birth_date}, headers=PURPOSE)
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "body.id_number"

    mine = {"action": "id_number.search", "client_id": str(searcher.client_id)}
    events = (await auditor.get("/v1/audit-events", params=mine)).json()["items"]
    assert [(e["subject_id"], e["fields"], e["purpose"]) for e in events] == [
        (None, ["id_number"], PURPOSE["X-Access-Purpose"]),
        (worker["id"], ["id_number"], PURPOSE["X-Access-Purpose"]),
    ]  # newest first: the miss, then the hit; refused input is not a search

    no_purpose = await searcher.post(search, json={"id_number": id_number})
    assert no_purpose.status_code == 400  # a missing header, as on the contact endpoints
    for scopes in ((Scope.REGISTRY_READ,), (Scope.ADMIN,)):
        refused = await (await make_client(*scopes)).post(
            search, json={"id_number": id_number}, headers=PURPOSE
        )
        assert refused.status_code == 403
        assert refused.json()["required_scope"] == "pii:read"


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_search_answers_only_post(admin, method):
    response = await admin.request(method, "/v1/social-workers/search", json={})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["code"] == "method_not_allowed"
