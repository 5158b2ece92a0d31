"""/v1/divisions and /v1/vocabularies: the reference data stations are bound to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from service.domain.divisions import DivisionLevel
from service.http.pagination import (
    PageParamsDep,
    decode_page_token,
    page_response,
)
from service.http.params import NameQuery
from service.http.responses import READ, READ_ONE, json_response, problems
from service.http.routing import ApiRoute, ServicesDep
from service.http.security import ReadCaller
from service.schemas.common import ANY_DIVISION_CODE
from service.schemas.divisions import DivisionPage, DivisionRead, Vocabularies
from service.usecases import registry

router = APIRouter(tags=["reference data"], route_class=ApiRoute)


@router.get(
    "/v1/divisions",
    response_model=DivisionPage,
    responses=problems(READ),
    operation_id="list_divisions",
    summary="List Hangzhou's divisions",
)
async def list_divisions(
    _: ReadCaller,
    services: ServicesDep,
    page: PageParamsDep,
    level: DivisionLevel | None = None,
    parent_code: Annotated[
        str | None, Query(pattern=ANY_DIVISION_CODE, examples=["330106"])
    ] = None,
    q: NameQuery = None,
) -> Response:
    """List Hangzhou's divisions in code order (scope `registry:read`)."""
    filters = {"level": level, "parent_code": parent_code, "q": q}
    result = await registry.list_divisions(
        services,
        level=level,
        parent_code=parent_code,
        name_contains=q,
        after=decode_page_token(page.token, filters),
        limit=page.size,
    )
    return page_response(DivisionPage, result, filters)


@router.get(
    "/v1/divisions/{code}",
    response_model=DivisionRead,
    responses=problems(READ_ONE),
    operation_id="get_division",
    summary="Get a division",
)
async def get_division(
    code: Annotated[str, Path(pattern=ANY_DIVISION_CODE, examples=["330106002"])],
    _: ReadCaller,
    services: ServicesDep,
) -> Response:
    """Get one division with its parent chain (scope `registry:read`)."""
    return json_response(await registry.get_division(services, code=code))


@router.get(
    "/v1/vocabularies",
    response_model=Vocabularies,
    responses=problems(READ),
    operation_id="list_vocabularies",
    summary="List the controlled vocabularies",
)
async def list_vocabularies(_: ReadCaller) -> Response:
    """Every controlled vocabulary (rooms, systems, focus groups …) with Chinese labels."""
    return json_response(registry.vocabularies())
