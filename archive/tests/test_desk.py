"""The editors' desk (archive/desk.py, templates/admin/index.html): what each section lists and
in what order, and that an account sees only the sections of the models it may view."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from archive.history import recorded
from archive.models import Article, Claim, ImportRun

DESK = reverse("admin:index")
DRAFT_TITLE = "مسودة سرية عن كورسك"


def staff(username, *codenames):
    """A staff account holding exactly these archive permissions."""
    user = User.objects.create_user(username, password="a-long-staff-password", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def desk_of(client, user, language="ar"):
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(DESK)
    assert response.status_code == 200
    return response.context["desk"], response.content.decode()


def touched(obj, **times):
    """Set auto_now(_add) times, which save() would overwrite."""
    type(obj).objects.filter(pk=obj.pk).update(**times)


@pytest.fixture
def draft(make_article):
    return make_article(DRAFT_TITLE, status=Article.Status.DRAFT)


def test_drafts_and_articles_in_review_newest_first_with_who_changed_them(
    client, chief, editor, make_article
):
    now = timezone.now()
    older = make_article("مسودة قديمة", status=Article.Status.DRAFT, updated_by=editor)
    newer = make_article("مقال قيد المراجعة", status=Article.Status.REVIEW, updated_by=chief)
    make_article("مقال منشور")
    make_article("مقال مسحوب", status=Article.Status.WITHDRAWN, withdrawn_at=now)
    touched(older, updated_at=now - dt.timedelta(days=2))
    touched(newer, updated_at=now - dt.timedelta(hours=1))

    desk, html = desk_of(client, chief)

    assert [a.title for a in desk["in_progress"]] == ["مقال قيد المراجعة", "مسودة قديمة"]
    assert reverse("admin:archive_article_change", args=[older.pk]) in html
    row = html[html.index("مسودة قديمة") :]
    assert editor.username in row[: row.index("</tr>")]


def test_scheduled_articles_soonest_first_and_nothing_else(client, chief, make_article):
    now = timezone.now()
    later = make_article("بعد أسبوع", published_at=now + dt.timedelta(days=7))
    sooner = make_article("غدًا", published_at=now + dt.timedelta(days=1))
    make_article("منشور أمس", published_at=now - dt.timedelta(days=1))
    make_article(
        "مسودة مؤرخة غدًا", status=Article.Status.DRAFT, published_at=now + dt.timedelta(days=1)
    )

    desk, _html = desk_of(client, chief)

    assert desk["scheduled"] == [sooner, later]
    assert desk["article_figures"]["scheduled"] == 2


@pytest.mark.parametrize(
    ("age", "overdue"),
    [
        (dt.timedelta(days=14) - dt.timedelta(minutes=1), False),
        (dt.timedelta(days=14) + dt.timedelta(minutes=1), True),
    ],
)
def test_a_claim_is_overdue_once_unverified_for_the_set_number_of_days(
    client, chief, make_claim, settings, age, overdue
):
    settings.NEWSROOM_UNVERIFIED_DAYS = 14
    claim = make_claim()
    touched(claim, created_at=timezone.now() - age)

    desk, html = desk_of(client, chief, "en")

    [listed] = desk["claims"]
    assert listed.overdue is overdue
    assert desk["claim_figures"]["overdue"] == (1 if overdue else 0)
    assert ("overdue</span>" in html) is overdue


def test_claims_with_a_verdict_are_not_waiting_and_the_longest_waiting_come_first(
    client, chief, make_claim
):
    now = timezone.now()
    make_claim("ادعاء مؤكد", verdict=Claim.Verdict.SUPPORTED)
    recent = make_claim("ادعاء جديد")
    old = make_claim("ادعاء قديم")
    touched(old, created_at=now - dt.timedelta(days=40))
    touched(recent, created_at=now - dt.timedelta(days=1))

    desk, _html = desk_of(client, chief)

    assert [c.statement for c in desk["claims"]] == ["ادعاء قديم", "ادعاء جديد"]
    assert [c.days_waiting for c in desk["claims"]] == [40, 1]


def test_a_claim_set_back_to_unverified_waits_from_then(client, chief, make_claim, settings):
    settings.NEWSROOM_UNVERIFIED_DAYS = 14
    claim = make_claim(verdict=Claim.Verdict.SUPPORTED)
    touched(claim, created_at=timezone.now() - dt.timedelta(days=60))
    claim.refresh_from_db()
    claim.verdict = Claim.Verdict.UNVERIFIED
    claim.save()  # the trigger records the change of verdict, dated now

    desk, _html = desk_of(client, chief)

    [listed] = desk["claims"]
    assert listed.days_waiting == 0 and not listed.overdue


def make_run(user, name, **counts):
    return ImportRun.objects.create(
        uploaded_by=user,
        file_name=name,
        file_size=100,
        field_map={},
        article_status="draft",
        update_existing=False,
        **counts,
    )


def test_recent_imports_with_their_counts_and_rejects(client, chief, editor):
    run = make_run(editor, "feed.csv", state="finished", read=10, created=6, skipped=1, rejected=3)

    desk, html = desk_of(client, chief)

    assert desk["imports"] == [run]
    assert reverse("admin:archive_importrun_change", args=[run.pk]) in html
    assert '<td class="number rejected">3</td>' in html


def test_who_may_only_import_sees_only_their_own_runs(client, editor):
    importer = staff("importer", "add_article")
    own = make_run(importer, "mine.csv")
    make_run(editor, "someone-elses.csv")

    desk, html = desk_of(client, importer)

    assert desk["imports"] == [own]
    assert "someone-elses.csv" not in html


def test_my_recent_changes_are_mine_each_item_once_and_not_my_imports(
    client, chief, editor, make_article
):
    with recorded("admin", user=chief.pk):
        mine = make_article("مقالي")
        mine.title = "مقالي بعد التعديل"
        mine.save()
    with recorded("admin", user=editor.pk):
        make_article("مقال زميلتي")
    with recorded("import", import_run=1, file="feed.csv", user=chief.pk):
        make_article("مقال من استيراد")

    desk, html = desk_of(client, chief)

    assert [c.name for c in desk["my_changes"]] == ["مقالي بعد التعديل"]
    assert desk["my_changes"][0].url == reverse("admin:archive_article_change", args=[mine.pk])
    assert f"{reverse('history_changes')}?user={chief.pk}" in html


def test_a_deleted_item_among_my_changes_links_to_its_history(client, chief, make_article):
    with recorded("admin", user=chief.pk):
        gone = make_article("مقال محذوف", status=Article.Status.DRAFT)
        pk = gone.pk
        gone.delete()

    desk, _html = desk_of(client, chief)

    assert desk["my_changes"][0].url == reverse("admin:archive_article_history", args=[pk])


def test_figures(client, chief, make_article, make_claim, appear):
    public = make_article("منشور")
    make_article("مسودة", status=Article.Status.DRAFT)
    old = make_article("قديم")
    touched(old, created_at=timezone.now() - dt.timedelta(days=30))
    claim = make_claim()
    appear(claim, public, "وقع كيم جونغ أون")
    make_claim("ادعاء في غير مقال", verdict=Claim.Verdict.FALSE)

    desk, _html = desk_of(client, chief)

    assert desk["article_figures"] == {
        "public": 2,
        "scheduled": 0,
        "drafts": 1,
        "review": 0,
        "added": 2,
    }
    assert desk["claim_figures"] == {"public": 1, "unverified": 1, "overdue": 0, "added": 2}


def test_an_account_that_may_view_claims_only_never_sees_a_draft(client, draft, make_claim, editor):
    claims_only = staff("claims-desk", "view_claim")
    with recorded("admin", user=claims_only.pk):
        # Made under this account's name, before it lost the right to see articles.
        draft.title = DRAFT_TITLE + " معدلة"
        draft.save()
        make_claim("ادعاء يراه")
    make_run(editor, "feed.csv")

    desk, html = desk_of(client, claims_only)

    assert desk["in_progress"] is None and desk["scheduled"] is None
    assert desk["article_figures"] is None and desk["imports"] is None
    assert [c.statement for c in desk["claims"]] == ["ادعاء يراه"]
    assert [c.name for c in desk["my_changes"]] == ["ادعاء يراه"]
    assert DRAFT_TITLE not in html
    assert "desk-in-progress" not in html and "feed.csv" not in html


def test_an_account_that_may_view_articles_but_not_claims(client, draft, make_claim):
    articles_only = staff("articles-desk", "view_article")
    make_claim("ادعاء لا يراه")

    desk, html = desk_of(client, articles_only)

    assert desk["in_progress"] == [draft]
    assert desk["claims"] is None and desk["claim_figures"] is None
    assert "ادعاء لا يراه" not in html


def test_an_account_with_no_permission_gets_an_empty_desk(client, draft, make_claim):
    nobody = staff("nobody")
    make_claim()

    desk, html = desk_of(client, nobody)

    shown = {key: value for key, value in desk.items() if value is not None}
    assert set(shown) == {"unverified_days", "week_ago", "my_changes_url"}
    assert DRAFT_TITLE not in html and "desk-claims" not in html


def test_the_desk_is_behind_the_admin_login(client, draft):
    response = client.get(DESK)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    reader = User.objects.create_user("reader", password="a-long-reader-password")
    client.force_login(reader)
    response = client.get(DESK)
    assert response.status_code == 302
    assert DRAFT_TITLE not in response.content.decode()


def test_empty_sections_say_so_and_the_model_list_stays(client, chief):
    _desk, html = desk_of(client, chief, "en")
    assert "No draft and nothing in review." in html
    assert "Every claim has a verdict." in html
    assert "No import yet." in html
    assert reverse("admin:archive_tag_changelist") in html  # the list of sections


def test_the_desk_reads_a_bounded_number_of_queries(
    client, chief, editor, make_article, make_claim, django_assert_max_num_queries
):
    client.force_login(chief)
    client.get(DESK)  # the session, the permissions and the content types, read once
    with recorded("admin", user=chief.pk):
        for number in range(25):
            make_article(f"مسودة {number}", status=Article.Status.DRAFT, updated_by=editor)
            make_article(f"مجدول {number}", published_at=timezone.now() + dt.timedelta(days=1))
            make_claim(f"ادعاء {number}")
            make_run(editor, f"feed-{number}.csv")
    with django_assert_max_num_queries(20):
        response = client.get(DESK)
    assert response.status_code == 200
    assert len(response.context["desk"]["in_progress"]) == 8


def test_every_link_of_the_desk_opens_a_page(client, chief, draft, make_claim, make_article):
    """The figures and the sections' feet link to filtered lists: each filter is one the list
    accepts (a parameter it does not know would send it to its "?e=1" error page)."""
    make_claim()
    make_article("مجدول", published_at=timezone.now() + dt.timedelta(days=1), url="x:1")
    _desk, html = desk_of(client, chief)
    links = set(re.findall(r'href="(/admin/[^"]*)"', html)) - {"/admin/logout/"}
    assert any("created_at__gte" in link for link in links)
    for link in sorted(links):
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
