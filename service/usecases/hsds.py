"""Use cases of the Open Referral HSDS 3.0 view of the partner directory (read only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from service.db.repositories.hsds import HsdsRepository
from service.domain import hsds
from service.domain.errors import NotFound
from service.usecases.common import Services


async def list_organizations(
    services: Services, *, page: int, per_page: int, modified_after: datetime | None
) -> dict[str, Any]:
    """One HSDS page of organizations, in name order."""
    async with services.database.read() as reader:
        repository = HsdsRepository(reader)
        total = await repository.count(modified_after=modified_after)
        rows = await repository.page(
            modified_after=modified_after, offset=(page - 1) * per_page, limit=per_page
        )
    contents = [hsds.organization(row) for row in rows]
    return hsds.page(contents, total=total, number=page, size=per_page)


async def get_organization(services: Services, *, organization_id: uuid.UUID) -> dict[str, Any]:
    """One HSDS organization."""
    async with services.database.read() as reader:
        row = await HsdsRepository(reader).get(organization_id)
    if row is None:
        raise NotFound(f"no organization with id {organization_id}")
    return hsds.organization(row)


async def list_services(
    services: Services,
    *,
    page: int,
    per_page: int,
    modified_after: datetime | None,
    organization_id: uuid.UUID | None,
) -> dict[str, Any]:
    """One HSDS page of services (one per organisation and service category), in the order of
    their organisations' names, then category."""
    async with services.database.read() as reader:
        rows = await HsdsRepository(reader).all(
            modified_after=modified_after, organisation_id=organization_id
        )
    every = [(row, category) for row in rows for category in hsds.services_of(row)]
    chosen = every[(page - 1) * per_page : page * per_page]
    contents = [hsds.service(row, category, {}, nested=False) for row, category in chosen]
    return hsds.page(contents, total=len(every), number=page, size=per_page)


async def get_service(services: Services, *, service_id: uuid.UUID) -> dict[str, Any]:
    """One HSDS service, fully nested (service areas, taxonomy term, organization)."""
    async with services.database.read() as reader:
        repository = HsdsRepository(reader)
        for row in await repository.all(modified_after=None):
            for category in hsds.services_of(row):
                if hsds.service_id(row["id"], category) == service_id:
                    names = await repository.division_names(set(row["service_area"]))
                    return hsds.service(row, category, names, nested=True)
    raise NotFound(f"no service with id {service_id}")


def metadata(*, openapi_url: str) -> dict[str, Any]:
    """What this HSDS feed is (the specification's root endpoint)."""
    return {
        "version": hsds.HSDS_VERSION,
        "profile": "https://docs.openreferral.org/en/3.0/hsds/",
        "openapi_url": openapi_url,
        "description": "杭州市五社联动 partner directory: organisations and the services they"
        " offer, with their service areas and service categories (Chinese labels); no personal"
        " data.",
        "publisher": {"name": "杭州市民政局 Five-Society Linkage service"},
    }
