"""`dump_json` writes what pydantic writes, for every response model of the contract.

Values are generated from each model's own field types – of the right type, of a wrong type, an
enumeration's member or its value, strings of any code point, floats of any size, datetimes in and
out of UTC – and `dump_json(Model, values)` must give pydantic's bytes for
`Model.model_validate(values).model_dump_json()`, or fail with pydantic's ValidationError.
"""

from __future__ import annotations

import datetime as dt
import types
import uuid
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from service.main import create_app
from service.schemas.encoding import dump_json, encoder
from service.schemas.stations import StationPage, StationRead

ZONES = st.sampled_from(
    [dt.UTC, None, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-3))]
)
ODD_DATES = [
    "2026-3-1",
    "2026-02-30",
    "20260301",
    "2026-03-01T00:00",
    "0000-01-01",
    "２０２６-03-01",
]  # noqa: E501, RUF001
WRONG = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans(), st.floats())


def values_of(annotation: Any, depth: int = 0) -> st.SearchStrategy[Any]:  # noqa: C901, PLR0911
    """Values of `annotation`, now and then of another type."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return values_of(get_args(annotation)[0], depth)
    if origin in (Union, types.UnionType):
        return st.one_of(*(values_of(arg, depth) for arg in get_args(annotation)))
    if annotation is type(None):
        return st.none()
    if origin is list:
        (item,) = get_args(annotation)
        return st.lists(values_of(item, depth + 1), max_size=4) | WRONG
    if origin is dict:
        return st.dictionaries(st.text(max_size=4), st.integers(), max_size=3) | WRONG
    if origin is Literal:
        return st.sampled_from(get_args(annotation)) | WRONG
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if depth > 3:  # noqa: PLR2004
            return st.none()
        return model_values(annotation, depth + 1) | WRONG
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        members = list(annotation)
        return st.sampled_from(members) | st.sampled_from([m.value for m in members]) | WRONG
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(),
        int: st.integers(min_value=-(2**70), max_value=2**70),
        float: st.floats(),
        bool: st.booleans(),
        uuid.UUID: st.uuids() | st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper()),
        dt.datetime: st.datetimes(timezones=ZONES),
        dt.date: st.dates() | st.dates().map(dt.date.isoformat) | st.sampled_from(ODD_DATES),
    }
    if annotation in simple:
        return simple[annotation] | WRONG
    return WRONG


def model_values(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    fields: dict[str, FieldInfo] = model.model_fields
    required = {n: values_of(f.annotation, depth) for n, f in fields.items() if f.is_required()}
    optional = {n: values_of(f.annotation, depth) for n, f in fields.items() if not f.is_required()}
    return st.fixed_dictionaries(required, optional=optional)


def response_models() -> list[type[BaseModel]]:
    """Every model the contract's routes answer with, and the models inside them."""
    found: dict[str, type[BaseModel]] = {}

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation.__qualname__ in found:
                return
            found[annotation.__qualname__] = annotation
            for field in annotation.model_fields.values():
                visit(field.annotation)
            return
        for argument in get_args(annotation):
            visit(argument)

    for context in iter_route_contexts(create_app().router.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.response_model is not None:
            visit(route.response_model)
    return sorted(found.values(), key=lambda model: model.__qualname__)


MODELS = response_models()


def expected(model: type[BaseModel], values: Any) -> bytes | type[ValidationError]:
    try:
        return model.model_validate(values).model_dump_json().encode()
    except ValidationError:
        return ValidationError


def written(model: type[BaseModel], values: Any) -> bytes | type[ValidationError]:
    try:
        return dump_json(model, values)
    except ValidationError:
        return ValidationError


def test_the_station_models_take_the_direct_path():
    """The property below would hold trivially if nothing compiled."""
    assert encoder(StationRead) is not None
    assert encoder(StationPage) is not None
    compiled = [model for model in MODELS if encoder(model) is not None]
    assert len(compiled) >= len(MODELS) // 2, [m.__qualname__ for m in MODELS]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__qualname__)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_bytes_are_pydantic_s(model: type[BaseModel], data: st.DataObject) -> None:
    values = data.draw(model_values(model))
    assert written(model, values) == expected(model, values)


@settings(max_examples=300, deadline=None)
@given(values=model_values(StationRead))
def test_a_station_s_bytes_are_pydantic_s(values: dict[str, Any]) -> None:
    assert written(StationRead, values) == expected(StationRead, values)


def test_a_value_the_direct_path_does_not_know_goes_to_pydantic():
    station = {
        "id": uuid.uuid4(),
        "name": "西溪街道社会工作站",
        "township_code": "330106004",
        "district_code": "330106",
        "status": "operating",
        "operating_mode": None,
        "is_demonstration": False,
        "demonstration_year": None,
        "facilities": [],
        "management_systems": [],
        "specialties": [],
        "focus_groups": [],
        "service_items": [],
        "address": None,
        "location": None,
        "contact_phone": "13812345678",
        "version": 1,
        "created_at": dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC),
        "updated_at": dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC),
    }
    assert written(StationRead, station) == expected(StationRead, station)
    assert b"138****5678" in dump_json(StationRead, station)  # the masking serialiser ran
    for change in ({"version": "1"}, {"status": "no-such-status"}, {"location": {"lat": 1}}):
        assert written(StationRead, station | change) == expected(StationRead, station | change)
