"""Dates and times read the same way in both interfaces, each with its own comma:
"7 ديسمبر 2026، 18:21" in Arabic, "7 December 2026, 18:21" in English (newsroom/formats/)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format


def history_url(obj):
    return reverse(f"admin:archive_{obj._meta.model_name}_history", args=[obj.pk])


WHEN = datetime(2026, 12, 7, 18, 21, tzinfo=ZoneInfo("Asia/Riyadh"))


def test_each_language_writes_the_date_and_time_with_its_own_comma():
    with translation.override("ar"):
        assert date_format(WHEN, "DATETIME_FORMAT") == "7 ديسمبر 2026، 18:21"
    with translation.override("en"):
        assert date_format(WHEN, "DATETIME_FORMAT") == "7 December 2026, 18:21"


def test_the_english_history_page_has_no_arabic_comma_in_its_times(editor_client, make_article):
    article = make_article(title="عنوان")
    editor_client.cookies["django_language"] = "en"
    html = editor_client.get(history_url(article)).content.decode()
    times = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
    assert times, "the history page lists its versions' times"
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d", t) for t in times), times
    editor_client.cookies["django_language"] = "ar"
    html = editor_client.get(history_url(article)).content.decode()
    times = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", html)
    assert times and all("، " in t for t in times), times
