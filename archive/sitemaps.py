from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Source, Tag


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
        return article.get_public_url()

    def lastmod(self, article):
        return article.updated_at


class TagSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Tag.objects.filter(articles__status=Article.Status.PUBLISHED)
            .distinct()
            .order_by("slug")
        )

    def location(self, tag):
        return reverse("tag", args=[tag.slug])


class SourceSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Source.objects.filter(articles__status=Article.Status.PUBLISHED)
            .distinct()
            .order_by("slug")
        )

    def location(self, source):
        return reverse("source", args=[source.slug])


SITEMAPS = {"articles": ArticleSitemap, "tags": TagSitemap, "sources": SourceSitemap}
