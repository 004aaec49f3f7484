"""Atom feeds of any search: /feeds/articles/?<the archive's parameters>."""

import re

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import JsonResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .filters import ArticleFilter
from .models import Correction
from .selectors import public_articles

FEED_SIZE = 50
LANGUAGES_WITH_A_CODE = {"ar", "en"}  # Article.language's "other" is no language tag

# What XML 1.0 cannot carry: control characters but tab and line ends, lone surrogates,
# U+FFFE and U+FFFF. Rows written before today's rules, or by raw SQL, may hold them.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value):
    """`value` (text, or a list of texts) without what XML 1.0 cannot carry."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return [xml_safe(item) for item in value]
    return value


class SafeAtom1Feed(Atom1Feed):
    """An Atom feed that drops the characters XML cannot carry from every field, where
    Django's would raise (a 500 for the whole feed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(xml_safe, args), **{k: xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(xml_safe, args), **{k: xml_safe(v) for k, v in kwargs.items()})

    def item_attributes(self, item):
        # An entry in a language other than the feed's says so: a reader then sets an Arabic
        # entry right-to-left in an English feed (xml:lang, as the feed's own).
        language = item.get("language")
        return {"xml:lang": language} if language in LANGUAGES_WITH_A_CODE else {}


class ArticleFeed(Feed):
    feed_type = SafeAtom1Feed

    def __call__(self, request, *args, **kwargs):
        # Bad parameters are ignored, as on the page; a request over a cap is refused.
        request.article_filter = ArticleFilter(request.GET, queryset=public_articles())
        refused = request.article_filter.over_limit()
        if refused:
            return JsonResponse(
                {"errors": refused}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        self.request = request
        return request.article_filter

    def title(self, filterset):
        query = ""
        if filterset.is_bound:
            filterset.is_valid()  # invalid parameters are ignored, as on the page
            query = filterset.form.cleaned_data.get("q")
        if query:
            return _("Newsroom archive: %(query)s") % {"query": query}
        return _("Newsroom archive")

    def link(self, filterset):
        query = self.request.GET.urlencode()
        return reverse("index") + (f"?{query}" if query else "")

    def feed_url(self, filterset):
        # The self link is this feed's address, its search included (Django's: the path alone).
        return self.request.get_full_path()

    def subtitle(self, filterset):
        return _("The newest published articles matching these filters.")

    def items(self, filterset):
        corrections = Prefetch(
            "corrections", queryset=Correction.objects.public(), to_attr="feed_corrections"
        )
        return filterset.qs.prefetch_related(corrections)[:FEED_SIZE]

    def item_extra_kwargs(self, article):
        return {"language": article.language}

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.lead or article.body[:500]

    def item_link(self, article):
        return article.get_absolute_url()

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        # What readers were told changed (archive/models/corrections.py), else its publication.
        return article.last_public_update(article.feed_corrections) or article.published_at

    def item_author_name(self, article):
        return str(article.source)

    def item_categories(self, article):
        return [tag.name_ar for tag in article.tags.all()]
