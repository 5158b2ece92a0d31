"""Dates and instants outside what the service can store are refused as bad input (400 in a
query, 422 in a body) on every field, never overflowed into a 500."""

from __future__ import annotations

import importlib
import pkgutil
import re
from datetime import date, datetime
from typing import Annotated, Any, get_args

import pytest
from pydantic import AwareDatetime, TypeAdapter, ValidationError

import service.schemas
from service.domain.access import Scope
from service.main import create_app
from service.schemas.common import CalendarDate, Input, Instant
from service.settings import Settings
from tests.factories.registry import create_station

EXTREME_INSTANTS = [
    "9999-12-31T23:59:59-12:00",  # past year 9999 in UTC
    "9999-12-31T23:59:59Z",
    "9999-12-31T20:00:00+00:00",  # its China date is in year 10000
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "0001-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "99999999999",
]
EXTREME_DATES = ["9999-12-31", "0001-01-01", "0000-01-01", "10000-01-01", "20260101"]
ABSENT_ID = "00000000-0000-4000-8000-000000000001"


def _mentions(annotation: Any, kind: type) -> bool:
    kinds = (datetime, AwareDatetime) if kind is datetime else (date,)
    if annotation in kinds:
        return True
    return any(_mentions(arg, kind) for arg in get_args(annotation))


def input_fields() -> list[tuple[str, Any, type]]:
    """Every date or date-time field of every request body."""
    for module in pkgutil.iter_modules(service.schemas.__path__):
        importlib.import_module(f"service.schemas.{module.name}")
    pending, seen, found = list(Input.__subclasses__()), set(), []
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        pending += model.__subclasses__()
        for name, field in model.model_fields.items():
            for kind in (datetime, date):  # datetime first: it is a date too
                if _mentions(field.annotation, kind):
                    found.append((f"{model.__name__}.{name}", field, kind))
                    break
    return sorted(found, key=lambda entry: entry[0])


FIELDS = input_fields()


def test_the_bodies_have_date_and_instant_fields_to_check():
    names = [name for name, _, _ in FIELDS]
    assert any(n.endswith(".starts_at") for n in names)
    assert any(n.endswith(".starts_on") for n in names)
    assert any(n.endswith(".valid_until") for n in names)


@pytest.mark.parametrize(("name", "field", "kind"), FIELDS, ids=[f[0] for f in FIELDS])
def test_every_body_field_refuses_what_cannot_be_stored(name, field, kind):
    adapter = TypeAdapter(Annotated[field.annotation, field])
    for value in EXTREME_INSTANTS if kind is datetime else EXTREME_DATES:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)


@pytest.mark.parametrize("value", EXTREME_INSTANTS)
def test_the_shared_instant_type_refuses_it(value):
    with pytest.raises(ValidationError):
        TypeAdapter(Instant).validate_python(value)


@pytest.mark.parametrize("value", EXTREME_DATES)
def test_the_shared_date_type_refuses_it(value):
    with pytest.raises(ValidationError):
        TypeAdapter(CalendarDate).validate_python(value)


def test_the_shared_types_take_the_edges_of_the_range():
    instant = TypeAdapter(Instant).validate_python("9999-12-30T23:59:59+08:00")
    assert instant.utcoffset().total_seconds() == 0 and instant.hour == 15
    assert TypeAdapter(CalendarDate).validate_python("0001-01-02") == date(1, 1, 2)


def query_parameters() -> list[tuple[str, str, str]]:
    """(path, parameter, format) for every date or date-time query parameter of the contract."""
    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    found = []
    for path, operations in document["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            schemas = [parameter["schema"], *parameter["schema"].get("anyOf", [])]
            formats = {s.get("format") for s in schemas} & {"date", "date-time"}
            if parameter["in"] == "query" and formats:
                filled = re.sub(r"\{[^}]+\}", ABSENT_ID, path)
                found.append((filled, parameter["name"], formats.pop()))
    return sorted(found)


PARAMETERS = query_parameters()


def test_the_contract_has_date_and_instant_parameters_to_check():
    assert ("/v1/audit-events", "since", "date-time") in PARAMETERS
    assert len(PARAMETERS) >= 6


@pytest.mark.parametrize(("path", "name", "kind"), PARAMETERS)
async def test_every_query_parameter_refuses_what_cannot_be_stored(
    path, name, kind, admin, make_client
):
    client = await make_client(Scope.AUDIT) if path.startswith("/v1/audit-events") else admin
    for value in EXTREME_INSTANTS if kind == "date-time" else EXTREME_DATES:
        response = await client.get(path, params={name: value})
        assert response.status_code in (400, 404), (value, response.text)
        if ABSENT_ID not in path:
            assert response.status_code == 400
            assert response.json()["code"] == "invalid_parameter", (value, response.text)


async def test_a_window_past_year_9999_is_422(admin):
    station = await create_station(admin)
    response = await admin.post(
        "/v1/resource-requests",
        json={
            "station_id": station["id"],
            "title": "探访",
            "category": "volunteer_service",
            "quantity": 1,
            "unit": "people",
            "division_code": "330106002",
            "window": {
                "starts_at": "9999-12-31T20:00:00-12:00",
                "ends_at": "9999-12-31T23:59:59-12:00",
            },
        },
    )
    assert response.status_code == 422, response.text
    assert {e["field"] for e in response.json()["errors"]} >= {"body.window.ends_at"}
