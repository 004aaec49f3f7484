"""News outlets and agencies."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..history import track
from .common import (
    SLUG_SHAPE,
    SLUG_SHAPE_MESSAGE,
    Language,
    SlugManager,
    unique_slug,
    version_field,
    version_triggers,
)


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
