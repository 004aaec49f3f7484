"""Tag suggestions on the article's change page (archive/tagging.py): under the tags, each
suggested tag with its kind and the words of the text that matched, and an "Add" button.

The button posts to add_suggested_tag_view, a write of its own that the version check guards
like the form: it carries the version the page was opened at and is refused when the article
was saved meanwhile. With JavaScript, a page whose form holds unsaved edits adds the tag to
the form's tags field instead, so that the editor's edits are not lost (tag_suggestions.js)."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from . import tagging
from .models import Article, Tag


def positive_id(value):
    """A row id or version from a form: a positive bigint, else None (history_admin's
    whole_number answers a 404 instead, for addresses)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


class TagSuggestionsAdmin:
    """For ArticleAdmin (in its bases, before the ModelAdmin)."""

    def get_urls(self):
        return [
            path(
                "<path:object_id>/suggested-tag/",
                self.admin_site.admin_view(self.add_suggested_tag_view),
                name="archive_article_add_suggested_tag",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {}
        article = self.get_object(request, unquote(object_id))
        if article is not None and request.method == "GET":
            extra["tag_suggestions"] = tagging.suggest_for(article)
            extra["may_add_tags"] = self.has_change_permission(request, article)
            extra["add_suggested_tag_url"] = reverse(
                "admin:archive_article_add_suggested_tag", args=[article.pk]
            )
            extra["article_version"] = article.version
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def add_suggested_tag_view(self, request, object_id):
        """POST only: add one tag to the article, unless it was saved after the page was
        opened (the version the page carries)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        tag = Tag.objects.filter(pk=positive_id(request.POST.get("tag")) or 0).first()
        if tag is None:
            raise Http404
        change_url = reverse("admin:archive_article_change", args=[article.pk])
        opened = positive_id(request.POST.get("article_version"))
        with transaction.atomic():
            current = Article._base_manager.select_for_update().only("version").get(pk=article.pk)
            if opened is None or opened != current.version:
                self.message_user(
                    request,
                    _(
                        "The tag “%(tag)s” was not added: the article was saved after you"
                        " opened it. Here it is as it is now; add the tag again if it still"
                        " fits."
                    )
                    % {"tag": tag.display_name},
                    messages.ERROR,
                )
                return HttpResponseRedirect(change_url)
            added = tagging.add_tags(article.pk, [tag.pk])
        if added:
            self.log_change(request, article, [{"changed": {"fields": ["tags"]}}])
            message = _("The tag “%(tag)s” was added to the article.")
        else:
            message = _("The article already has the tag “%(tag)s”.")
        self.message_user(request, message % {"tag": tag.display_name}, messages.SUCCESS)
        return HttpResponseRedirect(change_url)
