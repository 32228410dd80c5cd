#!/usr/bin/env python3
"""Builds the offline package-registry snapshots that the slopsquat detector ships.

Reads the registry name lists of the development machines and writes one gzip'd TSV per
ecosystem under rules-engine/src/main/resources/peregrine/slopsquat/, sorted by normalized name,
with a commented header that records the snapshot date, the sources and their coverage:

    python3 rules-engine/scripts/build-package-intel.py \
        --pypi /work/.library/env/packages/pypi.tsv \
        --npm /work/.library/env/packages/npm.tsv \
        --npm-high-impact /work/shared/data/npm-high-impact/npm-high-impact-top.js

Row format (tab-separated): name, popularity, flags.
  pypi: popularity = rank among the 15,000 most downloaded (empty when not ranked);
  npm:  popularity = downloads a month (empty when unknown).
  flags: 'h' = in the npm high-impact list; 'y' = young at the snapshot (latest release in
         the last YOUNG_MONTHS months with a first-release-looking version, unranked).
The output is byte-for-byte reproducible (fixed gzip mtime) so a rebuild from the same inputs
leaves git clean.
"""
import argparse
import datetime
import gzip
import os
import re

YOUNG_MONTHS = 3
FIRST_RELEASE_VERSION = re.compile(r"^(0\.0\.\d+|0\.0|0\.1|0\.1\.0|1\.0|1\.0\.0|0\.0\.1[a-z.]*\d*)$")
PEP503_SEPARATORS = re.compile(r"[-_.]+")
HIGH_IMPACT_ENTRY = re.compile(r"^\s*'((?:@[^'/]+/)?[^']+)',?\s*$")


def pep503(name):
    return PEP503_SEPARATORS.sub("-", name).lower()


def month_index(text):
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def snapshot_date(path, given):
    if given:
        return given
    return datetime.datetime.fromtimestamp(os.path.getmtime(path), datetime.timezone.utc).date().isoformat()


def write(out_path, header, rows):
    lines = ["# " + h for h in header]
    lines += ["\t".join(r) for r in rows]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(out_path, "wb") as raw:
        # mtime=0 and no file name: identical inputs give identical bytes
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(data)
    print(f"{out_path}: {len(rows)} names, {os.path.getsize(out_path)} bytes")


def build_pypi(path, date, out_dir):
    rows = {}
    snapshot_month = month_index(date[:7])
    young = 0
    with open(path, encoding="utf-8") as f:
        next(f)  # header: name, version, month, rank, summary
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if not cols or not cols[0]:
                continue
            name = pep503(cols[0])
            version = cols[1] if len(cols) > 1 else ""
            month = cols[2] if len(cols) > 2 else ""
            rank = cols[3] if len(cols) > 3 else ""
            flags = ""
            if not rank and re.match(r"^\d{4}-\d{2}$", month) \
                    and snapshot_month - month_index(month) < YOUNG_MONTHS \
                    and FIRST_RELEASE_VERSION.match(version):
                flags = "y"
                young += 1
            previous = rows.get(name)
            if previous is None or (rank and (not previous[0] or int(rank) < int(previous[0]))):
                rows[name] = (rank, flags)
    header = [
        "peregrine-package-intel 1",
        "ecosystem: pypi",
        f"snapshot: {date}",
        "coverage: complete",
        "popularity: rank among the 15000 most downloaded (empty: not ranked)",
        f"source: PyPI name list of the development machines ({os.path.basename(path)}), {len(rows)} names, PEP 503 normalized",
        f"young: {young} names unranked with a first-release version in the last {YOUNG_MONTHS} months",
    ]
    write(os.path.join(out_dir, "pypi.tsv.gz"), header,
          [(n, rows[n][0], rows[n][1]) for n in sorted(rows)])


def build_npm(path, high_impact_path, date, out_dir):
    rows = {}
    with open(path, encoding="utf-8") as f:
        next(f)  # header: name, version, downloads a month, summary
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if not cols or not cols[0]:
                continue
            name = cols[0].lower()
            downloads = cols[2] if len(cols) > 2 and cols[2].isdigit() else ""
            previous = rows.get(name)
            if previous is None or (downloads and (not previous[0] or int(downloads) > int(previous[0]))):
                rows[name] = [downloads, ""]
    listed = len(rows)
    high_impact = 0
    with open(high_impact_path, encoding="utf-8") as f:
        for line in f:
            match = HIGH_IMPACT_ENTRY.match(line)
            if match:
                name = match.group(1).lower()
                rows.setdefault(name, ["", ""])[1] = "h"
                high_impact += 1
    counted = sorted(int(r[0]) for r in rows.values() if r[0])
    header = [
        "peregrine-package-intel 1",
        "ecosystem: npm",
        f"snapshot: {date}",
        f"coverage: partial (names with about {counted[0] if counted else 0}+ downloads a month, plus the high-impact list)",
        "popularity: downloads a month (empty: unknown)",
        f"source: npm name list of the development machines ({os.path.basename(path)}), {listed} names;"
        f" wooorm/npm-high-impact v1.12.0 lib/top.js (MIT), {high_impact} names",
    ]
    write(os.path.join(out_dir, "npm.tsv.gz"), header,
          [(n, rows[n][0], rows[n][1]) for n in sorted(rows)])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pypi", default="/work/.library/env/packages/pypi.tsv")
    parser.add_argument("--npm", default="/work/.library/env/packages/npm.tsv")
    parser.add_argument("--npm-high-impact", default="/work/shared/data/npm-high-impact/npm-high-impact-top.js")
    parser.add_argument("--snapshot-date", help="YYYY-MM-DD; default: the pypi list's modification date")
    parser.add_argument("--out", default=os.path.join(here, "..", "src", "main", "resources", "peregrine", "slopsquat"))
    args = parser.parse_args()
    date = snapshot_date(args.pypi, args.snapshot_date)
    os.makedirs(args.out, exist_ok=True)
    build_pypi(args.pypi, date, args.out)
    build_npm(args.npm, args.npm_high_impact, date, args.out)


if __name__ == "__main__":
    main()
