"""What every model of the archive shares: slugs, publication dates, control characters, the
row version kept by PostgreSQL, the `pk__any` lookup, languages and the search columns'
expressions."""

import datetime as dt
import re

import pgtrigger
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Func, Value
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..history import DERIVED_COLUMNS


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
