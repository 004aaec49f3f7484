"""Peak memory of `manage.py import_articles` on a small gzip that holds one huge line: the
importer must reject that row without holding it, and stay under 400 MB whatever the file
holds. Writes bench/results/import-memory.json (one entry per --label).

    DATABASE_URL=postgres://.../scratch python bench/import_memory.py --label after
    DATABASE_URL=postgres://.../scratch python bench/import_memory.py --label after-csv --csv

The file (JSON Lines, or CSV with --csv): first --at-bound rows whose body is just under the
importer's bound on a field (1M characters, of one that takes 4 bytes: the most a row can
weigh), valid rows that it writes several to a batch; then normal rows with one line of
--big-mb MB in the middle (a row whose body is that long and whose outlet is empty, so that
an importer that reads it whole rejects it without sending it to the database's analyser).
The rows go into the database of DATABASE_URL (a migrated scratch one); those of an earlier
run are deleted first, so that every run creates them.
--tree runs the command of another source tree (a worktree of an older commit, say).
"""

import argparse
import csv
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULT = Path(__file__).resolve().parent / "results" / "import-memory.json"
ANT_MAP = "title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url"
LIMIT_MB = 400
URL_PREFIX = "https://bench.example.org/import-memory/"


def row(n, **fields):
    return {
        "url": f"{URL_PREFIX}{n}",
        "src": "bench-memory",
        "title": f"عنوان الخبر رقم {n}",
        "time_iso": "2018-06-28T05:02:25+00:00",
        "abstract": f"مقدمة الخبر {n}",
        "text": f"نص الخبر رقم {n} عن الاقتصاد والسياسة في المنطقة.",
        **fields,
    }


# Characters just under imports.MAX_FIELD, of one that takes 4 bytes (in Python and in UTF-8).
AT_BOUND = 2**20 - 1000
WIDE = "\U0001d400"


def build(path, rows, big_mb, at_bound):
    """Written a piece at a time: the bench itself never holds the big line."""
    if path.name.endswith(".csv.gz"):
        return build_csv(path, rows, big_mb, at_bound)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
        for n in range(at_bound):
            out.write(json.dumps(row(f"bound-{n}", text=WIDE * AT_BOUND), ensure_ascii=False))
            out.write("\n")
        for n in range(rows):
            out.write(json.dumps(row(n), ensure_ascii=False) + "\n")
            if n == rows // 2:
                head = json.dumps(row("big", src="", text="@"), ensure_ascii=False)
                before, after = head.split('"@"')
                out.write(before + '"')
                piece = "a" * 2**20
                for _ in range(big_mb):
                    out.write(piece)
                out.write('"' + after + "\n")


def build_csv(path, rows, big_mb, at_bound):
    columns = list(row(0))
    with gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=6) as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for n in range(at_bound):
            writer.writerow(row(f"bound-{n}", text=WIDE * AT_BOUND).values())
        for n in range(rows):
            writer.writerow(row(n).values())
            if n == rows // 2:
                big = row("big", src="", text="@")
                before, after = ",".join(str(big[c]) for c in columns).split("@")
                out.write(before)
                piece = "a" * 2**20
                for _ in range(big_mb):
                    out.write(piece)
                out.write(after + "\r\n")


def delete_earlier_rows(url):
    import psycopg

    with psycopg.connect(url) as db:
        ids = "SELECT id FROM archive_article WHERE url LIKE %s"
        for table in ("archive_article_tags", "archive_article_credited_sources"):
            db.execute(f"DELETE FROM {table} WHERE article_id IN ({ids})", [URL_PREFIX + "%"])
        db.execute("DELETE FROM archive_article WHERE url LIKE %s", [URL_PREFIX + "%"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--big-mb", type=int, default=300)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--at-bound", type=int, default=8)
    parser.add_argument("--csv", action="store_true", help="a CSV file instead of JSON Lines")
    parser.add_argument("--tree", default=str(BASE_DIR), help="the source tree to run")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to a migrated scratch database")
    tree = Path(args.tree).resolve()
    delete_earlier_rows(os.environ["DATABASE_URL"])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("huge-line.csv.gz" if args.csv else "huge-line.jsonl.gz")
        build(path, args.rows, args.big_mb, args.at_bound)
        command = [
            sys.executable,
            "manage.py",
            "import_articles",
            str(path),
            "--map",
            ANT_MAP,
            "--rejects",
            str(Path(folder) / "rejects.jsonl"),
            "--no-vocabulary",
            "-v",
            "0",
        ]
        started = time.monotonic()
        finished = subprocess.run(command, cwd=tree, capture_output=True, text=True)
        seconds = time.monotonic() - started
        # The largest resident set of any child waited for: here, the command alone.
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rejects_file = Path(folder) / "rejects.jsonl"
        rejects = rejects_file.read_text().splitlines() if rejects_file.exists() else []
        gzip_bytes = path.stat().st_size
    summary = [line for line in finished.stdout.splitlines() if " read " in line]
    result = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True
        ).stdout.strip(),
        "gzip_bytes": gzip_bytes,
        "format": "csv" if args.csv else "jsonl",
        "big_line_mb": args.big_mb,
        "normal_rows": args.rows,
        "rows_at_field_bound": args.at_bound,
        "returncode": finished.returncode,
        "summary": re.sub(r"^\S+: |; rejects in .*", "", summary[-1]) if summary else None,
        "error": finished.stderr.strip().splitlines()[-1:] if finished.returncode else None,
        "rejects": [json.loads(line) for line in rejects][:5],
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "under_limit": peak_mb < LIMIT_MB,
    }
    results = json.loads(RESULT.read_text()) if RESULT.exists() else {}
    results[args.label] = result
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
