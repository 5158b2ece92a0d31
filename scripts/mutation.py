"""Mutation testing with mutmut (`make mutate`, `make mutate-ci`): run it afresh, then write the
score of each module and every mutant that lived, with its diff, to a report.

mutmut's configuration is `[tool.mutmut]` in pyproject.toml (which files, which tests). A run
starts from an empty `mutants/` so that a changed test can never leave a stale verdict behind.
Survivors that CONTRIBUTING.md names as equivalent (in backticks) are listed apart.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
# A test failed, timed out, the types refused the mutant, or it crashed the tests (SIGABRT/SEGV).
KILLED = {1, 3, 24, -24, 36, 37, 152, 255, -6, -11}
SURVIVED = 0
NO_TESTS = {5, 33}
DOMAIN = "service/domain/"


def run_mutmut(patterns: list[str]) -> None:
    """One fresh mutmut run over the configured files, or only the mutants matching `patterns`."""
    shutil.rmtree(MUTANTS, ignore_errors=True)
    mutmut = Path(sys.executable).with_name("mutmut")
    completed = subprocess.run([str(mutmut), "run", *patterns], cwd=ROOT, check=False)
    if completed.returncode != 0:
        sys.exit(f"mutmut run failed with exit code {completed.returncode}")


def verdicts(patterns: list[str]) -> dict[str, tuple[str, int | None]]:
    """Each mutant's source file and exit code, from mutmut's `.meta` files."""
    found: dict[str, tuple[str, int | None]] = {}
    for meta in sorted(MUTANTS.glob("service/**/*.py.meta")):
        source = str(meta.relative_to(MUTANTS))[: -len(".meta")]
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if not patterns or any(fnmatch.fnmatch(name, p) for p in patterns):
                found[name] = (source, code)
    return found


def score(codes: list[int | None]) -> tuple[int, int, float]:
    """Killed, total and the percentage killed."""
    killed = sum(code in KILLED for code in codes)
    return killed, len(codes), 100.0 * killed / len(codes) if codes else 100.0


def equivalents() -> set[str]:
    """The mutants CONTRIBUTING.md explains as equivalent (named in backticks)."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    return set(re.findall(r"`(service\.[\w.ǁ]+__mutmut_\d+)`", text))


def diff_of(name: str, source: str) -> str:
    """The mutant as a diff against the original function (mutmut's own rendering)."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(name, path=source).strip()


def report(found: dict[str, tuple[str, int | None]]) -> tuple[str, dict[str, float]]:
    """The report's text and the score of each group (service/domain/ and every other file)."""
    by_file: dict[str, list[int | None]] = {}
    for source, code in found.values():
        by_file.setdefault(source, []).append(code)
    domain = [
        code for source, codes in by_file.items() if source.startswith(DOMAIN) for code in codes
    ]
    rows = ([(DOMAIN, domain)] if domain else []) + sorted(by_file.items())
    scores = {}
    lines = ["# Mutation testing", "", "| module | killed | mutants | score |", "|---|---|---|---|"]
    for name, codes in rows:
        killed, total, scores[name] = score(codes)
        lines.append(f"| `{name}` | {killed} | {total} | {scores[name]:.1f} % |")
    known = equivalents()
    lived = [(n, s, c) for n, (s, c) in sorted(found.items()) if c not in KILLED]
    unexplained = [entry for entry in lived if entry[0] not in known]
    statuses = Counter(
        "survived" if c == SURVIVED else "no tests" if c in NO_TESTS else str(c)
        for _, _, c in lived
    )
    lines += [
        "",
        f"Not killed: {len(lived)} ({dict(statuses)}); equivalent (CONTRIBUTING.md):"
        f" {len(lived) - len(unexplained)}; unexplained: {len(unexplained)}.",
        "",
    ]
    for name, source, code in unexplained:
        status = "survived" if code == SURVIVED else "no tests" if code in NO_TESTS else code
        lines += [f"## {name} ({status})", "", "```diff", diff_of(name, source), "```", ""]
    return "\n".join(lines) + "\n", scores


def main() -> None:
    """Run, report, and fail when a group scores below the threshold."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("patterns", nargs="*", help="mutant names to run, e.g. service.domain.x.*")
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "mutation-report.md")
    parser.add_argument("--fail-under", type=float, default=None, help="minimum score, percent")
    parser.add_argument("--report-only", action="store_true", help="report the last run")
    args = parser.parse_args()
    os.chdir(ROOT)  # mutmut reads pyproject.toml and mutants/ from the working directory
    if not args.report_only:
        run_mutmut(args.patterns)
    text, scores = report(verdicts(args.patterns))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text.split("\n\n## ")[0])
    print(f"report: {args.output}")
    low = {group: s for group, s in scores.items() if args.fail_under and s < args.fail_under}
    if low:
        sys.exit(f"mutation score below {args.fail_under} %: {low}")


if __name__ == "__main__":
    main()
