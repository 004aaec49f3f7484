"""Tag suggestions from an article's text: the tags whose name or alias occurs in its title,
lead or body (found by archive/search/names.py, the search's own analysis), with the words of
the text that matched; and adding them, in the admin or by `manage.py suggest_tags`.

The finder is built once from every tag and alias, and built again only when they change: a
single query reads their count, highest id and sum of versions (which PostgreSQL bumps at
every change, archive/models/common.py), and a process keeps the finder of that state."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from pghistory.models import Context

from .models import Article, Tag, TagAlias
from .search.names import NameFinder

TEXT_FIELDS = ("title", "lead", "body")
QUALIFIER = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
SHOWN_WORDS = 5  # distinct matched words kept for the editor, per suggestion

_finders: dict[str, tuple[tuple, NameFinder]] = {}


def tags_state(using=DEFAULT_DB_ALIAS):
    """What changes whenever a tag or an alias is created, changed or deleted."""
    tags, aliases = Tag._meta.db_table, TagAlias._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), coalesce(max(id), 0), coalesce(sum(version), 0) FROM {tags}"
            f" UNION ALL SELECT count(*), coalesce(max(id), 0), coalesce(sum(version), 0)"
            f" FROM {aliases}"
        )
        return tuple(cursor.fetchall())


def finder(using=DEFAULT_DB_ALIAS):
    """The NameFinder of every tag's names and aliases (keyed by the tag's id), as they are."""
    state = tags_state(using)
    cached = _finders.get(using)
    if cached is not None and cached[0] == state:
        return cached[1]
    built = build_finder(
        Tag.objects.using(using).values_list("id", "name_ar", "name_en"),
        TagAlias.objects.using(using).values_list("tag_id", "name"),
    )
    _finders[using] = (state, built)
    return built


def build_finder(tags, aliases):
    """A NameFinder of `tags` ((id, Arabic name, English name)) and `aliases` ((tag id,
    spelling)): every name a tag goes by, keyed by the tag's id."""
    spellings = []
    for tag_id, name_ar, name_en in tags:
        spellings += [(tag_id, name_ar), (tag_id, name_en)]
    spellings += list(aliases)
    # A qualifier in brackets at the end tells two tags apart (زيارة … (يونيو 2024)); a text
    # names the thing without it.
    spellings += [(tag_id, QUALIFIER.sub("", name)) for tag_id, name in spellings if name]
    return NameFinder((tag_id, name) for tag_id, name in dict.fromkeys(spellings) if name)


@dataclass
class Suggestion:
    """A tag whose name or alias occurs in the article, and the text's words that matched."""

    tag: Tag
    words: list[str] = field(default_factory=list)
    count: int = 0  # occurrences in the title, lead and body together
    fields: list[str] = field(default_factory=list)  # where: "title", "lead", "body"


def found_in(texts, names=None):
    """{tag id: Suggestion without its tag} for the tags found in `texts` ({field: text})."""
    names = names or finder()
    found = {}
    for name in TEXT_FIELDS:
        for hit in names.find(texts.get(name) or ""):
            suggestion = found.setdefault(hit.key, Suggestion(tag=None))
            suggestion.count += 1
            if name not in suggestion.fields:
                suggestion.fields.append(name)
            if hit.matched not in suggestion.words and len(suggestion.words) < SHOWN_WORDS:
                suggestion.words.append(hit.matched)
    return found


def suggest(texts, attached=(), names=None):
    """The suggestions for an article's `texts` ({field: text}) whose tags are not among
    `attached` (ids), the most mentioned first, then by name."""
    found = found_in(texts, names)
    for tag_id in attached:
        found.pop(tag_id, None)
    if not found:
        return []
    for tag in Tag.objects.filter(pk__in=found):
        found[tag.pk].tag = tag
    suggestions = [s for s in found.values() if s.tag is not None]
    return sorted(suggestions, key=lambda s: (-s.count, s.tag.name_ar))


def suggest_for(article, names=None):
    """The suggestions for a saved article, leaving out the tags it has."""
    attached = set(article.tags.values_list("pk", flat=True))
    texts = {name: getattr(article, name) for name in TEXT_FIELDS}
    return suggest(texts, attached, names)


def suggestions_for_articles(articles, names=None):
    """(article, [Suggestion]) for each of the articles (a queryset) that has suggestions,
    one at a time: the articles are read in chunks, their tags in one query a chunk, and
    nothing is kept from one chunk to the next (an import may bring a million)."""
    names = names or finder()
    articles = articles.only("id", "title", "lead", "body").order_by("id")
    through = Article.tags.through
    for chunk in _chunks(articles.iterator(chunk_size=500), 500):
        attached = defaultdict(set)
        for article_id, tag_id in through.objects.filter(
            article_id__in=[a.pk for a in chunk]
        ).values_list("article_id", "tag_id"):
            attached[article_id].add(tag_id)
        found = []
        for article in chunk:
            texts = {name: getattr(article, name) for name in TEXT_FIELDS}
            hits = found_in(texts, names)
            for tag_id in attached[article.pk]:
                hits.pop(tag_id, None)
            if hits:
                found.append((article, hits))
        tags = Tag.objects.in_bulk({tag_id for _a, hits in found for tag_id in hits})
        for article, hits in found:
            suggestions = []
            for tag_id, suggestion in hits.items():
                suggestion.tag = tags.get(tag_id)
                if suggestion.tag is not None:
                    suggestions.append(suggestion)
            suggestions.sort(key=lambda s: (-s.count, s.tag.name_ar))
            yield article, suggestions


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def articles_of_run(run_id):
    """The articles an import run created or updated, as its history records them."""
    events = Article._meta.get_field("events").related_model.objects.filter(
        pgh_context__in=Context.objects.filter(metadata__import_run=run_id),
        pgh_label__in=["create", "update"],
    )
    return Article.objects.filter(pk__in=events.values("pgh_obj_id"))


def add_tags(article_id, tag_ids):
    """Add `tag_ids` to an article and move its version (a change of its tags leaves the row
    alone, so the trigger does not see it; as the admin's own save does, see
    archive/concurrency.py). Returns how many were added; the history records each link."""
    through = Article.tags.through
    with transaction.atomic():
        have = set(
            through.objects.filter(article_id=article_id, tag_id__in=tag_ids).values_list(
                "tag_id", flat=True
            )
        )
        new = [tag_id for tag_id in dict.fromkeys(tag_ids) if tag_id not in have]
        if new:
            through.objects.bulk_create([through(article_id=article_id, tag_id=t) for t in new])
            Article._base_manager.filter(pk=article_id).update(version=F("version") + 1)
    return len(new)


def record_import_suggestions(run):
    """After an import: how many of its articles have suggestions, and how many suggestions
    in all, kept on the run for its page (`manage.py suggest_tags --import-run` lists them)."""
    summary = {"articles": 0, "suggestions": 0, "first": []}
    for article, suggestions in suggestions_for_articles(articles_of_run(run.pk)):
        summary["articles"] += 1
        summary["suggestions"] += len(suggestions)
        if len(summary["first"]) < 50:
            names = [s.tag.display_name for s in suggestions]
            summary["first"].append([article.pk, article.title[:200], names])
    type(run).objects.filter(pk=run.pk).update(tag_suggestions=summary)
    run.tag_suggestions = summary
    return summary
