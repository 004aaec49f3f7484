"""The case archive: the seed archive plus small articles built for each rule of the analyser,
one or two rules each. The table of cases (test_arabic_cases.py) and the tests of what a search
finds run over it; bench/search_quality.py builds it too. conftest.py commits it for a module."""

import datetime as dt

from django.core.management import call_command

from archive import search
from archive.models import Article, Source

T0 = "north-korea-ratifies-mutual-defence-treaty-with-russia"
T1 = "north-korea-vows-unwavering-support-for-russia-in-ukraine-war"
T2 = "nato-north-korean-troops-in-ukraine-would-be-significant-escalation"
T3 = "russian-parliament-ratifies-security-treaty-with-north-korea"
T4 = "russia-steps-up-attacks-on-ukrainian-cities-zelensky-announces-drone-deals"
T5 = "us-confirms-north-korean-troops-fighting-alongside-russia-in-kursk"
PYONGYANG = {T0, T1, T2, T3, T5}


# Small articles, one or two rules each; the words are absent from the seed articles.
BUILT = {
    "tashkeel": ("خطة جديدة", "أعلن الوَزِيرُ الجَدِيدُ خُطَّتَهُ لإصلاحِ التَّعْلِيمِ."),
    "superscript": ("نص", "قرأ الإمام سورة الرحمٰن في صلاة الفجر."),
    "tatweel": ("قوات", "انتشر الجـــنود الأمميـــون في المنطقة العازلة."),
    "alef": ("وفد", "زار إسرائيل وفدٌ من آسيا برئاسة أحمد ولقي إيرادات ضعيفة."),
    "alef-plain": ("وفد آخر", "زار اسرائيل وفد برئاسة احمد."),
    "yeh": ("إسعاف", "نُقل المصاب إلى مستشفى الشفاء في المدينة."),
    "yeh-plain": ("إسعاف آخر", "نقل الجرحى إلى المستشفي الميداني."),
    "marbuta": ("موازنة", "ناقشت الحكومه الموازنه العامه للدولة."),
    "marbuta-plural": ("حكومات", "اجتمعت حكومات المنطقة لبحث الموازنات."),
    "hamza-waw": ("لاجئون", "صرّح مسؤول في شؤون اللاجئين بأن الوضع صعب."),
    "hamza-yeh": ("هجرة", "قال مسئول عن شئون الهجرة إن الأعداد تتزايد."),
    "digits": ("انتخابات", "شهدت انتخابات عام ٢٠٢٢ مشاركة ۱۵۰۰۰ ناخب في الدائرة."),
    "thousands-comma": ("سلال", "تم توزيع 25,000 سلة غذائية على الأسر."),
    "thousands-arabic": ("سلال أخرى", "تم توزيع ٢٥٬٠٠٠ سلة غذائية في الشمال."),
    "thousands-plain": ("سلال ثالثة", "وصلت 25000 سلة غذائية إلى الجنوب."),
    "presentation": ("مخيم", "ﻻﺟﺌﻮﻥ ﻓﻲ ﺍﻟﻤﺨﻴﻢ ﻳﻨﺘﻈﺮﻭﻥ ﺍﻟﻤﺴﺎﻋﺪﺍﺕ"),
    "latin": ("بيان مشترك", "Statement by NATO and the OSCE on monitoring missions."),
    "clitics": (
        "نتائج",
        "وبالانتخابات البلدية فاز الحزب، وللمرشحين المستقلين كالعادة حظوظ، فالنتائج مفاجئة.",
    ),
    "macron": ("اجتماع", "عقد ماكرون اجتماعا مطولا في الإليزيه."),
    "macron-li": ("رسالة", "وجه الوزير رسالة لماكرون بشأن الميزانية."),
    "macron-wa": ("تصريح", "وماكرون قال إن الإصلاح ضروري."),
    "france": ("زيارة", "قام الوفد بزيارة إلى فرنسا لبحث التعاون."),
    "french": ("موقف", "جاء الموقف الفرنسي من الأزمة متحفظا."),
    "engineers": ("مهندسون", "احتج المهندسون على قرار الوزارة."),
    "engineers-2": ("نقابة", "طالبت نقابة المهندسين بزيادة الأجور."),
    "teacher": ("مدرسة", "كرّمت المدرسة المعلمة المتميزة."),
    "teacher-2": ("مدرسة أخرى", "قال معلم في المدرسة إن الطلاب متفوقون."),
}


def built(key):
    return f"built-{key}"


B = built


def build_case_archive():
    """The seed archive plus the small articles (also used by bench/search_quality.py)."""
    call_command("loaddata", "seed", verbosity=0)
    outlet = Source.objects.create(name="Test Outlet", slug="test-outlet")
    base = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for n, (key, (title, body)) in enumerate(BUILT.items()):
        Article.objects.create(
            title=title,
            body=body,
            slug=built(key),
            source=outlet,
            published_at=base + dt.timedelta(days=n),
            status=Article.Status.PUBLISHED,
        )
    search.refresh_vocabulary()


def found(query):
    return {a.slug for a in Article.objects.published().search(query)}
