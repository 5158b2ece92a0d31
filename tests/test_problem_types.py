"""The problem catalogue holds every code the source raises, and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

from service.http.problem_types import BY_CODE, CATALOGUE
from service.usecases.common import CONSTRAINT_CONFLICTS

SERVICE = Path(__file__).resolve().parent.parent / "service"
# Codes made where a scan of literals cannot see them: per binding, per HTTP status, per case.
MADE_ELSEWHERE = {
    "outside_station_binding",  # f"outside_{binding}_binding" (domain/access.py)
    "outside_organisation_binding",
    "bad_request",  # _HTTP_CODES (http/problems.py)
    "method_not_allowed",
    "not_acceptable",
    "precondition_required",  # the validation handler (http/problems.py)
    "malformed_json",
    "validation_failed",
    "internal_error",
}
NOT_PROBLEMS = {"LinkageWarning"}  # advice on a linkage, not an error


def raised_codes() -> dict[str, set[str]]:
    """Every literal code the source raises, with where (a call's `code=` or a ProblemError's
    second argument, and the default `code` of a DomainError class)."""
    found: dict[str, set[str]] = {}
    for path in SERVICE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            codes: list[str] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in NOT_PROBLEMS:
                    continue
                codes += [
                    kw.value.value
                    for kw in node.keywords
                    if kw.arg == "code"
                    and isinstance(kw.value, ast.Constant)
                    and isinstance(kw.value.value, str)
                ]
                if name == "ProblemError" and isinstance(node.args[1], ast.Constant):
                    codes.append(str(node.args[1].value))
            elif isinstance(node, ast.ClassDef):
                codes += [
                    str(statement.value.value)
                    for statement in node.body
                    if isinstance(statement, ast.Assign)
                    and any(getattr(t, "id", "") == "code" for t in statement.targets)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                    and statement.value.value != "domain_error"  # the abstract base's
                ]
            for code in codes:
                found.setdefault(code, set()).add(path.relative_to(SERVICE).as_posix())
    return found


def test_every_raised_code_is_in_the_catalogue():
    missing = {code: where for code, where in raised_codes().items() if code not in BY_CODE}
    assert not missing, f"add these to service/http/problem_types.py: {missing}"


def test_every_catalogued_code_is_raised():
    clashes = {code for code, _ in CONSTRAINT_CONFLICTS.values()}  # a constraint a race hit
    assert clashes <= set(BY_CODE)
    raised = set(raised_codes()) | MADE_ELSEWHERE | clashes
    assert {problem.code for problem in CATALOGUE} - raised == set()


def test_codes_are_unique_and_statuses_are_errors():
    assert len(BY_CODE) == len(CATALOGUE)
    for problem in CATALOGUE:
        assert problem.code.isidentifier() and problem.code.islower()
        assert all(400 <= status < 600 for status in problem.statuses)
        assert problem.title.endswith(".")
        assert problem.rule is None or problem.rule[0] == "R"
