"""bench/RESULTS.md from bench/results/*.json (written by api_bench.py and import_bench.py).

python bench/report.py
"""

import json
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


def main():
    runs = [r for r in (load("31.5k"), load("1M")) if r]
    abs_ = [r for r in (load("ab-31.5k"), load("ab-1M")) if r]
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
    parts += ["## Citation", "", f"The benchmarks use the ANT corpus: {CITATION}.", ""]
    (HERE / "RESULTS.md").write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
