"""The archive: outlets (Source), articles, tags with their other spellings, and claims with
the places they appear.

What the public may see is decided here, by the `published()` QuerySet methods; every public
path starts from them.
"""

import datetime as dt
import gzip
import io
import itertools
import json
import re
import shutil
import uuid
import zlib
from pathlib import Path

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import (
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import MD5, Cast, Coalesce, Concat, Lower, Now
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import search
from .history import DERIVED_COLUMNS, recorded, track, track_accounts, track_links
from .search.ids import IdArray  # noqa: F401  (filters and api take it from here)
from .search.queryset import SearchQuerySetMixin, SearchSpec


def unique_slug(model, text, *, instance_pk=None, max_length=200, fallback="item"):
    """A slug for `text` (Arabic kept as is) that no other row of `model` has yet."""
    base = slugify(text, allow_unicode=True)[: max_length - 8].strip("-") or fallback
    others = model._default_manager.exclude(pk=instance_pk)
    slug, n = base, 2
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# What a slug may hold so that the slug URL patterns (archive/urls.py) always match it: no
# slash and no space (reverse() quotes the rest; Arabic letters are fine).
SLUG_SHAPE = r"^[^/\s]+$"
SLUG_SHAPE_MESSAGE = _("The slug may not be empty nor hold a slash or a space.")

# Publication dates the archive accepts: from 1800 (older is a typo, and years before 1 AD
# cannot be read back by the driver) to the end of next year (a scheduled piece, not later).
EARLIEST_PUBLICATION = dt.datetime(1800, 1, 1, tzinfo=dt.UTC)


def latest_publication():
    return dt.datetime(dt.datetime.now(dt.UTC).year + 2, 1, 1, tzinfo=dt.UTC)


def publication_date_problem(value):
    """Why `value` (an aware datetime) cannot be a publication date, or None."""
    if value < EARLIEST_PUBLICATION or value >= latest_publication():
        return _("The publication date must lie between 1800 and the end of next year.")
    return None


# C0 and C1 control characters but tab, line feed and carriage return: XML 1.0 (the feeds)
# cannot carry them, and NUL cannot even be stored by PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class AnyEditedChange(pgtrigger.AnyChange):
    """A change to a field an editor writes: not the version itself, the auto_now time nor the
    derived search columns (the same fields whose change makes a version in the history)."""

    def resolve(self, model):
        names = {f.name for f in model._meta.fields}
        self.exclude = [name for name in (*DERIVED_COLUMNS, "version") if name in names]
        self.exclude_auto = True
        return super().resolve(model)


def version_field():
    """The row's version, kept by PostgreSQL (the triggers below) for every write path; the admin
    refuses a form opened at an older version (archive/concurrency.py)."""
    return models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)


def version_triggers():
    """Add one to the row's version at each update that changes what an editor writes,
    whatever makes it: a form, queryset.update, bulk_update, an import, raw SQL. A write never
    takes it back (loaddata writes the default, 1, with the rest of the row)."""
    return [
        pgtrigger.Trigger(
            name="bump_version",
            when=pgtrigger.Before,
            operation=pgtrigger.Update,
            condition=AnyEditedChange(),
            func="NEW.version := OLD.version + 1; RETURN NEW;",
        ),
        pgtrigger.Trigger(
            name="keep_version",
            when=pgtrigger.Before,
            operation=pgtrigger.Update,
            condition=pgtrigger.Q(new__version__lt=pgtrigger.F("old__version")),
            func="NEW.version := OLD.version; RETURN NEW;",
        ),
    ]


def control_character_problem(text):
    """Why `text` cannot be stored as it is (it holds a control character), or None."""
    found = CONTROL_CHARACTERS.search(text or "")
    if found is None:
        return None
    return _("The text holds a control character (U+%(code)04X), which cannot be kept.") % {
        "code": ord(found.group())
    }


def squash_spaces(text):
    return re.sub(r"\s+", " ", text or "").strip()


def mark_quotes(text, marks):
    """`text` escaped, with each (quote, id, title) found in it wrapped in <mark>."""
    found = []
    for quote, anchor, title in marks:
        start = text.find(quote.strip())
        if start >= 0:
            found.append((start, start + len(quote.strip()), anchor, title))
    found.sort()
    pieces, position = [], 0
    for start, end, anchor, title in found:
        if start < position:
            continue  # overlaps a quote already marked
        pieces.append(escape(text[position:start]))
        pieces.append(
            format_html(
                '<mark class="quote" id="{}" title="{}">{}</mark>', anchor, title, text[start:end]
            )
        )
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(str(p) for p in pieces))  # every piece is escaped above


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    OTHER = "other", _("Other")


class SlugManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


def weighted_vector(expression, weight):
    """The stored search vector of a text (archive_tsvector, see archive/search/)."""
    return Func(
        expression, Value(weight), function="archive_tsvector", output_field=SearchVectorField()
    )


def search_key(expression):
    return Func(expression, function="archive_search_key", output_field=models.TextField())


# --- Sources -------------------------------------------------------------------------------


@track
class Source(models.Model):
    """A news outlet or agency: the publisher of an article, or a source it credits."""

    class Kind(models.TextChoices):
        NEWSPAPER = "newspaper", _("Newspaper")
        AGENCY = "agency", _("News agency")
        BROADCASTER = "broadcaster", _("Broadcaster")
        WEBSITE = "website", _("Website")
        MAGAZINE = "magazine", _("Magazine")
        GOVERNMENT = "government", _("Government body")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ar = models.CharField(_("Arabic name"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    homepage = models.URLField(_("home page"), blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. QA, FR, KP.")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ARABIC
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WEBSITE)

    objects = SlugManager()

    version = version_field()

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        triggers = version_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(country="") | Q(country__regex=r"^[A-Z]{2}$"),
                name="source_country_iso_code",
                violation_error_message=_("The country is a two-letter ISO code in capitals."),
            ),
            models.CheckConstraint(
                condition=Q(slug__regex=SLUG_SHAPE),
                name="source_slug_fits_its_url",
                violation_error_message=SLUG_SHAPE_MESSAGE,
            ),
        ]

    def __str__(self):
        if self.name_ar and self.name_ar != self.name:
            return f"{self.name_ar} ({self.name})"
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Source, self.name, instance_pk=self.pk, fallback="source")
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    @property
    def display_name(self):
        """The name for the reader's language: Arabic unless the page is in English."""
        if get_language() == "en" or not self.name_ar:
            return self.name
        return self.name_ar


# --- Tags ----------------------------------------------------------------------------------


class TagQuerySet(models.QuerySet):
    def with_search_keys(self, keys):
        """{key: tag} for the tags one of whose spellings (names or aliases) has a search key
        in `keys` — how the search finds the names inside a query."""
        keys = list(keys)
        # The spellings' keys in one query (every search asks it; written here, as building
        # and compiling the union through the ORM cost more than the query): the names' (an
        # array a tag, unnested) first, then the aliases'; a name wins over an alias, the
        # lower id over the higher.
        tags, aliases = Tag._meta.db_table, TagAlias._meta.db_table
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                f"SELECT 0, t.id, k FROM {tags} t, unnest(t.search_keys) AS k"
                " WHERE t.search_keys && %(keys)s::text[] AND k = ANY(%(keys)s::text[])"
                f" UNION ALL SELECT 1, a.tag_id, a.search_key FROM {aliases} a"
                " WHERE a.search_key = ANY(%(keys)s::text[]) ORDER BY 1, 2, 3",
                {"keys": keys},
            )
            spellings = cursor.fetchall()
        if not spellings:
            return {}
        ids = {tag_id for _by, tag_id, _key in spellings}
        tags = {tag.pk: tag for tag in self.filter(pk__in=ids).prefetch_related("aliases")}
        found = {}
        for _by, tag_id, key in spellings:
            found.setdefault(key, tags[tag_id])
        return found


class TagManager(models.Manager.from_queryset(TagQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


@track
class Tag(models.Model):
    """A person, organisation, place, event or topic, with its other spellings (aliases)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        PLACE = "place", _("Place")
        EVENT = "event", _("Event")
        TOPIC = "topic", _("Topic")

    CLAIMANT_KINDS = (Kind.PERSON, Kind.ORGANISATION)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_ar = models.CharField(_("Arabic name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    search_vector = models.GeneratedField(
        expression=weighted_vector(Concat("name_ar", Value(" "), "name_en"), "B"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    search_keys = models.GeneratedField(
        expression=Func(
            search_key("name_ar"),
            search_key("name_en"),
            function="ARRAY",
            template="%(function)s[%(expressions)s]",
            output_field=ArrayField(models.TextField()),
        ),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
    )

    objects = TagManager()

    version = version_field()

    class Meta:
        ordering = ["name_ar"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        triggers = version_triggers()
        indexes = [GinIndex(fields=["search_keys"], name="tag_search_keys")]
        constraints = [
            models.UniqueConstraint(
                "kind",
                Lower("name_ar"),
                name="tag_unique_arabic_name_per_kind",
                violation_error_message=_(
                    "A tag of this kind with this Arabic name already exists."
                ),
            ),
            models.CheckConstraint(
                condition=Q(slug__regex=SLUG_SHAPE),
                name="tag_slug_fits_its_url",
                violation_error_message=SLUG_SHAPE_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.name_ar} ({self.name_en})" if self.name_en else self.name_ar

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Tag, self.name_en or self.name_ar, instance_pk=self.pk, fallback="tag"
            )
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.slug,)

    @property
    def display_name(self):
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_ar

    @property
    def spellings(self):
        """Every name the tag goes by: its two names and its aliases."""
        names = [self.name_ar, self.name_en, *(alias.name for alias in self.aliases.all())]
        return list(dict.fromkeys(name for name in names if name))


class TagAliasManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name__iexact=name)


@track
class TagAlias(models.Model):
    """Another spelling of a tag's name (بيونج يانج for بيونغ يانغ). An alias names one tag only."""

    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("tag")
    )
    name = models.CharField(_("spelling"), max_length=200)

    search_key = models.GeneratedField(
        expression=search_key("name"), output_field=models.TextField(), db_persist=True
    )

    objects = TagAliasManager()

    version = version_field()

    class Meta:
        ordering = ["name"]
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        triggers = version_triggers()
        indexes = [models.Index(fields=["search_key"], name="alias_search_key")]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="alias_names_one_tag",
                violation_error_message=_("This spelling is already an alias of a tag."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="alias_not_empty",
                violation_error_message=_("An alias cannot be empty."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)

    def clean(self):

        self.name = squash_spaces(self.name)
        if not self.name:
            return
        clash = (
            TagAlias.objects.filter(name__iexact=self.name)
            .exclude(pk=self.pk)
            .select_related("tag")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "name": _("“%(name)s” is already an alias of the tag “%(tag)s”.")
                    % {"name": self.name, "tag": clash.tag}
                }
            )


# --- Articles ------------------------------------------------------------------------------


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
    # Kept by PostgreSQL (archive/corrections.py): when the title, lead or body last changed
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
        """The correction notes readers see, oldest first (see archive/corrections.py)."""
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


# --- Claims --------------------------------------------------------------------------------


class ClaimQuerySet(SearchQuerySetMixin, models.QuerySet):
    def search(self, query, sort="relevance"):
        """Claims matching a reader's query, searched the way articles are, in their wording,
        their quotes in published articles and their claimant's names (with its aliases,
        through the query's name expansion)."""
        empty = Cast(Value(""), SearchVectorField())
        quotes = (
            ClaimAppearance.objects.published()
            .filter(claim=OuterRef("pk"))
            .order_by()
            .values("claim")
            .annotate(vector=Func(F("search_vector"), function="archive_tsvector_agg"))
            .values("vector")
        )
        claimant = Tag.objects.filter(pk=OuterRef("claimant_id")).values("search_vector")
        document = Func(
            F("search_vector"),
            Coalesce(Subquery(quotes, output_field=SearchVectorField()), empty),
            Coalesce(Subquery(claimant, output_field=SearchVectorField()), empty),
            template="(%(expressions)s)",
            arg_joiner=" || ",
            output_field=SearchVectorField(),
        )
        spec = SearchSpec(
            query,
            order=("-updated_at", "-id"),
            sort=sort,
            document=document,
            tags_by_key=Tag.objects.with_search_keys,
        )
        return self.run_search(spec)

    def published(self):
        """A claim is public when at least one of its appearances is in a published article."""
        return self.filter(
            Exists(
                ClaimAppearance.objects.filter(public_article("article__"), claim=OuterRef("pk"))
            )
        )


class ClaimManager(models.Manager.from_queryset(ClaimQuerySet)):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


@track
class Claim(models.Model):
    """A checkable statement, who made it, and what we know of its truth."""

    class Verdict(models.TextChoices):
        UNVERIFIED = "unverified", _("Unverified")
        SUPPORTED = "supported", _("Supported")
        DISPUTED = "disputed", _("Disputed")
        FALSE = "false", _("False")
        MISLEADING = "misleading", _("Misleading")

    statement = models.TextField(
        _("statement"), help_text=_("The claim in one checkable sentence.")
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True, blank=True)
    claimant = models.ForeignKey(
        Tag,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_made",
        limit_choices_to={"kind__in": Tag.CLAIMANT_KINDS},
        verbose_name=_("claimant"),
        help_text=_("The person or organisation that made the claim."),
    )
    verdict = models.CharField(
        _("verdict"), max_length=12, choices=Verdict.choices, default=Verdict.UNVERIFIED
    )
    verdict_note = models.TextField(
        _("verdict note"),
        blank=True,
        help_text=_("Why this verdict: what supports or contradicts it."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="claims", verbose_name=_("tags"))

    # A figure: one value, or a range whose ends may be open ("more than", "up to").
    quantity_value = models.DecimalField(
        _("value"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    quantity_low = models.DecimalField(
        _("at least"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    quantity_high = models.DecimalField(
        _("at most"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    quantity_unit = models.CharField(_("unit"), max_length=100, blank=True)
    quantity_approximate = models.BooleanField(_("approximate (“about”)"), default=False)
    quantity_date = models.DateField(
        _("figure as of"), null=True, blank=True, help_text=_("The date the figure refers to.")
    )

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

    search_vector = models.GeneratedField(
        expression=weighted_vector("statement", "A"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ClaimManager()

    version = version_field()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        triggers = version_triggers()
        permissions = [
            ("change_public_verdict", _("Can change the verdict of a public claim")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_low__isnull=True)
                | Q(quantity_high__isnull=True)
                | Q(quantity_low__lte=F("quantity_high")),
                name="claim_quantity_low_not_above_high",
                violation_error_message=_("The lower bound of the range is above the upper bound."),
            ),
            models.CheckConstraint(
                condition=Q(quantity_value__isnull=True)
                | (Q(quantity_low__isnull=True) & Q(quantity_high__isnull=True)),
                name="claim_quantity_value_or_range",
                violation_error_message=_("Give either one value or a range, not both."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(quantity_value__isnull=True)
                    & Q(quantity_low__isnull=True)
                    & Q(quantity_high__isnull=True)
                )
                | ~Q(quantity_unit=""),
                name="claim_quantity_has_unit",
                violation_error_message=_("A figure needs its unit (soldiers, dollars, ...)."),
            ),
            models.CheckConstraint(condition=~Q(statement=""), name="claim_statement_not_empty"),
        ]

    def __str__(self):
        return self.statement if len(self.statement) <= 90 else self.statement[:88] + "…"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(
                Claim, self.statement[:80], instance_pk=self.pk, fallback="claim"
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("claim", args=[self.pk])

    def natural_key(self):
        return (self.slug,)

    def make_snippet(self, patterns):
        return search.highlight(self.statement, patterns) or search.highlight_none(self.statement)

    RATINGS = {"false": 1, "misleading": 2, "disputed": 3, "supported": 5}

    def claim_review(self, request, *articles):
        """schema.org ClaimReview of this claim as it appears in `articles` (JSON-LD)."""
        published, modified = self.review_dates()
        claimant = None
        if self.claimant:
            kind = "Person" if self.claimant.kind == Tag.Kind.PERSON else "Organization"
            claimant = {"@type": kind, "name": self.claimant.name_en or self.claimant.name_ar}
        return {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": request.build_absolute_uri(self.get_absolute_url()),
            "claimReviewed": self.statement,
            "datePublished": timezone.localdate(published).isoformat(),
            "dateModified": timezone.localdate(modified).isoformat(),
            "inLanguage": "ar",
            "author": {"@type": "Organization", "name": "Newsroom archive"},
            "itemReviewed": {
                "@type": "Claim",
                **({"author": claimant} if claimant else {}),
                "appearance": [
                    {
                        "@type": "CreativeWork",
                        "url": request.build_absolute_uri(article.get_absolute_url()),
                    }
                    for article in articles
                ],
            },
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": self.RATINGS.get(self.verdict, 3),
                "bestRating": 5,
                "worstRating": 1,
                "alternateName": str(self.get_verdict_display()),
            },
        }

    def review_dates(self):
        """(published, modified) of the claim's review for readers: when it became public
        (its first public article's publication time) and when its verdict last changed in
        public (archive/corrections.py), else that first time. Not yet public (a preview):
        its last change."""
        if hasattr(self, "first_public"):  # read with the claim (views.with_review_dates)
            first, changed = self.first_public, self.last_public_change
        else:
            first = ClaimAppearance.objects.published().filter(claim=self)
            first = first.aggregate(first=models.Min("article__published_at"))["first"]
            changed = self.verdict_changes.public().aggregate(last=models.Max("changed_at"))
            changed = changed["last"]
        if first is None:
            return self.updated_at, self.updated_at
        return first, max(first, changed) if changed else first

    @property
    def has_quantity(self):
        return any(
            v is not None for v in (self.quantity_value, self.quantity_low, self.quantity_high)
        )

    @property
    def quantity_display(self):
        """The figure as a reader would say it: “about 11,000 soldiers”, “10,000–12,000”."""
        if not self.has_quantity:
            return ""

        def fmt(number):
            return f"{number.normalize():,f}"

        if self.quantity_value is not None:
            text = fmt(self.quantity_value)
        elif self.quantity_low is not None and self.quantity_high is not None:
            text = f"{fmt(self.quantity_low)}–{fmt(self.quantity_high)}"
        elif self.quantity_low is not None:
            text = _("more than %s") % fmt(self.quantity_low)
        else:
            text = _("up to %s") % fmt(self.quantity_high)
        if self.quantity_approximate:
            text = _("about %s") % text
        return f"{text} {self.quantity_unit}".strip()

    def clean(self):

        self.statement = (self.statement or "").strip()
        errors = {}
        low, high = self.quantity_low, self.quantity_high
        if low is not None and high is not None and low > high:
            errors["quantity_high"] = _(
                "The upper bound (%(high)s) is below the lower bound (%(low)s)."
            ) % {"low": low, "high": high}
        if self.quantity_value is not None and (low is not None or high is not None):
            errors["quantity_value"] = _("Give either one value or a range, not both.")
        if self.has_quantity and not self.quantity_unit.strip():
            errors["quantity_unit"] = _("A figure needs its unit (soldiers, dollars, ...).")
        if self.claimant_id and self.claimant.kind not in Tag.CLAIMANT_KINDS:
            errors["claimant"] = _("The claimant is a person or an organisation.")
        errors.update(search.unindexable({"statement": self.statement}))
        if errors:
            raise ValidationError(errors)


class ClaimEvidenceManager(models.Manager):
    def get_by_natural_key(self, claim_slug, url):
        return self.get(claim__slug=claim_slug, url=url)


@track
class ClaimEvidence(models.Model):
    """A link that supports or contradicts a claim, with what it shows."""

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("claim")
    )
    url = models.URLField(_("link"), max_length=1000)
    description = models.CharField(_("what it shows"), max_length=500, blank=True)

    objects = ClaimEvidenceManager()

    version = version_field()

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        triggers = version_triggers()
        constraints = [
            models.UniqueConstraint(fields=["claim", "url"], name="evidence_once_per_claim"),
        ]

    def __str__(self):
        return self.description or self.url

    def natural_key(self):
        return (self.claim.slug, self.url)

    natural_key.dependencies = ["archive.claim"]


class ClaimAppearanceQuerySet(models.QuerySet):
    def published(self):
        """Appearances in articles the public may see."""
        return self.filter(public_article("article__"))


class ClaimAppearanceManager(models.Manager.from_queryset(ClaimAppearanceQuerySet)):
    def get_by_natural_key(self, claim_slug, article_slug, quote):
        return self.get(claim__slug=claim_slug, article__slug=article_slug, quote=quote)


@track
class ClaimAppearance(models.Model):
    """Where a claim appears: the article, the exact words it uses, and when they were said."""

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="appearances", verbose_name=_("claim")
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="claim_appearances",
        verbose_name=_("article"),
    )
    quote = models.TextField(_("quote"), help_text=_("The exact words of the article."))
    stated_on = models.DateField(
        _("stated on"), null=True, blank=True, help_text=_("When the claim was made, if known.")
    )

    search_vector = models.GeneratedField(
        expression=weighted_vector("quote", "B"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    objects = ClaimAppearanceManager()

    version = version_field()

    class Meta:
        ordering = ["stated_on", "id"]
        verbose_name = _("appearance")
        verbose_name_plural = _("appearances")
        triggers = version_triggers()
        constraints = [
            models.CheckConstraint(
                condition=Q(quote__regex=r"\S"),
                name="appearance_quote_not_blank",
                violation_error_message=_("The quote cannot be empty."),
            ),
            # md5 keeps the unique index small whatever the length of the quote.
            models.UniqueConstraint(
                "claim",
                "article",
                MD5("quote"),
                name="appearance_once_per_quote",
                violation_error_message=_(
                    "This quote is already recorded for this claim and article."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.claim} — {self.article}"

    def natural_key(self):
        return (self.claim.slug, self.article.slug, self.quote)

    natural_key.dependencies = ["archive.claim", "archive.article"]

    def clean(self):

        self.quote = (self.quote or "").strip()
        if not self.quote or self.article_id is None:
            return
        article = self.article
        text = squash_spaces(" ".join([article.title, article.lead, article.body]))
        if squash_spaces(self.quote) not in text:
            raise ValidationError(
                {
                    "quote": _("The quote must be copied exactly from the article “%(title)s”.")
                    % {"title": article.title}
                }
            )


class UploadRefused(ValueError):
    """An upload that is not stored, with the reason for the editor."""


class ImportRunQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state__in=[ImportRun.State.QUEUED, ImportRun.State.RUNNING])

    def past_retention(self, now=None):
        """Ended runs older than the retention period whose files are still kept."""
        days = settings.NEWSROOM_IMPORT_RETENTION_DAYS
        cutoff = (now or timezone.now()) - dt.timedelta(days=days)
        return self.filter(
            state__in=[ImportRun.State.FINISHED, ImportRun.State.FAILED],
            finished_at__lt=cutoff,
            files_removed_at__isnull=True,
        )


class ImportRun(models.Model):
    """One import: who started it, the file, its options, its progress and outcome. The
    admin's are run by the worker (archive/tasks.py), the command's by the command itself;
    the record stays after its files are removed (NEWSROOM_IMPORT_RETENTION_DAYS)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    class Via(models.TextChoices):
        ADMIN = "admin", _("the admin's import page")
        COMMAND = "command", _("manage.py import_articles")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    via = models.CharField(_("started from"), max_length=10, choices=Via, default=Via.ADMIN)
    file_name = models.CharField(_("file"), max_length=255)
    stored_file = models.CharField(
        _("stored as"),
        max_length=255,
        blank=True,
        help_text=_("Inside NEWSROOM_IMPORTS_DIR (the admin's uploads only)."),
    )
    file_size = models.BigIntegerField(_("size in bytes"))
    # Measured for the admin's uploads; the command reads files of any size unmeasured.
    text_size = models.BigIntegerField(_("size in bytes once decompressed"), null=True, blank=True)
    field_map = models.JSONField(_("field map"))
    article_status = models.CharField(
        _("status of the new articles"), max_length=10, choices=Article.Status.choices
    )
    update_existing = models.BooleanField(_("update articles already in the archive"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    read = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped as duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rejects_file = models.CharField(_("rejects file"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    files_removed_at = models.DateTimeField(_("files removed at"), null=True, blank=True)
    job_id = models.BigIntegerField(_("job"), null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "finished", "failed"]),
                name="importrun_state_known",
            ),
            # A finished import accounts for every row it read.
            models.CheckConstraint(
                condition=~Q(state="finished")
                | Q(read=F("created") + F("updated") + F("skipped") + F("rejected")),
                name="importrun_finished_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.queued_at:%Y-%m-%d %H:%M})"

    # --- files ------------------------------------------------------------------------------

    @staticmethod
    def folder():
        return Path(settings.NEWSROOM_IMPORTS_DIR)

    @property
    def upload_path(self):
        return self.folder() / self.stored_file

    @property
    def rejects_path(self):
        return self.folder() / self.rejects_file if self.rejects_file else None

    @property
    def working_rejects_path(self):
        """Where the import writes its rejects, beside the upload (kept as rejects_file)."""
        return self.upload_path.parent / "rejects.jsonl"

    @property
    def own_folder(self):
        """The run's folder inside the imports folder (its upload, its rejects), or None."""
        stored = self.stored_file or self.rejects_file
        return self.folder() / Path(stored).parts[0] if stored else None

    @classmethod
    def store(cls, upload):
        """Keep an upload in a folder of its own; (its path inside the imports folder, its
        size once decompressed). A gzip is read through, a chunk at a time, so that what it
        holds is measured without inflating it in memory; past the limit it is refused."""
        limit = settings.NEWSROOM_IMPORT_MAX_TEXT_MB * 1024 * 1024
        name = upload.name.lower()  # the import reads the format from the name
        suffix = ".csv" if name.removesuffix(".gz").endswith(".csv") else ".jsonl"
        suffix += ".gz" if name.endswith(".gz") else ""
        relative = Path(uuid.uuid4().hex) / f"upload{suffix}"
        path = cls.folder() / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            size = text_size(path, limit)
        except UploadRefused:
            shutil.rmtree(path.parent, ignore_errors=True)
            raise
        return str(relative), size

    @classmethod
    def queue(cls, upload, user, mapping, status, update):
        """Store the upload, record its run and queue its job; UploadRefused keeps nothing."""
        from .tasks import queue_import  # the tasks module imports this one

        stored, text_size = cls.store(upload)
        with transaction.atomic():
            run = cls.objects.create(
                uploaded_by=user,
                file_name=upload.name[:255],
                stored_file=stored,
                file_size=upload.size,
                text_size=text_size,
                field_map=mapping,
                article_status=status,
                update_existing=update,
            )
            queue_import(run)
        return run

    def remove_files(self):
        if self.own_folder is not None:
            shutil.rmtree(self.own_folder, ignore_errors=True)
        ImportRun.objects.filter(pk=self.pk).update(files_removed_at=timezone.now())

    def first_rejects(self, limit=50):
        """The first rejected rows, as (line, reason), from the rejects file."""
        path = self.rejects_path
        if path is None or self.files_removed_at or not path.exists():
            return []
        entries = []
        with open(path, encoding="utf-8") as handle:
            for line in itertools.islice(handle, limit):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                entries.append((entry.get("line"), str(entry.get("reason", ""))[:500]))
        return entries

    def recorded(self):
        """The history context of the import's writes: each article it creates or updates
        names this run in its history."""
        return recorded("import", import_run=self.pk, file=self.file_name, user=self.uploaded_by_id)

    # --- life cycle -------------------------------------------------------------------------

    @property
    def is_active(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    def start(self):
        """Queued → running; False when the run is no longer queued (failed meanwhile)."""
        self.started_at = timezone.now()
        started = ImportRun.objects.filter(pk=self.pk, state=self.State.QUEUED).update(
            state=self.State.RUNNING, started_at=self.started_at
        )
        self.state = self.State.RUNNING
        return bool(started)

    def record_progress(self, summary):
        """The counts so far (after each batch the import writes)."""
        for name in ("read", "created", "updated", "skipped", "rejected"):
            setattr(self, name, getattr(summary, name))
        ImportRun.objects.filter(pk=self.pk).update(
            read=self.read,
            created=self.created,
            updated=self.updated,
            skipped=self.skipped,
            rejected=self.rejected,
        )

    def finish(self, summary, rejects_file=""):
        self.record_progress(summary)
        self.state, self.finished_at = self.State.FINISHED, timezone.now()
        self.rejects_file = rejects_file
        self.save(update_fields=["state", "finished_at", "rejects_file"])

    def fail(self, message, rejects_file=""):
        self.state, self.finished_at, self.error = self.State.FAILED, timezone.now(), message
        self.rejects_file = rejects_file
        self.save(update_fields=["state", "finished_at", "error", "rejects_file"])


def text_size(path, limit):
    """The bytes of text `path` holds (gunzipped when it is gzip), refusing more than
    `limit`, a broken gzip or a gzip bomb, reading a chunk at a time."""
    with open(path, "rb") as raw:
        if raw.read(2) != b"\x1f\x8b":
            size = raw.seek(0, io.SEEK_END)
        else:
            raw.seek(0)
            size = 0
            try:
                with gzip.GzipFile(fileobj=raw) as text:
                    while chunk := text.read(1024 * 1024):
                        size += len(chunk)
                        if size > limit:
                            break
            except (OSError, EOFError, zlib.error):
                raise UploadRefused(
                    _("This gzip file is damaged or incomplete: it cannot be read to the end.")
                ) from None
    if size > limit:
        raise UploadRefused(
            _(
                "Once decompressed, this file holds more than %(limit)d MB of text: import it"
                " with manage.py import_articles."
            )
            % {"limit": settings.NEWSROOM_IMPORT_MAX_TEXT_MB}
        )
    return size


# The links of the many-to-many fields have a history of their own (added, removed).
track_links(Article.tags.through, "ArticleTagEvent")
track_links(Article.credited_sources.through, "ArticleCreditedSourceEvent")
track_links(Claim.tags.through, "ClaimTagEvent")
track_accounts()


class PurgeRecord(models.Model):
    """An item purged with its history for a legal takedown: who, when, what (its model and id)
    and why. Never the content, which the purge removed."""

    purged_at = models.DateTimeField(_("purged at"), auto_now_add=True)
    purged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("purged by"),
    )
    model = models.CharField(_("kind of item"), max_length=100)
    object_id = models.BigIntegerField(_("item number"))
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-purged_at", "-id"]
        # Written by the purge alone: a record to read, never to edit.
        default_permissions = ("view",)
        verbose_name = _("purge")
        verbose_name_plural = _("purges")

    def __str__(self):
        return f"{self.model} #{self.object_id}"


# Corrections in public: the correction notes, the verdict changes and the triggers that keep
# them and Article.revised_at (a module of its own; it needs the models above).
from .corrections import Correction, VerdictChange  # noqa: E402, F401
