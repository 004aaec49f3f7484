import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from archive.models import Article, Claim, ClaimAppearance, Source, Tag


def aware(year, month, day, hour=9):
    return timezone.make_aware(dt.datetime(year, month, day, hour), dt.UTC)


@pytest.fixture
def outlet(db):
    return Source.objects.create(
        name="Al Jazeera",
        name_ar="الجزيرة",
        slug="al-jazeera",
        kind=Source.Kind.BROADCASTER,
        country="QA",
    )


@pytest.fixture
def make_article(outlet):
    def make(title="كوريا الشمالية تصدق على المعاهدة", **fields):
        fields.setdefault("body", "وقع كيم جونغ أون مرسوما للتصديق على المعاهدة مع روسيا.")
        fields.setdefault("published_at", aware(2024, 11, 12))
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("source", outlet)
        return Article.objects.create(title=title, **fields)

    return make


@pytest.fixture
def person(db):
    return Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="كيم جونغ أون", name_en="Kim Jong Un")


@pytest.fixture
def make_claim(person):
    def make(statement="أرسلت كوريا الشمالية 11 ألف جندي إلى روسيا", **fields):
        fields.setdefault("claimant", person)
        return Claim.objects.create(statement=statement, **fields)

    return make


@pytest.fixture
def appear():
    def make(claim, article, quote, **fields):
        return ClaimAppearance.objects.create(claim=claim, article=article, quote=quote, **fields)

    return make


@pytest.fixture
def editor(db):
    user = User.objects.create_user("layla", password="a-long-editor-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
