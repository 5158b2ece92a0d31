"""Bodies of /v1/problem-types: the catalogue of problem codes."""

from __future__ import annotations

from pydantic import Field

from service.http.problem_types import ProblemType
from service.schemas.common import Output


class ProblemTypeRead(Output):
    """One problem code: the statuses it comes with, what it means, the rule behind it."""

    code: str = Field(examples=["station_exists"])
    type: str = Field(description="The problem's `type` URI.")
    statuses: list[int] = Field(description="HTTP statuses it is answered with.")
    title: str
    rule: str | None = Field(description="The policy rule (R1…R19), when one is at stake.")
    field: bool = Field(
        description="Also the `errors[].code` of a field at fault (and the problem's own code"
        " when every field at fault shares it)."
    )


class ProblemTypeList(Output):
    """Every problem code, in catalogue order (by subject)."""

    items: list[ProblemTypeRead]


def problem_type_read(problem: ProblemType) -> ProblemTypeRead:
    """A catalogue entry as the API shows it."""
    return ProblemTypeRead(
        code=problem.code,
        type=problem.type,
        statuses=list(problem.statuses),
        title=problem.title,
        rule=problem.rule,
        field=problem.field,
    )
