"""Arabic search: a table of (query → the articles it must find, exactly) over the case archive
(case_archive.py: the seed archive and small articles built for each rule of the analyser),
rule by rule, then names spelled several ways and the query language. bench/search_quality.py
answers the same table with other systems."""

import pytest

from archive.tests.search.case_archive import PYONGYANG, T0, T1, T2, T3, T4, T5, B, found

CASES = [
    # 1. tashkeel, superscript alef, tatweel
    ('"الوزير الجديد"', {B("tashkeel")}),
    ("التعليم", {B("tashkeel")}),
    ('"الْوَزِيرُ الْجَدِيدُ"', {B("tashkeel")}),
    ("الرحمن", {B("superscript")}),
    ('"الجنود الأمميون"', {B("tatweel")}),
    ("أممي", {B("tatweel"), T2, T3, T5}),  # the adjective meets الأمم (المتحدة)
    # 2. alef forms
    ("اسرائيل", {B("alef"), B("alef-plain")}),
    ("إسرائيل", {B("alef"), B("alef-plain")}),
    ("احمد", {B("alef"), B("alef-plain")}),
    ("آسيا", {B("alef"), T3}),
    ("ايرادات", {B("alef")}),
    # 3. alef maqsura, teh marbuta
    ("مستشفى", {B("yeh"), B("yeh-plain")}),
    ("مستشفي", {B("yeh"), B("yeh-plain")}),
    ("المستشفى الميداني", {B("yeh-plain")}),
    ("الحكومة", {B("marbuta"), B("marbuta-plural")}),
    ("الموازنة العامة", {B("marbuta")}),
    # 4. hamza on waw and yeh
    ("مسؤول", {B("hamza-waw"), B("hamza-yeh"), T1}),
    ("مسئول عن شئون", {B("hamza-yeh"), B("hamza-waw")}),
    ("شؤون اللاجئين", {B("hamza-waw")}),
    # 5. digits and thousands separators
    ("2022", {B("digits"), T5}),
    ("٢٠٢٢", {B("digits"), T5}),
    ("15000", {B("digits")}),
    ("۱۵۰۰۰ ناخب", {B("digits")}),
    ("25000", {B("thousands-comma"), B("thousands-arabic"), B("thousands-plain")}),
    ("25,000", {B("thousands-comma"), B("thousands-arabic"), B("thousands-plain")}),
    ("٢٥٬٠٠٠ سلة", {B("thousands-comma"), B("thousands-arabic"), B("thousands-plain")}),
    ("25،000", {B("thousands-comma"), B("thousands-arabic"), B("thousands-plain")}),
    ("10000 جندي", {T1}),
    # 6. presentation forms and lam-alef ligatures
    ("لاجئون في المخيم", {B("presentation")}),
    ("المساعدات", {B("presentation"), T0, T1, T2, T5}),  # مساعدة, لمساعدة
    ("ﺍﻟﻤﺨﻴﻢ", {B("presentation")}),
    # 7. Latin case
    ("nato osce", {B("latin")}),
    ("NATO", {B("latin"), T0, T1, T2}),
    # 8. proclitics و ف ب ك ل ال وال بال فال كال لل
    ("الانتخابات البلدية", {B("clitics")}),
    ("انتخابات", {B("clitics"), B("digits")}),
    ("المرشحين", {B("clitics")}),
    ("العادة", {B("clitics")}),
    ("النتائج المفاجئة", {B("clitics")}),
    ("والجنود", {T0, T2, T3, T5, B("tatweel")}),
    # 9. suffixes ات ون ين ان ة
    ("المهندسين", {B("engineers"), B("engineers-2")}),
    ("مهندسون", {B("engineers"), B("engineers-2")}),
    ("معلم", {B("teacher"), B("teacher-2")}),
    ("المعلمة", {B("teacher"), B("teacher-2")}),
    ("حكومات", {B("marbuta"), B("marbuta-plural")}),
    ("موازنات", {B("marbuta"), B("marbuta-plural")}),
    # 10. names with clitics; what the stock configuration gets wrong
    ("ماكرون", {B("macron"), B("macron-li"), B("macron-wa")}),
    ("لماكرون", {B("macron"), B("macron-li"), B("macron-wa")}),
    ("وماكرون", {B("macron"), B("macron-li"), B("macron-wa")}),
    ("بوتين", {T0, T2, T3, T5, B("macron")} - {B("macron")}),
    ("فرنسا", {B("france"), B("french")}),
    ("الفرنسي", {B("france"), B("french")}),
    ("وزير", {T1, T2, T3, B("tashkeel"), B("macron-li")}),
    # 11. names spelled several ways: a tag's aliases
    ("بيونج يانج", PYONGYANG),
    ("بيونغ يانغ", PYONGYANG),
    ("Pyongyang", PYONGYANG),
    ("pyongyang", PYONGYANG),
    ("الناتو", {T0, T1, T2, B("latin")}),
    ("حلف شمال الأطلسي", {T0, T1, T2, B("latin")}),
    ("كيم جونج أون", {T0, T1, T2}),
    ("Kim Jong Un", {T0, T1, T2}),
    # 12. precision
    ("خاركيف", {T4}),
    ("كورسك", {T0, T5}),
    ("لويد أوستن", {T3}),
    ("روتي", {T2}),
    ("زابوريجيا ونيكولاييف", {T4}),
    # 13. the query language
    ('"الرئيس الروسي فلاديمير بوتين"', {T0, T2, T5}),
    ('"بوتين الرئيس"', set()),
    ("ماكرون OR فرنسا", {B("macron"), B("macron-li"), B("macron-wa"), B("france"), B("french")}),
    (
        "ماكرون أو المهندسين",
        {B("macron"), B("macron-li"), B("macron-wa"), B("engineers"), B("engineers-2")},
    ),
    ("ماكرون -الإليزيه", {B("macron-li"), B("macron-wa")}),
    ('بيونغ يانغ -"الرئيس الروسي"', {T1, T3}),
    ("كورسك -زيلينسكي", set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q for q, _ in CASES])
def test_query_finds_exactly(db_archive, query, expected):
    results = found(query)
    assert results == expected, f"{query}: extra {results - expected}, missing {expected - results}"


def test_the_table_covers_enough_cases():
    assert len(CASES) >= 60
