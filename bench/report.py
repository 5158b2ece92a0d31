"""Turn the wrk runs of bench/run.sh into a table and bench/results/latest.json.

    python bench/report.py RUNS.jsonl --out bench/results/latest.json [--setting NAME=VALUE ...]

Each line of RUNS.jsonl is one wrk run: {"endpoint", "target" (service|ceiling), "path", "round",
"server_cpu_s" (CPU time the server process used during the run), "wrk" (as bench/wrk.lua prints
it)}. Per endpoint and target it takes the median over rounds of requests/s, p50, p99 and server
CPU per request (each on its own), and the service/ceiling ratio of the median req/s.
Exits 1 when a run got error statuses (the numbers would not measure the intended work).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

TARGET_ENDPOINTS = ("GET /v1/stations/{id}", "GET /v1/stations")  # each on its own (issue 13)
TARGET_RATIO = 0.6
TARGET_P99_MS = 150.0
PACKAGES = (
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic-core",
    "sqlalchemy",
    "sqlmodel",
    "asyncpg",
    "orjson",
    "uvicorn",
    "uvloop",
    "httptools",
)


def _cpu_us_per_request(run: dict[str, Any]) -> float:
    return run["server_cpu_s"] * 1e6 / max(1, run["wrk"]["requests"])


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    runs = sorted(runs, key=lambda run: run["round"])
    results = [run["wrk"] for run in runs]
    errors = {
        kind: sum(result["errors"][kind] for result in results) for kind in results[0]["errors"]
    }
    return {
        "rps": round(statistics.median(r["rps"] for r in results), 1),
        "p50_ms": round(statistics.median(r["latency_us"]["p50"] for r in results) / 1000, 2),
        "p99_ms": round(statistics.median(r["latency_us"]["p99"] for r in results) / 1000, 2),
        "cpu_us_per_request": round(statistics.median(_cpu_us_per_request(r) for r in runs)),
        "errors": errors,
        "rounds": [
            {
                "rps": round(r["rps"], 1),
                "p50_ms": round(r["latency_us"]["p50"] / 1000, 2),
                "p90_ms": round(r["latency_us"]["p90"] / 1000, 2),
                "p99_ms": round(r["latency_us"]["p99"] / 1000, 2),
                "max_ms": round(r["latency_us"]["max"] / 1000, 2),
                "requests": r["requests"],
                "bytes": r["bytes"],
                "cpu_us_per_request": round(_cpu_us_per_request(run)),
            }
            for run, r in zip(runs, results, strict=True)
        ],
    }


def summarise(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per endpoint, in the order the runs first name them."""
    endpoints = list(dict.fromkeys(run["endpoint"] for run in runs))
    summaries = []
    for endpoint in endpoints:
        entry: dict[str, Any] = {"endpoint": endpoint}
        for target in ("service", "ceiling"):
            mine = [r for r in runs if r["endpoint"] == endpoint and r["target"] == target]
            entry[target] = _summary(mine) if mine else None
            if mine:
                entry[f"{target}_path"] = mine[0]["path"]
        if entry["service"] and entry["ceiling"]:
            entry["ratio"] = round(entry["service"]["rps"] / entry["ceiling"]["rps"], 3)
        summaries.append(entry)
    return summaries


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def _targets(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The target, judged on each endpoint: ratio >= 0.6 and service p99 < 150 ms."""
    verdicts = []
    for endpoint in TARGET_ENDPOINTS:
        entry = next((s for s in summaries if s["endpoint"] == endpoint), None)
        if entry is None or "ratio" not in entry:
            verdicts.append({"endpoint": endpoint, "met": None})
            continue
        ratio, p99 = entry["ratio"], entry["service"]["p99_ms"]
        verdicts.append(
            {
                "endpoint": endpoint,
                "min_ratio": TARGET_RATIO,
                "max_p99_ms": TARGET_P99_MS,
                "ratio": ratio,
                "p99_ms": p99,
                "met": ratio >= TARGET_RATIO and p99 < TARGET_P99_MS,
            }
        )
    return verdicts


def table(summaries: list[dict[str, Any]]) -> str:
    """The summary as a fixed-width text table."""
    header = (
        f"{'endpoint':<24} {'service req/s':>13} {'ceiling req/s':>13} {'ratio':>6}"
        f"  {'service p50/p99 ms':>19}  {'ceiling p50/p99 ms':>19}  {'CPU us/req svc/ceil':>19}"
    )
    lines = [header, "-" * len(header)]
    for entry in summaries:
        service, ceiling = entry["service"], entry["ceiling"]
        lines.append(
            f"{entry['endpoint']:<24} {service['rps']:>13,.0f} {ceiling['rps']:>13,.0f}"
            f" {entry['ratio']:>6.2f}"
            f"  {service['p50_ms']:>8.1f} / {service['p99_ms']:>8.1f}"
            f"  {ceiling['p50_ms']:>8.1f} / {ceiling['p99_ms']:>8.1f}"
            f"  {service['cpu_us_per_request']:>8,} / {ceiling['cpu_us_per_request']:>8,}"
        )
    lines.append("(CPU us/req: the server process's user+system CPU time per answered request)")
    lines.append("")
    lines.append("req/s by round (service | ceiling):")
    for entry in summaries:
        service = " ".join(f"{r['rps']:>7,.0f}" for r in entry["service"]["rounds"])
        ceiling = " ".join(f"{r['rps']:>7,.0f}" for r in entry["ceiling"]["rounds"])
        lines.append(f"  {entry['endpoint']:<24} {service} | {ceiling}")
    return "\n".join(lines)


def _setting(text: str) -> tuple[str, Any]:
    name, _, value = text.partition("=")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def main() -> int:
    """Read the runs, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--setting", action="append", default=[], type=_setting)
    args = parser.parse_args()
    runs = [json.loads(line) for line in args.runs.read_text().splitlines() if line.strip()]
    summaries = summarise(runs)
    targets = _targets(summaries)
    settings = dict(args.setting)
    print(table(summaries))
    print()
    for target in targets:
        if target["met"] is None:
            continue
        verdict = "met" if target["met"] else "NOT met"
        print(
            f"target on {target['endpoint']}: ratio {target['ratio']:.2f} (>= {TARGET_RATIO}),"
            f" service p99 {target['p99_ms']:.1f} ms (< {TARGET_P99_MS:.0f}) -> {verdict}"
        )
    bad_status = 0
    for entry in summaries:
        for target_name in ("service", "ceiling"):
            errors = entry[target_name]["errors"]
            if any(errors.values()):
                print(f"warning: {entry['endpoint']} {target_name} had errors {errors}")
            bad_status += errors["status"]
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": settings,
        "environment": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "packages": _versions(),
        },
        "endpoints": summaries,
        "targets": targets,
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    if bad_status:
        print(f"error: {bad_status} responses had an error status", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
