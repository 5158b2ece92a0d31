"""/v1/problem-types: what every problem `code` means. Open, like the contract itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from service.http.problem_types import BY_CODE, CATALOGUE
from service.http.problems import ProblemError
from service.http.responses import json_response, problems
from service.http.routing import ApiRoute
from service.schemas.problem_types import ProblemTypeList, ProblemTypeRead, problem_type_read

router = APIRouter(prefix="/v1/problem-types", tags=["reference data"], route_class=ApiRoute)


@router.get(
    "",
    response_model=ProblemTypeList,
    responses=problems((400, 500)),
    operation_id="list_problem_types",
    summary="List every problem code",
)
async def list_problem_types() -> Response:
    """Every problem `code` with its statuses, meaning and rule (no API key needed)."""
    return json_response(ProblemTypeList(items=[problem_type_read(p) for p in CATALOGUE]))


@router.get(
    "/{code}",
    response_model=ProblemTypeRead,
    responses=problems((400, 404, 500)),
    operation_id="get_problem_type",
    summary="Explain a problem code",
)
async def get_problem_type(
    code: Annotated[str, Path(pattern=r"^[a-z_]{1,64}$", examples=["station_exists"])],
) -> Response:
    """What one problem `code` means (the last segment of a problem's `type`; no API key)."""
    problem = BY_CODE.get(code)
    if problem is None:
        raise ProblemError(404, "not_found", f"no problem type {code!r}")
    return json_response(problem_type_read(problem))
