"""Server time of GET /api/articles/ for a mix of queries, against a database of articles,
next to the same queries done the plain way. Results go to bench/results/<label>.json;
bench/report.py turns them into bench/RESULTS.md.

    DATABASE_URL=postgres://.../newsroom_bench python bench/api_bench.py --label 1M

A gunicorn worker (one, sync) serves the API on a local port; each request is timed from a
client on the same machine over a kept-alive connection (loopback adds little). The plain way
runs as SQL on the same server: the stock 'arabic' configuration, ts_rank over every match,
exact counts, exact facets and OFFSET paging.
"""

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psutil
import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
PORT = 8765

ALIASES = [
    ("place", "بيونغ يانغ", "Pyongyang", ["بيونج يانج", "بيونغيانغ"]),
    ("person", "دونالد ترامب", "Donald Trump", ["ترمب", "دونالد ترمب"]),
    ("organisation", "حلف شمال الأطلسي", "NATO", ["الناتو", "حلف الأطلسي"]),
]
PHRASES = [
    '"وزير الخارجية"',
    '"الأمم المتحدة"',
    '"مجلس الأمن"',
    '"البيت الأبيض"',
    '"كوريا الشمالية"',
    '"رئيس الوزراء"',
]
ALIAS_QUERIES = ["بيونج يانج", "ترمب", "الناتو", "حلف الأطلسي"]
COMMON = ["الرئيس"]
# The plain way's own table: the columns its queries need and the stock 'arabic' vector with
# its GIN index, kept out of archive_article so that the archive measured is the one a
# newsroom has (stock vectors in its TOAST were read into the page cache with its own).
PLAIN_TABLE = "bench_plain_article"
PLAIN_BUILD = (
    f"CREATE TABLE {PLAIN_TABLE} AS SELECT id, status, source_id, published_at,"
    " setweight(to_tsvector('arabic', title), 'A') ||"
    " setweight(to_tsvector('arabic', lead), 'B') ||"
    " setweight(to_tsvector('arabic', body), 'C') AS stock_vector FROM archive_article"
)
PLAIN_INDEXES = (
    f"ALTER TABLE {PLAIN_TABLE} ADD PRIMARY KEY (id)",
    f"CREATE INDEX bench_plain_search ON {PLAIN_TABLE} USING gin (stock_vector)",
)


def prepare_plain(db):
    """The plain way's table, (re)built when it is missing or no longer holds every article.
    A stock column left in archive_article by an earlier version of this script is dropped."""
    db.execute("ALTER TABLE archive_article DROP COLUMN IF EXISTS stock_vector")
    articles = db.execute("SELECT count(*) FROM archive_article").fetchone()[0]
    if db.execute("SELECT to_regclass(%s)", [PLAIN_TABLE]).fetchone()[0]:
        if db.execute(f"SELECT count(*) FROM {PLAIN_TABLE}").fetchone()[0] == articles:
            return
        db.execute(f"DROP TABLE {PLAIN_TABLE}")
    print(f"building the plain way's table of {articles:,} stock 'arabic' vectors ...", flush=True)
    db.execute("SET maintenance_work_mem = '1GB'")
    for sql in (PLAIN_BUILD, *PLAIN_INDEXES):
        db.execute(sql)
    db.execute(f"VACUUM ANALYZE {PLAIN_TABLE}")


def connect(url):
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def prepare(url, plain=True):
    """The tags with aliases the mix asks for, the plain way's table (with `plain`),
    statistics and the vocabulary."""
    with connect(url) as db:
        for kind, name_ar, name_en, aliases in ALIASES:
            row = db.execute("SELECT id FROM archive_tag WHERE name_ar = %s", [name_ar]).fetchone()
            if row is None:
                slug = name_en.lower().replace(" ", "-")
                row = db.execute(
                    "INSERT INTO archive_tag (kind, name_ar, name_en, slug, description)"
                    " VALUES (%s, %s, %s, %s, '') RETURNING id",
                    [kind, name_ar, name_en, slug],
                ).fetchone()
            for alias in aliases:
                db.execute(
                    "INSERT INTO archive_tagalias (tag_id, name) VALUES (%s, %s)"
                    " ON CONFLICT DO NOTHING",
                    [row[0], alias],
                )
        if plain:
            prepare_plain(db)
        db.execute("VACUUM ANALYZE archive_article")
        print("refreshing the vocabulary ...", flush=True)
        db.execute("REFRESH MATERIALIZED VIEW archive_search_vocabulary")


def word_lists(url, rng):
    with connect(url) as db:
        total = db.execute(
            "SELECT count(*) FROM archive_article WHERE status = 'published'"
        ).fetchone()[0]
        arabic = "word ~ '^[ء-ي]{4,}$'"
        rare = [
            w
            for (w,) in db.execute(
                f"SELECT word FROM archive_search_vocabulary WHERE {arabic}"
                " AND ndoc BETWEEN 3 AND 30 ORDER BY md5(word) LIMIT 200"
            ).fetchall()
        ]
        middle = [
            w
            for (w,) in db.execute(
                f"SELECT word FROM archive_search_vocabulary WHERE {arabic}"
                " AND ndoc BETWEEN %s AND %s ORDER BY md5(word) LIMIT 200",
                [max(total // 200, 10), max(total // 20, 20)],
            ).fetchall()
        ]
        # The articles the search finds for each common word (its stem, through the index).
        common = [
            (
                word,
                db.execute(
                    "SELECT count(*) FROM archive_article WHERE status = 'published'"
                    " AND search_vector @@ (SELECT quote_literal(stem)::tsquery"
                    " FROM archive_terms(%s) LIMIT 1)",
                    [word],
                ).fetchone()[0],
            )
            for word in COMMON
        ]
        sources = [
            s
            for (s,) in db.execute(
                "SELECT s.slug FROM archive_source s JOIN archive_article a ON a.source_id = s.id"
                " GROUP BY 1 ORDER BY count(*) DESC LIMIT 3"
            ).fetchall()
        ]
        years = [
            y
            for (y,) in db.execute(
                "SELECT DISTINCT extract(year FROM published_at)::int FROM archive_article"
                " ORDER BY 1"
            ).fetchall()
        ]
    pairs = [f"{rng.choice(middle)} {rng.choice(middle)}" for _ in range(40)]
    return {
        "total": total,
        "rare": rare,
        "middle": middle,
        "pairs": pairs,
        "common_share": {w: n / total for w, n in common},
        "sources": sources,
        "years": years,
    }


def query_mix(words, rng):
    """{type: [params, ...]}: each type's requests, varied."""
    year = words["years"][len(words["years"]) // 2]
    dates = {"date_from": f"{year}-01-01", "date_to": f"{year}-12-31"}
    return {
        "rare word": [{"q": w} for w in rng.sample(words["rare"], min(30, len(words["rare"])))],
        "common word (الرئيس)": [{"q": "الرئيس"}],
        "two words": [{"q": p} for p in words["pairs"][:30]],
        "phrase": [{"q": p} for p in PHRASES],
        "name by its alias": [{"q": q} for q in ALIAS_QUERIES],
        "common word + outlet + dates": [
            {"q": "الرئيس", "source": s, **dates} for s in words["sources"]
        ],
        "two words + outlet + dates": [
            {"q": p, "source": words["sources"][0], **dates} for p in words["pairs"][:10]
        ],
        "common word, newest first": [{"q": "الرئيس", "sort": "newest"}],
        "common word, page 50": [{"q": "الرئيس", "page": 50}],
        "rare word, page 1 of a date sort": [
            {"q": w, "sort": "newest"} for w in words["rare"][30:50]
        ],
    }


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summarize(times):
    ms = [t * 1000 for t in times]
    return {
        "n": len(ms),
        "p50": round(percentile(ms, 50), 1),
        "p95": round(percentile(ms, 95), 1),
        "p99": round(percentile(ms, 99), 1),
        "max": round(max(ms), 1),
    }


def start_server(url, cwd=BASE_DIR, port=PORT):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback, and no line per request in the measured worker.
        "DJANGO_HTTPS": "false",
        "DJANGO_REQUEST_LOG": "false",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "newsroom.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=cwd,
        env=env,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/robots.txt")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def worker_rss(server):
    children = psutil.Process(server.pid).children()
    return max(child.memory_info().rss for child in children) if children else 0


def run_api(mix, repeats, port=PORT):
    server = None
    results, peak = {}, 0
    try:
        server = start_server(os.environ["DATABASE_URL"], port=port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for kind, requests in mix.items():
            times = []
            for params in requests[:3]:  # warm-up
                conn.request("GET", "/api/articles/?" + urllib.parse.urlencode(params))
                conn.getresponse().read()
            sample = (requests * repeats)[: max(repeats, len(requests))]
            counts = []
            for params in sample:
                started = time.perf_counter()
                conn.request("GET", "/api/articles/?" + urllib.parse.urlencode(params))
                response = conn.getresponse()
                body = response.read()
                times.append(time.perf_counter() - started)
                if response.status != 200:
                    raise RuntimeError(f"{kind} {params}: {response.status} {body[:300]!r}")
                data = json.loads(body)
                counts.append((data["count"], data["count_is_estimate"]))
            peak = max(peak, worker_rss(server))
            results[kind] = {
                **summarize(times),
                "example": sample[0],
                "matches": sorted({c for c, _ in counts})[:3],
                "estimated": any(e for _, e in counts),
            }
            print(f"  {kind}: {results[kind]}", flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    return results, peak


def run_plain(url, mix, repeats):
    """The same requests the plain way, in SQL: stock configuration, rank of every match,
    exact count and facets, OFFSET paging."""
    results = {}
    with connect(url) as db:
        if not db.execute("SELECT to_regclass(%s)", [PLAIN_TABLE]).fetchone()[0]:
            sys.exit(f"{PLAIN_TABLE} is missing: run without --skip-prepare once to build it")
        for kind, requests in mix.items():
            times = []
            sample = (requests * repeats)[: max(repeats, len(requests))]
            for params in sample:
                where = ["status = 'published'", "stock_vector @@ q"]  # on PLAIN_TABLE
                args = [params["q"]]
                if "source" in params:
                    where.append("source_id = (SELECT id FROM archive_source WHERE slug = %s)")
                    args.append(params["source"])
                if "date_from" in params:
                    where.append("published_at >= %s::date AND published_at < %s::date + 1")
                    args += [params["date_from"], params["date_to"]]
                order = (
                    "published_at DESC"
                    if params.get("sort") == "newest"
                    else "ts_rank(stock_vector, q) DESC, published_at DESC"
                )
                offset = (int(params.get("page", 1)) - 1) * 20
                query = "websearch_to_tsquery('arabic', %s)"
                started = time.perf_counter()
                db.execute(
                    f"SELECT id FROM {PLAIN_TABLE}, {query} q WHERE {' AND '.join(where)}"
                    f" ORDER BY {order} LIMIT 20 OFFSET {offset}",
                    args,
                )
                db.execute(
                    f"SELECT count(*) FROM {PLAIN_TABLE}, {query} q WHERE {' AND '.join(where)}",
                    args,
                )
                db.execute(
                    f"SELECT source_id, count(*) FROM {PLAIN_TABLE}, {query} q"
                    f" WHERE {' AND '.join(where)} GROUP BY 1",
                    args,
                )
                times.append(time.perf_counter() - started)
            results[kind] = summarize(times)
            print(f"  plain {kind}: {results[kind]}", flush=True)
    return results


def server_info(url):
    """The server's version and the analyser its trigger calls (native C or SQL)."""
    with connect(url) as db:
        version = db.execute("SHOW server_version").fetchone()[0].split()[0]
        source = db.execute(
            "SELECT prosrc FROM pg_proc"
            " WHERE oid = 'archive_text_vectors(text, \"char\")'::regprocedure"
        ).fetchone()[0]
    return {"version": version, "analyser": "native" if "_native(" in source else "sql"}


def sizes(url):
    with connect(url) as db:
        rows = db.execute(
            "SELECT c.relname, pg_relation_size(c.oid), pg_total_relation_size(c.oid)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')"
            " AND (c.relname LIKE 'archive_article%' OR c.oid IN (SELECT indexrelid FROM pg_index"
            " WHERE indrelid = 'archive_article'::regclass)) ORDER BY 3 DESC"
        ).fetchall()
        toast = db.execute(
            "SELECT pg_total_relation_size(reltoastrelid) FROM pg_class"
            " WHERE relname = 'archive_article'"
        ).fetchone()[0]
        count = db.execute("SELECT count(*) FROM archive_article").fetchone()[0]
        plain = db.execute(
            "SELECT pg_total_relation_size(to_regclass(%s))", [PLAIN_TABLE]
        ).fetchone()[0]
    return {
        "articles": count,
        "toast_bytes": toast,
        "relations": {name: {"bytes": size, "total_bytes": total} for name, size, total in rows},
        # Not part of the archive: the plain way's table, with its TOAST and indexes.
        "plain_table_bytes": plain,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="e.g. 31.5k or 1M")
    parser.add_argument("--repeats", type=int, default=40, help="requests per query type")
    parser.add_argument("--skip-prepare", action="store_true")
    parser.add_argument("--port", type=int, default=PORT, help="the gunicorn worker's port")
    parser.add_argument(
        "--note", default="", help="what else the machine was doing, kept with the figures"
    )
    parser.add_argument(
        "--reuse-plain",
        action="store_true",
        help="keep the plain way's figures of the label's last run (they do not change with "
        "this code) instead of measuring them again",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL to the database to measure")
    out = RESULTS / f"{args.label}.json"
    reuse_plain = args.reuse_plain and out.exists()
    if not args.skip_prepare:
        prepare(url, plain=not reuse_plain)
    rng = random.Random(31525)
    words = word_lists(url, rng)
    mix = query_mix(words, rng)
    print(
        f"{words['total']:,} published articles; الرئيس is in "
        f"{words['common_share'].get('الرئيس', 0):.0%} of them",
        flush=True,
    )
    api, rss = run_api(mix, args.repeats, port=args.port)
    if reuse_plain:
        plain = json.loads(out.read_text())["plain"]
    else:
        plain = run_plain(url, mix, max(5, args.repeats // 4))
    RESULTS.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "label": args.label,
                "date": time.strftime("%Y-%m-%d"),
                "machine": {
                    "cores": os.cpu_count(),
                    "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                },
                "server": server_info(url),
                "note": args.note,
                "published": words["total"],
                "common_share": words["common_share"],
                "api": api,
                "plain": plain,
                "worker_rss_mb": round(rss / 2**20, 1),
                "sizes": sizes(url),
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
