"""The record of each purge: what was purged with its history, by whom and why."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
