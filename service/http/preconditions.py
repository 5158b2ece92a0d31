"""Conditional requests (RFC 9110 §13): ETags from versions, If-Match on updates, If-None-Match
on reads."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header

from service.http.problems import ProblemError

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text (RFC 9110 §8.8.3)
_ENTITY_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*')
_MAX_VERSION_DIGITS = 18


def etag(version: int) -> str:
    """The strong entity tag of a resource version."""
    return f'"{version}"'


def _entity_tags(value: str) -> list[tuple[bool, str]] | None:
    """(weak, opaque tag) for each member of a list of entity tags; None if malformed."""
    tags: list[tuple[bool, str]] = []
    for member in value.split(","):
        if not member.strip(" \t"):
            continue  # empty list elements are allowed (RFC 9110 §5.6.1)
        match = _ENTITY_TAG.fullmatch(member)
        if match is None:
            return None
        tags.append((match.group(1) is not None, match.group(2)))
    return tags or None


def parse_if_match(value: str) -> frozenset[int] | None:
    """The versions an update is conditioned on; None for `*` (any existing version).

    If-Match compares strongly (RFC 9110 §13.1.1): a weak tag (`W/"3"`) matches nothing, nor
    does a tag we never issue (`"abc"`, `"03"`); a list matches if any member does. A
    well-formed value that matches nothing is a precondition failure (412); only a value that
    is not a list of entity tags at all is 400.
    """
    if value.strip(" \t") == "*":
        return None
    tags = _entity_tags(value)
    if tags is None:
        raise ProblemError(
            400,
            "invalid_if_match",
            'If-Match must be `*` or a list of entity tags like "3" (the ETag you read)',
        )
    return frozenset(
        int(opaque)
        for weak, opaque in tags
        if not weak and _is_version(opaque) and opaque == str(int(opaque))
    )


def _is_version(opaque: str) -> bool:
    return opaque.isascii() and opaque.isdigit() and len(opaque) <= _MAX_VERSION_DIGITS


def not_modified(if_none_match: str | None, version: int) -> bool:
    """Whether the caller's cached copy (If-None-Match, compared weakly) is still current."""
    if if_none_match is None:
        return False
    current = etag(version)
    return any(tag.strip() in ("*", current, f"W/{current}") for tag in if_none_match.split(","))


IfMatch = Annotated[
    str,
    Header(
        alias="If-Match",
        description='ETag of the version being changed, e.g. `"3"` (a list matches if any member'
        " does; weak tags never match), or `*`. 428 without it, 412 when it does not match.",
        max_length=1024,
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
