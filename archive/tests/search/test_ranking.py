"""The rank (ranking.py): title above lead above body, an exact form above a stem only, closer
words higher, the newest first among equals; or the date alone, when asked. Many candidates
ranked quickly first: test_execution.py."""

from archive.models import Article


def order(query, **kwargs):
    return [a.slug for a in Article.objects.published().search(query, **kwargs)]


def test_title_above_lead_above_body(ranked):
    ranked("in-body", body="تقرير عن البرتقال في الأسواق", days=3)
    ranked("in-title", title="البرتقال", days=1)
    ranked("in-lead", lead="البرتقال في الأسواق", days=2)
    assert order("البرتقال") == ["in-title", "in-lead", "in-body"]


def test_exact_form_above_stem_only(ranked):
    ranked("stem-only", body="ارتفعت أسعار البرتقال اليوم", days=2)
    ranked("exact", body="ارتفعت أسعار برتقال اليوم", days=1)
    assert order("برتقال") == ["exact", "stem-only"]


def test_closer_words_rank_higher(ranked):
    ranked("far", body="البرتقال " + "كلام " * 30 + "الليمون", days=2)
    ranked("near", body="البرتقال الليمون", days=1)
    assert order("البرتقال الليمون") == ["near", "far"]


def test_recency_breaks_ties(ranked):
    ranked("older", body="البرتقال", days=1)
    ranked("newer", body="البرتقال", days=5)
    assert order("البرتقال") == ["newer", "older"]


def test_sort_by_date(ranked):
    ranked("older", title="البرتقال", days=1)
    ranked("newer", body="البرتقال", days=5)
    assert order("البرتقال", sort="newest") == ["newer", "older"]
    assert order("البرتقال", sort="oldest") == ["older", "newer"]
