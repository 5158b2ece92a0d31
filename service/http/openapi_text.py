"""The words of the OpenAPI document: its description, tags, parameters and problem responses."""

from __future__ import annotations

from typing import Any

TITLE = "Five-Society Linkage API"

DESCRIPTION = """\
**五社联动 · 杭州市社会工作站服务平台** – the system of record and matchmaker of Hangzhou's social
work network: a social work station (社会工作站) in every township and street, featured community
offices (社区特色社会工作室), and the partners they link – communities, social organisations,
social workers, volunteers, charity resources and universities – under 杭民发〔2021〕126号 (rules
R1–R19).

**Start here.** Every operation but the probes and this catalogue needs an API key
(`Authorization: Bearer lk_…`, from `linkage clients create`). The scopes an operation needs are
in its `security` and `x-required-scopes`; a client bound to a station or an organisation is
narrowed further (README, "Security and access"). Names, phones and ID numbers of natural
persons are masked unless the client holds `pii:read` and may read that person.

**Conventions.** Errors are `application/problem+json` (RFC 9457) with a stable `code` –
`GET /v1/problem-types` lists every one – the `request_id` and, for bad input, every field at
fault in `errors`. Collections are cursor-paginated (`page_size`, `page_token` →
`next_page_token`, tokens signed and bound to their collection and filters). Creating POSTs
honour `Idempotency-Key`; updates need `If-Match` with the resource's `ETag` (412 when stale,
428 when missing). Instants are RFC 3339 with an offset; Hangzhou dates are local (UTC+8).
Requests with an API key are rate limited per client (`RateLimit-Policy` and `RateLimit` on every
answer, 429 with `Retry-After` past a quota); a database that is down or slow is a 503 with
`Retry-After`.
"""

EXTERNAL_DOCS = {
    "description": "杭民发〔2021〕126号, the Hangzhou Civil Affairs Bureau's programme for township"
    " (street) social work stations, whose rules R1–R19 the service implements",
    "url": "https://mzj.hangzhou.gov.cn/",
}

TAGS: list[dict[str, Any]] = [
    {
        "name": "stations",
        "description": "Township and street social work stations (社会工作站), bound to Hangzhou's"
        " divisions, with the policy's rules built in (R1 name, R2 one per township, R6 rooms,"
        " R7 systems, R8 service window, R9 operating mode).",
    },
    {
        "name": "offices",
        "description": "Featured community social work offices (社区特色社会工作室), each under its"
        " township's station (R5).",
    },
    {
        "name": "organisations",
        "description": "Social organisations, social work agencies, charities, foundations and"
        " enterprises, identified by their Unified Social Credit Code (GB 32100).",
    },
    {"name": "universities", "description": "University partners (R15)."},
    {
        "name": "social-workers",
        "description": "Social workers (社会工作者): qualification, employment, where they serve."
        " Identifiers are masked; the contact operation discloses them, audited.",
    },
    {
        "name": "volunteers",
        "description": "Community volunteers (社区志愿者): skills, area, weekly availability, and"
        " the service-record ledger (民政部令第67号). Personal data masked.",
    },
    {"name": "volunteer-teams", "description": "Volunteer teams (志愿服务队) and their members."},
    {
        "name": "charity-resources",
        "description": "Funds, goods, venues and projects organisations offer (社会慈善资源).",
    },
    {
        "name": "linkages",
        "description": "The linkage graph: operating contracts (R9), supervision (R10),"
        " university bases (R15), station pairings (R16), resource partners (R19).",
    },
    {
        "name": "resource-requests",
        "description": "What stations need: posted, matched, offered, committed, fulfilled.",
    },
    {
        "name": "matching",
        "description": "Who can serve a request and why: hard filters, then an explained score.",
    },
    {
        "name": "offers",
        "description": "Offers of a request to providers, their answers, completion with hours,"
        " and ratings; the volunteer-hour ledger.",
    },
    {
        "name": "allocation-runs",
        "description": "Batch allocation of a district's (or the city's) open requests as one"
        " min-cost flow; applied as offers.",
    },
    {
        "name": "supervision-sessions",
        "description": "Supervision sessions held at stations (R10): recorded and archived, never"
        " deleted; a correction is a new version that keeps the old one readable.",
    },
    {
        "name": "training-records",
        "description": "Social workers' training (R11): pre-job, supervision, continuing"
        " education, practice and policy; a course's attendees posted at once.",
    },
    {
        "name": "evaluations",
        "description": "The bureau's evaluations of stations and residents' satisfaction (R17).",
    },
    {
        "name": "compliance",
        "description": "A verdict per rule for a station (R1–R11, R16, R18) or an office (R5),"
        " with the evidence it used.",
    },
    {
        "name": "reports",
        "description": "The bureau's reports: coverage and R14 targets, compliance, five-society"
        " activity, volunteer hours, the workforce; JSON, CSV or .xlsx (Accept).",
    },
    {
        "name": "audit",
        "description": "The append-only trail of personal-data disclosures and searches.",
    },
    {
        "name": "reference data",
        "description": "Hangzhou's divisions (2023 codes), the controlled vocabularies with Chinese"
        " labels, and the catalogue of problem codes.",
    },
    {
        "name": "events",
        "description": "The integration surface: an ordered change feed (`GET /v1/events`, resume"
        " from a cursor), its catalogue of event types (each with a JSON Schema under"
        " openapi/events/), and webhook subscriptions whose deliveries are signed as Standard"
        " Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). Events are thin: ids,"
        " type, time, version, station and district; never personal data.",
    },
    {
        "name": "bulk",
        "description": "Load another system's register: NDJSON or CSV lines upserted by that"
        " system's own `external_id`, with a report per line.",
    },
    {
        "name": "hsds",
        "description": "The partner directory in Open Referral HSDS 3.0 form: organizations and"
        " their services, service areas and taxonomy terms (Chinese labels), no personal data.",
    },
    {"name": "operations", "description": "Liveness and readiness probes (no API key)."},
]

_ID = "The {}'s id (UUID), as its `id` and `Location` give it."
PARAMETERS: dict[str, str] = {
    "station_id": _ID.format("station"),
    "office_id": _ID.format("community office"),
    "organisation_id": _ID.format("organisation"),
    "university_id": _ID.format("university"),
    "social_worker_id": _ID.format("social worker"),
    "volunteer_id": _ID.format("volunteer"),
    "team_id": _ID.format("volunteer team"),
    "resource_id": _ID.format("charity resource"),
    "linkage_id": _ID.format("linkage"),
    "request_id": _ID.format("resource request"),
    "offer_id": _ID.format("offer"),
    "run_id": _ID.format("allocation run"),
    "session_id": _ID.format("supervision session"),
    "record_id": _ID.format("training record"),
    "evaluation_id": _ID.format("evaluation"),
    "job_id": _ID.format("bulk job"),
    "service_id": "The HSDS service's id (UUID), as its `id` gives it.",
    "organization_id": "The HSDS organization's id (UUID): the organisation's `id`.",
    "resource": "What the lines are: `organisations`, `stations` or `offices`.",
    "survey_id": _ID.format("satisfaction survey"),
    "subscription_id": _ID.format("webhook subscription"),
    "version": "A version number of the session (1 for the first record).",
    "supervisor_type": "Only sessions supervised by this type of supervisor.",
    "supervisor_id": "Only sessions supervised by this social worker, organisation or university.",
    "batch_id": "Only the records of one course as posted (its `batch_id`).",
    "outcome": "Only evaluations with this outcome.",
    "code": "A division code (6, 9 or 12 digits), or a problem code.",
    "action": "Only events of this action (`contact.read`, `id_number.search`).",
    "client_id": "Only events by this client.",
    "subject_type": "Only events about this kind of record (`social_worker`, `volunteer`).",
    "subject_id": "Only events about this record.",
    "category": "Only this service category (vocabulary `service_categories`).",
    "certificate_level": "Only this certificate level.",
    "employment": "Only this employment (full-time, part-time …).",
    "employer_organisation_id": "Only those employed by this organisation.",
    "supervisor_level": "Only this supervisor level.",
    "is_charity": "Only charities (true) or only others (false).",
    "is_demonstration": "Only demonstration ones (true) or only others (false).",
    "is_social_work_agency": "Only social work agencies (true) or only others (false).",
    "kind": "Only this kind (see the vocabularies).",
    "leading_organisation_id": "Only teams this organisation leads.",
    "level": "Only divisions at this level: `district`, `township` or `community`.",
    "parent_code": "Only the divisions directly under this one.",
    "offer": "Only universities that offer this (R15).",
    "partner_id": "Only linkages with this partner (as the filtered station sees it).",
    "partner_type": "Only linkages with this type of partner.",
    "provider_id": "Only offers to this provider.",
    "provider_type": "Only offers to this type of provider.",
    "skill": "Only those with this skill (vocabulary `skills`).",
    "specialty": "Only stations with this specialty (一站一品, R13).",
    "status": "Only those in this status.",
    "target_group": "Only those serving this group (vocabulary `target_groups`).",
    "urgency": "Only requests of this urgency.",
}

# Reusable problem responses: the component's name and its description, per status.
RESPONSE_NAMES: dict[int, tuple[str, str]] = {
    400: (
        "BadRequest",
        "Malformed request: a bad or unknown query parameter, a bad page token, malformed JSON.",
    ),
    401: ("Unauthorized", "No API key, or an unknown or revoked one."),
    403: (
        "Forbidden",
        "The API key lacks the scope (`required_scope`), or its binding does not cover this.",
    ),
    404: ("NotFound", "No such resource, or not visible to this client."),
    409: ("Conflict", "Conflicts with the current state: a duplicate, or an illegal change."),
    412: ("PreconditionFailed", "If-Match does not match the current version."),
    413: ("ContentTooLarge", "The body is larger than the service accepts."),
    406: (
        "NotAcceptable",
        "None of the formats the Accept header allows is offered (JSON, CSV or .xlsx).",
    ),
    415: ("UnsupportedMediaType", "The body is not JSON."),
    422: (
        "UnprocessableContent",
        "Well-formed input that is invalid or that a policy rule forbids (`errors`, `rule`).",
    ),
    428: ("PreconditionRequired", "If-Match is required to change this."),
    429: (
        "TooManyRequests",
        "Too many requests for this client (or, with an unknown key, this address): wait"
        " `Retry-After` seconds.",
    ),
    500: ("InternalError", "An unexpected fault; quote the request id."),
    503: ("ServiceUnavailable", "The database did not answer in time; retry after a while."),
}


def _example(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"https://linkage.hangzhou.gov.cn/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": "/v1/stations",
        "code": code,
        "request_id": "6f1c2d0e9b8a4c3d",
        **extra,
    }


PROBLEM_EXAMPLES: dict[int, dict[str, dict[str, Any]]] = {
    400: {
        "unknown_query_parameter": _example(
            400,
            "unknown_query_parameter",
            "Bad Request",
            "unknown query parameter(s): sort",
            allowed=["district_code", "page_size", "page_token", "status"],
        )
    },
    401: {
        "unauthenticated": _example(
            401,
            "unauthenticated",
            "Unauthorized",
            "send an API key as `Authorization: Bearer <key>`",
        )
    },
    403: {
        "insufficient_scope": _example(
            403,
            "insufficient_scope",
            "Forbidden",
            "this operation needs the scope 'registry:write'",
            required_scope="registry:write",
        ),
        "outside_station_binding": _example(
            403,
            "outside_station_binding",
            "Forbidden",
            "this client is bound to station 0b1f… and may not change station 5d2e…",
            binding="station",
            bound_to="0b1f6a3c-7d2e-4f5a-9b8c-1d2e3f4a5b6c",
        ),
    },
    404: {"not_found": _example(404, "not_found", "Not found", "no station with id 5d2e…")},
    409: {
        "station_exists": _example(
            409,
            "station_exists",
            "Conflict with the current state",
            "北山街道 already has a station",
            rule="R2",
        )
    },
    412: {
        "version_mismatch": _example(
            412,
            "version_mismatch",
            "The resource has changed",
            "the station is at version 4, not 3",
            current_version=4,
        )
    },
    413: {
        "content_too_large": _example(
            413, "content_too_large", "Content Too Large", "the request body exceeds 1048576 bytes"
        )
    },
    406: {
        "not_acceptable": _example(
            406,
            "not_acceptable",
            "Not Acceptable",
            "this report is offered as application/json, text/csv or .xlsx",
        )
    },
    415: {
        "unsupported_media_type": _example(
            415, "unsupported_media_type", "Unsupported Media Type", "send the body as JSON"
        )
    },
    422: {
        "administrative_affairs_not_service": _example(
            422,
            "administrative_affairs_not_service",
            "A policy rule forbids this",
            "service_items[1].category: township administrative affairs are not service content",
            rule="R8",
            errors=[
                {
                    "field": "service_items[1].category",
                    "message": "township administrative affairs are not service content",
                    "code": "administrative_affairs_not_service",
                    "rule": "R8",
                }
            ],
        )
    },
    428: {
        "precondition_required": _example(
            428,
            "precondition_required",
            "Precondition Required",
            "send If-Match with the ETag of the version you are changing",
        )
    },
    429: {
        "rate_limited": _example(
            429,
            "rate_limited",
            "Too Many Requests",
            "too many requests under identifier-search (30 per 60 s); retry in 41 s",
            violated_policies=["identifier-search"],
        )
    },
    500: {
        "internal_error": _example(
            500, "internal_error", "Internal Server Error", "quote the request id to the operators"
        )
    },
    503: {
        "database_unavailable": _example(
            503,
            "database_unavailable",
            "Service Unavailable",
            "the database did not answer in time; try again shortly",
        )
    },
}
