"""/v1/bulk: load another system's register (NDJSON or CSV), upserting by its own ids."""

from __future__ import annotations

import email.message
import hashlib
import uuid

from fastapi import APIRouter, Request, Response

from service.domain.bulk import (
    CSV,
    CSV_PATTERN,
    MEDIA_TYPES,
    NDJSON,
    NDJSON_PATTERN,
    NotUtf8,
    decode,
    framing_problem,
    parse_csv,
    parse_ndjson,
)
from service.http.problems import ProblemError
from service.http.responses import READ, READ_ONE, json_response, problems
from service.http.routing import ApiRoute, IdempotencyKeyHeader, ServicesDep
from service.http.security import WriteCaller
from service.schemas.bulk import BulkJobRead, BulkResource
from service.usecases import bulk

router = APIRouter(prefix="/v1/bulk", tags=["bulk"], route_class=ApiRoute)

_LINE = (
    '{"external_id": "org-1", "name": "杭州市西湖区阳光社会工作服务中心",'
    ' "uscc": "52330106M00000001J", "kind": "social_work_agency", "service_area": ["330106"]}'
)
_ROW = (
    "external_id,name,uscc,kind,service_area\n"
    'org-1,杭州市西湖区阳光社会工作服务中心,52330106M00000001J,social_work_agency,"[""330106""]"\n'
)
_BODY = {
    "requestBody": {
        "required": True,
        "description": "One record per line: NDJSON (a JSON object per line) or CSV (a header row"
        " of field names; JSON arrays and objects in a cell as JSON). UTF-8, with or without a"
        " byte-order mark; every line carries `external_id`, your system's id of the record.",
        "content": {
            NDJSON: {
                "schema": {"type": "string", "pattern": NDJSON_PATTERN},
                "examples": {
                    "organisation": {"summary": "One organisation", "value": _LINE + "\n"}
                },
            },
            CSV: {
                "schema": {"type": "string", "pattern": CSV_PATTERN},
                "examples": {"organisation": {"summary": "One organisation", "value": _ROW}},
            },
        },
    }
}


def _media_type(request: Request) -> str:
    header = request.headers.get("content-type")
    if header:
        message = email.message.Message()
        message["content-type"] = header
        kind = message.get_content_type()
        charset = message.get_param("charset")
        if kind in MEDIA_TYPES and (
            charset is None or str(charset).lower().replace("-", "") == "utf8"
        ):
            return kind
    raise ProblemError(
        415,
        "bulk_unsupported_media_type",
        f"send the lines as {NDJSON} or {CSV} (UTF-8)",
        extra={"accepted": list(MEDIA_TYPES)},
    )


@router.post(
    "/{resource}",
    status_code=201,
    response_model=BulkJobRead,
    responses={
        200: {
            "model": BulkJobRead,
            "description": "A retry with the same Idempotency-Key and body: the first job.",
        },
        **problems((*READ, 404, 409, 413, 415, 422)),
    },
    operation_id="bulk_upsert",
    summary="Upsert records in bulk",
    openapi_extra=_BODY,
)
async def bulk_upsert(
    resource: BulkResource,
    request: Request,
    caller: WriteCaller,
    services: ServicesDep,
    key: IdempotencyKeyHeader = None,
) -> Response:
    """Create or update one record per line, keyed by your `external_id` (scope
    `registry:write`); the same rules as the single endpoints, line by line. A rejected line
    never aborts or half-writes another: the job's report says what became of each line. With
    `Idempotency-Key`, a retry returns the first job."""
    kind = _media_type(request)
    raw = await request.body()
    try:
        text = decode(raw)
    except NotUtf8 as exc:
        raise ProblemError(
            415, "bulk_not_utf8", str(exc), extra={"detected_encoding": exc.encoding}
        ) from exc
    if (problem := framing_problem(kind, text)) is not None:
        raise ProblemError(422, "bulk_not_framed", problem)
    lines = parse_ndjson(text) if kind == NDJSON else parse_csv(text)
    fingerprint = hashlib.sha256(resource.value.encode() + b"\x00" + raw).hexdigest()
    job, replay = await bulk.upsert(
        services, caller=caller, resource=resource, lines=lines, key=key, fingerprint=fingerprint
    )
    return json_response(
        job,
        status_code=200 if replay else 201,
        headers={"Location": f"/v1/bulk/jobs/{job.id}"},
    )


@router.get(
    "/jobs/{job_id}",
    response_model=BulkJobRead,
    responses=problems(READ_ONE),
    operation_id="get_bulk_job",
    summary="Get a bulk job",
)
async def get_bulk_job(job_id: uuid.UUID, caller: WriteCaller, services: ServicesDep) -> Response:
    """One of your bulk jobs with its per-line report (scope `registry:write`)."""
    return json_response(await bulk.get_job(services, caller=caller, job_id=job_id))
