"""Names spelled several ways (aliases.py): a tag's name and aliases are spellings of one name,
and a query with one finds the others (cases 11 of test_arabic_cases.py); an alias added in
the admin counts at once."""

from archive.models import Tag, TagAlias
from archive.tests.search.case_archive import B, found


def test_an_alias_added_in_the_admin_takes_effect_at_once(db_archive):
    assert found("ماكغون") == set()
    tag = Tag.objects.create(kind=Tag.Kind.PERSON, name_ar="ماكرون", name_en="Macron")
    TagAlias.objects.create(tag=tag, name="ماكغون")
    assert found("ماكغون") == {B("macron"), B("macron-li"), B("macron-wa")}
