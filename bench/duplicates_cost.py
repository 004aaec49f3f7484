"""What the near-duplicate check (archive/duplicates.py) costs, and what it finds, on the ANT
corpus. Writes bench/results/duplicates-<label>.json.

    # an archive: the ANT corpus but its last --tail lines, imported once
    zcat ../shared/corpus/ant-multisource.jsonl.gz | head -n -2000 > /tmp/ant-base.jsonl
    zcat ../shared/corpus/ant-multisource.jsonl.gz | tail -n 2000 > /tmp/ant-tail.jsonl
    DATABASE_URL=postgres://.../scratch python manage.py import_articles /tmp/ant-base.jsonl \\
        --map title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url,\\
tags=cat,author=author
    DATABASE_URL=postgres://.../scratch python bench/duplicates_cost.py --label ant \\
        --tail /tmp/ant-tail.jsonl [--saves 300] [--repeats 3] [--trigram 5] \\
        [--skip-saves] [--skip-import] [--skip-archive]

Measured, each against that archive:
- per save: the admin form's check (duplicates.near_duplicates) for --saves articles of the
  tail (new texts, as an editor would add them) and as many copies of archive articles with
  one word changed (the case where it finds something); median, p95, max;
- per import: the tail imported with the check and without it (duplicates.CHECK_IMPORTS),
  alternately, --repeats times each, one process, each import rolled back afterwards and the
  table vacuumed so that every run starts from the same archive;
- the near-duplicates in the archive (every article against the others, threshold 0.5 so that
  the distribution below the threshold shows), with examples per band of similarity;
- --trigram N: the pg_trgm alternative for N saves (similarity of the whole body, through a
  trigram GIN index on the body built for the measurement and dropped after).
"""

import argparse
import collections
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django

django.setup()

from django.db import OperationalError, connection, transaction  # noqa: E402

from archive import duplicates, imports  # noqa: E402
from archive.models import Article  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ANT_MAP = (
    "title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url,"
    "tags=cat,author=author"
)


TRIGRAM_TIMEOUT_S = 15


class Rollback(Exception):
    pass


def percentiles(values):
    values = sorted(values)
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(values[int(0.95 * (len(values) - 1))] * 1000, 2),
        "max_ms": round(values[-1] * 1000, 2),
    }


def clean_indexes():
    """Vacuum the articles (dead rows of a rolled-back import) and empty the GIN pending
    lists, so that each measured run starts from the same state."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM archive_article")
        cursor.execute("SELECT gin_clean_pending_list('article_pairs'::regclass)")


def per_save(tail_rows, saves, seed=1):
    random.seed(seed)
    new = random.sample(tail_rows, min(saves, len(tail_rows)))
    ids = list(Article.objects.order_by("?").values_list("pk", flat=True)[:saves])
    copies = []
    for article in Article.objects.filter(pk__in=ids):
        words = article.body.split()
        if len(words) > 10:
            words[len(words) // 2] = "كلمة"
        copies.append((article.title, article.lead, " ".join(words), article.pk))
    for row in new[:10]:  # warm the caches
        duplicates.near_duplicates(row["title"], row["abstract"], row["text"])
    times, found = [], 0
    for row in new:
        started = time.perf_counter()
        hits = duplicates.near_duplicates(row["title"], row["abstract"], row["text"])
        times.append(time.perf_counter() - started)
        found += bool(hits)
    copy_times, copy_found = [], 0
    for title, lead, body, pk in copies:
        started = time.perf_counter()
        hits = duplicates.near_duplicates(title, lead, body)
        copy_times.append(time.perf_counter() - started)
        copy_found += any(h.article.pk == pk for h in hits)
    return {
        "new_texts": {**percentiles(times), "warned": found},
        "copies_one_word_changed": {**percentiles(copy_times), "found": copy_found},
    }


def timed(function, spent, name):
    """`function`, adding the seconds each call takes to spent[name]."""

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    return wrapper


def one_import(path, check):
    """One import of `path`, rolled back; its summary, with the seconds spent inside the check
    (and, of those, merging the pending list) measured directly: on a shared machine the
    difference between two whole imports is mostly noise."""
    duplicates.CHECK_IMPORTS = check
    clean_indexes()
    spent = collections.Counter()
    originals = duplicates.check_import, duplicates.merge_pending_pairs
    duplicates.check_import = timed(originals[0], spent, "check")
    duplicates.merge_pending_pairs = timed(originals[1], spent, "merge")
    try:
        with transaction.atomic():
            summary = imports.import_file(path, imports.parse_map(ANT_MAP), quiet=True)
            raise Rollback
    except Rollback:
        pass
    finally:
        duplicates.CHECK_IMPORTS = True
        duplicates.check_import, duplicates.merge_pending_pairs = originals
    summary.check_seconds = spent["check"]
    summary.merge_seconds = spent["merge"]
    return summary


def per_import(path, repeats):
    runs = {"with": [], "without": []}
    one_import(path, False)  # warm-up, not counted
    for i in range(repeats):
        order = ("with", "without") if i % 2 == 0 else ("without", "with")
        for side in order:
            summary = one_import(path, side == "with")
            runs[side].append(
                {
                    "seconds": round(summary.seconds, 2),
                    "read": summary.read,
                    "created": summary.created,
                    "near_duplicates": summary.near_duplicates,
                    "check_seconds": round(summary.check_seconds, 2),
                    "merge_seconds": round(summary.merge_seconds, 2),
                }
            )
            print(side, runs[side][-1], flush=True)
    result = {}
    for side, entries in runs.items():
        seconds = statistics.median(e["seconds"] for e in entries)
        created = entries[0]["created"]
        result[side] = {
            "runs": entries,
            "median_seconds": round(seconds, 2),
            "seconds_per_1000_rows": round(seconds / entries[0]["read"] * 1000, 2),
            "rows_per_second": round(entries[0]["read"] / seconds, 1),
            "created": created,
        }
    inside = statistics.median(e["check_seconds"] for e in runs["with"])
    result["check_seconds_inside_per_1000_rows"] = round(inside / runs["with"][0]["read"] * 1000, 2)
    extra = result["with"]["median_seconds"] - result["without"]["median_seconds"]
    result["check_seconds_per_1000_rows"] = round(
        extra / result["with"]["runs"][0]["read"] * 1000, 2
    )
    result["slowdown"] = round(
        result["with"]["median_seconds"] / result["without"]["median_seconds"], 3
    )
    return result


def in_archive():
    """Every article against the others at 0.5, and examples per band."""
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    saved = dict(duplicates._PARAMS)
    duplicates._PARAMS["threshold"] = 0.5
    started = time.perf_counter()
    try:
        pairs = []
        for i in range(0, len(ids), 1000):
            pairs += duplicates.pairs_among(ids[i : i + 1000])
    finally:
        duplicates._PARAMS.clear()
        duplicates._PARAMS.update(saved)
    seconds = time.perf_counter() - started
    bands = collections.Counter(min(int(s * 10) / 10, 1.0) if s < 1 else 1.0 for *_, s in pairs)
    above = [p for p in pairs if p[2] >= duplicates.THRESHOLD]
    random.seed(7)
    examples = {}
    for low, high in ((0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.01)):
        chosen = random.sample(
            [p for p in pairs if low <= p[2] < high], min(5, sum(low <= p[2] < high for p in pairs))
        )
        examples[f"{low:.1f}-{min(high, 1.0):.1f}"] = [
            describe(new, other, similarity) for new, other, similarity in chosen
        ]
    return {
        "articles": len(ids),
        "seconds_all_against_all": round(seconds, 1),
        "pairs_by_similarity": {f"{k:.1f}": v for k, v in sorted(bands.items())},
        "pairs_at_threshold": len(above),
        "articles_at_threshold": len({a for p in above for a in p[:2]}),
        "identical_pairs": sum(p[2] >= 1 for p in pairs),
        "examples": examples,
    }


def describe(new, other, similarity):
    a, b = (Article.objects.select_related("source").get(pk=pk) for pk in (new, other))
    return {
        "similarity": round(similarity, 3),
        "a": f"{a.source.name} {a.published_at:%Y-%m-%d} «{a.title}» ({len(a.body.split())} words)",
        "b": f"{b.source.name} {b.published_at:%Y-%m-%d} «{b.title}» ({len(b.body.split())} words)",
    }


def trigram(tail_rows, n):
    """pg_trgm: candidates by the body's trigrams (body % text), the same saves."""
    rows = random.sample(tail_rows, n)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "CREATE INDEX bench_article_body_trgm ON archive_article USING gin (body gin_trgm_ops)"
        )
        build = time.perf_counter() - started
        cursor.execute("SELECT pg_relation_size('bench_article_body_trgm')")
        size = cursor.fetchone()[0]
        try:
            times, timeouts = [], 0
            cursor.execute("SET pg_trgm.similarity_threshold = 0.8")
            cursor.execute(f"SET statement_timeout = {TRIGRAM_TIMEOUT_S * 1000}")
            for row in rows:
                started = time.perf_counter()
                try:
                    with transaction.atomic():
                        cursor.execute(
                            "SELECT id, similarity(body, %s) FROM archive_article WHERE body %% %s",
                            [row["text"], row["text"]],
                        )
                        cursor.fetchall()
                except OperationalError:  # the statement timeout
                    timeouts += 1
                times.append(time.perf_counter() - started)
        finally:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute("DROP INDEX bench_article_body_trgm")
    return {
        **percentiles(times),
        "timeouts": timeouts,
        "timeout_seconds": TRIGRAM_TIMEOUT_S,
        "index_build_seconds": round(build, 1),
        "index_bytes": size,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True)
    parser.add_argument("--tail", required=True, help="JSON Lines of ANT rows not yet imported")
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--trigram", type=int, default=0)
    parser.add_argument("--skip-saves", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-archive", action="store_true")
    args = parser.parse_args()
    tail_rows = [json.loads(line) for line in Path(args.tail).read_text().splitlines()]
    tail_rows = [r for r in tail_rows if r.get("title") and r.get("text")]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('server_version_num')")
        server = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM archive_article")
        size = cursor.fetchone()[0]
    result = {
        "label": args.label,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores (shared with other work)",
        "server": server,
        "archive_articles": size,
        "tail_rows": len(tail_rows),
        "threshold": duplicates.THRESHOLD,
        "min_pairs": duplicates.MIN_PAIRS,
        "probes": duplicates.PROBES,
        "band": duplicates.BAND,
    }
    clean_indexes()
    if not args.skip_saves:
        result["per_save"] = per_save(tail_rows, args.saves)
        print(json.dumps(result["per_save"], indent=2), flush=True)
    if args.trigram:
        result["trigram_per_save"] = trigram(tail_rows, args.trigram)
        print(json.dumps(result["trigram_per_save"], indent=2), flush=True)
    if not args.skip_import:
        result["per_import"] = per_import(args.tail, args.repeats)
    if not args.skip_archive:
        result["in_archive"] = in_archive()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"duplicates-{args.label}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()
