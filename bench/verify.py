"""Check that the service and the ceiling answer the benchmarked requests with the same JSON.

    python bench/verify.py --service URL --ceiling URL --key API_KEY --ids FILE

Compares, parsed, `GET /v1/stations/{id}` with `GET /stations/{id}` for a few ids and
`GET /v1/stations` with `GET /stations`; exits 1 on any difference, so a benchmark never compares
a service with a ceiling that does less work than it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import httpx

SAMPLE = 5


def _get(client: httpx.Client, url: str, key: str | None = None) -> tuple[Any, int]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = client.get(url, headers=headers)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code} {response.text[:300]}")
    return response.json(), len(response.content)


def main() -> int:
    """Fetch both sides and compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", required=True)
    parser.add_argument("--ceiling", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ids", required=True, type=Path)
    args = parser.parse_args()
    ids = args.ids.read_text().split()
    step = max(1, len(ids) // SAMPLE)
    pairs = [(f"/v1/stations/{i}", f"/stations/{i}") for i in ids[::step][:SAMPLE]]
    pairs.append(("/v1/stations", "/stations"))
    failures = 0
    with httpx.Client(timeout=10) as client:
        for service_path, ceiling_path in pairs:
            expected, size = _get(client, args.service + service_path, args.key)
            actual, _ = _get(client, args.ceiling + ceiling_path)
            if expected != actual:
                failures += 1
                print(f"DIFFERENT: {service_path} vs {ceiling_path}", file=sys.stderr)
                print(f"  service: {str(expected)[:400]}", file=sys.stderr)
                print(f"  ceiling: {str(actual)[:400]}", file=sys.stderr)
            elif service_path == "/v1/stations":
                print(f"same JSON: {service_path} ({size} bytes, {len(expected['items'])} items)")
    if failures:
        return 1
    print(f"same JSON from service and ceiling on {len(pairs)} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
