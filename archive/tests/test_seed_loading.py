"""The demo seed is loaded only where it is missing (manage.py load_seed, which `make run`
uses): an editor's changes to the demo, deletions included, survive every start."""

import json
import re
from collections import Counter
from pathlib import Path

import pghistory
import pgtrigger
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from archive.models import Article, Claim, ClaimAppearance, Tag

SEED = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
MODELS = ["source", "tag", "tagalias", "article", "claim", "claimevidence", "claimappearance"]


def counts():
    return {name: apps.get_model("archive", name).objects.count() for name in MODELS}


def fixture_counts():
    entries = json.loads(SEED.read_text(encoding="utf-8"))
    found = Counter(entry["model"].split(".")[1] for entry in entries)
    return {name: found[name] for name in MODELS}


def load_seed(*args):
    call_command("load_seed", *args, verbosity=0)


@pytest.fixture
def fresh_archive(db):
    """An archive with no history yet: other modules' committed fixtures (the seed, then
    emptied by TRUNCATE) leave their events behind, which load_seed would take for deletions.
    The history is append-only: only this test's transaction (rolled back) lifts that, as a
    purge does, to stand for a new database; load_seed itself never deletes history."""
    events = [
        model
        for model in apps.get_app_config("archive").get_models()
        if issubclass(model, pghistory.models.Event)
    ]
    append_only = [
        f"archive.{model.__name__}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if model in events and trigger.name == "append_only"
    ]
    with pgtrigger.ignore(*append_only):
        for model in events:
            model.objects.all().delete()


@pytest.fixture
def seeded(fresh_archive):
    load_seed()


def test_edits_to_a_seed_article_survive_the_seed_loading(seeded):
    article = Article.objects.filter(status="published").first()
    tags = list(article.tags.all())
    article.title = "عنوان غيّره محرر"
    article.status = Article.Status.DRAFT
    article.save()
    article.tags.remove(tags[0])
    load_seed()
    article.refresh_from_db()
    assert article.title == "عنوان غيّره محرر"
    assert article.status == Article.Status.DRAFT  # not published again
    assert set(article.tags.all()) == set(tags[1:])
    assert counts() == fixture_counts()


def test_what_an_editor_deleted_is_not_brought_back(seeded):
    claim = Claim.objects.filter(appearances__isnull=False).first()
    slug = claim.slug
    claim.delete()
    tag = Tag.objects.filter(claims_made__isnull=True, aliases__isnull=False).first()
    tag.delete()
    appearance = ClaimAppearance.objects.first()
    appearance.quote = appearance.quote[: len(appearance.quote) // 2]  # the key changes
    appearance.save()
    before = counts()
    load_seed()
    assert counts() == before
    assert not Claim.objects.filter(slug=slug).exists()
    assert not Tag.objects.filter(slug=tag.slug).exists()


def test_the_reset_brings_the_demo_back_as_shipped(seeded):
    article = Article.objects.first()
    article.title = "عنوان غيّره محرر"
    article.save()
    claim = Claim.objects.filter(appearances__isnull=False).first()
    claim_pk = claim.pk
    claim.delete()
    load_seed("--reset")
    article.refresh_from_db()
    assert article.title != "عنوان غيّره محرر"
    assert Claim.objects.count() == fixture_counts()["claim"]
    # The reset is itself history: the editor's title and the deletion stay recorded.
    ArticleEvent = apps.get_model("archive", "ArticleEvent")
    ClaimEvent = apps.get_model("archive", "ClaimEvent")
    assert ArticleEvent.objects.filter(pgh_obj_id=article.pk, title="عنوان غيّره محرر").exists()
    assert ClaimEvent.objects.filter(pgh_obj_id=claim_pk, pgh_label="delete").exists()


def test_only_the_missing_objects_are_loaded(seeded, tmp_path):
    entries = json.loads(SEED.read_text(encoding="utf-8"))
    article = next(entry for entry in entries if entry["model"] == "archive.article")
    kept = Article.objects.get(slug=article["fields"]["slug"])
    kept.title = "عنوان غيّره محرر"
    kept.save()
    added = {
        "model": "archive.tag",
        "fields": {"slug": "new-demo-topic", "kind": "topic", "name_ar": "موضوع جديد"},
    }
    newer = tmp_path / "seed.json"
    newer.write_text(json.dumps([*entries, added], ensure_ascii=False), encoding="utf-8")
    load_seed(str(newer))
    assert Tag.objects.filter(slug="new-demo-topic").exists()
    kept.refresh_from_db()
    assert kept.title == "عنوان غيّره محرر"


def test_an_empty_archive_gets_the_whole_seed(fresh_archive):
    assert not Article.objects.exists()
    load_seed()
    assert counts() == fixture_counts()
    assert Article.objects.published().count() == 6
    article = Article.objects.get(slug="north-korea-ratifies-mutual-defence-treaty-with-russia")
    assert article.tags.exists() and article.claim_appearances.exists()


def test_loaddata_seed_keeps_working_on_an_empty_archive(fresh_archive):
    call_command("loaddata", "seed", verbosity=0)
    assert counts() == fixture_counts()


def test_make_run_and_make_test_load_only_what_is_missing():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    prepare = re.search(r"^PREPARE :=(.*?)\n\n", makefile, re.S | re.M).group(1)
    assert "load_seed" in prepare and "loaddata" not in prepare
    assert re.search(r"^reset-demo:", makefile, re.M)
