"""The HSDS 3.0 field definitions our responses are held to, written from the specification.

Source, read (not copied): Open Referral HSDS 3.0, https://docs.openreferral.org/en/3.0/hsds/
(schema reference: organization, organization_identifier, service, service_area, attribute,
taxonomy_term; API reference: the `/` metadata endpoint and the `Page` envelope of
`/services` and `/organizations`), as published in github.com/openreferral/specification
(branch 3.0, schema/*.json and schema/openapi.json).

What is taken from it: each object's `required` fields, the types and formats of the fields we
publish (`uuid`, `uri`), the enum of `service.status`, and the page envelope's fields. Stricter
than the specification on one point: `additionalProperties: false`, so that every field we
publish is a field HSDS defines (and no personal data slips in under another name).
"""

from __future__ import annotations

from typing import Any

UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string"}


def obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


TAXONOMY_TERM = obj(
    ["id", "name", "description"],
    id=UUID,
    code=TEXT,
    name=TEXT,
    description=TEXT,
    parent_id=TEXT,
    taxonomy=TEXT,
    language=TEXT,
    taxonomy_id=TEXT,
    term_uri={"type": "string", "format": "uri"},
)
ATTRIBUTE = obj(
    ["id"],
    id=UUID,
    link_id=UUID,
    taxonomy_term_id=UUID,
    link_type=TEXT,
    link_entity=TEXT,
    value=TEXT,
    label=TEXT,
    taxonomy_term=TAXONOMY_TERM,
)
SERVICE_AREA = obj(
    ["id"],
    id=UUID,
    service_id=UUID,
    service_at_location_id=UUID,
    name=TEXT,
    description=TEXT,
    extent=TEXT,
    extent_type=TEXT,
    uri=TEXT,
)
ORGANIZATION_IDENTIFIER = obj(
    ["id", "identifier_type", "identifier"],
    id=UUID,
    organization_id=TEXT,
    identifier_scheme=TEXT,
    identifier_type=TEXT,
    identifier=TEXT,
)
ORGANIZATION = obj(
    ["id", "name", "description"],
    id=UUID,
    name=TEXT,
    alternate_name=TEXT,
    description=TEXT,
    email={"type": "string", "format": "email"},
    website={"type": "string", "format": "uri"},
    legal_status=TEXT,
    logo=TEXT,
    uri={"type": "string", "format": "uri"},
    parent_organization_id=TEXT,
    year_incorporated={"type": "number"},
    organization_identifiers={"type": "array", "items": ORGANIZATION_IDENTIFIER},
)
SERVICE = obj(
    ["id", "name", "status"],
    id=UUID,
    organization_id=TEXT,
    program_id=TEXT,
    name=TEXT,
    alternate_name=TEXT,
    description=TEXT,
    url={"type": "string", "format": "uri"},
    email={"type": "string", "format": "email"},
    status={"type": "string", "enum": ["active", "inactive", "defunct", "temporarily closed"]},
    eligibility_description=TEXT,
    minimum_age={"type": "number"},
    maximum_age={"type": "number"},
    service_areas={"type": "array", "items": SERVICE_AREA},
    attributes={"type": "array", "items": ATTRIBUTE},
    organization=ORGANIZATION,
)


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    """The API's Page envelope (`empty` required) with `contents` of these items."""
    return obj(
        ["empty", "contents"],
        total_items={"type": "integer"},
        total_pages={"type": "integer"},
        page_number={"type": "integer"},
        size={"type": "integer"},
        first_page={"type": "boolean"},
        last_page={"type": "boolean"},
        empty={"type": "boolean"},
        contents={"type": "array", "items": item},
    )


METADATA = obj(
    [],
    version=TEXT,
    profile={"type": "string", "format": "uri"},
    openapi_url={"type": "string", "format": "uri"},
    description=TEXT,
    publisher=obj(
        [],
        name=TEXT,
        identifier=TEXT,
        email={"type": "string", "format": "email"},
        website={"type": "string", "format": "uri"},
        additional_websites={"type": "array", "items": {"type": "string", "format": "uri"}},
    ),
)
