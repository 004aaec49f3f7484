from django.contrib.sitemaps.views import sitemap
from django.urls import path, register_converter
from django.urls.converters import StringConverter

from . import api, exports, views
from .feeds import ArticleFeed
from .sitemaps import SITEMAPS


class SlugSegment(StringConverter):
    """Any slug (Arabic included: reverse() quotes it) but one holding NUL, which no row can
    hold and PostgreSQL refuses in a query: such a path is a 404, not a 500."""

    regex = "[^/\\x00]+"


register_converter(SlugSegment, "slug_segment")

urlpatterns = [
    path("", views.index, name="index"),
    path("articles/<slug_segment:slug>/", views.article, name="article"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("sources/<slug_segment:slug>/", views.source, name="source"),
    path("tags/<slug_segment:slug>/", views.tag, name="tag"),
    path("feeds/articles/", ArticleFeed(), name="feed-articles"),
    path("export/articles.csv", exports.articles, name="export-articles"),
    path("export/claims.csv", exports.claims, name="export-claims"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/", api.index, name="api"),
    path("api/articles/", api.article_list, name="api-articles"),
    path("api/articles/<int:pk>/", api.article_detail, name="api-article"),
    path("api/claims/", api.claim_list, name="api-claims"),
    path("api/claims/<int:pk>/", api.claim_detail, name="api-claim"),
]
