"""The event catalogue as files: one JSON Schema per type, and an index (openapi/events/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.domain.events import CATALOGUE, event_schema

SCHEMA_BASE = "https://linkage.hangzhou.gov.cn/events/"


def event_schema_files() -> dict[str, str]:
    """File name → content of every schema and of index.json."""
    files: dict[str, str] = {}
    index: list[dict[str, Any]] = []
    for kind in CATALOGUE:
        name = f"{kind.name}.json"
        files[name] = _dump(event_schema(kind, base_uri=SCHEMA_BASE))
        index.append(
            {
                "type": kind.name,
                "subject": kind.subject,
                "description": kind.description,
                "schema": name,
            }
        )
    files["index.json"] = _dump({"event_types": index})
    return files


def _dump(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_event_schemas(directory: Path) -> int:
    """Write the files (removing schemas of types that no longer exist); how many types."""
    directory.mkdir(parents=True, exist_ok=True)
    files = event_schema_files()
    for stale in directory.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    for name, content in files.items():
        (directory / name).write_text(content, encoding="utf-8")
    return len(files) - 1
