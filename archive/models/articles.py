"""Articles: what the public may see of them (`public_article`, `published()`), their search
and listing, and the article itself."""

import re

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import search
from ..history import track, track_links
from ..search.queryset import SearchQuerySetMixin, SearchSpec
from .common import (
    EARLIEST_PUBLICATION,
    SLUG_SHAPE,
    SLUG_SHAPE_MESSAGE,
    Language,
    control_character_problem,
    mark_quotes,
    publication_date_problem,
    squash_spaces,
    unique_slug,
    version_field,
    version_triggers,
)
from .sources import Source
from .tags import Tag


def public_article(prefix=""):
    """The one rule of what the public may see, as a condition on an article (or on the
    article reached through `prefix`, "article__"): published, and its publication time
    come. An article published for a later time is public from that time, with no job to run."""
    return Q(**{f"{prefix}status": "published", f"{prefix}published_at__lte": Now()})


class ArticleQuerySet(SearchQuerySetMixin, models.QuerySet):
    def published(self):
        """What the public may see: published articles whose publication time has come."""
        return self.filter(public_article())

    def withdrawn(self):
        """Articles withdrawn after they had been public: their address answers 410 Gone (one
        withdrawn before its publication time was never public, and stays a plain 404)."""
        return self.filter(status="withdrawn", published_at__lte=F("withdrawn_at"))

    def search(self, query, sort="relevance"):
        """Articles matching a reader's query (web-search syntax, Arabic-aware), annotated
        with `rank` and, once fetched, `snippet`. Sorted by relevance unless `sort` is
        "newest" or "oldest"; empty for a query with nothing to search for. Ranked, counted
        and paged within their candidates (archive/search/execution.py)."""
        spec = SearchSpec(
            query,
            order=("-published_at", "-id"),
            sort=sort,
            rank_column="rank_vector",
            pair_column="pair_vector",
            tags_by_key=Tag.objects.with_search_keys,
            candidates=True,
        )
        return self.run_search(spec)

    def listing(self, sort="newest"):
        """The articles by date, newest first (or oldest), within their candidates like a
        search."""
        order = ["published_at", "id"] if sort == "oldest" else ["-published_at", "-id"]
        return self.order_by(*order).within_candidates(self, sort)


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    # The search columns are SQL's alone (conditions, ranking); an article's page, a list or
    # a form never loads them: they hold every term of the text, several kB each.
    SEARCH_COLUMNS = ("search_vector", "rank_vector", "pair_vector")

    def get_queryset(self):
        return super().get_queryset().defer(*self.SEARCH_COLUMNS)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


@track
class Article(models.Model):
    # The texts a search reads its words from (the "did you mean" spells its words as they).
    search_text_fields = ("title", "lead", "body")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(
        _("slug"),
        max_length=255,
        unique=True,
        allow_unicode=True,
        blank=True,
        help_text=_("The article's permanent address; made from the title when left empty."),
    )
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"))
    url = models.URLField(
        _("original URL"),
        max_length=1000,
        blank=True,
        help_text=_("Where the outlet published it. Two articles cannot share a URL."),
    )
    author = models.CharField(_("byline"), max_length=300, blank=True)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="articles", verbose_name=_("outlet")
    )
    credited_sources = models.ManyToManyField(
        Source,
        blank=True,
        related_name="credited_in",
        verbose_name=_("credited sources"),
        help_text=_("Agencies and outlets the article credits (via Reuters, المصدر: الأسبوع)."),
    )
    published_at = models.DateTimeField(_("published at"), db_index=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ARABIC
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    withdrawn_at = models.DateTimeField(
        _("withdrawn at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the article was withdrawn from the public archive."),
    )
    # Kept by PostgreSQL (archive/models/corrections.py): when the title, lead or body last changed
    # while the article was public, whatever wrote it. Its page then says "updated on".
    revised_at = models.DateTimeField(
        _("revised while public at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the title, lead or body last changed while the article was public."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    # Who wrote it (the admin, or an import run by a user): an editor may delete their own
    # drafts, and only those (archive/workflow.py). Empty for articles older than the field.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    # The search columns, kept by PostgreSQL (the trigger archive_article_vectors, see
    # archive/search/sql.py), which analyses each text once for all three, and again only when a
    # text changes; whatever Django writes to them is replaced.
    search_vector = SearchVectorField(null=True, editable=False, serialize=False)
    # The title and the lead alone (weights A and B, as in search_vector): what ranking reads.
    # Small enough to stay in the row, where the full vector lives out of line (TOAST) and
    # costs a decompression for every ranked article.
    rank_vector = SearchVectorField(null=True, editable=False, serialize=False)
    # Each two adjacent words of title, lead or body as one lexeme (stem_stem), no positions:
    # a two-word phrase is one lookup of its index, and search_vector stays as small as the
    # words make it (for walks along the date index and for ranking, which read it).
    pair_vector = SearchVectorField(null=True, editable=False, serialize=False)

    objects = ArticleManager()

    version = version_field()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        triggers = version_triggers()
        # The chief editors' rights (the group "Chief editors"); editors have the model's own.
        permissions = [
            ("publish_article", _("Can publish, schedule, unpublish and withdraw articles")),
            ("restore_deleted", _("Can bring back deleted articles, claims and tags")),
            ("purge_item", _("Can purge an item and its history (legal takedown)")),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_date"),
            models.Index(fields=["source", "-published_at"], name="article_source_date"),
            GinIndex(fields=["search_vector"], name="article_search"),
            GinIndex(fields=["pair_vector"], name="article_pairs"),
            # The editors' desk (archive/desk.py): the drafts and articles in review, the last
            # changed first, from a small index of their own; and the articles added in the
            # last days, from a block range index (created_at grows with the table).
            models.Index(
                fields=["-updated_at", "-id"],
                condition=Q(status__in=["draft", "review"]),
                name="article_in_progress",
            ),
            BrinIndex(fields=["created_at"], name="article_created_brin"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~Q(url=""),
                name="article_url_unique_when_present",
                violation_error_message=_("Another article already has this URL."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "published", "withdrawn"]),
                name="article_status_valid",
            ),
            # The 410 page says when; leaving the state clears the date (archive/workflow.py).
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="article_withdrawn_has_its_date",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="article_title_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="article_slug_not_empty"),
            # Older dates are typos; before 1 AD the driver cannot even read them back.
            models.CheckConstraint(
                condition=Q(published_at__gte=EARLIEST_PUBLICATION),
                name="article_published_after_1800",
            ),
            models.CheckConstraint(
                condition=Q(slug__regex=SLUG_SHAPE),
                name="article_slug_fits_its_url",
                violation_error_message=SLUG_SHAPE_MESSAGE,
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Article, self.title, instance_pk=self.pk, max_length=255, fallback="article"
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The public page (for a draft, the preview that staff can see: the admin's
        "View on site")."""
        return reverse("article", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self):
        """Public now: published, and its publication time come (see public_article)."""
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self):
        """Published for a time still to come: public from then."""
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    @property
    def public_corrections(self):
        """The correction notes readers see, oldest first (see archive/models/corrections.py)."""
        return self.corrections.public().order_by("created_at", "id")

    def last_public_update(self, corrections=None):
        """When readers were last told of a change: its text revised while public, or a
        correction made while public; None when neither. `corrections`: those already read."""
        corrections = self.public_corrections if corrections is None else corrections
        dates = [c.created_at for c in corrections]
        if self.revised_at is not None:
            dates.append(self.revised_at)
        return max(dates, default=None)

    def related(self):
        """Published articles that share tags with this one, most shared tags first."""
        return (
            Article.objects.published()
            .exclude(pk=self.pk)
            .filter(tags__in=self.tags.all())
            .annotate(shared=models.Count("tags"))
            .select_related("source")
            .order_by("-shared", "-published_at", "-id")
        )

    def paragraphs_with_quotes(self, appearances):
        """The title, lead and body's paragraphs as HTML, each claim's quote marked where it
        stands (an id per appearance, so that the claim list can link to it)."""
        marks = [(a.quote, f"quote-{a.pk}", a.claim.get_verdict_display()) for a in appearances]
        paragraphs = [p for p in re.split(r"\n\s*\n|\n", self.body) if p.strip()]
        return {
            "title": mark_quotes(self.title, marks),
            "lead": mark_quotes(self.lead, marks) if self.lead else "",
            "body": [mark_quotes(p.strip(), marks) for p in paragraphs],
        }

    def make_snippet(self, patterns):
        """The excerpt shown for a search hit: matched words in <mark>, the rest escaped."""
        for text in (self.body, self.lead):
            snippet = search.highlight(text, patterns)
            if snippet:
                return snippet
        return search.highlight_none(self.lead or self.body)

    def clean(self):

        self.title = squash_spaces(self.title)
        if not self.slug and self.title:
            # Made here as well as in save() so that the form's constraint checks see it.
            self.slug = unique_slug(
                Article, self.title, instance_pk=self.pk, max_length=255, fallback="article"
            )
        self.url = (self.url or "").strip()
        if self.url:
            existing = Article.objects.filter(url=self.url).exclude(pk=self.pk).first()
            if existing is not None:
                raise ValidationError(
                    {
                        "url": _(
                            "This URL already belongs to the article “%(title)s”"
                            " (no. %(id)s, %(date)s)."
                            " Edit that article instead of adding it again."
                        )
                        % {
                            "title": existing.title,
                            "id": existing.pk,
                            "date": existing.published_at.date().isoformat(),
                        }
                    }
                )
        problems = {}
        for name in ("title", "lead", "body", "author"):
            problem = control_character_problem(getattr(self, name))
            if problem:
                problems[name] = problem
        if self.published_at is not None:
            problem = publication_date_problem(self.published_at)
            if problem:
                problems["published_at"] = problem
        if problems:
            raise ValidationError(problems)
        problems = search.unindexable({"title": self.title, "lead": self.lead, "body": self.body})
        if problems:
            raise ValidationError(problems)


# The links of the many-to-many fields have a history of their own (added, removed).
track_links(Article.tags.through, "ArticleTagEvent")
track_links(Article.credited_sources.through, "ArticleCreditedSourceEvent")
