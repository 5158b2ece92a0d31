"""The layers point one way: routers → usecases → domain/db, and the domain is pure.

Every module under service/ is parsed with `ast` (nothing is imported), so a forbidden import is
found wherever it hides: at the top, inside a function, or under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "service"


@dataclass(frozen=True)
class Import:
    """One imported name: `from a.b import c` gives `a.b.c`, `import a.b` gives `a.b`."""

    module: str
    path: str
    line: int
    target: str

    def __str__(self) -> str:
        return f"{self.module} ({self.path}:{self.line}) imports {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(
    source: str, module: str, *, is_package: bool, path: str = "<string>"
) -> list[Import]:
    """Every import in the source, relative ones resolved against `module`."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(module, path, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found += [
                Import(module, path, node.lineno, f"{base}.{alias.name}") for alias in node.names
            ]
    return found


def layer_imports(layer: str) -> list[Import]:
    directory = SERVICE / layer
    found: list[Import] = []
    for path in sorted(directory.rglob("*.py")):
        found += imports_of(
            path.read_text(encoding="utf-8"),
            module_name(path),
            is_package=path.name == "__init__.py",
            path=str(path.relative_to(ROOT)),
        )
    return found


def within(target: str, prefix: str) -> bool:
    return target == prefix or target.startswith(prefix + ".")


def is_stdlib(target: str) -> bool:
    return target.split(".")[0] in sys.stdlib_module_names


# The one exception: the allocation solver is OR-Tools' min-cost flow (issue 4 asks for a proven
# solver, not hand-written matching); pure computation, and no other domain module may use it.
DOMAIN_EXCEPTIONS = {"service.domain.allocation": ("ortools",)}


def impure(imp: Import) -> bool:
    """The domain may use the standard library and itself, nothing else (but the exceptions)."""
    if any(within(imp.target, allowed) for allowed in DOMAIN_EXCEPTIONS.get(imp.module, ())):
        return False
    return not (is_stdlib(imp.target) or within(imp.target, "service.domain"))


def forbidden(*prefixes: str) -> Callable[[Import], bool]:
    def check(imp: Import) -> bool:
        return any(within(imp.target, prefix) for prefix in prefixes)

    return check


RULES: dict[str, tuple[str, Callable[[Import], bool]]] = {
    "domain": ("imports only the standard library and service.domain", impure),
    "routers": (
        "never imports sqlalchemy, sqlmodel or service.db (routers call use cases)",
        forbidden("sqlalchemy", "sqlmodel", "service.db"),
    ),
    "usecases": (
        "never imports service.routers or service.http",
        forbidden("service.routers", "service.http"),
    ),
    "db": (
        "never imports service.usecases, service.routers or service.http",
        forbidden("service.usecases", "service.routers", "service.http"),
    ),
}


@pytest.mark.parametrize("layer", RULES)
def test_layer_imports_point_one_way(layer: str) -> None:
    rule, breaks = RULES[layer]
    imports = layer_imports(layer)
    assert imports, f"service/{layer} has no imports: is the path right?"
    offending = [str(imp) for imp in imports if breaks(imp)]
    assert not offending, f"service/{layer} {rule}; offending:\n  " + "\n  ".join(offending)


# --- the checker itself catches what it should ------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("import fastapi", "fastapi"),
        ("from pydantic import BaseModel", "pydantic.BaseModel"),
        ("import sqlalchemy.orm as orm", "sqlalchemy.orm"),
        ("def f():\n    import httpx\n", "httpx"),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import asyncpg\n", "asyncpg"),
        ("from service.db.tables import StationRecord", "service.db.tables.StationRecord"),
        ("from service import settings", "service.settings"),
        ("from ..db import tables", "service.db.tables"),
        ("from .. import http", "service.http"),
        ("from ortools.graph.python import min_cost_flow", "ortools.graph.python.min_cost_flow"),
    ],
)
def test_checker_flags_impure_domain_imports(source: str, target: str) -> None:
    imports = imports_of(source, "service.domain.stations", is_package=False)
    assert target in [imp.target for imp in imports if impure(imp)]


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations",
        "import re, uuid",
        "from collections.abc import Iterable",
        "from service.domain.errors import FieldProblem",
        "from .errors import FieldProblem",
        "from . import geo",
    ],
)
def test_checker_allows_pure_domain_imports(source: str) -> None:
    imports = imports_of(source, "service.domain.stations", is_package=False)
    assert imports
    assert [imp for imp in imports if impure(imp)] == []


def test_checker_resolves_imports_in_a_package_init() -> None:
    [imp] = imports_of("from .repositories import stations", "service.db", is_package=True)
    assert imp.target == "service.db.repositories.stations"


def test_checker_flags_a_router_importing_the_database() -> None:
    source = "from service.db.repositories.stations import StationFilter"
    [imp] = imports_of(source, "service.routers.stations", is_package=False)
    assert forbidden("sqlalchemy", "sqlmodel", "service.db")(imp)
    assert "service.routers.stations" in str(imp) and "service.db.repositories" in str(imp)
