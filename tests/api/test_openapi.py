"""The committed contract is the app's contract, and it declares what the service does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.main import create_app

CONTRACT = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


@pytest.fixture(scope="module")
def document(settings) -> dict:
    return create_app(settings).openapi()


def operations(document: dict):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_committed_contract_matches_the_app(document):
    committed = json.loads(CONTRACT.read_text(encoding="utf-8"))
    assert committed == document, "run `make openapi` and commit openapi/openapi.json"


def test_operation_ids_are_readable_and_unique(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(identifier.replace("_", "").isalpha() for identifier in ids)
    assert {
        "create_station",
        "get_station",
        "list_stations",
        "update_station",
        "get_coverage_report",
    } <= set(ids)


def resolved(document: dict, response: dict) -> dict:
    """A response object, its `$ref` to components/responses followed."""
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


OPEN = ("/healthz", "/readyz", "/v1/problem-types")


def test_every_operation_declares_its_problems_as_problem_json(document):
    for path, method, operation in operations(document):
        errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
        assert "400" in errors and "500" in errors, f"{method} {path}"
        for code, response in errors.items():
            content = resolved(document, response)["content"]
            assert list(content) == ["application/problem+json"], (method, path, code)
        assert "HTTPValidationError" not in json.dumps(operation)


def test_protected_operations_declare_the_api_key_and_open_ones_none(document):
    for path, method, operation in operations(document):
        if path.startswith(OPEN):
            assert operation["security"] == [], f"{method} {path}"
            assert "401" not in operation["responses"]
        else:
            assert operation["security"] == [{"ApiKey": []}], f"{method} {path}"
            assert {"401", "403"} <= set(operation["responses"])


def test_writes_declare_idempotency_and_preconditions(document):
    for path, method, operation in operations(document):
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        if method == "post" and operation["operationId"].startswith("search_"):
            assert "Idempotency-Key" not in headers, path  # reads only: nothing to replay
            assert "422" in operation["responses"]
        elif method == "post":
            assert "Idempotency-Key" in headers, path
            assert {"409", "422"} <= set(operation["responses"])
        if method == "patch":
            assert headers["If-Match"]["required"] is True, path
            assert {"412", "428"} <= set(operation["responses"])


def test_every_request_body_refuses_unknown_fields(document):
    schemas = document["components"]["schemas"]
    for name in ("StationCreate", "StationUpdate", "OfficeCreate", "OfficeUpdate"):
        assert schemas[name]["additionalProperties"] is False, name
