"""Tag suggestions against the seed's hand-made tagging: each seed article with its tags
removed, the tags suggested from its text (archive/tagging.py, the code the admin runs)
compared with the tags the seed's editors gave it. Precision and recall per article and
overall, and every false positive and false negative with the reason the finder gives.

    DJANGO_DEBUG=true .venv/bin/python bench/tag_suggestions_quality.py [--write]

Reads fixtures/seed.json alone (no database is touched). --write puts the table into
docs/tag-suggestions.md (between its quality markers) and the figures into
bench/results/tag-suggestions-quality.json; without it, the table is printed.
"""

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SEED = BASE_DIR / "fixtures" / "seed.json"
DOC = BASE_DIR / "docs" / "tag-suggestions.md"
RESULTS = BASE_DIR / "bench" / "results" / "tag-suggestions-quality.json"
START, END = "<!-- quality:start -->", "<!-- quality:end -->"

sys.path.insert(0, str(BASE_DIR))


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "tag-suggestions-quality")
    import django

    django.setup()


def load_seed():
    objects = json.loads(SEED.read_text(encoding="utf-8"))
    tags, aliases, articles = {}, [], []
    for obj in objects:
        fields = obj["fields"]
        if obj["model"] == "archive.tag":
            tags[fields["slug"]] = fields
        elif obj["model"] == "archive.tagalias":
            aliases.append((fields["tag"][0], fields["name"]))
        elif obj["model"] == "archive.article":
            articles.append(fields)
    return tags, aliases, articles


def why_missed(spellings, texts):
    """Why no spelling of a tag was found: what of its words the text does have."""
    from archive.search import analyze
    from archive.search.names import words_of

    text_stems = set()
    for text in texts.values():
        for word in words_of(text):
            text_stems.update(word.stems)
    best = None
    for spelling in spellings:
        terms = analyze(spelling)
        present = [t for t in terms if t.stem in text_stems]
        if terms and (best is None or len(present) / len(terms) > best[0]):
            best = (len(present) / len(terms), spelling, len(present), len(terms))
    if best is None or best[2] == 0:
        return "none of its spellings' words occurs in the text (the tag is the story's topic)"
    if best[2] == best[3]:
        return f"every word of “{best[1]}” occurs, but not together in one sentence"
    return f"only {best[2]} of the {best[3]} words of “{best[1]}” occur in the text"


def measure():
    from archive import tagging

    tags, aliases, articles = load_seed()
    ids = {slug: n for n, slug in enumerate(sorted(tags), 1)}
    names = tagging.build_finder(
        [(ids[slug], t["name_ar"], t["name_en"]) for slug, t in tags.items()],
        [(ids[slug], name) for slug, name in aliases],
    )
    slug_of = {n: slug for slug, n in ids.items()}
    spellings = {slug: [t["name_ar"], t["name_en"]] for slug, t in tags.items()}
    for slug, name in aliases:
        spellings[slug].append(name)
    for names_of_tag in spellings.values():
        names_of_tag += [tagging.QUALIFIER.sub("", n) for n in names_of_tag if n]
    rows = []
    for article in articles:
        texts = {name: article.get(name) or "" for name in tagging.TEXT_FIELDS}
        found = tagging.found_in(texts, names)
        suggested = {slug_of[key]: hit for key, hit in found.items()}
        hand = {slug for (slug,) in article["tags"]}
        tp = sorted(set(suggested) & hand)
        fp = sorted(set(suggested) - hand)
        fn = sorted(hand - set(suggested))
        rows.append(
            {
                "article": article["slug"],
                "title": article["title"],
                "hand": len(hand),
                "suggested": len(suggested),
                "true_positives": len(tp),
                "precision": len(tp) / len(suggested) if suggested else None,
                "recall": len(tp) / len(hand) if hand else None,
                "false_positives": [
                    {
                        "tag": tags[slug]["name_ar"],
                        "kind": tags[slug]["kind"],
                        "words": suggested[slug].words,
                    }
                    for slug in fp
                ],
                "false_negatives": [
                    {
                        "tag": tags[slug]["name_ar"],
                        "kind": tags[slug]["kind"],
                        "why": why_missed(spellings[slug], texts),
                    }
                    for slug in fn
                ],
            }
        )
    tp = sum(r["true_positives"] for r in rows)
    suggested = sum(r["suggested"] for r in rows)
    hand = sum(r["hand"] for r in rows)
    overall = {
        "articles": len(rows),
        "tags": len(tags),
        "aliases": len(aliases),
        "hand_tags": hand,
        "suggested": suggested,
        "true_positives": tp,
        "precision": tp / suggested if suggested else None,
        "recall": tp / hand if hand else None,
    }
    return {"date": dt.date.today().isoformat(), "overall": overall, "articles": rows}


def percent(value):
    return "—" if value is None else f"{value:.0%}"


def table(results):
    o = results["overall"]
    lines = [
        f"Measured {results['date']} on the seed (fixtures/seed.json): {o['articles']} articles,"
        f" {o['tags']} tags with {o['aliases']} aliases, {o['hand_tags']} hand-made article tags."
        " Rerun: `DJANGO_DEBUG=true .venv/bin/python bench/tag_suggestions_quality.py --write`.",
        "",
        "| article | hand tags | suggested | correct | precision | recall |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results["articles"]:
        lines.append(
            f"| {r['title'][:70]} | {r['hand']} | {r['suggested']} | {r['true_positives']} |"
            f" {percent(r['precision'])} | {percent(r['recall'])} |"
        )
    lines.append(
        f"| **all** | **{o['hand_tags']}** | **{o['suggested']}** | **{o['true_positives']}** |"
        f" **{percent(o['precision'])}** | **{percent(o['recall'])}** |"
    )
    lines += [
        "",
        "False positives (suggested, not in the hand tagging), with the words that matched:",
        "",
    ]
    for r in results["articles"]:
        for f in r["false_positives"]:
            words = "، ".join(f"«{w}»" for w in f["words"])
            lines.append(f"- {r['title'][:50]}…: **{f['tag']}** ({f['kind']}), {words}")
    lines += ["", "False negatives (hand-made, not suggested), and why:", ""]
    for r in results["articles"]:
        for f in r["false_negatives"]:
            lines.append(f"- {r['title'][:50]}…: **{f['tag']}** ({f['kind']}): {f['why']}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the doc and the JSON")
    args = parser.parse_args()
    setup()
    results = measure()
    text = table(results)
    if not args.write:
        print(text)
        return
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    doc = DOC.read_text(encoding="utf-8")
    before, _old, after = doc.partition(START)[0], None, doc.partition(END)[2]
    DOC.write_text(f"{before}{START}\n{text}\n{END}{after}", encoding="utf-8")
    print(f"wrote {DOC.relative_to(BASE_DIR)} and {RESULTS.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
