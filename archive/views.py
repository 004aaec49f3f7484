from django.shortcuts import get_object_or_404, render

from .models import Article


def article(request, slug):
    """An article's public page: published articles only."""
    article = get_object_or_404(
        Article.objects.published().select_related("source").prefetch_related("tags"), slug=slug
    )
    return render(request, "archive/article.html", {"article": article})
