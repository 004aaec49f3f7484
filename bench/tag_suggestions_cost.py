"""What tag suggestions cost (archive/tagging.py): per article, and per 1,000 imported rows.

    DJANGO_DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/h18B \
        .venv/bin/python bench/tag_suggestions_cost.py [--articles 2000] [--rows 1000] \
        [--rounds 3] [--skip-import] [--out bench/results/tag-suggestions-cost.json]

1. Per article, in Python alone: the finder's pass over an article's title, lead and body
   (tagging.found_in), median and p95, over the seed's 6 articles and over --articles ANT
   corpus articles (../shared/corpus, never copied into the project), "cold" (the cache of
   analysed words emptied before each article: an article opened alone) and "warm" (the
   articles in a row, as after an import); with the seed's tags (61, 79 aliases) and with
   5,000 more tags made from the corpus' frequent word pairs; and the time to build each
   finder.
2. Per article, in the admin: tagging.suggest_for on a saved seed article (the tags' state
   query, the article's tags, the suggested tags read), on DATABASE_URL's database.
3. Per 1,000 imported rows: --rounds imports of --rows fresh ANT rows each (imports.import_file,
   as import_articles runs it), each followed by the suggestion pass over the run's articles
   (tagging.record_import_suggestions), timed apart. The imported articles are deleted
   afterwards, so the database is left as it was.

The database must hold the seed (manage.py load_seed); nothing else is read or written.
"""

import argparse
import datetime as dt
import gzip
import itertools
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CORPUS = BASE_DIR.parent / "shared" / "corpus" / "ant-multisource.jsonl.gz"
SEED = BASE_DIR / "fixtures" / "seed.json"
ANT_MAP = (
    "title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url,author=author"
)
sys.path.insert(0, str(BASE_DIR))


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "tag-suggestions-cost")
    import django

    django.setup()


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary_ms(seconds):
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 3),
        "p95_ms": round(percentile(ms, 0.95), 3),
        "max_ms": round(max(ms), 3),
    }


def corpus_rows(skip, count):
    rows = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            if n < skip:
                continue
            if len(rows) == count:
                break
            rows.append(json.loads(line))
    return rows


def seed_finder():
    objects = json.loads(SEED.read_text(encoding="utf-8"))
    tags = [o["fields"] for o in objects if o["model"] == "archive.tag"]
    ids = {t["slug"]: n for n, t in enumerate(tags, 1)}
    aliases = [
        (ids[o["fields"]["tag"][0]], o["fields"]["name"])
        for o in objects
        if o["model"] == "archive.tagalias"
    ]
    texts = [o["fields"] for o in objects if o["model"] == "archive.article"]
    spelled = [(ids[t["slug"]], t["name_ar"], t["name_en"]) for t in tags]
    return spelled, aliases, texts


def frequent_pairs(rows, count):
    """`count` frequent two-word sequences of the corpus' titles: names and phrases a
    newsroom could have as tags, so that many of them occur in the texts."""
    from archive.search import normalize

    pairs = Counter()
    for row in rows:
        words = [w for w in normalize(row["title"]).split() if len(w) > 2]
        pairs.update(itertools.pairwise(words))
    return [" ".join(pair) for pair, _n in pairs.most_common(count)]


def time_pass(names, articles, repeat=1, cold=False):
    """The finder's pass over each article; `cold`: with the cache of analysed words emptied
    before each (an article read alone), else warm as in an import's run of articles."""
    from archive import tagging
    from archive.search import names as names_module

    seconds, found = [], 0
    names_module._analysed.cache_clear()
    for article in articles:
        texts = {name: article.get(name) or "" for name in tagging.TEXT_FIELDS}
        for _ in range(repeat):
            if cold:
                names_module._analysed.cache_clear()
            started = time.perf_counter()
            hits = tagging.found_in(texts, names)
            seconds.append(time.perf_counter() - started)
        found += len(hits)
    return seconds, found


def per_article(n_articles):
    from archive import tagging

    spelled, aliases, seed_articles = seed_finder()
    started = time.perf_counter()
    seed_names = tagging.build_finder(spelled, aliases)
    build_seed = time.perf_counter() - started
    ant = [
        {"title": r["title"], "lead": r["abstract"], "body": r["text"]}
        for r in corpus_rows(0, n_articles)
    ]
    extra = frequent_pairs(corpus_rows(0, 31_525), 5000)
    big_spelled = spelled + [(10_000 + n, name, "") for n, name in enumerate(extra)]
    started = time.perf_counter()
    big_names = tagging.build_finder(big_spelled, aliases)
    build_big = time.perf_counter() - started
    results = {}
    for label, names in (("seed tags", seed_names), ("seed + 5,000 tags", big_names)):
        seed_seconds, seed_found = time_pass(names, seed_articles, repeat=50, cold=True)
        ant_cold, _found = time_pass(names, ant, cold=True)
        ant_seconds, ant_found = time_pass(names, ant)
        results[label] = {
            "spellings": names.size,
            "seed articles, cold (each 50 times)": summary_ms(seed_seconds) | {"found": seed_found},
            f"ANT articles ({len(ant)}), cold": summary_ms(ant_cold),
            f"ANT articles ({len(ant)}), warm": summary_ms(ant_seconds)
            | {"found_per_article": round(ant_found / len(ant), 2)},
        }
    results["build finder, seed tags (ms)"] = round(build_seed * 1000, 2)
    results["build finder, seed + 5,000 tags (ms)"] = round(build_big * 1000, 2)
    chars = [sum(len(a[k] or "") for k in ("title", "lead", "body")) for a in ant]
    results["ANT text length (chars): median, p95"] = [
        statistics.median(chars),
        percentile(chars, 0.95),
    ]
    return results


def in_the_admin():
    from archive import tagging
    from archive.models import Article

    articles = list(Article.objects.order_by("pk")[:6])
    tagging.suggest_for(articles[0])  # the finder built once
    seconds = []
    for _ in range(30):
        for article in articles:
            started = time.perf_counter()
            tagging.suggest_for(article)
            seconds.append(time.perf_counter() - started)
    return summary_ms(seconds)


def per_import(rows_per_round, rounds):
    from django.db import connection

    from archive import imports, tagging
    from archive.models import Article, ImportRun
    from archive.search import refresh_vocabulary

    mapping = imports.parse_map(ANT_MAP)
    measured = []
    created_ids = []
    offset = 20_000  # rows far from the ones the per-article pass read
    for round_ in range(rounds):
        rows = corpus_rows(offset + round_ * rows_per_round, rows_per_round)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "rows.jsonl"
            path.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
            )
            run = ImportRun.objects.create(
                via=ImportRun.Via.COMMAND,
                file_name=f"bench-{round_}.jsonl",
                file_size=path.stat().st_size,
                field_map=mapping,
                article_status="published",
                update_existing=False,
                state=ImportRun.State.RUNNING,
            )
            started = time.perf_counter()
            with run.recorded():
                summary = imports.import_file(
                    path, mapping, status="published", quiet=True, rejects_path=Path(folder) / "r"
                )
            imported = time.perf_counter() - started
            run.finish(summary)
            started = time.perf_counter()
            found = tagging.record_import_suggestions(run)
            suggested = time.perf_counter() - started
            created_ids += list(tagging.articles_of_run(run.pk).values_list("pk", flat=True))
            measured.append(
                {
                    "rows": summary.read,
                    "created": summary.created,
                    "import_s": round(imported, 2),
                    "suggestions_s": round(suggested, 2),
                    "share_of_import": round(suggested / imported, 3),
                    "articles_with_suggestions": found["articles"],
                    "suggestions": found["suggestions"],
                }
            )
            ImportRun.objects.filter(pk=run.pk).delete()
    Article.objects.filter(pk__in=created_ids).delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE archive_article")
    refresh_vocabulary()
    per_1000 = [m["suggestions_s"] * 1000 / m["rows"] for m in measured]
    imports_1000 = [m["import_s"] * 1000 / m["rows"] for m in measured]
    return {
        "rounds": measured,
        "suggestion pass per 1,000 rows (s): median": round(statistics.median(per_1000), 2),
        "import per 1,000 rows (s): median": round(statistics.median(imports_1000), 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--out", default=str(BASE_DIR / "bench" / "results" / "tag-suggestions-cost.json")
    )
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    setup()
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other work),"
        f" Python {platform.python_version()}",
        "per article (Python)": per_article(args.articles),
        "per article in the admin, suggest_for with its queries": in_the_admin(),
    }
    if not args.skip_import:
        results["per import"] = per_import(args.rows, args.rounds)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
