"""The contract documents itself: examples that validate, every operation summarised and
scoped, every parameter described, problems reused and enumerated."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from service import schemas
from service.http.problem_types import CATALOGUE
from service.schemas.examples import REQUEST_EXAMPLES
from service.schemas.response_examples import RESPONSE_EXAMPLES


def model_named(name: str) -> type[BaseModel]:
    for module in vars(schemas).values():
        candidate = getattr(module, name, None)
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    raise AssertionError(f"no schema model {name}")


@pytest.fixture(scope="module")
def contract(app) -> dict:
    return app.openapi()


def operations(contract: dict):
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


@pytest.mark.parametrize(
    ("model", "name"),
    [(m, n) for m, named in {**REQUEST_EXAMPLES, **RESPONSE_EXAMPLES}.items() for n in named],
)
def test_every_example_is_valid_for_its_schema(model, name):
    example = {**REQUEST_EXAMPLES, **RESPONSE_EXAMPLES}[model][name]
    model_named(model).model_validate(example)


def test_every_request_body_has_an_example(contract):
    missing = [
        operation_id
        for operation_id, operation in operations(contract)
        if "requestBody" in operation
        and not all(media.get("examples") for media in operation["requestBody"]["content"].values())
    ]
    assert missing == []


def test_every_operation_is_summarised_described_and_scoped(contract):
    summaries = set()
    for operation_id, operation in operations(contract):
        summary = operation.get("summary", "")
        assert summary and len(summary) <= 60, operation_id
        assert not re.fullmatch(r"([A-Z][a-z]+ ?)+", summary), f"a default summary: {operation_id}"
        assert summary not in summaries, f"two operations summarised {summary!r}"
        summaries.add(summary)
        assert operation.get("description"), operation_id
        if operation["security"]:
            assert operation["x-required-scopes"], operation_id
            assert "**Scope:**" in operation["description"]


def test_every_parameter_is_described(contract):
    bare = [
        f"{operation_id} {parameter['name']}"
        for operation_id, operation in operations(contract)
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert bare == []


def test_problems_are_reused_and_their_codes_enumerated(contract):
    components = contract["components"]
    assert set(components["schemas"]["Problem"]["properties"]["code"]["enum"]) == {
        problem.code for problem in CATALOGUE
    }
    for operation_id, operation in operations(contract):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert "$ref" in response, f"{operation_id} {status} is inlined"
            else:
                assert "X-Request-ID" in response.get("headers", {}), f"{operation_id} {status}"


def test_the_document_names_its_server_licence_and_policy(contract):
    assert contract["info"]["title"].isascii()
    assert "五社联动" in contract["info"]["description"]
    assert contract["info"]["license"]["identifier"] == "MIT"
    assert contract["servers"][0]["url"].startswith("http")
    assert contract["externalDocs"]["url"].startswith("https://")
    assert {tag["name"] for tag in contract["tags"]} >= {
        tag for _, operation in operations(contract) for tag in operation.get("tags", [])
    }
    assert all(tag.get("description") for tag in contract["tags"])
