"""What a reader sees regardless of the interface's language: each piece of content takes its
own direction, a phone shows the results before the facets, wide tables scroll in their own
box, and the Arabic admin says what it did."""

import pytest
from django.urls import reverse
from django.utils import translation

from archive.models import Article

from .test_public_archive import T0, page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _archive(archive_db):
    return None


@pytest.fixture
def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_arabic_content_keeps_its_direction_in_the_english_interface(english):
    html = page(english, "/", {"q": "كوريا"}).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert '<p class="snippet" dir="auto">' in html and '<h3 dir="auto">' in html
    article = page(english, reverse("article", args=[T0])).content.decode()
    language = Article.objects.get(slug=T0).language
    expected = {"ar": "rtl", "en": "ltr"}.get(language, "auto")
    assert f'<article class="article" lang="{language}" dir="{expected}">' in article


def test_an_article_of_no_known_language_is_given_no_invalid_lang(client):
    Article.objects.filter(slug=T0).update(language="other")
    html = page(client, reverse("article", args=[T0])).content.decode()
    assert '<article class="article" dir="auto">' in html and 'lang="other"' not in html


@pytest.mark.parametrize("url", ["/", "/claims/"])
def test_the_results_come_before_the_facets(client, url):
    html = page(client, url).content.decode()
    assert 0 < html.index('id="results-heading"') < html.index('id="facets"')


def test_the_figures_table_scrolls_in_its_own_box(client):
    html = page(client, "/claims/").content.decode()
    box = html.index('<div class="table-scroll"')
    assert box < html.index("<table", box)


def test_both_base_templates_name_a_favicon(client, editor):
    assert 'rel="icon"' in page(client, "/").content.decode()
    client.force_login(editor)
    assert 'rel="icon"' in page(client, "/admin/").content.decode()


def test_the_arabic_admin_says_changed_not_added():
    with translation.override("ar"):
        changed = translation.gettext("The {name} “{obj}” was changed successfully.")
    assert changed.startswith("تم تعديل")
