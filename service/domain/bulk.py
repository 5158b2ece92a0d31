"""Bulk upsert input: NDJSON or CSV, UTF-8 only, read into numbered lines of field values.

Pure: no framework, no database. A line that does not parse is kept as a rejected line with the
problem and where it is (line, column), so one bad line never hides the others.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

NDJSON = "application/x-ndjson"
CSV = "text/csv"
MEDIA_TYPES = (NDJSON, CSV)
BOM = "\ufeff"

# The framing of a body, as the contract declares it (a JSON Schema `pattern` each) and as the
# route checks it: NDJSON starts with an object; a CSV's first line names `external_id`. What
# is in the lines is judged line by line, in the job's report.
NDJSON_PATTERN = r"^\uFEFF?\s*\{"
CSV_PATTERN = r"^\uFEFF?[^\r\n]*\bexternal_id\b"


def framing_problem(kind: str, text: str) -> str | None:
    """Why a decoded body is not framed as `kind` says (None when it is)."""
    if kind == NDJSON:
        if re.match(NDJSON_PATTERN, text) is None:
            return "an NDJSON body starts with a JSON object (one per line)"
        return None
    header = next(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")), [])
    if re.match(CSV_PATTERN, text) is None or "external_id" not in (c.strip() for c in header):
        return "a CSV body starts with a header row that has an `external_id` column"
    return None


class NotUtf8(ValueError):
    """The body is not UTF-8; `encoding` names what it looks like (GB18030, or unknown)."""

    def __init__(self, encoding: str | None, position: int) -> None:
        self.encoding = encoding
        self.position = position
        looks = f"it looks like {encoding}" if encoding else "its encoding is unknown"
        super().__init__(
            f"the body is not UTF-8 (byte {position}); {looks}: convert the file to UTF-8 and"
            " send it again"
        )


def decode(raw: bytes) -> str:
    """The body as text: UTF-8, with or without a byte-order mark; anything else refused.

    GB18030 (and GBK, its subset) is detected and named, not converted: a guess that is wrong
    for one byte would store a wrong name without anybody noticing.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            raw.decode("gb18030")
            encoding: str | None = "GB18030/GBK"
        except UnicodeDecodeError:
            encoding = None
        raise NotUtf8(encoding, exc.start) from exc
    return text.removeprefix(BOM)


@dataclass(slots=True)
class Problem:
    """What is wrong with a line, and where: the field (CSV column, JSON member) if known."""

    detail: str
    code: str
    field: str | None = None


@dataclass(slots=True)
class Line:
    """One input line: its number (1-based, in the file), its values, or why it has none."""

    number: int
    values: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)


def parse_ndjson(text: str) -> list[Line]:
    """One JSON object per line; blank lines are skipped (but keep their number)."""
    lines: list[Line] = []
    for number, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        try:
            value = json.loads(content)
        except (json.JSONDecodeError, RecursionError) as exc:
            problem = Problem(f"not JSON: {exc}", code="bulk_line_not_json")
            lines.append(Line(number, None, [problem]))
            continue
        if not isinstance(value, dict):
            lines.append(
                Line(number, None, [Problem("not a JSON object", code="bulk_line_not_json")])
            )
            continue
        lines.append(Line(number, value))
    return lines


def _cell(text: str) -> Any:
    """A CSV cell as a value: JSON arrays and objects (`["a","b"]`) and true/false are read as
    such; anything else stays text (a USCC of digits is text, not a number)."""
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except (json.JSONDecodeError, RecursionError):
            return text
    if stripped in ("true", "false"):
        return stripped == "true"
    return text


def parse_csv(text: str) -> list[Line]:
    """A header row of field names, then one record per row; an empty cell is an absent field.

    Line numbers are the file's (a quoted cell may span lines: the record's first line).
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return []
    names = [name.strip() for name in header]
    lines: list[Line] = []
    number = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            lines.append(Line(number, None, [Problem(f"not CSV: {exc}", code="bulk_line_not_csv")]))
            number = reader.line_num + 1
            continue
        if any(cell.strip() for cell in row):
            if len(row) != len(names):
                detail = f"{len(row)} cells for {len(names)} columns"
                lines.append(Line(number, None, [Problem(detail, code="bulk_line_not_csv")]))
            else:
                values = {n: _cell(c) for n, c in zip(names, row, strict=True) if c.strip() != ""}
                lines.append(Line(number, values))
        number = reader.line_num + 1
    return lines
