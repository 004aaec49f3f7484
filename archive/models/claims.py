"""Claims, the evidence for or against them, and where they appear (the quotes in articles)."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import MD5, Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import search
from ..history import track, track_links
from ..search.queryset import SearchQuerySetMixin, SearchSpec
from .articles import Article, public_article
from .common import (
    search_key,
    squash_spaces,
    unique_slug,
    version_field,
    version_triggers,
    weighted_vector,
)
from .tags import Tag


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
    # The text a search reads its words from (the "did you mean" spells its words as it).
    search_text_fields = ("statement",)

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

    # The statement as the analyser's stems (no stop words, no clitics): what related claims
    # compare by trigrams (archive/claim_tracking.py). Derived, so kept out of the history.
    search_key = models.GeneratedField(
        expression=search_key("statement"),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = ClaimManager()

    version = version_field()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        triggers = version_triggers()
        # Similar wording (archive/claim_tracking.py): trigrams of the statement's search key.
        indexes = [
            GinIndex(OpClass("search_key", name="gin_trgm_ops"), name="claim_wording_trgm"),
        ]
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
        public (archive/models/corrections.py), else that first time. Not yet public (a preview):
        its last change."""
        if hasattr(self, "first_public"):  # read with the claim (selectors.with_review_dates)
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


# The links of the many-to-many field have a history of their own (added, removed).
track_links(Claim.tags.through, "ClaimTagEvent")
