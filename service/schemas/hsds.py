"""Open Referral HSDS 3.0 objects as this service publishes them (a subset of their fields;
absent ones are left out, never null)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from service.schemas.common import Output


class HsdsTaxonomyTerm(Output):
    """A service category as an HSDS taxonomy term, named in Chinese."""

    id: uuid.UUID
    code: str
    name: str = Field(description="The Chinese label, e.g. `志愿服务`.")
    description: str
    taxonomy: str
    taxonomy_id: uuid.UUID
    language: str


class HsdsAttribute(Output):
    """Links a service to its taxonomy term."""

    id: uuid.UUID
    link_id: uuid.UUID
    link_type: str
    link_entity: str
    taxonomy_term_id: uuid.UUID
    taxonomy_term: HsdsTaxonomyTerm


class HsdsServiceArea(Output):
    """One Hangzhou division a service covers."""

    id: uuid.UUID
    service_id: uuid.UUID
    name: str
    description: str
    uri: str


class HsdsOrganizationIdentifier(Output):
    """The organisation's Unified Social Credit Code."""

    id: uuid.UUID
    organization_id: uuid.UUID
    identifier_type: str
    identifier: str


class HsdsOrganization(Output):
    """A partner organisation as an HSDS organization (no contacts: personal data)."""

    id: uuid.UUID
    name: str
    description: str
    legal_status: str
    organization_identifiers: list[HsdsOrganizationIdentifier]


class HsdsService(Output):
    """One service category of an organisation as an HSDS service; the single-service view
    nests its service areas, taxonomy term and organization."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    description: str
    status: Literal["active", "inactive", "defunct", "temporarily closed"]
    service_areas: list[HsdsServiceArea] | None = None
    attributes: list[HsdsAttribute] | None = None
    organization: HsdsOrganization | None = None


class _HsdsPage(Output):
    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool


class HsdsOrganizationPage(_HsdsPage):
    """HSDS's page envelope of organizations."""

    contents: list[HsdsOrganization]


class HsdsServicePage(_HsdsPage):
    """HSDS's page envelope of services."""

    contents: list[HsdsService]


class HsdsPublisher(Output):
    """Who publishes this feed."""

    name: str


class HsdsMetadata(Output):
    """What this HSDS feed is."""

    version: str
    profile: str
    openapi_url: str
    description: str
    publisher: HsdsPublisher
