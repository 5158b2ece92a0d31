"""rule_violation: many field problems become one RuleViolation; articles in messages."""

from __future__ import annotations

import pytest

from service.domain.errors import DomainError, FieldProblem, RuleViolation, a, rule_violation

ADMIN_1 = FieldProblem(
    "service_items[0].category", "no admin", code="administrative_affairs_not_service", rule="R8"
)
ADMIN_3 = FieldProblem(
    "service_items[3].category", "no admin", code="administrative_affairs_not_service", rule="R8"
)
NAME = FieldProblem("name", "not official", code="station_name_not_official", rule="R1")
LOCATION = FieldProblem("location", "outside", code="location_outside_hangzhou")
YEAR = FieldProblem("demonstration_year", "required", code="demonstration_year_required")


def test_shared_code_and_rule_propagate() -> None:
    error = rule_violation([ADMIN_1, ADMIN_3])
    assert isinstance(error, RuleViolation)
    assert isinstance(error, DomainError)
    assert (error.code, error.rule) == ("administrative_affairs_not_service", "R8")
    assert error.errors == (ADMIN_1, ADMIN_3)


def test_single_problem_gives_its_code_and_rule() -> None:
    error = rule_violation([NAME])
    assert (error.code, error.rule) == ("station_name_not_official", "R1")


def test_mixed_codes_and_rules_give_the_generic_code() -> None:
    error = rule_violation([ADMIN_1, NAME])
    assert (error.code, error.rule) == ("rule_violation", None)
    assert error.errors == (ADMIN_1, NAME)


def test_mixed_codes_with_one_shared_rule_keep_the_rule() -> None:
    other_r8 = FieldProblem("service_items", "empty", code="service_list_empty", rule="R8")
    error = rule_violation([ADMIN_1, other_r8])
    assert (error.code, error.rule) == ("rule_violation", "R8")


def test_mixed_codes_without_rules_have_no_rule() -> None:
    error = rule_violation([LOCATION, YEAR])
    assert (error.code, error.rule) == ("rule_violation", None)


def test_shared_code_but_mixed_rules_drops_the_rule() -> None:
    a = FieldProblem("a", "x", code="same", rule="R3")
    b = FieldProblem("b", "y", code="same", rule="R5")
    error = rule_violation([a, b])
    assert (error.code, error.rule) == ("same", None)


def test_detail_names_every_field_and_message() -> None:
    problems = [ADMIN_1, ADMIN_3, NAME, LOCATION, YEAR]
    error = rule_violation(problems)
    for problem in problems:
        assert f"{problem.field}: {problem.message}" in error.detail
    assert str(error) == error.detail


def test_rule_violation_does_not_change_the_class_default() -> None:
    rule_violation([NAME])
    assert RuleViolation.code == "rule_violation"
    assert RuleViolation("plain").code == "rule_violation"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("accepted", "an accepted"),
        ("open", "an open"),
        ("expired", "an expired"),
        ("operating", "an operating"),
        ("proposed", "a proposed"),
        ("university", "a university"),
        ("unrated", "an unrated"),
        ("volunteer_service", "a volunteer_service"),
    ],
)
def test_messages_take_the_right_article(word, expected):
    assert a(word) == expected
