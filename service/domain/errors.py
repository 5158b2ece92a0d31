"""The domain's error family: stable machine codes, no HTTP status (the edge maps them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one input field."""

    field: str
    message: str
    code: str = "invalid"
    rule: str | None = None


class DomainError(Exception):
    """Base of every error a rule raises; `code` is stable and part of the API contract."""

    code: str = "domain_error"
    title: str = "The request breaks a rule"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        rule: str | None = None,
        errors: tuple[FieldProblem, ...] = (),
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.rule = rule
        self.errors = errors
        self.extra = extra or {}


class NotFound(DomainError):
    """The named resource does not exist, or the caller may not see it."""

    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """The request collides with the current state (a duplicate, an illegal transition)."""

    code = "conflict"
    title = "Conflict with the current state"


class RuleViolation(DomainError):
    """Well-formed input that a policy rule forbids."""

    code = "rule_violation"
    title = "A policy rule forbids this"


class Forbidden(DomainError):
    """The caller is authenticated but may not do this."""

    code = "forbidden"
    title = "Forbidden"


class StaleVersion(DomainError):
    """The caller's copy is older than the stored one (optimistic concurrency)."""

    code = "version_mismatch"
    title = "The resource has changed"


def rule_violation(problems: list[FieldProblem]) -> RuleViolation:
    """Bundle field problems into one RuleViolation whose detail names every field.

    When every problem shares a code (or a rule), the error takes it; otherwise the generic one.
    """
    detail = "; ".join(f"{p.field}: {p.message}" for p in problems)
    codes = {p.code for p in problems}
    rules = {p.rule for p in problems}
    return RuleViolation(
        detail,
        code=codes.pop() if len(codes) == 1 else "rule_violation",
        rule=rules.pop() if len(rules) == 1 else None,
        errors=tuple(problems),
    )


def a(word: object) -> str:
    """The word with its indefinite article, for messages: 'an accepted', 'a university'."""
    text = str(word)
    sounds_like_a_vowel = text[:1].lower() in "aeio" or (
        text[:1].lower() == "u" and not text.lower().startswith(("uni", "use", "usu"))
    )
    return f"{'an' if sounds_like_a_vowel else 'a'} {text}"
