"""Tags (people, organisations, places, events, topics) and their other spellings."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Func, Q, Value
from django.db.models.functions import Concat, Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..history import track
from .common import (
    SLUG_SHAPE,
    SLUG_SHAPE_MESSAGE,
    search_key,
    squash_spaces,
    unique_slug,
    version_field,
    version_triggers,
    weighted_vector,
)


class TagQuerySet(models.QuerySet):
    def with_search_keys(self, keys):
        """{key: tag} for the tags one of whose spellings (names or aliases) has a search key
        in `keys` — how the search finds the names inside a query."""
        keys = list(keys)
        # The spellings' keys in one query, written here as the ORM's union costs more than the
        # query: the names' (an array a tag, unnested) first, then the aliases'; a name wins
        # over an alias, the lower id over the higher.
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
