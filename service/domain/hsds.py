"""Open Referral HSDS 3.0: the partner directory as HSDS organizations and services.

Pure mapping, no I/O. An organisation is an HSDS `organization`; each service category it
offers is one HSDS `service` of it, with a stable UUID derived from the organisation and the
category, its service area (one `service_area` per Hangzhou division) and the category as a
taxonomy term with its Chinese label. Contacts are personal data and never published.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from service.domain.offerings import ServiceCategory
from service.domain.partners import OrganisationKind, PartnerStatus

HSDS_VERSION = "3.0"
# Fixed namespace of the UUIDs derived here (uuid5): the same input gives the same id forever.
NAMESPACE = uuid.UUID("6f1f6d2e-9a55-5c1b-9d7e-4a1c2b3d4e5f")
TAXONOMY = "linkage:service_categories"
TAXONOMY_ID = uuid.uuid5(NAMESPACE, "taxonomy:" + TAXONOMY)
# org-id.guide has no list for the Unified Social Credit Code yet: the type says what it is.
USCC_TYPE = "统一社会信用代码 (Unified Social Credit Code, GB 32100)"


def derived_id(*parts: object) -> uuid.UUID:
    """A stable UUID for something we publish but do not store (a service, a service area)."""
    return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))


def service_id(organisation_id: uuid.UUID, category: str) -> uuid.UUID:
    """The HSDS service of an organisation's service category."""
    return derived_id("service", organisation_id, category)


def taxonomy_term(category: ServiceCategory) -> dict[str, Any]:
    """A service category as an HSDS taxonomy term, named in Chinese."""
    return {
        "id": str(derived_id("taxonomy_term", category.value)),
        "code": category.value,
        "name": category.label_zh,
        "description": f"{category.label_zh}（{category.value}）",
        "taxonomy": TAXONOMY,
        "taxonomy_id": str(TAXONOMY_ID),
        "language": "zh",
    }


_STATUSES = {
    PartnerStatus.ACTIVE.value: "active",
    PartnerStatus.INACTIVE.value: "inactive",
    PartnerStatus.WITHDRAWN.value: "defunct",
}


def _status(status: str) -> str:
    return _STATUSES.get(status, "inactive")


def organization(row: Mapping[str, Any]) -> dict[str, Any]:
    """An organisation as an HSDS organization (no contacts: they are personal data)."""
    kind = OrganisationKind(row["kind"])
    labels = "、".join(ServiceCategory(c).label_zh for c in row["service_categories"])
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "description": f"{kind.label_zh}。服务类别：{labels or '无'}。",
        "legal_status": kind.label_zh,
        "organization_identifiers": [
            {
                "id": str(derived_id("organization_identifier", row["id"])),
                "organization_id": str(row["id"]),
                "identifier_type": USCC_TYPE,
                "identifier": row["uscc"],
            }
        ],
    }


def service(
    row: Mapping[str, Any], category: str, division_names: Mapping[str, str], *, nested: bool
) -> dict[str, Any]:
    """One service category of an organisation as an HSDS service; `nested` adds its service
    areas, its taxonomy term and its organization (the single-service view)."""
    term = ServiceCategory(category)
    sid = service_id(row["id"], category)
    published: dict[str, Any] = {
        "id": str(sid),
        "organization_id": str(row["id"]),
        "name": f"{row['name']}：{term.label_zh}",
        "description": f"{row['name']}提供的{term.label_zh}。",
        "status": _status(row["status"]),
    }
    if nested:
        published["service_areas"] = [
            {
                "id": str(derived_id("service_area", sid, code)),
                "service_id": str(sid),
                "name": division_names.get(code, code),
                "description": f"杭州市行政区划 {code}",
                "uri": f"urn:linkage:division:{code}",
            }
            for code in row["service_area"]
        ]
        published["attributes"] = [
            {
                "id": str(derived_id("attribute", sid, category)),
                "link_id": str(sid),
                "link_type": "service_category",
                "link_entity": "service",
                "taxonomy_term_id": taxonomy_term(term)["id"],
                "taxonomy_term": taxonomy_term(term),
            }
        ]
        published["organization"] = organization(row)
    return published


def services_of(row: Mapping[str, Any]) -> list[str]:
    """The categories an organisation publishes as services, in a stable order."""
    return sorted(set(row["service_categories"]))


def page(
    contents: Sequence[dict[str, Any]], *, total: int, number: int, size: int
) -> dict[str, Any]:
    """HSDS's page envelope around one page of `contents`."""
    pages = (total + size - 1) // size
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": total == 0,
        "contents": list(contents),
    }
