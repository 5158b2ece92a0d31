"""The `linkage` command as an operator uses it: version, help, clients, separation of duties."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from service.cli import main
from service.settings import get_settings


@pytest.fixture
def embedded(tmp_path, monkeypatch) -> Iterator[None]:
    """The CLI on an embedded database of its own."""
    for name in ("LINKAGE_DATABASE_URL", "LINKAGE_READ_DATABASE_URL", "LINKAGE_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LINKAGE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's --help and --version
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_version_and_help_for_every_option(embedded, capsys):
    code, out, _ = run(capsys, "--version")
    assert (code, out.split()[0]) == (0, "linkage")
    for command in (["serve"], ["migrate"], ["clients", "create"], ["clients", "list"], ["demo"]):
        code, out, _ = run(capsys, *command, "--help")
        assert code == 0
        assert out.count("--") >= 1
        assert "\n\n" in out  # a description, not just usage


def test_clients_are_created_once_listed_and_kept_apart(embedded, capsys):
    code, out, err = run(
        capsys, "clients", "create", "--name", "case-system", "--scope", "pii:read"
    )
    assert code == 0, err
    client = json.loads(out)
    assert client["api_key"].startswith("lk_")
    assert "shown only this once" in err
    assert "SQLite" in err

    code, _, err = run(
        capsys, "clients", "create", "--name", "both", "--scope", "pii:read", "--scope", "audit"
    )
    assert code == 1
    assert "separation of duties" in err

    _, table, _ = run(capsys, "clients", "list")
    assert table.splitlines()[0].split()[:4] == ["ID", "KEY", "STATE", "BINDING"]
    _, listed, _ = run(capsys, "clients", "list", "--json")
    assert [(c["id"], c["scopes"]) for c in json.loads(listed)] == [(client["id"], ["pii:read"])]
    assert "api_key" not in json.loads(listed)[0]


def test_demo_loads_once_and_is_removed(embedded, capsys):
    code, out, err = run(capsys, "demo")
    assert code == 0, err
    assert out.startswith("demo data loaded: 3 station, 3 office, 2 organisation, 3 linkage")
    assert "SQLite" in out

    code, _, err = run(capsys, "demo")
    assert code == 1
    assert "loaded already" in err

    code, out, err = run(capsys, "demo", "--remove")
    assert code == 0, err
    assert out.startswith("demo data removed: ")
    assert "6 volunteer" in out and "2 resource_request" in out
