"""Reports as tables for spreadsheets: CSV (UTF-8 with a BOM, one section per table) and .xlsx
(one sheet per table), headed in English or Chinese, vocabulary terms as codes or labels.

Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` …) is written so that it is
not: prefixed with `'` in CSV (as the hours ledger does), typed as a string in .xlsx.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from service.domain.service_records import spreadsheet_safe
from service.domain.vocabulary import Labelled

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
SHEET_NAME_MAX = 31  # Excel's limit


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its key, and its heading in English and in Chinese."""

    key: str
    en: str
    zh: str

    def heading(self, zh: bool) -> str:
        """The heading in the language asked for."""
        return self.zh if zh else self.en


@dataclass
class Table:
    """One table of a report: a title in both languages, columns, rows of raw values."""

    name: str
    title_zh: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    def title(self, zh: bool) -> str:
        """The table's title in the language asked for."""
        return self.title_zh if zh else self.name


def term_columns(prefix: str, vocabulary: type[Labelled], suffix_zh: str = "") -> list[Column]:
    """One column per term of a vocabulary (counts per partner type, per level …)."""
    return [
        Column(f"{prefix}{term.value}", f"{prefix}{term.value}", f"{term.label_zh}{suffix_zh}")
        for term in vocabulary
    ]


def _value(value: Any, zh: bool) -> Any:
    """A cell's value as written: labels for vocabulary terms in Chinese, text for ids."""
    if isinstance(value, Labelled):
        return value.label_zh if zh else value.value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("true" if value else "false")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_csv(tables: Sequence[Table], *, zh: bool) -> bytes:
    """The tables one after another, each under its title, a blank line between them."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # a BOM, so that a spreadsheet reads the Chinese as UTF-8
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([spreadsheet_safe(table.title(zh))])
        writer.writerow([column.heading(zh) for column in table.columns])
        for row in table.rows:
            writer.writerow([_csv_cell(_value(value, zh)) for value in row])
    return buffer.getvalue().encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return spreadsheet_safe(value) if isinstance(value, str) else value


def to_xlsx(tables: Sequence[Table], *, zh: bool) -> bytes:
    """One sheet per table, its first row the headings; text cells are never formulas."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(table.title(zh)[:SHEET_NAME_MAX])
        sheet.append([column.heading(zh) for column in table.columns])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, _value(value, zh)) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    # openpyxl writes a string as a formula only when it begins with `=`: that one is typed
    # as text (`=HYPERLINK(…)` stays words); the rest go as they are (a cell object costs).
    if not isinstance(value, str) or not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
