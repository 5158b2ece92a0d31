"""ETags and conditional requests: what If-Match (strong) and If-None-Match (weak) mean for a
version (RFC 9110 §13)."""

from __future__ import annotations

import pytest

from service.http.preconditions import etag, not_modified, parse_if_match
from service.http.problems import ProblemError


def test_the_etag_of_a_version_is_its_number_quoted():
    assert (etag(3), etag(12)) == ('"3"', '"12"')


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        ('"3"', {3}),
        (' "17" ', {17}),
        ('"3", "4"', {3, 4}),
        (', "3",,', {3}),  # empty list members are allowed
        ('W/"3"', set()),  # a weak tag never matches If-Match
        ('W/"3", "5"', {5}),
        ('"abc"', set()),  # a tag we never issue
        ('"03"', set()),
        ('"999999999999999999"', {999999999999999999}),
        ('"1234567890123456789"', set()),  # longer than any version
    ],
)
def test_if_match_names_the_versions_the_update_accepts(header, versions):
    assert parse_if_match(header) == frozenset(versions)


@pytest.mark.parametrize("header", ["*", " * ", "\t*"])
def test_if_match_star_means_any_version(header):
    assert parse_if_match(header) is None


@pytest.mark.parametrize(
    "header", ["3", "'3'", '"3', "", " , ", '"3" x', "**", "\v*", "X*", '"3",\v', '"3",X']
)
def test_what_is_no_list_of_entity_tags_is_a_400(header):
    with pytest.raises(ProblemError) as caught:
        parse_if_match(header)
    assert (caught.value.status, caught.value.code, caught.value.detail) == (
        400,
        "invalid_if_match",
        'If-Match must be `*` or a list of entity tags like "3" (the ETag you read)',
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ('"3"', True),
        ('W/"3"', True),
        ("*", True),
        ('"2", "3"', True),
        (' "1" ,W/"3" ', True),
        ('"2"', False),
        ('"30"', False),
        ("3", False),
        ("", False),
    ],
)
def test_if_none_match_is_current_only_for_this_version(header, expected):
    assert not_modified(header, 3) is expected
