"""The costliest requests a reader can make, timed: a phrase with a stop word inside, many
tag= values, the longest query the parser keeps. Results go to bench/results/worst-<label>.json;
bench/report.py adds them to bench/RESULTS.md.

    DATABASE_URL=postgres://.../bench_server_31k python bench/worst_query.py --label server-31.5k

One gunicorn worker (sync) serves the requests; each is timed from a client on the same
machine, on the API and on the page (/), with the status it answered; a case slower than
--budget seconds gets fewer requests. For several tags, distinct tags are needed (a tag named
twice is one join): the script adds --tags tags and, before the cases of N tags, puts tags 1..N
on the same --tagged articles; it removes them all when it is done or stopped (run it on a
database nobody else is measuring meanwhile).
"""

import argparse
import http.client
import json
import os
import random
import signal
import sys
import time
import urllib.parse

import psutil
from api_bench import RESULTS, connect, server_info, start_server, summarize

# Short slugs: gunicorn refuses a request line over 4,094 bytes (414), and 300 tags must fit.
TAG_PREFIX = "bw"
TAG_MARK = "bench worst tag "  # the English name the added tags are found by, to remove them
STOP_WORD_PHRASES = ['"الحكومة من الرئيس"', '"الرئيس في"', '"وزير الخارجية في الحكومة"']


def add_tags(url, count):
    """`count` tags, on no article yet (link_tags gives them articles); returns their slugs."""
    remove_tags(url)
    with connect(url) as db:
        ids = db.execute(
            "INSERT INTO archive_tag (kind, name_ar, name_en, slug, description)"
            " SELECT 'topic', 'وسم للقياس ' || n, %s || n, %s || n, ''"
            " FROM generate_series(1, %s) n RETURNING id, slug",
            [TAG_MARK, TAG_PREFIX, count],
        ).fetchall()
    return [slug for _, slug in sorted(ids)]


def link_tags(url, first, last, tagged):
    """Puts the added tags first..last (1-based) on the same `tagged` articles (every tenth
    published article with الرئيس in its body), so that those articles have every tag asked
    for, as a reader's several tags would all be on the articles found."""
    with connect(url) as db:
        db.execute(
            "INSERT INTO archive_article_tags (article_id, tag_id)"
            " SELECT a.id, t.id FROM (SELECT id FROM archive_article"
            "  WHERE status = 'published' AND body LIKE '%%الرئيس%%' AND id %% 10 = 0"
            "  ORDER BY id LIMIT %s) a"
            " CROSS JOIN (SELECT id FROM archive_tag WHERE name_en = ANY(%s)) t",
            [tagged, [f"{TAG_MARK}{n}" for n in range(first, last + 1)]],
        )
        db.execute("ANALYZE archive_article_tags")
        db.execute("ANALYZE archive_tag")


def remove_tags(url):
    with connect(url) as db:
        # A request that gunicorn's timeout killed leaves its query running on the server.
        db.execute(
            "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state = 'active'"
        )
        db.execute(
            "DELETE FROM archive_article_tags WHERE tag_id IN"
            " (SELECT id FROM archive_tag WHERE name_en LIKE %s)",
            [TAG_MARK + "%"],
        )
        db.execute("DELETE FROM archive_tag WHERE name_en LIKE %s", [TAG_MARK + "%"])


def long_queries(url, rng):
    """The longest queries the parser keeps (500 characters, 32 terms): words that must all
    match, the same words joined by OR, and a phrase copied from an article."""
    with connect(url) as db:
        middle = [
            w
            for (w,) in db.execute(
                "SELECT word FROM archive_search_vocabulary WHERE word ~ '^[ء-ي]{4,}$'"
                " AND ndoc BETWEEN 50 AND 5000 ORDER BY md5(word) LIMIT 200"
            ).fetchall()
        ]
        body = db.execute(
            "SELECT body FROM archive_article WHERE status = 'published'"
            " AND length(body) > 2000 ORDER BY id LIMIT 1"
        ).fetchone()[0]
    words = rng.sample(middle, 40)
    sentence = " ".join(body.split())[:480]
    return {
        "32 words, all must match": " ".join(words)[:500],
        "32 words joined by OR": " OR ".join(words)[:500],
        "a phrase of 480 characters from an article": f'"{sentence}"',
        "a query of 5,000 characters (cut to 500)": " ".join(words * 20)[:5000],
    }


def cases(url, rng, slugs):
    """{kind: (params, tags the articles must carry by then)}, the tag cases last, by count."""
    mix = {}
    for phrase in STOP_WORD_PHRASES:
        mix[f"phrase with a stop word {phrase}"] = ([("q", phrase)], 0)
    for name, text in long_queries(url, rng).items():
        mix[name] = ([("q", text)], 0)
    with connect(url) as db:
        real = [
            s
            for (s,) in db.execute(
                "SELECT slug FROM archive_tag WHERE name_en NOT LIKE %s"
                " ORDER BY length(slug), id LIMIT 1",
                [TAG_MARK + "%"],
            )
        ]
    if real:
        mix["300 times the same tag"] = ([("tag", real[0])] * 300, 0)
    mix["300 unknown tags"] = ([("tag", f"u{n}") for n in range(300)], 0)
    for count in (1, 5, 10, 20, 50, 300):
        if len(slugs) >= count:
            tags = [("tag", s) for s in slugs[:count]]
            name = f"{count} distinct tag{'s' if count > 1 else ''}"
            mix[name] = (tags, count)
            if count in (50, 300):
                mix[f"{count} distinct tags + الرئيس"] = ([("q", "الرئيس"), *tags], count)
            if count == 50:
                mix["50 distinct tags + the stop-word phrase"] = (
                    [("q", STOP_WORD_PHRASES[0]), *tags],
                    count,
                )
    return mix


def run(mix, repeats, port, budget, tagged):
    url = os.environ["DATABASE_URL"]
    server = start_server(url, port=port)
    results, peak, linked = {}, 0, 0
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        for kind, (params, carried) in mix.items():
            if carried > linked:
                link_tags(url, linked + 1, carried, tagged)
                linked = carried
            query = urllib.parse.urlencode(params)
            for where in ("/api/articles/", "/"):
                key = f"{kind} — {'API' if where.startswith('/api') else 'page'}"
                api = results.get(f"{kind} — API")
                if where == "/" and api and api["max"] > budget * 1000:
                    print(f"  {key}: not measured (the API took longer than the budget)")
                    continue
                times, statuses, body, status = [], {}, b"", None
                spent = 0.0
                for n in range(repeats + 2):
                    started = time.perf_counter()
                    try:
                        conn.request("GET", f"{where}?{query}")
                        response = conn.getresponse()
                        body, status = response.read(), response.status
                    except (OSError, http.client.HTTPException) as error:
                        body, status = b"", type(error).__name__
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                    elapsed = time.perf_counter() - started
                    spent += elapsed
                    if n >= 2 or spent > budget:  # the first two warm up, unless slow
                        times.append(elapsed)
                        statuses[status] = statuses.get(status, 0) + 1
                    if spent > budget and (len(times) >= 3 or elapsed > budget):
                        break  # a slow case: fewer requests; one that exceeds the budget alone
                count = None
                if where.startswith("/api") and status == 200:
                    data = json.loads(body)
                    count = [data["count"], data["count_is_estimate"]]
                peak = max(
                    peak, *(c.memory_info().rss for c in psutil.Process(server.pid).children())
                )
                results[key] = {
                    **summarize(times),
                    "statuses": statuses,
                    "count": count,
                    "query_chars": len(query),
                }
                print(f"  {key}: {results[key]}", flush=True)
    finally:
        server.terminate()
        server.wait()
    return results, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="e.g. server-31.5k")
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per case")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--tags", type=int, default=300, help="distinct tags to add (0: none)")
    parser.add_argument("--tagged", type=int, default=1000, help="articles given each tag")
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds per case before fewer requests"
    )
    parser.add_argument("--note", default="", help="what else the machine was doing")
    args = parser.parse_args()
    # A stop by `kill` still removes the added tags (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    url = os.environ["DATABASE_URL"]
    rng = random.Random(15)
    slugs = add_tags(url, args.tags) if args.tags else []
    try:
        mix = cases(url, rng, slugs)
        results, peak = run(mix, args.repeats, args.port, args.budget, args.tagged)
    finally:
        if args.tags:
            remove_tags(url)
    with connect(url) as db:
        published = db.execute(
            "SELECT count(*) FROM archive_article WHERE status = 'published'"
        ).fetchone()[0]
    out = RESULTS / f"worst-{args.label}.json"
    out.write_text(
        json.dumps(
            {
                "label": args.label,
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "machine": {
                    "cores": os.cpu_count(),
                    "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                },
                "server": server_info(url),
                "note": args.note,
                "published": published,
                "tags_added": args.tags,
                "articles_per_tag": args.tagged,
                "budget_seconds": args.budget,
                "results": results,
                "worker_rss_mb": round(peak / 2**20, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
