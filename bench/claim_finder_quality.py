"""The claim finder measured on the seed (archive/claim_tracking.py), written to
bench/results/claim-finder-<label>.json (and printed); docs/claims-tracking.md quotes it.

    DATABASE_URL=postgres://... python bench/claim_finder_quality.py [--label seed] [--repeat 5]

Runs `load_seed` (which adds only what is missing) and `refresh_search_vocabulary`, then:
1. Recall: each seed appearance in turn is deleted (inside a transaction rolled back at once)
   and the finder ("where else it appears") is asked for its claim; it is found when one of
   the proposals is in that appearance's article and its sentence holds the quote (or the
   quote holds the sentence, or they share half the quote's words). An appearance whose
   article still holds another appearance of the same claim cannot be proposed (the finder
   leaves out the claim's own articles): it is counted apart.
2. Precision of the top 5: of all the proposals in the first five places of each trial, the
   share that is the deleted appearance ("strict": a proposal that states the claim but is
   not among the seed's hand-made appearances counts as wrong); and "judged", where the
   proposals listed in bench/claim_finder_judged.json (read by a person: they state the
   claim) count as right too. Also the article recall: a proposal in the right article.
3. Related claims: for each seed claim, how many related claims and why.
4. Cost of a claim's page: the finder and the related claims per claim, and the admin change
   page as served (Django's test client, a superuser), `--repeat` times each: median, p95.
Nothing is written to the database (every change is rolled back).
"""

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
JUDGED = BASE_DIR / "bench" / "claim_finder_judged.json"
sys.path.insert(0, str(BASE_DIR))


def squash(text):
    return " ".join(text.split())


def hits(passage, appearance):
    """Whether a proposed passage is the deleted appearance."""
    if passage.article.pk != appearance.article_id:
        return False
    sentence, quote = squash(passage.sentence), squash(appearance.quote)
    if quote in sentence or sentence in quote:
        return True
    quote_words = set(quote.split())
    return len(quote_words & set(sentence.split())) >= len(quote_words) / 2


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def timings(values):
    return {
        "median_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "n": len(values),
    }


class Rollback(Exception):
    pass


def judged_right():
    pairs = json.loads(JUDGED.read_text(encoding="utf-8"))["states_the_claim"]
    return [(slug, squash(start)) for slug, start in pairs]


def recall_and_precision():
    from django.db import transaction

    from archive import claim_tracking
    from archive.models import ClaimAppearance

    judged = judged_right()
    # The text of a proposal is kept only from the articles the seed quotes: an imported
    # corpus (ANT) is not to be copied into the results.
    quoted = set(ClaimAppearance.objects.values_list("article_id", flat=True))
    trials = []
    appearances = ClaimAppearance.objects.select_related("claim", "article").order_by("id")
    for appearance in appearances:
        pk = appearance.pk
        same_article = (
            ClaimAppearance.objects.filter(claim=appearance.claim, article=appearance.article)
            .exclude(pk=appearance.pk)
            .exists()
        )
        try:
            with transaction.atomic():
                appearance.delete()
                passages = claim_tracking.where_else(appearance.claim)
                raise Rollback
        except Rollback:
            pass
        appearance.pk = pk  # delete() cleared it
        found = [i for i, p in enumerate(passages) if hits(p, appearance)]
        trials.append(
            {
                "appearance": appearance.pk,
                "claim": appearance.claim.pk,
                "claim_statement": appearance.claim.statement,
                "article": appearance.article.slug,
                "quote": appearance.quote,
                "article_still_the_claims": same_article,
                "found_at": found[0] + 1 if found else None,
                "top5": [
                    {
                        "article": p.article.slug,
                        "sentence": p.sentence if p.article.pk in quoted else None,
                        "score": p.score,
                        "matched": [str(m) for m in p.matched],
                        "hit": hits(p, appearance),
                        "judged_right": any(
                            slug == appearance.claim.slug and squash(p.sentence).startswith(start)
                            for slug, start in judged
                        ),
                        "same_article": p.article.pk == appearance.article_id,
                    }
                    for p in passages[:5]
                ],
            }
        )
    measurable = [t for t in trials if not t["article_still_the_claims"]]
    top5 = [p for t in trials for p in t["top5"]]
    return {
        "appearances": len(trials),
        "found": sum(t["found_at"] is not None for t in trials),
        "found_in_top5": sum(t["found_at"] is not None and t["found_at"] <= 5 for t in trials),
        "measurable": len(measurable),
        "found_of_measurable": sum(t["found_at"] is not None for t in measurable),
        "recall": round(sum(t["found_at"] is not None for t in trials) / len(trials), 3),
        "recall_of_measurable": round(
            sum(t["found_at"] is not None for t in measurable) / max(1, len(measurable)), 3
        ),
        "article_found": sum(any(p["same_article"] for p in t["top5"]) for t in trials),
        "top5_proposals": len(top5),
        "top5_judged_right": sum(p["hit"] or p["judged_right"] for p in top5),
        "precision_top5_judged": round(
            sum(p["hit"] or p["judged_right"] for p in top5) / max(1, len(top5)), 3
        ),
        "top5_hits": sum(p["hit"] for p in top5),
        "precision_top5": round(sum(p["hit"] for p in top5) / max(1, len(top5)), 3),
        "trials": trials,
    }


def related_sanity():
    from archive import claim_tracking
    from archive.models import Claim

    rows = []
    for claim in Claim.objects.order_by("id"):
        related = claim_tracking.related_claims(claim)
        assert all(r.kinds for r in related), "a related claim without a reason"
        rows.append(
            {
                "claim": claim.pk,
                "statement": claim.statement,
                "related": [
                    {"claim": r.claim.pk, "kinds": r.kinds, "score": round(r.score, 3)}
                    for r in related
                ],
            }
        )
    by_kind = {}
    for row in rows:
        for r in row["related"]:
            for kind in r["kinds"]:
                by_kind[kind] = by_kind.get(kind, 0) + 1
    return {
        "claims": len(rows),
        "with_related": sum(bool(r["related"]) for r in rows),
        "links_by_reason": by_kind,
        "claims_detail": rows,
    }


def cost(repeat):
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from archive import claim_tracking
    from archive.models import Claim

    finder, related, page = [], [], []
    user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-claims", password=None
    )
    client = Client()
    client.force_login(user)
    claims = list(Claim.objects.order_by("id"))
    for _ in range(repeat):
        for claim in claims:
            started = time.perf_counter()
            claim_tracking.where_else(claim)
            finder.append(time.perf_counter() - started)
            started = time.perf_counter()
            claim_tracking.related_claims(claim)
            related.append(time.perf_counter() - started)
            started = time.perf_counter()
            response = client.get(
                reverse("admin:archive_claim_change", args=[claim.pk]), secure=True
            )
            page.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
    return {
        "where_else": timings(finder),
        "related_claims": timings(related),
        "admin_claim_page": timings(page),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="seed")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-seed", action="store_true", help="do not run load_seed")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "claim-finder-bench")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from archive.models import Article, Claim, ClaimAppearance

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not args.no_seed:
        call_command("load_seed", verbosity=0)
    call_command("refresh_search_vocabulary", verbosity=0)
    quality = recall_and_precision()
    result = {
        "label": args.label,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared with other work)",
        "articles": Article.objects.count(),
        "published_articles": Article.objects.published().count(),
        "claims": Claim.objects.count(),
        "appearances": ClaimAppearance.objects.count(),
        "quality": quality,
        "related": related_sanity(),
        "cost": cost(args.repeat),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"claim-finder-{args.label}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    q = quality
    print(
        f"recall {q['found']}/{q['appearances']} = {q['recall']}"
        f" (of the measurable: {q['found_of_measurable']}/{q['measurable']}"
        f" = {q['recall_of_measurable']}); precision of the top 5:"
        f" {q['top5_hits']}/{q['top5_proposals']} = {q['precision_top5']} strict,"
        f" {q['top5_judged_right']}/{q['top5_proposals']} = {q['precision_top5_judged']} judged;"
        f" the right article in the top 5: {q['article_found']}/{q['appearances']}"
    )
    for trial in q["trials"]:
        mark = (
            "same-article"
            if trial["article_still_the_claims"]
            else (f"found #{trial['found_at']}" if trial["found_at"] else "MISSED")
        )
        print(
            f"  {trial['appearance']:>3} claim {trial['claim']:>3} {mark:<13} {trial['quote'][:70]}"
        )
    print("related:", {k: v for k, v in result["related"].items() if k != "claims_detail"})
    print("cost:", result["cost"])
    print("written to", out.relative_to(BASE_DIR))


if __name__ == "__main__":
    main()
