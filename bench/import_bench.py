"""The import rate and the importer's memory: runs `manage.py import_articles` into the
database of DATABASE_URL and writes bench/results/import-<label>.json.

    DATABASE_URL=postgres://.../scratch python bench/import_bench.py --label ant-2 \\
        ../shared/corpus/ant-multisource.jsonl.gz --workers 2

The database should be freshly migrated: the rate counts created rows.

--analyser sql makes the database index with the SQL analyser for this import instead of the
native one (archive/search/native/), to compare the two; the result records which one ran.

--bulk, for loading a large archive into an empty table: the text indexes (GIN) are dropped
before the import and built again after it, in one pass each, as bulk loads are done; the
result then gives the import's time and the indexes' build time apart. `--finish-bulk` only
builds them (and adds the time to the label's result), for a load begun by hand.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from api_bench import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from archive import search

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
ANT_MAP = (
    "title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url,"
    "tags=cat,author=author"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--map", default=ANT_MAP)
    parser.add_argument("--bulk", action="store_true")
    parser.add_argument("--analyser", choices=["native", "sql"], default="native")
    parser.add_argument("--finish-bulk", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL to a freshly migrated database")
    if args.finish_bulk:
        path = RESULTS / f"import-{args.label}.json"
        result = json.loads(path.read_text()) if path.exists() else {"label": args.label}
        result["index_build_seconds"] = build_text_indexes(url)
        path.write_text(json.dumps(result, indent=2))
        print(json.dumps(result, indent=2))
        return
    if not args.paths:
        sys.exit("give the files to import")
    analyser = choose_analyser(url, args.analyser)
    server = server_version(url)
    if args.bulk:
        drop_text_indexes(url)
    command = [
        sys.executable,
        "manage.py",
        "import_articles",
        *args.paths,
        "--map",
        args.map,
        "--workers",
        str(args.workers),
        "--no-vocabulary",
    ]
    if len(args.paths) == 1:
        command += ["--rejects", "/tmp/import-bench.rejects.jsonl"]
    started = time.monotonic()
    log = tempfile.TemporaryFile("w+")  # not a pipe: a long import would fill it and block
    process = subprocess.Popen(command, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT)
    root = psutil.Process(process.pid)
    peak = {}
    timeline = []  # (seconds, largest RSS of any process): does memory grow with the file?
    last_sample = 0.0
    while process.poll() is None:
        largest = 0
        try:
            for proc in [root, *root.children(recursive=True)]:
                rss = proc.memory_info().rss
                peak[proc.pid] = max(peak.get(proc.pid, 0), rss)
                largest = max(largest, rss)
        except psutil.Error:
            pass
        now = time.monotonic() - started
        if largest and now - last_sample >= 30:
            timeline.append([round(now), round(largest / 2**20, 1)])
            last_sample = now
        time.sleep(0.2)
    log.seek(0)
    output = log.read()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        sys.exit(f"import failed:\n{output}")
    line = [x for x in output.splitlines() if " read " in x][-1]
    figures = {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r"(read|created|updated|rejected) ([\d,]+)", line)
    }
    figures["skipped"] = int(re.search(r"skipped as duplicates ([\d,]+)", line)[1].replace(",", ""))
    size = sum(Path(p).stat().st_size for p in args.paths)
    result = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d"),
        "files": [Path(p).name for p in args.paths],
        "file_bytes": size,
        "workers": args.workers,
        "analyser": analyser,
        "server": server,
        "seconds": round(seconds, 1),
        "rows_per_second": round(figures["read"] / seconds),
        "created_per_second": round(figures["created"] / seconds),
        "peak_rss_mb_per_process": round(max(peak.values()) / 2**20, 1),
        "rss_mb_timeline": timeline,
        **figures,
    }
    if args.bulk:
        result["index_build_seconds"] = build_text_indexes(url)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"import-{args.label}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


def server_version(url):
    """The PostgreSQL server's version, e.g. '15.20'."""
    with connect(url) as db:
        return db.execute("SHOW server_version").fetchone()[0].split()[0]


def choose_analyser(url, wanted):
    """Points archive_text_vectors at the wanted analyser; returns the one in use."""
    with connect(url) as db, db.cursor() as cursor:
        cursor.execute("SELECT to_regproc('archive_text_vectors_native')")
        if wanted == "sql" or cursor.fetchone()[0]:
            search.point_text_vectors(cursor, native=wanted == "native")
        return search.analyser_in_use(cursor)


# The GIN indexes of the article table. (The plain way's table and index are built from the
# articles afterwards, by bench/api_bench.py.)
TEXT_INDEXES = {
    "article_search": "CREATE INDEX article_search ON archive_article USING gin (search_vector)",
    "article_pairs": "CREATE INDEX article_pairs ON archive_article USING gin (pair_vector)",
}


def drop_text_indexes(url):
    with connect(url) as db:
        for name in TEXT_INDEXES:
            db.execute(f"DROP INDEX IF EXISTS {name}")


def build_text_indexes(url):
    """{index: seconds} for each text index built (in one pass, with 1 GB to sort in)."""
    seconds = {}
    with connect(url) as db:
        db.execute("SET maintenance_work_mem = '1GB'")
        for name, sql in TEXT_INDEXES.items():
            started = time.monotonic()
            db.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
            seconds[name] = round(time.monotonic() - started, 1)
            print(f"{name}: {seconds[name]} s", flush=True)
        db.execute("VACUUM ANALYZE archive_article")
    return seconds


if __name__ == "__main__":
    main()
