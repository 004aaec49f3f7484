"""A synthetic archive for the scale benchmarks, made from the ANT corpus.

    python bench/generate_synthetic.py --articles 1000000 --parts 2 --out bench/data/

Each article keeps the shape of a real one: its outlet, category and date come from a real
article (the date moved by a whole number of years, 2010–2018, so that the archive spans
years), its title joins the halves of two real titles of that outlet, its lead is a real
sentence and its body as many real sentences of the same outlet and category as the real
article it is modelled on has (at least two), so that lengths follow the corpus'. One article in
twelve writes a name in another spelling (بيونج يانج for بيونغ يانغ, ترمب for ترامب, ...).
Output: JSON Lines, gzipped, in the ANT corpus' field names, split into --parts files so
that several imports can run side by side; urls are unique. Deterministic for a --seed.
"""

import argparse
import collections
import datetime as dt
import gzip
import json
import random
import re
import sys
import time
from pathlib import Path

CORPUS = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "ant-multisource.jsonl.gz"
)
SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+|\n+")
VARIANTS = [
    ("بيونغ يانغ", "بيونج يانج"),
    ("كيم جونغ أون", "كيم جونج أون"),
    ("ترامب", "ترمب"),
    ("الناتو", "حلف شمال الأطلسي"),
    ("غوغل", "جوجل"),
    ("فيسبوك", "فيس بوك"),
    ("بريطانيا", "المملكة المتحدة"),
    ("كوريا الشمالية", "كوريا الشماليه"),
    ("إسرائيل", "اسرائيل"),
    ("مستشفى", "مستشفي"),
]


def load(path):
    by_group = collections.defaultdict(list)  # (src, cat) → sentences
    titles = collections.defaultdict(list)  # src → titles
    seeds = []  # (src, cat, time_iso, sentence count) of every real article
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            sentences = [
                s.strip() for s in SENTENCE_END.split(row["text"] or "") if len(s.strip()) > 30
            ]
            if not sentences:
                continue
            by_group[(row["src"], row["cat"])].extend(sentences)
            titles[row["src"]].append(row["title"].split())
            seeds.append((row["src"], row["cat"], row["time_iso"], len(sentences)))
    return by_group, titles, seeds


def article(n, rng, by_group, titles, seeds):
    src, cat, time_iso, length = rng.choice(seeds)
    sentences = by_group[(src, cat)]
    first, second = rng.choice(titles[src]), rng.choice(titles[src])
    title = " ".join(first[: max(1, len(first) // 2)] + second[len(second) // 2 :])
    body = "\n".join(rng.choice(sentences) for _ in range(max(2, length)))
    lead = rng.choice(sentences)
    when = dt.datetime.fromisoformat(time_iso)
    when = (
        when.replace(year=rng.randint(2010, 2018))
        if not (when.month == 2 and when.day == 29)
        else when
    )
    if rng.random() < 1 / 12:
        common, variant = rng.choice(VARIANTS)
        title, lead, body = (t.replace(common, variant) for t in (title, lead, body))
    return {
        "docno": f"SYN-{n}",
        "url": f"https://synthetic.example/{src}/{n}",
        "src": src,
        "cat": cat,
        "title": title,
        "time_iso": when.isoformat(),
        "author": "",
        "abstract": lead,
        "text": body,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    if args.articles < 1 or args.parts < 1:
        sys.exit("--articles and --parts must be at least 1")
    started = time.monotonic()
    by_group, titles, seeds = load(args.corpus)
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    files = [
        gzip.open(
            args.out / f"synthetic-{args.articles}-{part + 1}.jsonl.gz",
            "wt",
            encoding="utf-8",
            compresslevel=3,
        )
        for part in range(args.parts)
    ]
    try:
        for n in range(args.articles):
            row = article(n, rng, by_group, titles, seeds)
            files[n % args.parts].write(json.dumps(row, ensure_ascii=False) + "\n")
            if n and n % 100_000 == 0:
                print(f"{n:,} articles, {time.monotonic() - started:.0f} s", flush=True)
    finally:
        for handle in files:
            handle.close()
    print(
        f"{args.articles:,} articles in {args.parts} files under {args.out} "
        f"({time.monotonic() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
