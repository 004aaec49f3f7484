"""Two versions of the archive compared on the same machine at the same time: the query mix
of api_bench.py sent to each in turn, request by request, so that whatever else the machine
is doing (this one's speed varies by a third from hour to hour) weighs on both alike.
Results go to bench/results/ab-<label>.json; bench/report.py adds them to bench/RESULTS.md.

    git worktree add /tmp/before <commit>
    python bench/ab_bench.py --label 31.5k \\
        --before /tmp/before postgres://.../newsroom_ant_before \\
        --after . postgres://.../newsroom_ant

Each side is a source tree and the database it serves (the same one, or a copy migrated as
that version expects); each runs its own gunicorn worker. The words of the mix are drawn from
the "after" database.
"""

import argparse
import http.client
import json
import os
import random
import time
import urllib.parse
from pathlib import Path

from api_bench import PORT, RESULTS, percentile, query_mix, start_server, summarize, word_lists


def request(conn, params):
    """The server time of one request, over the kept-alive connection."""
    started = time.perf_counter()
    conn.request("GET", "/api/articles/?" + urllib.parse.urlencode(params))
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{params}: {response.status} {body[:300]!r}")
    return elapsed


def compare(sides, mix, repeats, ports=(PORT, PORT + 1)):
    """{kind: {side: summary}}, the sides' requests interleaved (their order alternating)."""
    servers, conns = [], {}
    try:
        for (name, tree, url), port in zip(sides, ports, strict=True):
            servers.append(start_server(url, cwd=Path(tree).resolve(), port=port))
            conns[name] = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        results = {}
        for kind, requests in mix.items():
            for params in requests[:3]:  # warm-up
                for conn in conns.values():
                    request(conn, params)
            sample = (requests * repeats)[: max(repeats, len(requests))]
            times = {name: [] for name in conns}
            for i, params in enumerate(sample):
                # Each request alternates which side asks first from one round of the mix to
                # the next: the first asker pays the cold reads (at 1M, from disk). By `i % 2`
                # alone, a mix of an even length put the same side first for a request always.
                first = (i % len(requests) + i // len(requests)) % 2 == 0
                order = list(conns) if first else list(reversed(conns))
                for name in order:
                    times[name].append(request(conns[name], params))
            results[kind] = {name: summarize(t) for name, t in times.items()}
            ratio = percentile(times["after"], 50) / percentile(times["before"], 50)
            print(
                f"  {kind}: "
                + ", ".join(f"{n} p50 {s['p50']} p95 {s['p95']}" for n, s in results[kind].items())
                + f" (after/before p50 {ratio:.2f})",
                flush=True,
            )
        return results
    finally:
        for server in servers:
            server.terminate()
            server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="e.g. 31.5k")
    parser.add_argument("--before", nargs=2, metavar=("TREE", "DATABASE_URL"), required=True)
    parser.add_argument("--after", nargs=2, metavar=("TREE", "DATABASE_URL"), required=True)
    parser.add_argument("--before-name", default="before", help="what the before side is")
    parser.add_argument("--repeats", type=int, default=40, help="requests per query type")
    parser.add_argument(
        "--ports", type=int, nargs=2, default=[PORT, PORT + 1], help="the two servers' ports"
    )
    parser.add_argument("--note", default="", help="what else the machine was doing")
    args = parser.parse_args()
    sides = [("before", *args.before), ("after", *args.after)]
    rng = random.Random(31525)
    words = word_lists(args.after[1], rng)
    mix = query_mix(words, rng)
    results = compare(sides, mix, args.repeats, args.ports)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"ab-{args.label}.json"
    out.write_text(
        json.dumps(
            {
                "label": args.label,
                "date": time.strftime("%Y-%m-%d"),
                "machine": {"cores": os.cpu_count()},
                "published": words["total"],
                "before": args.before_name,
                "note": args.note,
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
