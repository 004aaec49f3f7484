from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def choose_analyser(sender, using, **kwargs):
    """After every migrate: the native analyser where the server can load it (see
    archive.search.use_native_analyser)."""
    from django.db import connections

    from archive import search

    search.use_native_analyser(connections[using])


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = _("News archive")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(choose_analyser, sender=self)
