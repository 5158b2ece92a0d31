"""Conditional requests: ETags from versions, If-Match on updates, If-None-Match on reads."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header

from service.http.problems import ProblemError

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,18})"\s*$')


def etag(version: int) -> str:
    """The strong entity tag of a resource version."""
    return f'"{version}"'


def parse_if_match(value: str) -> int | None:
    """The version an update is conditioned on; None for `*` (any)."""
    if value.strip() == "*":
        return None
    match = _ETAG.match(value)
    if match is None:
        raise ProblemError(400, "invalid_if_match", f'If-Match {value!r} is not an ETag like "3"')
    return int(match.group(1))


def not_modified(if_none_match: str | None, version: int) -> bool:
    """Whether the caller's cached copy (If-None-Match) is still current."""
    if if_none_match is None:
        return False
    current = etag(version)
    return any(tag.strip() in ("*", current, f"W/{current}") for tag in if_none_match.split(","))


IfMatch = Annotated[
    str,
    Header(
        alias="If-Match",
        description='ETag of the version being changed, e.g. `"3"`, or `*`. 428 without it.',
        max_length=64,
        pattern=r'^\s*(\*|(W/)?"[0-9]{1,18}")\s*$',
    ),
]
IF_NONE_MATCH_MAX_LENGTH = 256
IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="Answer 304 when the ETag still matches.",
        max_length=IF_NONE_MATCH_MAX_LENGTH,
    ),
]
