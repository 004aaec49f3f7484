"""Facets: how many of a listing's results each outlet, tag, claimant and verdict has, for the
pages and the API (each item {"value", "label", "count"}, most common first)."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, F

from .models import Article, Claim, ClaimAppearance, Source, Tag
from .search.ids import IdArray


def named_counts(model, relation, ids, name, limit):
    """Facet items for the outlets or tags of the rows `ids`, most common first."""
    rows = (
        model.objects.filter(**{f"{relation}__in": ids})
        .only("slug", "name_ar", *(["name_en"] if model is Tag else ["name"]))
        .annotate(count=Count(relation))
        .order_by("-count", name)[:limit]
    )
    return [{"value": r.slug, "label": r.display_name, "count": r.count} for r in rows]


def verdict_counts(rows):
    """Facet items from rows of {"verdict", "count"}, most common first."""
    labels = dict(Claim.Verdict.choices)
    return [
        {"value": r["verdict"], "label": str(labels[r["verdict"]]), "count": r["count"]}
        for r in sorted(rows, key=lambda r: (-r["count"], r["verdict"]))
    ]


ARTICLES, SOURCES, TAGS = Article._meta.db_table, Source._meta.db_table, Tag._meta.db_table
ARTICLE_TAGS = Article.tags.through._meta.db_table
CLAIMS, APPEARANCES = Claim._meta.db_table, ClaimAppearance._meta.db_table

# The three facets of a search's candidates in one query: the outlets and the tags (the `limit`
# most common, ties by name, as named_counts orders them) and the verdicts of their claims.
FACETS_HITS_SQL = "WITH hits AS MATERIALIZED (SELECT unnest(%(ids)s::bigint[]) AS id)"
SOURCES_SQL = f"""
(SELECT 'source', s.slug, s.name, s.name_ar, count(*) AS n
 FROM hits JOIN {ARTICLES} a ON a.id = hits.id JOIN {SOURCES} s ON s.id = a.source_id
 GROUP BY s.id ORDER BY n DESC, s.name LIMIT %(limit)s)"""
# The outlets counted already (article_facets' `sources`): only their names are read.
SOURCES_COUNTED_SQL = f"""
(SELECT 'source', s.slug, s.name, s.name_ar, c.n
 FROM unnest(%(source_ids)s::bigint[], %(source_counts)s::bigint[]) AS c(id, n)
   JOIN {SOURCES} s ON s.id = c.id
 ORDER BY c.n DESC, s.name LIMIT %(limit)s)"""
TAGS_AND_VERDICTS_SQL = f"""
UNION ALL
(SELECT 'tag', t.slug, t.name_en, t.name_ar, count(*) AS n
 FROM hits CROSS JOIN LATERAL (
     SELECT tag_id FROM {ARTICLE_TAGS} WHERE article_id = hits.id OFFSET 0
   ) AS at JOIN {TAGS} t ON t.id = at.tag_id
 GROUP BY t.id ORDER BY n DESC, t.name_ar LIMIT %(limit)s)
UNION ALL
(SELECT 'verdict', c.verdict, NULL, NULL, count(DISTINCT ca.article_id)
 FROM hits JOIN {APPEARANCES} ca ON ca.article_id = hits.id
   JOIN {CLAIMS} c ON c.id = ca.claim_id
 GROUP BY c.verdict)
"""


def article_facets(ids, limit, sources=None, using=DEFAULT_DB_ALIAS):
    """The facets of the articles `ids`, in one query on the database `using`. Each hit's tags
    are looked up through the index: LATERAL ... OFFSET 0 keeps the planner from hashing the
    whole table of article tags. `sources`, {source id: count} of the ids when known, spares
    reading each hit's row for its outlet."""
    facets = {"source": [], "tag": [], "verdict": []}
    verdicts = []
    params = {"ids": IdArray(ids), "limit": limit}
    if sources is not None:
        params.update(source_ids=list(sources), source_counts=list(sources.values()))
    sql = (
        FACETS_HITS_SQL
        + (SOURCES_SQL if sources is None else SOURCES_COUNTED_SQL)
        + TAGS_AND_VERDICTS_SQL
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, name, name_ar, count in cursor.fetchall():
            if facet == "verdict":
                verdicts.append({"verdict": value, "count": count})
                continue
            named = (
                Source(slug=value, name=name, name_ar=name_ar)
                if facet == "source"
                else Tag(slug=value, name_en=name, name_ar=name_ar)
            )
            facets[facet].append({"value": value, "label": named.display_name, "count": count})
    facets["verdict"] = verdict_counts(verdicts)
    return facets


def article_facets_of(results, limit):
    """{"source", "tag", "verdict"} of the articles `results`: over their candidates' ids when
    a search or listing found them (archive/search/execution.py), else through subqueries."""
    candidates = getattr(results, "candidate_ids", None)
    if candidates is not None:
        return article_facets(candidates, limit, results.outlet_counts, using=results.db)
    ids = results.order_by().values("pk")
    verdicts = (
        ClaimAppearance.objects.filter(article__in=ids)
        .values(verdict=F("claim__verdict"))
        .annotate(count=Count("article", distinct=True))
    )
    return {
        "source": named_counts(Source, "articles", ids, "name", limit),
        "tag": named_counts(Tag, "articles", ids, "name_ar", limit),
        "verdict": verdict_counts(verdicts),
    }


def claim_facets_of(results, limit):
    """{"verdict", "claimant", "tag"} of the claims `results`."""
    ids = results.order_by().values("pk")
    verdicts = Claim.objects.filter(pk__in=ids).values("verdict").annotate(count=Count("pk"))
    return {
        "verdict": verdict_counts(verdicts),
        "claimant": named_counts(Tag, "claims_made", ids, "name_ar", limit),
        "tag": named_counts(Tag, "claims", ids, "name_ar", limit),
    }
