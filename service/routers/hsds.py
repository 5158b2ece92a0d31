"""/v1/hsds: the partner directory in Open Referral HSDS 3.0 form (read only, no personal data)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from service.http.params import Instant
from service.http.responses import READ, READ_ONE, problems
from service.http.routing import ApiRoute, ServicesDep
from service.http.security import ReadCaller
from service.schemas.hsds import (
    HsdsMetadata,
    HsdsOrganization,
    HsdsOrganizationPage,
    HsdsService,
    HsdsServicePage,
)
from service.usecases import hsds

router = APIRouter(prefix="/v1/hsds", tags=["hsds"], route_class=ApiRoute)

PageQuery = Annotated[int, Query(ge=1, le=100_000, description="Page number (from 1).")]
PerPageQuery = Annotated[int, Query(ge=1, le=200, description="Items per page (max 200).")]
ModifiedAfterQuery = Annotated[
    Instant | None, Query(description="Only records changed at or after this instant.")
]


def _hsds_response(model: BaseModel) -> Response:
    """HSDS leaves absent fields out: never `null` where the specification says string."""
    return Response(model.model_dump_json(exclude_none=True), media_type="application/json")


@router.get(
    "",
    response_model=HsdsMetadata,
    responses=problems(READ),
    operation_id="get_hsds_metadata",
    summary="Describe the HSDS feed",
)
async def get_hsds_metadata(request: Request, _: ReadCaller) -> Response:
    """The HSDS version, profile and contract of this feed (scope `registry:read`)."""
    openapi_url = f"{request.base_url}openapi.json"
    return _hsds_response(HsdsMetadata.model_validate(hsds.metadata(openapi_url=openapi_url)))


@router.get(
    "/organizations",
    response_model=HsdsOrganizationPage,
    responses=problems(READ),
    operation_id="list_hsds_organizations",
    summary="List organizations (HSDS)",
)
async def list_hsds_organizations(
    _: ReadCaller,
    services: ServicesDep,
    page: PageQuery = 1,
    per_page: PerPageQuery = 50,
    modified_after: ModifiedAfterQuery = None,
) -> Response:
    """Partner organisations as HSDS organizations, in name order (scope `registry:read`)."""
    body = await hsds.list_organizations(
        services, page=page, per_page=per_page, modified_after=modified_after
    )
    return _hsds_response(HsdsOrganizationPage.model_validate(body))


@router.get(
    "/organizations/{organization_id}",
    response_model=HsdsOrganization,
    responses=problems(READ_ONE),
    operation_id="get_hsds_organization",
    summary="Get an organization (HSDS)",
)
async def get_hsds_organization(
    organization_id: uuid.UUID, _: ReadCaller, services: ServicesDep
) -> Response:
    """One organisation as an HSDS organization (scope `registry:read`)."""
    body = await hsds.get_organization(services, organization_id=organization_id)
    return _hsds_response(HsdsOrganization.model_validate(body))


@router.get(
    "/services",
    response_model=HsdsServicePage,
    responses=problems(READ),
    operation_id="list_hsds_services",
    summary="List services (HSDS)",
)
async def list_hsds_services(
    _: ReadCaller,
    services: ServicesDep,
    page: PageQuery = 1,
    per_page: PerPageQuery = 50,
    modified_after: ModifiedAfterQuery = None,
    organization_id: Annotated[
        uuid.UUID | None, Query(description="Only the services of this organization.")
    ] = None,
) -> Response:
    """Each organisation's service categories as HSDS services (scope `registry:read`)."""
    body = await hsds.list_services(
        services,
        page=page,
        per_page=per_page,
        modified_after=modified_after,
        organization_id=organization_id,
    )
    return _hsds_response(HsdsServicePage.model_validate(body))


@router.get(
    "/services/{service_id}",
    response_model=HsdsService,
    responses=problems(READ_ONE),
    operation_id="get_hsds_service",
    summary="Get a service (HSDS)",
)
async def get_hsds_service(service_id: uuid.UUID, _: ReadCaller, services: ServicesDep) -> Response:
    """One HSDS service, nested: service areas, taxonomy term, organization (scope
    `registry:read`)."""
    body = await hsds.get_service(services, service_id=service_id)
    return _hsds_response(HsdsService.model_validate(body))
