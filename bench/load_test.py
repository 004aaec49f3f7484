"""A load test anyone can rerun: N concurrent readers for a fixed time against gunicorn, with
the query mix of api_bench.py (on the API and on the page) plus article, tag and outlet pages,
feeds and CSV exports. Results go to bench/results/load-<label>.json; bench/report.py adds
them to bench/RESULTS.md.

    DATABASE_URL=postgres://.../bench_server_31k python bench/load_test.py --label server-31.5k

By default the script starts `gunicorn newsroom.wsgi -w 4` (sync workers, DJANGO_DEBUG=false,
DJANGO_HTTPS=false) on 127.0.0.1:8101 and stops it afterwards; --no-start measures a server
already running at --port instead. Each reader is a thread with its own kept-alive connection,
sending its next request as soon as the last one is answered (no think time: 50 readers are
50 requests in flight). An error is a 5xx, a 4xx (every request of the mix is valid), or a
connection that failed or timed out. Only the standard library, psycopg and psutil are needed.
"""

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psutil
from api_bench import (
    BASE_DIR,
    RESULTS,
    connect,
    percentile,
    query_mix,
    server_info,
    word_lists,
)

# Share of each kind of request in the mix (they add up to 100).
WEIGHTS = {
    "api search": 30,
    "page search": 25,
    "home page": 5,
    "article page": 15,
    "tag page": 5,
    "outlet page": 4,
    "feed": 6,
    "feed of a search": 4,
    "CSV export of a search": 3,
    "claims": 3,
}


def targets(url, rng):
    """{kind: [path, ...]}: the requests each kind is drawn from."""
    words = word_lists(url, rng)
    searches = [
        urllib.parse.urlencode(params)
        for requests in query_mix(words, rng).values()
        for params in requests
    ]
    with connect(url) as db:
        articles = [
            s
            for (s,) in db.execute(
                "SELECT slug FROM archive_article WHERE status = 'published'"
                " ORDER BY md5(id::text) LIMIT 500"
            )
        ]
        tags = [  # tags with articles (a tag page of none answers 404)
            s
            for (s,) in db.execute(
                "SELECT slug FROM archive_tag t WHERE EXISTS (SELECT 1 FROM archive_article_tags"
                " WHERE tag_id = t.id) ORDER BY id LIMIT 50"
            )
        ]
        sources = [s for (s,) in db.execute("SELECT slug FROM archive_source ORDER BY id")]
    quote = urllib.parse.quote
    return {
        "api search": [f"/api/articles/?{q}" for q in searches],
        "page search": [f"/?{q}" for q in searches],
        "home page": ["/", "/?sort=oldest", "/?page=3"],
        "article page": [f"/articles/{quote(s)}/" for s in articles],
        "tag page": [f"/tags/{quote(s)}/" for s in tags],
        "outlet page": [f"/sources/{quote(s)}/" for s in sources],
        "feed": ["/feeds/articles/"],
        "feed of a search": [f"/feeds/articles/?q={quote(w)}" for w in words["middle"][:50]],
        "CSV export of a search": [
            f"/export/articles.csv?q={quote(w)}" for w in words["rare"][:50] + words["middle"][:10]
        ],
        "claims": ["/claims/", "/api/claims/"],
    }


def start_gunicorn(url, port, workers):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "load-test-only"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "newsroom.wsgi",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/robots.txt")
            conn.getresponse().read()
            return server, " ".join(["gunicorn", *command[3:]])
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def reader(port, plan, deadline, timeout, records, rng):
    """One reader: requests until the deadline; appends (kind, status, seconds, bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        path = rng.choice(plan[kind])
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            size = len(response.read())
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status, size = type(error).__name__, 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        records.append((kind, status, time.perf_counter() - started, size, path))
    conn.close()


def summary(records):
    ms = [r[2] * 1000 for r in records]
    errors = [r for r in records if not (isinstance(r[1], int) and r[1] < 400)]
    return {
        "requests": len(records),
        "p50": round(percentile(ms, 50), 1) if ms else None,
        "p95": round(percentile(ms, 95), 1) if ms else None,
        "p99": round(percentile(ms, 99), 1) if ms else None,
        "max": round(max(ms), 1) if ms else None,
        "errors": len(errors),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="e.g. server-31.5k")
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's sync workers")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--no-start", action="store_true", help="use a server already running")
    parser.add_argument("--timeout", type=float, default=60, help="a reader's wait, seconds")
    parser.add_argument("--note", default="", help="what else the machine was doing")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL to the database the server reads")
    rng = random.Random(50)
    plan = targets(url, rng)
    server, command = None, "(a server already running)"
    if not args.no_start:
        server, command = start_gunicorn(url, args.port, args.workers)
    records, threads = [], []
    try:
        # One request of each kind first, so that every worker has loaded what it needs.
        for paths in plan.values():
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
            conn.request("GET", paths[0])
            conn.getresponse().read()
        started = time.monotonic()
        deadline = started + args.seconds
        for n in range(args.readers):
            thread = threading.Thread(
                target=reader,
                args=(args.port, plan, deadline, args.timeout, records, random.Random(n)),
            )
            thread.start()
            threads.append(thread)
        peak = 0
        while any(t.is_alive() for t in threads):
            if server is not None:
                for child in psutil.Process(server.pid).children():
                    try:
                        peak = max(peak, child.memory_info().rss)
                    except psutil.Error:
                        pass
            time.sleep(1)
        elapsed = time.monotonic() - started
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    # Requests still in flight at the deadline finish after it: count them all over the
    # time until the last one ended.
    result = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        },
        "server": server_info(url),
        "note": args.note,
        "gunicorn": command,
        "readers": args.readers,
        "seconds": round(elapsed, 1),
        "requests_per_second": round(len(records) / elapsed, 1),
        **summary(records),
        "worker_rss_mb": round(peak / 2**20, 1) if peak else None,
        "by_kind": {
            kind: summary([r for r in records if r[0] == kind])
            for kind in WEIGHTS
            if any(r[0] == kind for r in records)
        },
        "statuses": {
            s: sum(1 for r in records if str(r[1]) == s)
            for s in sorted({str(r[1]) for r in records})
        },
        "error_examples": [
            {"path": r[4], "status": r[1], "ms": round(r[2] * 1000)}
            for r in records
            if not (isinstance(r[1], int) and r[1] < 400)
        ][:20],
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"load-{args.label}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "by_kind"}, ensure_ascii=False))
    for kind, figures in result["by_kind"].items():
        print(f"  {kind}: {figures}")
    print(f"wrote {out}")


if __name__ == "__main__":
    Path(RESULTS).mkdir(exist_ok=True)
    main()
