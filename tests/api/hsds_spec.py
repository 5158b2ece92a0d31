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

FIELDS = """
taxonomy_term
    id                          uuid                required
    code                        text
    name                        text                required
    description                 text                required
    parent_id                   text
    taxonomy                    text
    language                    text
    taxonomy_id                 text
    term_uri                    uri
attribute
    id                          uuid                required
    link_id                     uuid
    taxonomy_term_id            uuid
    link_type                   text
    link_entity                 text
    value                       text
    label                       text
    taxonomy_term               taxonomy_term
service_area
    id                          uuid                required
    service_id                  uuid
    service_at_location_id      uuid
    name                        text
    description                 text
    extent                      text
    extent_type                 text
    uri                         text
organization_identifier
    id                          uuid                required
    organization_id             text
    identifier_scheme           text
    identifier_type             text                required
    identifier                  text                required
organization
    id                          uuid                required
    name                        text                required
    alternate_name              text
    description                 text                required
    email                       email
    website                     uri
    legal_status                text
    logo                        text
    uri                         uri
    parent_organization_id      text
    year_incorporated           number
    organization_identifiers    [organization_identifier]
service
    id                          uuid                required
    organization_id             text
    program_id                  text
    name                        text                required
    alternate_name              text
    description                 text
    url                         uri
    email                       email
    status                      service_status      required
    eligibility_description     text
    minimum_age                 number
    maximum_age                 number
    service_areas               [service_area]
    attributes                  [attribute]
    organization                organization
page
    total_items                 integer
    total_pages                 integer
    page_number                 integer
    size                        integer
    first_page                  boolean
    last_page                   boolean
    empty                       boolean             required
    contents                    [item]              required
publisher
    name                        text
    identifier                  text
    email                       email
    website                     uri
    additional_websites         [uri]
metadata
    version                     text
    profile                     uri
    openapi_url                 uri
    description                 text
    publisher                   publisher
"""
"""Each HSDS object we publish and every field it may have: the field's kind (one of KINDS,
another object of this table, or `[kind]` for a list of them) and whether it is required.
`page` is the API's Page envelope; `item` stands for what its `contents` list."""

KINDS: dict[str, dict[str, Any]] = {
    "uuid": {"type": "string", "format": "uuid"},
    "text": {"type": "string"},
    "uri": {"type": "string", "format": "uri"},
    "email": {"type": "string", "format": "email"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "service_status": {
        "type": "string",
        "enum": ["active", "inactive", "defunct", "temporarily closed"],
    },
}


def _table(text: str) -> dict[str, list[tuple[str, str, bool]]]:
    """FIELDS read: by object, its (field, kind, required) rows."""
    table: dict[str, list[tuple[str, str, bool]]] = {}
    for line in filter(str.strip, text.splitlines()):
        if not line.startswith(" "):
            rows = table[line.strip()] = []
            continue
        field, kind, *flags = line.split()
        assert flags in ([], ["required"]), line
        rows.append((field, kind, flags == ["required"]))
    return table


OBJECTS = _table(FIELDS)


def schema_of(name: str, *, item: str = "") -> dict[str, Any]:
    """The JSON Schema of the object `name` (with `item` for what `[item]` lists): each
    field's kind, the required fields, and no field HSDS does not define."""

    def kind_schema(kind: str) -> dict[str, Any]:
        if kind.startswith("["):
            return {"type": "array", "items": kind_schema(kind.strip("[]"))}
        if kind == "item":
            return schema_of(item)
        return KINDS[kind] if kind in KINDS else schema_of(kind)

    rows = OBJECTS[name]
    return {
        "type": "object",
        "required": [field for field, _, required in rows if required],
        "properties": {field: kind_schema(kind) for field, kind, _ in rows},
        "additionalProperties": False,
    }


def page_of(name: str) -> dict[str, Any]:
    """The API's Page envelope (`empty` required) with `contents` of the objects `name`."""
    return schema_of("page", item=name)


ORGANIZATION = schema_of("organization")
SERVICE = schema_of("service")
METADATA = schema_of("metadata")
