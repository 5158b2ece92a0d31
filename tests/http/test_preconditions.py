"""ETags and conditional requests: what If-Match and If-None-Match mean for a version."""

from __future__ import annotations

import pytest

from service.http.preconditions import etag, not_modified, parse_if_match
from service.http.problems import ProblemError


def test_the_etag_of_a_version_is_its_number_quoted():
    assert etag(3) == '"3"'
    assert etag(12) == '"12"'


@pytest.mark.parametrize(
    ("header", "version"),
    [('"3"', 3), ('W/"3"', 3), (' "17" ', 17), ('"999999999999999999"', 999999999999999999)],
)
def test_if_match_names_the_version_the_update_expects(header, version):
    assert parse_if_match(header) == version


@pytest.mark.parametrize("header", ["*", " * "])
def test_if_match_star_means_any_version(header):
    assert parse_if_match(header) is None


@pytest.mark.parametrize(
    "header", ["3", '"three"', "'3'", '"3', '"1234567890123456789"', '"3", "4"', "", "**"]
)
def test_anything_else_in_if_match_is_a_400_naming_it(header):
    with pytest.raises(ProblemError) as caught:
        parse_if_match(header)
    assert (caught.value.status, caught.value.code) == (400, "invalid_if_match")
    assert caught.value.detail == f'If-Match {header!r} is not an ETag like "3"'


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
