"""What an import found nearly the same as another article (archive/duplicates.py): derived
from the texts, kept as the import's report, not an editor's writing (so no history)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .articles import Article
from .imports import ImportRun


class ImportNearDuplicate(models.Model):
    """An article an import created or updated whose text is nearly the same as another's:
    one already in the archive, or one from the same file."""

    run = models.ForeignKey(
        ImportRun,
        on_delete=models.CASCADE,
        related_name="near_duplicates",
        verbose_name=_("import run"),
    )
    line = models.PositiveIntegerField(_("line"))
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("imported article")
    )
    other = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("nearly the same as")
    )
    similarity = models.FloatField(_("similarity"))

    class Meta:
        ordering = ["run", "line", "-similarity"]
        verbose_name = _("near-duplicate found by an import")
        verbose_name_plural = _("near-duplicates found by imports")
        # Shown on the import run's page, to whoever may see the run; not an admin of its own.
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["run", "article", "other"], name="import_near_duplicate_once"
            ),
            models.CheckConstraint(
                condition=models.Q(similarity__gte=0, similarity__lte=1),
                name="import_near_duplicate_similarity_range",
            ),
        ]

    def __str__(self):
        return f"{self.article_id} ≈ {self.other_id} ({self.similarity:.0%})"
