"""Duplicates caught at the door (archive/duplicates.py): the article form asks before saving a
text that is the same as another article's or nearly, and the importer reports such articles
while still importing them."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from archive import duplicates, imports
from archive.models import Article, ImportNearDuplicate, ImportRun

from .test_conflicts import form_on

pytestmark = pytest.mark.django_db

STORY = (
    "أعلنت وزارة الدفاع الكورية الجنوبية اليوم أن كوريا الشمالية أرسلت نحو عشرة آلاف جندي"
    " إلى روسيا خلال الأسابيع الماضية، وأن أكثرهم وصلوا إلى منطقة كورسك الحدودية حيث يتدربون"
    " على استخدام الطائرات المسيرة والمدفعية الثقيلة. وقال المتحدث باسم الوزارة في مؤتمر صحفي"
    " إن سيول تتابع تحركات القوات عن كثب بالتنسيق مع واشنطن وطوكيو، وإنها تدرس إرسال أسلحة"
    " دفاعية إلى أوكرانيا إذا شاركت القوات الكورية الشمالية في القتال. ونفت موسكو وبيونغ يانغ"
    " في البداية وجود هذه القوات، ثم وقع الرئيسان معاهدة للدفاع المشترك صادق عليها البرلمانان."
    "\n\nويقول محللون في معاهد الدراسات الاستراتيجية إن بيونغ يانغ تنتظر مقابل ذلك تقنيات"
    " صاروخية وفضائية ونفطا وغذاء، وإن مشاركة جنودها في حرب حقيقية تمنح جيشها خبرة قتالية"
    " لم يعرفها منذ عقود. وحذر الأمين العام لحلف شمال الأطلسي من أن هذا التعاون يهدد الأمن"
    " في أوروبا وفي شرق آسيا معا، ودعا الحلفاء في المحيطين إلى تنسيق ردهم."
)
TITLE = "سيول: عشرة آلاف جندي كوري شمالي في روسيا"
# The same story republished with small edits: another figure, a word changed, a clause cut.
EDITED = (
    STORY.replace("عشرة آلاف", "اثني عشر ألف")
    .replace("مؤتمر صحفي", "مؤتمر صحافي")
    .replace(" ونفطا وغذاء", "")
)
# Another story on the same subject, with some of the same phrases.
OTHER_STORY = (
    "قال الكرملين اليوم إن المعاهدة مع كوريا الشمالية لا تستهدف أي دولة ثالثة، ورفض التعليق"
    " على تقارير عن وصول جنود كوريين شماليين إلى منطقة كورسك. وأضاف المتحدث باسم الرئاسة"
    " الروسية أن التعاون العسكري بين البلدين شأن سيادي، وأن موسكو لن تسمح للغرب بإملاء"
    " شروطه عليها. وكانت وزارة الدفاع الكورية الجنوبية قد حذرت من أن بيونغ يانغ تنتظر مقابل"
    " ذلك تقنيات صاروخية وفضائية، بينما دعا الأمين العام لحلف الأطلسي إلى رد موحد."
)


@pytest.fixture
def original(make_article):
    return make_article(title=TITLE, lead="تقرير من سيول", body=STORY)


def add_form(client, **fields):
    """The add page's form as a browser would post it, with `fields` filled in."""
    url = reverse("admin:archive_article_add")
    response = client.get(url)
    assert response.status_code == 200
    data = form_on(response, "title")
    for name, value in fields.items():
        data[name] = [str(value)]
    data["_continue"] = ["1"]
    return url, data


def warned(response):
    """The form came back with the near-duplicate warning: its text, or None if it did not."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    return page if 'name="not_a_duplicate"' in page and "near-duplicates" in page else None


def add(client, outlet, title, body, lead="", **extra):
    url, data = add_form(client, title=title, lead=lead, body=body, source=outlet.pk, **extra)
    return url, data, client.post(url, data)


# The admin's form.


def test_the_same_text_again_asks_for_confirmation_and_links_the_other(
    editor_client, outlet, original
):
    _url, _data, response = add(editor_client, outlet, TITLE, STORY, lead="تقرير من سيول")
    page = warned(response)
    assert page is not None
    assert reverse("admin:archive_article_change", args=[original.pk]) in page
    assert "نص مطابق" in page or "identical text" in page
    assert Article.objects.count() == 1


def test_small_edits_ask_for_confirmation_with_the_similarity(editor_client, outlet, original):
    _url, _data, response = add(editor_client, outlet, "روسيا تستقبل جنودا من كوريا", EDITED)
    page = warned(response)
    assert page is not None
    assert reverse("admin:archive_article_change", args=[original.pk]) in page
    similarity = duplicates.near_duplicates("روسيا تستقبل جنودا من كوريا", "", EDITED)
    assert [d.article for d in similarity] == [original]
    assert duplicates.THRESHOLD <= similarity[0].similarity < 1
    assert f"{similarity[0].percent}" in page
    assert Article.objects.count() == 1


def test_a_different_story_is_saved_at_once(editor_client, outlet, original):
    _url, _data, response = add(editor_client, outlet, "الكرملين يرد", OTHER_STORY)
    assert response.status_code == 302
    assert Article.objects.filter(title="الكرملين يرد").exists()


def test_ticking_the_box_saves_with_the_editors_input_kept(editor_client, outlet, original):
    url, _data, response = add(editor_client, outlet, "روسيا تستقبل جنودا من كوريا", EDITED)
    assert warned(response)
    # The form came back with what the editor wrote; they tick the box and post it again.
    again = form_on(response, "title")
    assert again["title"] == ["روسيا تستقبل جنودا من كوريا"]
    assert again["body"][0].replace("\r\n", "\n") == EDITED
    again["not_a_duplicate"] = ["on"]
    again["_continue"] = ["1"]
    saved = editor_client.post(url, again)
    assert saved.status_code == 302
    article = Article.objects.get(title="روسيا تستقبل جنودا من كوريا")
    assert article.body == EDITED and article.created_by is not None


def test_the_article_itself_never_counts(chief_client, original):
    url = reverse("admin:archive_article_change", args=[original.pk])
    data = form_on(chief_client.get(url), "opened_version")
    data["body"] = [STORY.replace("اليوم", "صباح اليوم")]
    data["_continue"] = ["1"]
    response = chief_client.post(url, data)
    assert response.status_code == 302
    original.refresh_from_db()
    assert "صباح اليوم" in original.body


def test_a_change_that_leaves_the_text_alone_is_not_checked(editor_client, make_article, original):
    copy = make_article(title=TITLE, body=STORY, status=Article.Status.DRAFT)
    url = reverse("admin:archive_article_change", args=[copy.pk])
    data = form_on(editor_client.get(url), "opened_version")
    data["author"] = ["مراسلنا في سيول"]
    data["_continue"] = ["1"]
    assert editor_client.post(url, data).status_code == 302


def test_editing_into_a_copy_of_another_asks_and_the_confirmation_passes_the_version_check(
    editor_client, make_article, original
):
    other = make_article(title="الكرملين يرد", body=OTHER_STORY, status=Article.Status.DRAFT)
    url = reverse("admin:archive_article_change", args=[other.pk])
    data = form_on(editor_client.get(url), "opened_version")
    data["body"] = [EDITED]
    data["_continue"] = ["1"]
    page = warned(editor_client.post(url, data))
    assert page is not None and f"/article/{original.pk}/change/" in page
    other.refresh_from_db()
    assert other.body == OTHER_STORY and other.version == 1
    data["not_a_duplicate"] = ["on"]
    assert editor_client.post(url, data).status_code == 302
    other.refresh_from_db()
    assert other.body == EDITED and other.version == 2


def test_a_confirmation_posted_after_someone_else_saved_is_still_refused_as_stale(
    editor_client, make_article, original
):
    other = make_article(title="الكرملين يرد", body=OTHER_STORY, status=Article.Status.DRAFT)
    url = reverse("admin:archive_article_change", args=[other.pk])
    data = form_on(editor_client.get(url), "opened_version")
    data["body"] = [EDITED]
    data["_continue"] = ["1"]
    assert warned(editor_client.post(url, data))
    Article.objects.filter(pk=other.pk).update(lead="تعديل من محرر آخر")
    data["not_a_duplicate"] = ["on"]
    response = editor_client.post(url, data)
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.body == OTHER_STORY and other.lead == "تعديل من محرر آخر"


def test_drafts_count_and_each_other_article_says_its_status(editor_client, outlet, make_article):
    draft = make_article(title=TITLE, body=STORY, status=Article.Status.DRAFT)
    published = make_article(title="نسخة منشورة", body=EDITED)
    _url, _data, response = add(editor_client, outlet, TITLE, STORY)
    page = warned(response)
    for article in (draft, published):
        assert reverse("admin:archive_article_change", args=[article.pk]) in page
    listed = page.split('class="near-duplicates"')[1].split("</ul>")[0]
    assert ("Draft" in listed or "مسودة" in listed) and ("Published" in listed or "منشور" in listed)
    # The identical draft first, then the edited copy.
    assert listed.index(f"/{draft.pk}/change/") < listed.index(f"/{published.pk}/change/")


def test_without_the_box_shown_nothing_is_asked(editor_client, outlet, original):
    """The box is part of the form only when there is something to confirm."""
    page = editor_client.get(reverse("admin:archive_article_add")).content.decode()
    assert 'name="not_a_duplicate"' not in page


# Unhappy inputs.


def test_an_empty_body_gets_the_usual_error_and_no_duplicate_check(editor_client, outlet, original):
    _url, _data, response = add(editor_client, outlet, TITLE, "")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="not_a_duplicate"' not in page
    assert "errorlist" in page
    assert duplicates.near_duplicates(TITLE, "", "") == []


@pytest.mark.parametrize(
    "body",
    [STORY + "\x00", STORY + "\x07", "كلمة" * 1500],
    ids=["nul", "control-character", "word-too-long-to-index"],
)
def test_a_text_the_form_refuses_gets_its_own_error_and_no_check(
    editor_client, outlet, original, body
):
    _url, _data, response = add(editor_client, outlet, TITLE, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page and 'name="not_a_duplicate"' not in page
    assert Article.objects.count() == 1


def test_two_one_line_articles_a_word_apart_are_no_duplicates(editor_client, outlet, make_article):
    make_article(title="انفجار في بغداد", body="قتل خمسة أشخاص في انفجار سيارة مفخخة ببغداد.")
    _url, _data, response = add(
        editor_client,
        outlet,
        "انفجار في البصرة",
        "قتل خمسة أشخاص في انفجار سيارة مفخخة بالبصرة.",
    )
    assert response.status_code == 302


def test_two_identical_one_line_articles_are_duplicates(editor_client, outlet, make_article):
    first = make_article(title="انفجار في بغداد", body="قتل خمسة أشخاص في انفجار ببغداد.")
    _url, _data, response = add(
        editor_client, outlet, "انفجار في بغداد", "قتل خمسة أشخاص في انفجار ببغداد."
    )
    page = warned(response)
    assert page is not None and f"/article/{first.pk}/change/" in page


@pytest.mark.parametrize(
    "variant",
    [
        # Alef and hamza forms, ة/ه, ى/ي, tatweel and harakat, as other outlets type them.
        lambda text: text.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا"),
        lambda text: text.replace("ة ", "ه ").replace("ى ", "ي "),
        lambda text: text.replace("الكورية", "الكوريـــة").replace("روسيا", "رُوسْيَا"),
    ],
    ids=["alef-hamza", "ta-marbuta-alef-maqsura", "tatweel-harakat"],
)
def test_another_spelling_of_the_same_text_is_a_duplicate(original, variant):
    found = duplicates.near_duplicates(TITLE, "", variant(STORY))
    assert [d.article for d in found] == [original]
    assert found[0].similarity >= 0.95


def test_a_different_story_on_the_same_subject_is_no_duplicate(original):
    assert duplicates.near_duplicates("الكرملين يرد", "", OTHER_STORY) == []


def test_the_candidates_are_read_through_the_pairs_index(original, make_article):
    for n in range(30):
        make_article(title=f"خبر {n}", body=OTHER_STORY.replace("اليوم", f"يوم {n}"))
    params = {**duplicates._PARAMS, "title": TITLE, "lead": "", "body": STORY, "exclude": None}
    sql = f"""
    WITH new AS (
      SELECT %(exclude)s::bigint AS id, archive_article_pairs(%(title)s, %(lead)s, %(body)s) AS vec
    ), {duplicates._MATCHES.strip()}"""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "article_pairs" in plan


# The importer.

ANT_MAP = "title=title,body=text,lead=abstract,source=src,published_at=time_iso,url=url"


def row(n, title, text, url=True):
    return {
        "url": f"https://news.example.org/{n}" if url else "",
        "src": "skynews",
        "title": title,
        "time_iso": "2018-06-28T05:02:25+00:00",
        "abstract": "",
        "text": text,
    }


def write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    return path


def import_command(path):
    out = io.StringIO()
    call_command("import_articles", str(path), map=ANT_MAP, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_import_skips_exact_duplicates_and_imports_and_reports_near_ones(tmp_path, original):
    path = write(
        tmp_path / "a.jsonl",
        [
            row(1, TITLE, STORY, url=False),  # the same title and body, no url: skipped
            row(2, "روسيا تستقبل جنودا من كوريا", EDITED),  # nearly the same: imported
            row(3, "الكرملين يرد", OTHER_STORY),  # another story
            row(2, "روسيا تستقبل جنودا من كوريا", EDITED),  # the same url again: skipped
            row(4, "", STORY),  # no title: rejected, as before
        ],
    )
    output = import_command(path)
    assert "created 2," in output and "skipped as duplicates 2," in output
    assert "rejected 1 " in output
    assert "1 near-duplicates imported" in output
    edited = Article.objects.get(url="https://news.example.org/2")
    assert f"line 2: article {edited.pk}" in output and f"article {original.pk}" in output
    run = ImportRun.objects.get()
    (pair,) = run.near_duplicates.all()
    assert (pair.line, pair.article, pair.other) == (2, edited, original)
    assert duplicates.THRESHOLD <= pair.similarity < 1
    assert run.read == run.created + run.updated + run.skipped + run.rejected


def test_near_duplicates_within_one_file_are_reported_once(tmp_path, db):
    path = write(
        tmp_path / "b.jsonl",
        [
            row(1, TITLE, STORY),
            row(2, "نسخة ثانية", STORY),  # the same body under another url and title
            row(3, "الكرملين يرد", OTHER_STORY),
        ],
    )
    output = import_command(path)
    assert "created 3," in output
    first, second = (Article.objects.get(url=f"https://news.example.org/{n}") for n in (1, 2))
    pairs = list(ImportNearDuplicate.objects.values_list("line", "article", "other"))
    assert pairs == [(2, second.pk, first.pk)]


def test_near_duplicates_across_batches_and_in_a_run_of_the_file_again(tmp_path, db):
    path = write(tmp_path / "c.jsonl", [row(1, TITLE, STORY), row(2, "نسخة ثانية", EDITED)])
    summary = imports.import_file(path, imports.parse_map(ANT_MAP), quiet=True, batch_size=1)
    assert (summary.created, summary.near_duplicates) == (2, 1)
    line, new, other, similarity = summary.near_duplicate_examples[0]
    first, second = Article.objects.order_by("pk")
    assert (line, new, other) == (2, second.pk, first.pk)
    assert similarity >= duplicates.THRESHOLD
    # Outside an import run nothing is recorded; the same file again adds and reports nothing.
    assert not ImportNearDuplicate.objects.exists()
    again = imports.import_file(path, imports.parse_map(ANT_MAP), quiet=True)
    assert (again.created, again.skipped, again.near_duplicates) == (0, 2, 0)


def test_an_update_import_reports_the_articles_it_rewrote(tmp_path, original):
    path = write(tmp_path / "d.jsonl", [row(9, "خبر", OTHER_STORY)])
    imports.import_file(path, imports.parse_map(ANT_MAP), quiet=True)
    write(path, [row(9, "خبر", EDITED)])
    summary = imports.import_file(path, imports.parse_map(ANT_MAP), quiet=True, update=True)
    assert (summary.updated, summary.near_duplicates) == (1, 1)
    assert summary.near_duplicate_examples[0][2] == original.pk


def test_the_import_run_page_lists_the_near_duplicates(tmp_path, original, editor_client):
    import_command(write(tmp_path / "e.jsonl", [row(2, "روسيا تستقبل جنودا", EDITED)]))
    run = ImportRun.objects.get()
    page = editor_client.get(reverse("admin:archive_importrun_change", args=[run.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    edited = Article.objects.get(url="https://news.example.org/2")
    assert f"/article/{edited.pk}/change/" in text and f"/article/{original.pk}/change/" in text
    assert "near-duplicates-report" in text


def test_the_import_run_page_without_near_duplicates_shows_no_table(tmp_path, editor_client, db):
    import_command(write(tmp_path / "f.jsonl", [row(1, "الكرملين يرد", OTHER_STORY)]))
    run = ImportRun.objects.get()
    page = editor_client.get(reverse("admin:archive_importrun_change", args=[run.pk]))
    assert "near-duplicates-report" not in page.content.decode()


def test_an_editor_without_rights_to_articles_cannot_open_the_add_form(outlet, original, db):
    from django.contrib.auth.models import User

    user = User.objects.create_user("guest", password="a-long-guest-password", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:archive_article_add")).status_code == 403
