"""What the history (django-pghistory's triggers, archive/history.py) costs the import: the
same file imported with the history on and off, the runs interleaved, each into a fresh copy of
one migrated database. Results go to bench/results/import-history-<label>.json; report.py adds
them to bench/RESULTS.md.

    python bench/import_history.py --label server-ant --server postgres://postgres@127.0.0.1:5432 \\
        --analyser sql --repeats 3 ../shared/corpus/ant-multisource.jsonl.gz

--first N imports only the file's first N lines; --breakdown times instead one import batch's
statements and triggers under EXPLAIN ANALYZE (bench/results/history-breakdown-<label>.json).

The sides (--sides; the default: off statement row):
- off: the history's triggers disabled (ALTER TABLE ... DISABLE TRIGGER on every trigger that
  calls _pgh_attach_context), the import run as before the history, without a context;
- statement: the triggers as migrated (PGHISTORY_LEVEL = pgtrigger.Statement: one run a
  statement), the import inside `recorded("import", ...)` as the archive's imports run;
- statement-no-context: the same without the context (no context row, no set_config);
- row: the same triggers installed at row level (pgtrigger.Row, pghistory's default: one run
  a row), with the context.

Each repeat runs every side once, into a database made afresh from a template
(CREATE DATABASE ... TEMPLATE), alternating the sides' order from one repeat to the next so
that the machine's drift weighs on all alike. The templates (bench_hist_template and
bench_hist_template_row on --server) are migrated once and kept; --fresh makes them again.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from api_bench import connect

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
ANT_MAP = (
    "title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url,"
    "tags=cat,author=author"
)
TEMPLATE = "bench_hist_template"
ROW_TEMPLATE = "bench_hist_template_row"
RUN_DATABASE = "bench_hist_run"
# side: (template, history triggers enabled, import inside a history context)
SIDES = {
    "off": (TEMPLATE, False, False),
    "statement": (TEMPLATE, True, True),
    "statement-no-context": (TEMPLATE, True, False),
    "row": (ROW_TEMPLATE, True, True),
}
HISTORY_TRIGGERS = """
    SELECT t.tgrelid::regclass::text, t.tgname, t.tgtype & 1 = 1
    FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE NOT t.tgisinternal AND p.prosrc LIKE '%%_pgh_attach_context%%'
    ORDER BY 1, 2
"""


def database_url(server, name):
    """The URL of database `name` on the server of `server` (a URL, its database ignored)."""
    base, _, query = server.partition("?")
    base = re.sub(r"/[^/@]*$", "", base) if base.count("/") > 2 else base
    return f"{base}/{name}" + (f"?{query}" if query else "")


def first_lines(path, count):
    """A gzipped copy of the first `count` lines of `path`, in the temporary folder."""
    import gzip
    import tempfile

    out = Path(tempfile.gettempdir()) / f"{Path(path).name.split('.')[0]}-first-{count}.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as source:
        with gzip.open(out, "wt", encoding="utf-8") as target:
            for number, line in enumerate(source):
                if number == count:
                    break
                target.write(line)
    return str(out)


def child_env(url):
    return os.environ | {"DATABASE_URL": url, "DJANGO_SECRET_KEY": "bench"}


def make_templates(server, analyser, fresh):
    """The migrated template, and its copy whose history triggers run once a row."""
    with connect(database_url(server, "postgres")) as db:
        exists = {
            name
            for (name,) in db.execute(
                "SELECT datname FROM pg_database WHERE datname = ANY(%s)",
                [[TEMPLATE, ROW_TEMPLATE]],
            )
        }
        if fresh:
            for name in exists:
                db.execute(f"DROP DATABASE {name}")
            exists = set()
        if TEMPLATE not in exists:
            db.execute(f"CREATE DATABASE {TEMPLATE}")
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"],
                cwd=BASE_DIR,
                env=child_env(database_url(server, TEMPLATE)),
                check=True,
            )
            point_analyser(database_url(server, TEMPLATE), analyser)
        if ROW_TEMPLATE not in exists:
            db.execute(f"CREATE DATABASE {ROW_TEMPLATE} TEMPLATE {TEMPLATE}")
            subprocess.run(
                [sys.executable, __file__, "--child-install-row"],
                cwd=BASE_DIR,
                env=child_env(database_url(server, ROW_TEMPLATE)),
                check=True,
            )
    for name, row_level in ((TEMPLATE, False), (ROW_TEMPLATE, True)):
        with connect(database_url(server, name)) as db:
            levels = {row for _, _, row in db.execute(HISTORY_TRIGGERS)}
        if levels != {row_level}:
            sys.exit(f"{name}: history triggers at the wrong level ({levels})")


def point_analyser(url, wanted):
    """Points the search trigger at the wanted analyser; returns the one in use."""
    sys.path.insert(0, str(BASE_DIR))
    from archive import search

    with connect(url) as db, db.cursor() as cursor:
        cursor.execute("SELECT to_regproc('archive_text_vectors_native')")
        if wanted == "sql" or cursor.fetchone()[0]:
            search.point_text_vectors(cursor, native=wanted == "native")
        return search.analyser_in_use(cursor)


def fresh_database(server, template, history_on):
    """RUN_DATABASE made again from `template`; the history's triggers disabled unless
    `history_on`. Returns its URL."""
    with connect(database_url(server, "postgres")) as db:
        db.execute(f"DROP DATABASE IF EXISTS {RUN_DATABASE}")
        db.execute(f"CREATE DATABASE {RUN_DATABASE} TEMPLATE {template}")
    url = database_url(server, RUN_DATABASE)
    with connect(url) as db:
        if not history_on:
            for table, trigger, _ in db.execute(HISTORY_TRIGGERS).fetchall():
                db.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        db.execute("CHECKPOINT")  # the last run's dirty pages are not this one's cost
    return url


# What the import's connections are doing: waiting on a lock (the history's context row is
# one row that every statement of the import's processes upserts), on I/O, or at work.
ACTIVITY = """
    SELECT coalesce(wait_event_type || ': ' || wait_event, 'running')
    FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend'
        AND state = 'active' AND pid <> pg_backend_pid()
"""


def sample_activity(url, stop, found):
    """Counts in `found` the wait events of the import's connections, once a second."""
    with connect(url) as db:
        while not stop.wait(1):
            for (event,) in db.execute(ACTIVITY):
                found[event] = found.get(event, 0) + 1


def import_once(url, paths, workers, context):
    """(seconds, the import's counts, its connections' wait events sampled once a second) of
    one import into `url`, timed from outside."""
    import threading

    command = [sys.executable, __file__, "--child-import", *paths, "--workers", str(workers)]
    if context:
        command.append("--context")
    waits, stop = {}, threading.Event()
    sampler = threading.Thread(target=sample_activity, args=(url, stop, waits))
    started = time.monotonic()
    sampler.start()
    try:
        done = subprocess.run(
            command, cwd=BASE_DIR, env=child_env(url), capture_output=True, text=True
        )
    finally:
        stop.set()
        sampler.join()
    seconds = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"import failed:\n{done.stdout}\n{done.stderr}")
    line = [x for x in done.stdout.splitlines() if " read " in x][-1]
    counts = {
        name: int(value.replace(",", ""))
        for name, value in re.findall(r"(read|created|updated|rejected) ([\d,]+)", line)
    }
    return seconds, counts, dict(sorted(waits.items(), key=lambda x: -x[1]))


def history_figures(url):
    """What the history holds after an import: rows and bytes of each event table (indexes
    and TOAST included), of the contexts, and of the article table for comparison."""
    with connect(url) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind = 'r'"
                " AND (c.relname LIKE 'archive\\_%%event' OR c.relname = 'pghistory_context'"
                " OR c.relname IN ('archive_article', 'archive_article_tags'))"
                " ORDER BY c.relname"
            )
        ]
        figures = {}
        for name in tables:
            rows = db.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            size = db.execute("SELECT pg_total_relation_size(%s)", [name]).fetchone()[0]
            if rows or name in ("archive_article", "archive_articleevent"):
                figures[name] = {"rows": rows, "bytes": size}
        figures["database_bytes"] = db.execute(
            "SELECT pg_database_size(current_database())"
        ).fetchone()[0]
        figures["articles_with_context"] = db.execute(
            "SELECT count(*) FROM archive_articleevent WHERE pgh_context_id IS NOT NULL"
        ).fetchone()[0]
    return figures


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summarize(runs, sides):
    """Each side's rates (median, quartiles, extremes) and its rate over the off side's in
    the same repeat (the pairs' median and extremes)."""
    summary = {}
    for side in sides:
        mine = [r for r in runs if r["side"] == side]
        rates = [r["rows_per_second"] for r in mine]
        summary[side] = {
            "n": len(mine),
            "seconds": [r["seconds"] for r in mine],
            "rows_per_second": {
                "p50": round(statistics.median(rates)),
                "p25": round(percentile(rates, 25)),
                "p75": round(percentile(rates, 75)),
                "min": min(rates),
                "max": max(rates),
            },
        }
        if side != "off" and "off" in sides:
            ratios = []
            for repeat in {r["repeat"] for r in mine}:
                pair = {r["side"]: r for r in runs if r["repeat"] == repeat}
                if "off" in pair:
                    ratios.append(pair[side]["rows_per_second"] / pair["off"]["rows_per_second"])
            if ratios:
                summary[side]["rate_over_off"] = {
                    "p50": round(statistics.median(ratios), 3),
                    "min": round(min(ratios), 3),
                    "max": round(max(ratios), 3),
                }
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="e.g. server-ant")
    parser.add_argument("paths", nargs="+")
    parser.add_argument(
        "--server", required=True, help="a URL of the PostgreSQL server (its database ignored)"
    )
    parser.add_argument(
        "--sides", nargs="+", choices=list(SIDES), default=["off", "statement", "row"]
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--analyser", choices=["native", "sql"], default="native")
    parser.add_argument("--fresh", action="store_true", help="make the templates again")
    parser.add_argument(
        "--no-warmup", dest="warmup", action="store_false", help="no untimed first import"
    )
    parser.add_argument("--keep", action="store_true", help="keep the last run's database")
    parser.add_argument("--note", default="", help="what else the machine was doing")
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="instead: time one batch's statements and triggers (EXPLAIN ANALYZE), the paths"
        " being a sample to copy the batch from",
    )
    parser.add_argument("--first", type=int, help="import only the first lines of the (first) file")
    parser.add_argument("--batch", type=int, default=500, help="the breakdown's batch")
    parser.add_argument("--rounds", type=int, default=15, help="the breakdown's rounds")
    args = parser.parse_args()
    args.paths = [str(Path(p).resolve()) for p in args.paths]  # the imports run in BASE_DIR
    if args.first:
        args.paths = [first_lines(args.paths[0], args.first)]
    sys.path.insert(0, str(BASE_DIR))
    if args.breakdown:
        breakdown(args)
        return
    make_templates(args.server, args.analyser, args.fresh)
    with connect(database_url(args.server, TEMPLATE)) as db:
        version = db.execute("SHOW server_version").fetchone()[0].split()[0]
        with db.cursor() as cursor:
            sys.path.insert(0, str(BASE_DIR))
            from archive import search

            analyser = search.analyser_in_use(cursor)
    print(f"PostgreSQL {version}, {analyser} analyser, sides {args.sides}", flush=True)
    runs, sizes, started = [], {}, time.time()
    if args.warmup:  # the first import of a session pays for cold caches: not a side's cost
        template, history_on, context = SIDES[args.sides[0]]
        seconds, _, _ = import_once(
            fresh_database(args.server, template, history_on), args.paths, args.workers, context
        )
        print(f"  warm-up ({args.sides[0]}, not counted): {seconds:.1f} s", flush=True)
    for repeat in range(args.repeats):
        order = args.sides if repeat % 2 == 0 else list(reversed(args.sides))
        for side in order:
            template, history_on, context = SIDES[side]
            url = fresh_database(args.server, template, history_on)
            load = os.getloadavg()[0]
            seconds, counts, waits = import_once(url, args.paths, args.workers, context)
            run = {
                "repeat": repeat,
                "side": side,
                "seconds": round(seconds, 1),
                "rows_per_second": round(counts["read"] / seconds),
                "load_before": round(load, 2),
                "load_after": round(os.getloadavg()[0], 2),
                **counts,
                "wait_events": waits,
            }
            runs.append(run)
            if side not in sizes or repeat == args.repeats - 1:
                sizes[side] = history_figures(url)
            print(
                f"  repeat {repeat} {side}: {run['seconds']} s, {run['rows_per_second']} rows/s"
                f" (load {run['load_before']})",
                flush=True,
            )
            write_result(args, version, analyser, started, runs, sizes, complete=False)
    if not args.keep:
        with connect(database_url(args.server, "postgres")) as db:
            db.execute(f"DROP DATABASE IF EXISTS {RUN_DATABASE}")
    result = write_result(args, version, analyser, started, runs, sizes, complete=True)
    print(json.dumps(result["summary"], indent=2))


def write_result(args, version, analyser, started, runs, sizes, complete):
    """bench/results/import-history-<label>.json with the runs so far (written after each
    run, so that a run stopped half-way leaves its figures)."""
    result = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d"),
        "started": time.strftime("%H:%M UTC", time.gmtime(started)),
        "ended": time.strftime("%H:%M UTC", time.gmtime()),
        "complete": complete,
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
        "server": version,
        "analyser": analyser,
        "files": [Path(p).name for p in args.paths],
        "file_bytes": sum(Path(p).stat().st_size for p in args.paths),
        "workers": args.workers,
        "sides": args.sides,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "note": args.note,
        "summary": summarize(runs, [s for s in args.sides if any(r["side"] == s for r in runs)]),
        "sizes": sizes,
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"import-history-{args.label}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}", flush=True)
    return result


# One import batch as the import writes it (bulk_create's 500 rows), copied from the articles
# already there under new urls and slugs; then their tag links.
BATCH_INSERT = """
    INSERT INTO archive_article (title, slug, lead, body, url, author, published_at, language,
        status, created_at, updated_at, source_id)
    SELECT title, left(slug, 240) || '-bench-copy', lead, body,
        CASE WHEN url = '' THEN '' ELSE url || '#bench-copy' END, author, published_at, language,
        status, now(), now(), source_id
    FROM archive_article ORDER BY id LIMIT %s
"""
BATCH_LINKS = """
    INSERT INTO archive_article_tags (article_id, tag_id)
    SELECT id, (SELECT min(id) FROM archive_tag) FROM archive_article
    WHERE slug LIKE '%%-bench-copy'
"""
CONTEXT = (
    "SELECT set_config('pghistory.context_id', gen_random_uuid()::text, true),"
    " set_config('pghistory.context_metadata', '{\"via\": \"import\"}', true)"
)


def explained(db, sql, params=()):
    """(milliseconds, {trigger: milliseconds}) of one statement under EXPLAIN ANALYZE."""
    plan = db.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()[0][0]
    triggers = {t["Trigger Name"]: t["Time"] for t in plan.get("Triggers", [])}
    return plan["Execution Time"], triggers


def breakdown(args):
    """Where a batch's time goes: one batch of `--batch` articles and their tag links inserted
    and rolled back, under EXPLAIN ANALYZE (which times each trigger), with the history off,
    at statement level and at row level, interleaved. Writes history-breakdown-<label>.json."""
    make_templates(args.server, args.analyser, args.fresh)
    databases, names = {}, []
    for template, name in (
        (TEMPLATE, "bench_hist_breakdown"),
        (ROW_TEMPLATE, "bench_hist_breakdown_row"),
    ):
        with connect(database_url(args.server, "postgres")) as db:
            db.execute(f"DROP DATABASE IF EXISTS {name}")
            db.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        databases[template] = url = database_url(args.server, name)
        names.append(name)
        import_once(url, args.paths, args.workers, context=False)
        with connect(url) as db:
            db.execute("VACUUM ANALYZE")
    variants = {
        "off": (TEMPLATE, False),
        "statement": (TEMPLATE, True),
        "row": (ROW_TEMPLATE, True),
    }
    times = {v: {"articles": [], "links": [], "triggers": {}} for v in variants}
    for round_ in range(args.rounds):
        order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
        for variant in order:
            template, history_on = variants[variant]
            with connect(databases[template]) as db:
                db.execute("BEGIN")
                db.execute(CONTEXT)
                if not history_on:
                    for table, trigger, _ in db.execute(HISTORY_TRIGGERS).fetchall():
                        db.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
                for part, sql, params in (
                    ("articles", BATCH_INSERT, [args.batch]),
                    ("links", BATCH_LINKS, []),
                ):
                    total, triggers = explained(db, sql, params)
                    times[variant][part].append(total)
                    for name, ms in triggers.items():
                        kind = "search vectors" if name == "archive_article_vectors" else "history"
                        key = f"{part}: {kind}"
                        times[variant]["triggers"].setdefault(key, [0.0] * args.rounds)
                        times[variant]["triggers"][key][round_] += ms
                db.execute("ROLLBACK")
        print(f"  round {round_} done", flush=True)
    result = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d"),
        "server": None,
        "batch": args.batch,
        "rounds": args.rounds,
        "sample": [Path(p).name for p in args.paths],
        "medians_ms": {
            variant: {
                "articles": round(statistics.median(t["articles"]), 1),
                "links": round(statistics.median(t["links"]), 1),
                **{k: round(statistics.median(v), 1) for k, v in t["triggers"].items()},
            }
            for variant, t in times.items()
        },
        "times_ms": times,
    }
    with connect(databases[TEMPLATE]) as db:
        result["server"] = db.execute("SHOW server_version").fetchone()[0].split()[0]
        with db.cursor() as cursor:
            from archive import search

            result["analyser"] = search.analyser_in_use(cursor)
    with connect(database_url(args.server, "postgres")) as db:
        for name in names:
            db.execute(f"DROP DATABASE IF EXISTS {name}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"history-breakdown-{args.label}.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result["medians_ms"], indent=2))
    print(f"wrote {out}")


def child_import(argv):
    """In a process of its own: `manage.py import_articles` of the paths, inside the history's
    context when --context is given, as the archive's imports run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--context", action="store_true")
    args = parser.parse_args(argv)
    import contextlib

    from django.core.management import call_command

    from archive.history import recorded

    names = ", ".join(Path(p).name for p in args.paths)
    scope = recorded("import", file=names) if args.context else contextlib.nullcontext()
    options = ["--map", ANT_MAP, "--workers", str(args.workers), "--no-vocabulary"]
    if len(args.paths) == 1:
        options += ["--rejects", "/tmp/import-history.rejects.jsonl"]
    with scope:
        call_command("import_articles", *args.paths, *options)


def child_install_row():
    """In a process of its own: the history's triggers installed again at row level."""
    import pgtrigger

    from newsroom import settings

    settings.PGHISTORY_LEVEL = pgtrigger.Row  # read by pghistory when the models are made
    import django

    django.setup()
    pgtrigger.install()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child-import"]:
        sys.path.insert(0, str(BASE_DIR))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
        import django

        django.setup()
        child_import(sys.argv[2:])
    elif sys.argv[1:2] == ["--child-install-row"]:
        sys.path.insert(0, str(BASE_DIR))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
        child_install_row()
    else:
        main()
