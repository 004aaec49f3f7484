"""bench/RESULTS.md from bench/results/*.json (written by api_bench.py and import_bench.py).

python bench/report.py
"""

import json
import re
import statistics
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TARGETS = {"31.5k": 50, "1M": 150}
BEFORE = [
    "before-first-31.5k",
    "before-31.5k",
    "before-423k",
    "before-v2-31.5k",
    "before-v2-1M",
    "before-v3-1M",
    "before-v4-31.5k",
    "before-v4-1M",
    "before-v5-31.5k",
    "before-v5-1M",
    "before-v6-31.5k",
    "before-v6-1M",
    "before-v7-31.5k",
    "before-v7-1M",
]  # earlier versions' runs
CITATION = (
    "A. Chouigui, O. Ben Khiroun, B. Elayeb, “An Arabic Multi-source News Corpus: "
    "Experimenting on Single-document Extractive Summarization”, Arabian Journal for Science "
    "and Engineering 46(8), 2021; https://antcorpus.github.io"
)


def load(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def mb(value):
    return f"{value / 2**20:,.0f} MB"


def latency_table(runs):
    labels = [r["label"] for r in runs]
    head = (
        "| query | "
        + " | ".join(
            f"{label} ours p50 / p95 / p99 | {label} plain p50 / p95 / p99" for label in labels
        )
        + " |"
    )
    lines = [head, "|---|" + "---:|" * (2 * len(labels))]
    for kind in runs[0]["api"]:
        cells = []
        for run in runs:
            ours, plain = run["api"].get(kind), run["plain"].get(kind)
            target = TARGETS.get(run["label"])
            mark = " ✓" if ours and target and ours["p95"] <= target else " ✗" if ours else ""
            cells.append(
                f"{ours['p50']} / **{ours['p95']}**{mark} / {ours['p99']}" if ours else "—"
            )
            cells.append(f"{plain['p50']} / {plain['p95']} / {plain['p99']}" if plain else "—")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def matches_table(runs):
    lines = [
        "| query | example | " + " | ".join(f"{r['label']} matches" for r in runs) + " |",
        "|---|---|" + "---:|" * len(runs),
    ]
    for kind, result in runs[0]["api"].items():
        example = json.dumps(result["example"], ensure_ascii=False)
        cells = []
        for run in runs:
            r = run["api"].get(kind)
            if not r:
                cells.append("—")
                continue
            shown = ", ".join(f"{m:,}" for m in r["matches"])
            cells.append(f"about {shown}" if r["estimated"] else shown)
        lines.append(f"| {kind} | `{example}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sizes_table(runs):
    names = []
    for run in runs:
        for name in run["sizes"]["relations"]:
            if name not in names:
                names.append(name)
    lines = [
        "| relation | " + " | ".join(r["label"] for r in runs) + " | growth |",
        "|---|" + "---:|" * (len(runs) + 1),
    ]
    for name in names:
        values = [r["sizes"]["relations"].get(name, {}).get("bytes") for r in runs]
        growth = (
            f"×{values[-1] / values[0]:.0f}" if len(values) > 1 and values[0] and values[-1] else ""
        )
        lines.append(
            f"| {name} | " + " | ".join(mb(v) if v else "—" for v in values) + f" | {growth} |"
        )
    toast = [r["sizes"]["toast_bytes"] for r in runs]
    growth = f"×{toast[-1] / toast[0]:.0f}" if len(toast) > 1 and toast[0] else ""
    lines.append(
        "| archive_article's TOAST (long texts and vectors) | "
        + " | ".join(mb(t) for t in toast)
        + f" | {growth} |"
    )
    plain = [r["sizes"].get("plain_table_bytes") for r in runs]
    if any(plain):
        lines.append(
            "| *not the archive's*: the plain way's table (bench_plain_article, its TOAST and"
            " indexes) | " + " | ".join(mb(p) if p else "—" for p in plain) + " | |"
        )
    return "\n".join(lines)


def import_table(imports):
    lines = [
        "| file | date | analyser | workers | rows | created | skipped | rejected | seconds | "
        "rows/s | peak RSS per process |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in imports:
        # Loads before 2026-12-03's last had the baseline's stock column in the table.
        stock = "article_stock_search" in item.get("index_build_seconds", {})
        files = ", ".join(item["files"]) + (" (with the stock column)" if stock else "")
        lines.append(
            f"| {files} | {item['date']} | {item.get('analyser', 'sql')} | "
            f"{item['workers']} | {item['read']:,} | "
            f"{item['created']:,} | {item['skipped']:,} | {item['rejected']:,} | "
            f"{item['seconds']} | **{item['rows_per_second']:,}** | "
            f"{item['peak_rss_mb_per_process']} MB |"
        )
    return "\n".join(lines)


def before_table(before, runs):
    """p95 of each query type: the earlier versions next to this one."""
    columns = [*before, *runs]
    lines = [
        "| query | " + " | ".join(f"{r['label']} p95" for r in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for kind in runs[0]["api"]:
        cells = [f"{r['api'][kind]['p95']}" if kind in r["api"] else "—" for r in columns]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ab_table(ab):
    """Each query type's p50 / p95 of both sides of an interleaved comparison."""
    lines = [
        f"| query | {ab['before']} p50 / p95 | this version p50 / p95 | p50 after / before |",
        "|---|---:|---:|---:|",
    ]
    for kind, sides in ab["results"].items():
        before, after = sides["before"], sides["after"]
        lines.append(
            f"| {kind} | {before['p50']} / {before['p95']} | {after['p50']} / **{after['p95']}** "
            f"| {after['p50'] / before['p50']:.2f} |"
        )
    return "\n".join(lines)


def server_latency_table(embedded, server):
    """Each query type's p50 / p95 on the embedded server next to the PostgreSQL server's
    runs, and the median of the server's runs with analysed tables (their labels without
    'first-run')."""
    repeated = [r for r in server if "first-run" not in r["label"]]
    head = ["query"]
    for run in embedded:
        head.append(f"embedded PG 18, C analyser, {run['label']} p50 / p95")
    for run in server:
        head.append(
            f"{run['label']}: PG {run['server']['version']}, "
            f"{run['server']['analyser'].upper()} analyser, p50 / p95"
        )
    if len(repeated) > 1:
        head.append(f"median of the {len(repeated)} server runs, p50 / p95")
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    target = TARGETS.get(size_of(server[0]))
    for kind in server[0]["api"]:
        cells = []
        for run in embedded:
            r = run["api"].get(kind)
            cells.append(f"{r['p50']} / {r['p95']}" if r else "—")
        for run in server:
            r = run["api"].get(kind)
            cells.append(f"{r['p50']} / {r['p95']}" if r else "—")
        if len(repeated) > 1:
            found = [r["api"][kind] for r in repeated if kind in r["api"]]
            p50 = round(statistics.median(r["p50"] for r in found), 1)
            p95 = round(statistics.median(r["p95"] for r in found), 1)
            mark = " ✓" if target and p95 <= target else " ✗"
            cells.append(f"{p50} / **{p95}**{mark}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def size_of(run):
    """'31.5k' or '1M' from a label such as 'server-31.5k' or 'server-31.5k-first-run'."""
    found = re.search(r"\d+(?:\.\d+)?[kM]", run["label"])
    return found[0] if found else run["label"]


def worst_table(worst):
    lines = [
        "| request | " + " | ".join(f"{w['label']} p50 / p95 (status)" for w in worst) + " |",
        "|---|" + "---:|" * len(worst),
    ]
    for key in worst[0]["results"]:
        cells = []
        for w in worst:
            r = w["results"].get(key)
            statuses = ", ".join(f"{n}×{s}" for s, n in r["statuses"].items()) if r else ""
            cells.append(f"{r['p50']} / **{r['p95']}** ({statuses})" if r else "—")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_table(loads):
    lines = [
        "| run | gunicorn | readers × seconds | requests | requests/s | p50 | p95 | p99 | max "
        "| errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in loads:
        lines.append(
            f"| {run['label']} ({run['date']}) | `{run['gunicorn']}` | {run['readers']} × "
            f"{run['seconds']} | {run['requests']:,} | **{run['requests_per_second']}** | "
            f"{run['p50']} | **{run['p95']}** | {run['p99']} | {run['max']} | "
            f"**{run['errors']}** |"
        )
    return "\n".join(lines)


def load_kinds_table(run):
    lines = [
        "| kind of request | requests | p50 | p95 | p99 | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, r in run["by_kind"].items():
        lines.append(
            f"| {kind} | {r['requests']:,} | {r['p50']} | {r['p95']} | {r['p99']} | {r['errors']} |"
        )
    return "\n".join(lines)


def server_import_table(imports):
    lines = [
        "| run | server | analyser | workers | rows | created | seconds | rows/s | text indexes "
        "built after | peak RSS per process |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in imports:
        built = item.get("index_build_seconds")
        lines.append(
            f"| {item['label']} ({item['date']}) | PostgreSQL {item.get('server', '?')} | "
            f"{item['analyser']} | {item['workers']} | {item['read']:,} | {item['created']:,} | "
            f"{item['seconds']} | **{item['rows_per_second']:,}** | "
            + (f"{sum(built.values()):,.0f} s" if built else "— (kept up to date)")
            + f" | {item['peak_rss_mb_per_process']} MB |"
        )
    return "\n".join(lines)


def server_parts(embedded):
    """The production path's section: the PostgreSQL server with the SQL analyser."""
    server = [
        r
        for r in (
            load("server-31.5k-first-run"),
            load("server-31.5k"),
            *(load(f"server-31.5k-run{n}") for n in range(2, 10)),
        )
        if r
    ]
    abs_ = [a for a in (load(f"ab-server-vs-embedded-31.5k{s}") for s in ("", "-run2")) if a]
    worst = [w for w in (load("worst-server-31.5k"), load("worst-server-31.5k-run2")) if w]
    loads = sorted(
        (json.loads(p.read_text()) for p in RESULTS.glob("load-server-31.5k*.json")),
        key=lambda x: x["date"],
    )
    imports = sorted(
        (
            json.loads(p.read_text())
            for p in RESULTS.glob("import-*server*.json")
            if not p.name.startswith("import-history-")  # history_parts() shows those
        ),
        key=lambda i: i["label"],
    )
    if not (server or worst or loads or imports):
        return []
    parts = [
        "## The production path: a PostgreSQL 15 server, the SQL analyser",
        "",
        "The machine's PostgreSQL 15 server (Debian's package, default settings: shared_buffers "
        "128 MB, autovacuum off), where the C analyser cannot be loaded, so that `migrate` "
        "leaves the trigger on the SQL analyser (checked in each result: `analyser`). The "
        "machine (2 cores) was shared with six other agents running tests during every run "
        "below: the figures are slower and noisier than on a quiet machine.",
        "",
    ]
    if server:
        parts += [
            "### GET /api/articles/ — milliseconds, the server path beside the embedded one",
            "",
            f"Targets: p95 ≤ {TARGETS['31.5k']} ms at 31.5k, ≤ {TARGETS['1M']} ms at 1M. "
            "Each request with facets and snippets; one gunicorn sync worker; "
            f"{server[0]['published']:,} published articles; the runs one after the other on "
            f"{server[0]['date']}. "
            + " ".join(
                f"{r['label']}: {r['note']}."
                for r in server
                if "first-run" in r["label"] and r.get("note")
            )
            + " The other runs after `VACUUM ANALYZE` of the whole database.",
            "",
            server_latency_table(embedded, server),
            "",
        ]
    for ab in abs_:
        parts += [
            f"### The two paths at the same time (bench/ab_bench.py, {ab['label']}, {ab['date']})",
            "",
            "The embedded PostgreSQL 18 (C analyser) and the PostgreSQL 15 server (SQL "
            "analyser), each with the ANT corpus imported the same way and the whole database "
            "vacuumed and analysed, each served by its own gunicorn worker; the same requests "
            "sent to both in turn, alternating which goes first, so that the machine's load "
            f"weighs on both alike. {ab.get('note', '')} Milliseconds; the last column is "
            "the server's p50 over the embedded one's.",
            "",
            ab_table(ab)
            .replace("this version", "PG 15 server, SQL analyser")
            .replace("p50 after / before", "p50 server / embedded"),
            "",
        ]
    if imports:
        parts += ["### Import on the server path", "", server_import_table(imports), ""]
        for item in imports:
            if item.get("note"):
                parts += [f"{item['label']}: {item['note']}", ""]
    if worst:
        parts += [
            "### The worst reader-controlled requests (bench/worst_query.py)",
            "",
            "Milliseconds over loopback, one gunicorn sync worker, "
            f"{worst[0]['results'][next(iter(worst[0]['results']))]['n']} timed requests "
            "each after two warm-ups (fewer when a case takes longer than "
            f"{worst[0].get('budget_seconds', 20):.0f} s); the statuses answered. For the cases "
            f"of N distinct tags, tags added for the run (up to {worst[0]['tags_added']}), tags "
            f"1..N on the same {worst[0]['articles_per_tag']:,} articles, removed afterwards. "
            + " ".join(
                f"{w['label']}: {w['date']}, {w['published']:,} published articles"
                f"{'; ' + w['note'] if w.get('note') else ''}."
                for w in worst
            ),
            "",
            worst_table(worst),
            "",
        ]
    if loads:
        run = loads[0]
        median = {
            key: statistics.median(x[key] for x in loads)
            for key in ("requests_per_second", "p50", "p95", "p99", "max")
        }
        parts += [
            f"### Load test: {run['readers']} concurrent readers for {run['seconds']:.0f} s "
            "(bench/load_test.py)",
            "",
            "Each reader sends its next request as soon as the last is answered (no think "
            "time); the mix is the API and page searches of the query mix, the home page, "
            "article, tag and outlet pages, feeds (plain and of a search), CSV exports of a "
            "search and the claims pages. An error is any 4xx or 5xx, or a failed or timed-out "
            f"connection. {run['note']}",
            "",
            load_table(loads),
            "",
            f"Median of the {len(loads)} runs: {median['requests_per_second']} requests a "
            f"second, p50 {median['p50']} ms, p95 {median['p95']} ms, p99 {median['p99']} ms; "
            f"errors in all: {sum(x['errors'] for x in loads)} of "
            f"{sum(x['requests'] for x in loads):,} requests. By kind of request "
            f"({run['label']}):",
            "",
            load_kinds_table(run),
            "",
        ]
    return parts


SIDE_NAMES = {
    "off": "history off (its triggers disabled)",
    "statement": "history on, statement-level triggers (as migrated), with the import's context",
    "statement-no-context": "history on, statement-level triggers, no context",
    "row": "history on, row-level triggers (pghistory's default), with the import's context",
}


def history_rate_table(run):
    """Each side's import rate over the repeats, and its rate over the off side's in the same
    repeat."""
    lines = [
        "| side | imports | rows/s p50 | p25 – p75 | min – max | seconds | rate / off, p50 "
        "(min – max of the repeats) | waits for another transaction seen, each import |",
        "|---|---:|---:|---:|---:|---|---:|---|",
    ]
    for side, s in run["summary"].items():
        r = s["rows_per_second"]
        ratio = s.get("rate_over_off")
        # The import's connections sampled once a second: how often one waited for another
        # transaction (the other import process's) to end.
        waits = [
            x["wait_events"].get("Lock: transactionid", 0)
            for x in run["runs"]
            if x["side"] == side and "wait_events" in x
        ]
        lines.append(
            f"| {SIDE_NAMES.get(side, side)} | {s['n']} | **{r['p50']:,}** | {r['p25']:,} – "
            f"{r['p75']:,} | {r['min']:,} – {r['max']:,} | "
            + ", ".join(f"{x:g}" for x in s["seconds"])
            + " | "
            + (
                f"**{ratio['p50']:.2f}** ({ratio['min']:.2f} – {ratio['max']:.2f})"
                if ratio
                else "—"
            )
            + f" | {', '.join(map(str, waits)) if waits else '—'} |"
        )
    return "\n".join(lines)


def history_size_table(run, side="statement"):
    """What the history holds after the import, beside the article table."""
    sizes = run["sizes"].get(side) or {}
    article = sizes.get("archive_article", {}).get("bytes")
    lines = [
        "| relation (with its indexes and TOAST) | rows | size | share of archive_article |",
        "|---|---:|---:|---:|",
    ]
    for name, figure in sizes.items():
        if not isinstance(figure, dict):
            continue
        share = f"{figure['bytes'] / article:.1%}" if article else ""
        lines.append(f"| {name} | {figure['rows']:,} | {mb(figure['bytes'])} | {share} |")
    off = run["sizes"].get("off", {}).get("database_bytes")
    if off and sizes.get("database_bytes"):
        lines.append(
            f"| the whole database, history off → on | | {mb(off)} → "
            f"{mb(sizes['database_bytes'])} | |"
        )
    return "\n".join(lines)


def history_breakdown_table(run):
    """One batch's statements and their triggers' share (medians of the rounds)."""
    lines = [
        f"| side | {run['batch']} articles inserted | of which the search vectors' trigger "
        "| of which the history's trigger | the rest (indexes, TOAST, the rows) "
        "| their tag links inserted | of which the history's trigger |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for side, m in run["medians_ms"].items():
        vectors = m.get("articles: search vectors", 0)
        history = m.get("articles: history", 0)
        lines.append(
            f"| {SIDE_NAMES.get(side, side)} | **{m['articles']:,}** | {vectors:,} | "
            f"**{history:,}** | {m['articles'] - vectors - history:,.1f} | {m['links']:,} | "
            f"{m.get('links: history', 0):,} |"
        )
    return "\n".join(lines)


def history_parts():
    """What the history's triggers cost the import (bench/import_history.py)."""
    runs = sorted(
        (json.loads(p.read_text()) for p in RESULTS.glob("import-history-*.json")),
        key=lambda r: (r["date"], r.get("started", "")),
    )
    breakdowns = sorted(
        (json.loads(p.read_text()) for p in RESULTS.glob("history-breakdown-*.json")),
        key=lambda r: r["label"],
    )
    if not (runs or breakdowns):
        return []
    parts = ["## What the history costs the import (bench/import_history.py)", ""]
    for run in runs:
        parts += [
            f"### {run['label']}: PostgreSQL {run['server']}, {run['analyser'].upper()} analyser "
            f"({run['date']}, {run.get('started', '')} – {run.get('ended', '')})",
            "",
            f"{', '.join(run['files'])} ({run['file_bytes'] / 2**20:.1f} MB gzipped), "
            f"{run['workers']} import processes, {run['machine']['cores']} cores. Each import "
            "into a fresh copy of one migrated database; the sides interleaved, their order "
            "reversed from one repeat to the next"
            + (", after an untimed warm-up import. " if run.get("warmup", True) else ". ")
            + (
                f"Stopped after {len(run['runs'])} imports of the {run['repeats']} repeats "
                "planned. "
                if run.get("complete") is False
                else ""
            )
            + f"{run.get('note', '')}",
            "",
            history_rate_table(run),
            "",
            history_size_table(run),
            "",
        ]
    for run in breakdowns:
        parts += [
            f"### Where a batch's time goes: {run['label']}, PostgreSQL {run['server']}, "
            f"{run['analyser'].upper()} analyser ({run['date']})",
            "",
            f"One import batch ({run['batch']} articles copied from {', '.join(run['sample'])} "
            "under new urls, then a tag link for each) inserted under `EXPLAIN ANALYZE`, which "
            "times each trigger, and rolled back; the three sides interleaved, "
            f"{run['rounds']} rounds; medians in milliseconds, with the import's context set.",
            "",
            history_breakdown_table(run),
            "",
        ]
    return parts


def main():
    runs = [r for r in (load("31.5k"), load("1M")) if r]
    abs_ = [r for r in (load("ab-31.5k"), load("ab-1M")) if r]
    # Issue 17 (the search package): the final code against the last commit before it.
    refactor = [r for r in (load("ab-refactor-31.5k"), load("ab-refactor-1M")) if r]
    before = [r for r in (load(name) for name in BEFORE) if r]

    imports = [
        i
        for i in (
            load("import-ant-workers-1"),
            load("import-ant-workers-2"),
            load("import-synthetic-1M-workers-2"),
            load("import-ant-sql-workers-2"),
            load("import-ant-native-workers-1"),
            load("import-ant-native-workers-2"),
            load("import-synthetic-1M-native-workers-2-stock-column"),
            load("import-synthetic-1M-native-workers-2"),
            load("import-ant-native-bulk-workers-2"),
        )
        if i
    ]
    narrative = (HERE / "RESULTS.intro.md").read_text(encoding="utf-8")
    parts = [narrative.rstrip(), ""]
    if runs:
        machine = runs[0]["machine"]
        parts += [
            "## The figures",
            "",
            f"Measured on {runs[0]['date']}: {machine['cores']} cores, "
            f"{machine['memory_gb']} GiB, PostgreSQL 18 (the embedded server, default settings "
            "but max_wal_size 4 GB), one gunicorn sync worker. "
            + "; ".join(
                f"{r['label']}: {r['published']:,} published articles, الرئيس found in "
                f"{r['common_share'].get('الرئيس', 0):.0%} of them"
                for r in runs
            )
            + ".",
            "",
            "### GET /api/articles/ — milliseconds (server, over loopback), each request with "
            "facets and snippets",
            "",
            f"Targets: p95 ≤ {TARGETS['31.5k']} ms at 31.5k, ≤ {TARGETS['1M']} ms at 1M (✓ met, "
            "✗ missed). *Plain*: the same request the plain way, in SQL only: the stock "
            "'arabic' configuration, ts_rank over every match, an exact count and exact facets, "
            "OFFSET paging.",
            "",
            latency_table(runs),
            "",
            matches_table(runs),
            "",
            "### Memory of the web worker",
            "",
            " · ".join(f"{r['label']}: {r['worker_rss_mb']} MB RSS at most" for r in runs)
            + " (target: under 300 MB).",
            "",
            "### Table and index sizes",
            "",
            sizes_table(runs),
            "",
        ]
    if runs and before:
        parts += [
            "### Before and after",
            "",
            "p95 in milliseconds of the earlier versions (their runs are kept in bench/results/"
            "before-*.json; the 423k run is the load that was stopped at 423,000 synthetic "
            "articles of the earlier, longer kind) next to this one.",
            "",
            before_table(before, runs),
            "",
        ]
    for ab in abs_:
        parts += [
            f"### The previous version and this one, interleaved ({ab['label']}, {ab['date']})",
            "",
            "The same requests sent to both, one after the other, alternating which goes first "
            f"(bench/ab_bench.py): {ab['published']:,} published articles; milliseconds.",
            "",
            ab_table(ab),
            "",
        ]
    for ab in refactor:
        parts += [
            f"### Issue 17, the search package: before and after, interleaved ({ab['label']})",
            "",
            f"bench/ab_bench.py, {ab['published']:,} published articles, {ab['date']}; "
            f"milliseconds. {ab['note']}.",
            "",
            ab_table(ab),
            "",
        ]
    if imports:
        parts += ["### Import", "", import_table(imports), ""]
        for item in imports:
            notes = []
            if item.get("index_build_seconds"):
                built = ", ".join(f"{k} {v:,} s" for k, v in item["index_build_seconds"].items())
                whole = item["seconds"] + sum(item["index_build_seconds"].values())
                notes.append(
                    f"the text indexes were dropped for the load and built after it ({built}): "
                    f"{item['read'] / whole:,.0f} rows a second from the start of the load to "
                    "the end of the builds"
                )
            timeline = item.get("rss_mb_timeline") or []
            if len(timeline) >= 3:
                middle = timeline[len(timeline) // 2]
                notes.append(
                    "the largest process's RSS, sampled every 30 s: "
                    f"{timeline[0][1]} MB at {timeline[0][0]} s, {middle[1]} MB at {middle[0]} s, "
                    f"{timeline[-1][1]} MB at {timeline[-1][0]} s (at most "
                    f"{max(t[1] for t in timeline)} MB)"
                )
            if notes:
                parts += [f"{item['label']} ({item['date']}): " + "; ".join(notes) + ".", ""]
    parts += server_parts(runs)
    parts += history_parts()
    parts += ["## Citation", "", f"The benchmarks use the ANT corpus: {CITATION}.", ""]
    (HERE / "RESULTS.md").write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
