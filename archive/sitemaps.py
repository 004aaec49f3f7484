from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Source, Tag
from .selectors import with_public_articles


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    limit = 10_000

    def items(self):
        return (
            Article.objects.published()
            .order_by("-published_at", "-id")
            .only("slug", "updated_at", "published_at")
        )

    def location(self, article):
        return article.get_absolute_url()

    def lastmod(self, article):
        # Never before its publication: a scheduled article was last edited before it.
        return max(article.updated_at, article.published_at)


class PageSitemap(Sitemap):
    """The pages of the outlets or tags that have published articles."""

    changefreq = "weekly"

    def __init__(self, model, url_name):
        super().__init__()
        self.model, self.url_name = model, url_name

    def items(self):
        return with_public_articles(self.model)

    def location(self, item):
        return reverse(self.url_name, args=[item.slug])


SITEMAPS = {
    "articles": ArticleSitemap,
    "tags": PageSitemap(Tag, "tag"),
    "sources": PageSitemap(Source, "source"),
}
