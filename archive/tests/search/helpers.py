"""What several of the search's test modules share: the texts the analysers are compared on
(test_parity.py, test_native_analyser.py), and the planner's estimates, fixed for a test
(test_execution.py, archive/tests/test_limits.py)."""

import gzip
import json

from archive.search import execution
from newsroom.settings import BASE_DIR

CORPUS = BASE_DIR.parent / "shared" / "corpus" / "ant-multisource.jsonl.gz"
SEEDS = BASE_DIR / "fixtures" / "seed.json"

TRICKY = [
    "الوَزِيرُ الجَدِيدُ جـــنود الرحمٰن",
    "أإآٱ ٲٳٵ ى ی ۍ ې ة ۀ ؤ ئ ٶ ٸ ک ڪ گ ڤ پ چ ژ",
    "١٠،٠٠٠ و10,000 و۱۰٬۰۰۰ و1,2345 و3,50 و2,500,000",
    "ﻻﺟﺌﻮﻥ ﻓﻲ ﺍﻟﻤﺨﻴﻢ ﷲ ﻷن ＮＡＴＯ",
    "NATO Zelenskyy ÉLYSÉE straße 😀 #كوريا_الشمالية x-ray ب2024",
    "والجنود بالانتخابات فالنتائج كالعادة للرئيس وللمرشحين وبالله والله الله لبوتين وبوتين",
    "في من على الى إلى عن أن إن هذا هذه وفي ومن و ف ب",
    "‌زیر‍ ‎ ‏ ؜ ­",
    "",
    "   \n\t ",
]


def corpus_texts(limit):
    if not CORPUS.exists():
        return []
    texts = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number % 97 == 0:  # spread over the five outlets
                row = json.loads(line)
                texts.append(" ".join([row["title"], row["abstract"] or "", row["text"] or ""]))
            if len(texts) >= limit:
                break
    return texts


def estimates_are(monkeypatch, estimate):
    """execution.estimate_rows gives estimate(queryset) for each queryset it is asked about."""

    def estimate_rows(*querysets):
        estimates = [estimate(queryset) for queryset in querysets]
        return estimates[0] if len(estimates) == 1 else estimates

    monkeypatch.setattr(execution, "estimate_rows", estimate_rows)


def planner_says(monkeypatch, matches):
    """The planner's estimate of a search's matches, fixed; any other estimate (the rows
    before the search) is the real count."""
    estimates_are(monkeypatch, lambda q: matches if q.search_info else q.count())
