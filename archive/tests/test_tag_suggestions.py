"""Tag suggestions from an article's text (archive/tagging.py, archive/search/names.py): the
tags whose name or alias occurs as consecutive words of one sentence, by the search's own
analysis; the admin's one-click add, the command and the imports' count."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from archive import search, tagging
from archive.models import Article, ImportRun, Tag, TagAlias
from archive.search.names import NameFinder, words_of

from .test_import import ANT_MAP, ant_row, write_jsonl

pytestmark = pytest.mark.django_db


# --- the finder, on text alone ------------------------------------------------------------


NAMES = NameFinder(
    [
        ("north-korea", "كوريا الشمالية"),
        ("pyongyang", "بيونغ يانغ"),
        ("pyongyang", "بيونج يانج"),
        ("putin", "بوتين"),
        ("kursk", "كورسك"),
        ("un", "الأمم المتحدة"),
        ("visit", "زيارة بوتين إلى بيونغ يانغ"),
        ("nato", "Kiev"),
        ("seoul", "سيول"),
        ("rutte", "روتي"),
        ("duma", "الدوما"),
        ("un", "UN"),
    ]
)


def found(text):
    return [(hit.key, hit.matched) for hit in NAMES.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # clitics: و ب ل ك ف and the article, alone or together
        ("وبوتين قال", [("putin", "وبوتين")]),
        ("قال لبوتين", [("putin", "لبوتين")]),
        ("في بكورسك", [("kursk", "بكورسك")]),
        ("وللأمم المتحدة دور", [("un", "وللأمم المتحدة")]),
        ("ولكوريا الشمالية جنود", [("north-korea", "ولكوريا الشمالية")]),
        # hamza and alef forms, ة/ه, tashkeel and tatweel
        ("الامم المتحدة", [("un", "الامم المتحدة")]),
        ("كوريا الشماليه", [("north-korea", "كوريا الشماليه")]),
        ("كُوريا الشّمالـية", [("north-korea", "كُوريا الشّمالـية")]),
        # the other spellings are aliases; each is shown as the text wrote it
        ("وصل إلى بيونج يانج أمس", [("pyongyang", "بيونج يانج")]),
        ("وصل إلى بيونغ يانغ أمس", [("pyongyang", "بيونغ يانغ")]),
        ("a trip to kiev", [("nato", "kiev")]),
        # a one-word name: with its clitics, without a suffix taken off
        ("وصل إلى سيول ثم لسيول", [("seoul", "سيول"), ("seoul", "لسيول")]),
        ("في مجلس الدوما وللدوما", [("duma", "الدوما"), ("duma", "وللدوما")]),
        ("at the UN today", [("un", "UN")]),
        # a hyphen may join the words of a name; a spelling with a stop word inside it
        ("لكوريا-الشمالية", [("north-korea", "لكوريا-الشمالية")]),
        (
            "بعد زيارة بوتين إلى بيونغ يانغ",
            [
                ("visit", "زيارة بوتين إلى بيونغ يانغ"),
                ("putin", "بوتين"),
                ("pyongyang", "بيونغ يانغ"),
            ],
        ),
    ],
)
def test_a_name_is_found_in_its_forms(text, expected):
    assert sorted(found(text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "أزمة السيولة في المصارف",  # liquidity, not Seoul (its stem is سيول)
        "السيول تجتاح المدن",  # floods: Seoul takes no article
        "عمل روتيني",  # routine, not روتي
        "فروت",  # not ف + روت
        "كان دوماً هنا",  # "always", not الدوما: the name has its article
        "un homme",  # French, not the UN
    ],
)
def test_a_one_word_name_is_not_found_in_other_words(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "زار كوريا. الشمالية من البلاد",  # a sentence break between the words
        "زار كوريا؟ الشمالية",
        "كوريا\nالشمالية",  # a line break (a new paragraph)
        "كوريا، الشمالية",  # a comma
        "كوريا الجنوبية والحدود الشمالية",  # other words between them
        "كوريا في الشمالية",  # even a stop word
        "الشمالية كوريا",  # the wrong order
        "بيونغ",  # half a name
        "زيارة بوتين بيونغ يانغ",  # the stop word of the name missing
    ],
)
def test_words_that_are_only_near_each_other_are_no_name(text):
    assert ("north-korea", text) not in found(text)
    assert all(key not in {"north-korea", "visit"} for key, _words in found(text))


def test_the_words_of_a_text_are_the_analysers_with_their_places():
    text = "قال بوتين، إن ١٠،٠٠٠ جندي في «كوريا الشمالية» ﻻ ﷺ Kursk"
    words = words_of(text)
    assert [w.normal for w in words] == search.normalize(text).split()
    terms = [(t.exact, t.stem, t.alt) for t in search.analyze(text)]
    assert [(w.term.exact, w.term.stem, w.term.alt) for w in words if w.term] == terms
    assert text[words[1].start : words[1].end] == "بوتين"
    assert text[words[3].start : words[3].end] == "١٠،٠٠٠"


def test_every_character_that_normalises_to_a_word_is_read_as_one():
    """The finder's list of where such characters are is complete (names._CANDIDATES)."""
    from archive.search.names import _CANDIDATES
    from archive.search.rules import MARKS

    listed = set(_CANDIDATES)
    missing = [
        hex(code)
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF
        and code not in listed
        and (chr(code) in MARKS or search.normalize(chr(code)))
    ]
    assert missing == []


# --- suggestions from the archive's tags ----------------------------------------------------


@pytest.fixture
def tags(db):
    made = {
        "north_korea": Tag.objects.create(
            kind="place", name_ar="كوريا الشمالية", name_en="North Korea"
        ),
        "pyongyang": Tag.objects.create(kind="place", name_ar="بيونغ يانغ", name_en="Pyongyang"),
        "kursk": Tag.objects.create(kind="place", name_ar="كورسك", name_en="Kursk"),
        "korea": Tag.objects.create(kind="place", name_ar="كوريا", name_en="Korea"),
    }
    TagAlias.objects.create(tag=made["pyongyang"], name="بيونج يانج")
    return made


def test_an_article_gets_the_tags_its_text_names(make_article, tags):
    article = make_article(
        title="تقرير",
        lead="جنود في كورسك.",
        body="أرسلت بيونج يانج جنودا. وقالت كوريا الشمالية إن لكوريا الشمالية حقا. كوريا بلد.",
    )
    suggestions = tagging.suggest_for(article)
    by_tag = {s.tag.pk: s for s in suggestions}
    assert set(by_tag) == {
        tags["north_korea"].pk,
        tags["pyongyang"].pk,
        tags["kursk"].pk,
        tags["korea"].pk,
    }
    assert by_tag[tags["north_korea"].pk].words == ["كوريا الشمالية", "لكوريا الشمالية"]
    assert by_tag[tags["north_korea"].pk].count == 2
    assert by_tag[tags["pyongyang"].pk].words == ["بيونج يانج"]
    assert by_tag[tags["kursk"].pk].fields == ["lead"]
    assert by_tag[tags["korea"].pk].words == ["كوريا"]  # not the كوريا of كوريا الشمالية
    assert [s.count for s in suggestions] == [2, 1, 1, 1]  # the most mentioned first


def test_no_suggestion_for_words_far_apart_or_across_a_sentence(make_article, tags):
    article = make_article(
        title="تقرير", lead="", body="زار الوفد كوريا. الشمالية من البلاد هادئة، والمنطقة الشمالية"
    )
    suggested = {s.tag.pk for s in tagging.suggest_for(article)}
    assert tags["north_korea"].pk not in suggested
    assert tags["korea"].pk in suggested  # كوريا itself is there


def test_an_attached_tag_is_not_suggested(make_article, tags):
    article = make_article(title="كوريا الشمالية", lead="", body="بيونغ يانغ")
    article.tags.add(tags["north_korea"])
    suggested = {s.tag.pk for s in tagging.suggest_for(article)}
    assert suggested == {tags["pyongyang"].pk}  # nor كوريا, inside the name it has


def test_a_new_alias_or_renamed_tag_is_seen_at_once(make_article, tags):
    article = make_article(title="تقرير", lead="", body="وصل إلى بيونغيانغ أمس")
    assert tagging.suggest_for(article) == []
    TagAlias.objects.create(tag=tags["pyongyang"], name="بيونغيانغ")
    assert [s.tag for s in tagging.suggest_for(article)] == [tags["pyongyang"]]
    tags["kursk"].name_ar = "أمس"
    tags["kursk"].save()
    assert {s.tag for s in tagging.suggest_for(article)} == {tags["pyongyang"], tags["kursk"]}
    TagAlias.objects.all().delete()
    assert [s.tag for s in tagging.suggest_for(article)] == [tags["kursk"]]


def test_the_finder_is_built_once_while_the_tags_stay_the_same(tags, django_assert_num_queries):
    first = tagging.finder()
    with django_assert_num_queries(1):  # the state alone
        assert tagging.finder() is first


# --- the admin ---------------------------------------------------------------------------


@pytest.fixture
def draft(make_article, tags, editor):
    return make_article(
        title="كوريا الشمالية ترسل جنودا",
        lead="",
        body="وصلت القوات إلى كورسك من بيونج يانج.",
        status=Article.Status.DRAFT,
        created_by=editor,
    )


def change_url(article):
    return f"/admin/archive/article/{article.pk}/change/"


def add_url(article):
    return f"/admin/archive/article/{article.pk}/suggested-tag/"


def test_the_change_page_shows_the_suggestions_with_their_words(editor_client, draft, tags):
    page = editor_client.get(change_url(draft)).content.decode()
    section = page[page.index('class="module tag-suggestions"') :]
    assert "كورسك" in section and "بيونج يانج" in section
    assert f'name="tag" value="{tags["pyongyang"].pk}"' in section
    assert 'id="tag-suggestion-form"' in page
    form = re.search(r'<form id="tag-suggestion-form".*?</form>', page, re.S).group()
    assert f'name="article_version" value="{draft.version}"' in form
    assert "csrfmiddlewaretoken" in form


def test_one_click_adds_the_tag_and_the_history_records_it(editor_client, editor, draft, tags):
    version = Article.objects.get(pk=draft.pk).version
    response = editor_client.post(
        add_url(draft), {"tag": tags["kursk"].pk, "article_version": version}
    )
    assert response.status_code == 302 and response.url == change_url(draft)
    assert list(draft.tags.all()) == [tags["kursk"]]
    assert Article.objects.get(pk=draft.pk).version == version + 1
    Event = Article.tags.through._meta.get_field("events").related_model
    event = Event.objects.get(article_id=draft.pk, tag_id=tags["kursk"].pk)
    assert event.pgh_label == "add"
    assert event.pgh_context.metadata["user"] == editor.pk
    assert event.pgh_context.metadata["via"] == "admin"
    page = editor_client.get(change_url(draft)).content.decode()
    assert "أُضيف الوسم «كورسك» إلى المقال." in page
    section = page[page.index('class="module tag-suggestions"') :]
    assert f'value="{tags["kursk"].pk}"' not in section  # no longer suggested


def test_a_stale_page_adds_nothing(editor_client, draft, tags):
    opened = Article.objects.get(pk=draft.pk).version
    Article.objects.filter(pk=draft.pk).update(title="عنوان جديد")  # saved meanwhile
    response = editor_client.post(
        add_url(draft), {"tag": tags["kursk"].pk, "article_version": opened}
    )
    assert response.status_code == 302
    assert draft.tags.count() == 0
    response = editor_client.post(add_url(draft), {"tag": tags["kursk"].pk})  # no version
    assert draft.tags.count() == 0


def test_the_add_view_refuses_what_it_must(client, editor_client, draft, tags):
    data = {"tag": tags["kursk"].pk, "article_version": draft.version}
    assert editor_client.get(add_url(draft)).status_code == 405
    assert (
        editor_client.post("/admin/archive/article/999999/suggested-tag/", data).status_code == 404
    )
    assert editor_client.post(add_url(draft), {**data, "tag": "999999"}).status_code == 404
    assert editor_client.post(add_url(draft), {**data, "tag": "nonsense"}).status_code == 404
    # Without the right to change articles: 403, and nothing added.
    reader = User.objects.create_user("reader", password="a-long-reader-password", is_staff=True)
    from django.contrib.auth.models import Permission

    reader.user_permissions.add(Permission.objects.get(codename="view_article"))
    client.force_login(reader)
    assert client.post(add_url(draft), data).status_code == 403
    assert "tag-suggestion-form" not in client.get(change_url(draft)).content.decode()
    # Without the CSRF token: 403.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.get(username="layla"))
    assert strict.post(add_url(draft), data).status_code == 403
    assert draft.tags.count() == 0


# --- the command and the imports -----------------------------------------------------------


def test_the_command_lists_then_applies_once(draft, tags):
    out = io.StringIO()
    call_command("suggest_tags", "--article", str(draft.pk), stdout=out)
    assert "كورسك" in out.getvalue() and "بيونج يانج" in out.getvalue()
    assert draft.tags.count() == 0  # a dry run
    call_command("suggest_tags", "--all", "--apply", stdout=io.StringIO())
    assert set(draft.tags.all()) == {tags["north_korea"], tags["pyongyang"], tags["kursk"]}
    Event = Article.tags.through._meta.get_field("events").related_model
    event = Event.objects.filter(article_id=draft.pk).first()
    assert event.pgh_context.metadata == {"via": "command", "command": "suggest_tags"}
    out = io.StringIO()
    call_command("suggest_tags", "--all", "--apply", stdout=out)
    assert "0 suggestions in 0 articles; added 0" in out.getvalue()


def test_the_command_refuses_a_bad_choice(draft):
    with pytest.raises(CommandError):
        call_command("suggest_tags", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("suggest_tags", "--article", "999999", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("suggest_tags", "--import-run", "999999", stdout=io.StringIO())


def test_an_import_counts_its_suggestions(tmp_path, tags, outlet):
    path = write_jsonl(
        tmp_path / "rows.jsonl",
        [
            ant_row(1, text="وصلت القوات إلى كورسك."),
            ant_row(2, text="لا اسم هنا."),
            ant_row(3, text="قالت بيونج يانج وكوريا الشمالية."),
        ],
    )
    out = io.StringIO()
    call_command("import_articles", str(path), "--map", ANT_MAP, "--no-vocabulary", stdout=out)
    run = ImportRun.objects.get()
    assert run.tag_suggestions["articles"] == 2
    assert run.tag_suggestions["suggestions"] == 3
    assert "tag suggestions: 3 in 2 articles" in out.getvalue()
    listed = io.StringIO()
    call_command("suggest_tags", "--import-run", str(run.pk), stdout=listed)
    assert listed.getvalue().count("\n") == 4  # three lines and the total
    # Skipped with --no-tag-suggestions; the run's page then says how to look for them.
    again = write_jsonl(tmp_path / "more.jsonl", [ant_row(4, text="كورسك")])
    call_command(
        "import_articles",
        str(again),
        "--map",
        ANT_MAP,
        "--no-vocabulary",
        "--no-tag-suggestions",
        stdout=io.StringIO(),
    )
    assert ImportRun.objects.get(file_name=str(again)).tag_suggestions is None


def test_the_run_page_shows_the_count(admin_client, tmp_path, tags):
    path = write_jsonl(tmp_path / "rows.jsonl", [ant_row(1, text="وصلت القوات إلى كورسك.")])
    call_command(
        "import_articles", str(path), "--map", ANT_MAP, "--no-vocabulary", stdout=io.StringIO()
    )
    run = ImportRun.objects.get()
    page = admin_client.get(f"/admin/archive/importrun/{run.pk}/change/").content.decode()
    assert f"suggest_tags --import-run {run.pk} --apply" in page
    article = Article.objects.get()
    assert f"/admin/archive/article/{article.pk}/change/" in page


@pytest.mark.django_db(transaction=True)
def test_the_admins_import_counts_its_suggestions_too(admin_client, tmp_path):
    """The admin's upload, run by the worker (archive/tasks.py), like the command's."""
    from .test_import_runs import run_worker, upload

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs, procrastinate_events CASCADE")
    Tag.objects.create(kind="place", name_ar="كورسك", name_en="Kursk")
    path = write_jsonl(tmp_path / "rows.jsonl", [ant_row(1, text="وصلت القوات إلى كورسك.")])
    response = upload(admin_client, path)
    assert response.status_code == 302
    run_worker()
    run = ImportRun.objects.get()
    assert run.state == "finished"
    assert run.tag_suggestions["articles"] == 1
    assert run.tag_suggestions["first"][0][2] == ["كورسك"]
    page = admin_client.get(response["Location"]).content.decode()
    assert f"suggest_tags --import-run {run.pk} --apply" in page
