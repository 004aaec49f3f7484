"""The editors' desk and the admin's lists, timed through Django's test client against the
database in DATABASE_URL (as it stands: load a corpus first).

Usage:
    DJANGO_DEBUG=true DATABASE_URL=postgres://... python bench/desk_bench.py [--rounds 15]
        [--user chief] [--out bench/results/desk.json]

Each page is requested once to warm up, then `rounds` times; the medians and 90th percentiles
of the wall time and the number of SQL queries are printed and written as JSON.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from archive.models import Article, Claim  # noqa: E402

PAGES = {
    "desk": "/admin/",
    "articles": "/admin/archive/article/",
    "articles by tags count": "/admin/archive/article/?o=5",
    "claims": "/admin/archive/claim/",
    "claims with a figure range": "/admin/archive/claim/?figure_min=10000&figure_max=15000",
}


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--user", default="chief")
    parser.add_argument("--out", default="bench/results/desk.json")
    args = parser.parse_args()
    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=args.user))
    results = {
        "articles": Article.objects.count(),
        "claims": Claim.objects.count(),
        "rounds": args.rounds,
        "pages": {},
    }
    for name, url in PAGES.items():
        assert client.get(url).status_code == 200, url
        times, queries = [], []
        for _ in range(args.rounds):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, url
            queries.append(len(captured.captured_queries))
        results["pages"][name] = {
            "url": url,
            "median_ms": round(statistics.median(times), 1),
            "p90_ms": round(percentile(times, 0.9), 1),
            "queries": max(queries),
        }
        print(
            f"{name:32} median {statistics.median(times):8.1f} ms  p90 "
            f"{percentile(times, 0.9):8.1f} ms  {max(queries)} queries"
        )
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
