"""Every public URL with generated hostile paths and parameters (NUL, control characters, lone
surrogates and bytes that are not UTF-8, huge numbers, dates out of range, very long text,
repeated parameters) answers without a server error, over the seed archive.

A sweep gives every listed hostile value to every parameter and path; hypothesis then draws
combinations. Bounded and reproducible: a fixed number of examples per URL, derandomised."""

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.filters import SORT_CHOICES, YES_NO, ArticleFilter, ClaimFilter
from archive.models import Article, Claim, Language, Source, Tag

# Every parameter a listing reads, and some it does not.
PARAMETERS = sorted(
    {*ArticleFilter.base_filters, *ClaimFilter.base_filters}
    | {"page", "page_size", "p", "format", "utm_source"}
)

# Values that have broken, or could break, a parser, a query or a writer.
HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "a\x01b",
    "\x1b[31m",
    "\x7f\x85\x9b",
    "\u2028\u2029",
    "\ufffe\uffff",
    "\U0010ffff",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "٣",
    "9" * 40,
    "9" * 5000,
    "0001-01-01",
    "1799-12-31",
    "9999-12-30",
    "9999-12-31",
    "99999-12-31",
    "0000-00-00",
    "2024-02-30",
    "'\"",
    '"كورسك',
    "-كورسك",
    "OR",
    "a:*",
    "!!&|()",
    "%_\\",
    "' OR 1=1 --",
    "<script>",
    "ك" * 600,
    "كورسك " * 80,
    "x" * 100_000,
]
# Bytes that are not UTF-8 (a lone surrogate, an overlong NUL, a stray continuation byte).
HOSTILE_BYTES = [b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xc0\x80", b"\x80", b"\xff\xfe", b"a\xe2\x82"]
KNOWN = [
    "kursk",
    "north-korean-troops-in-russia",
    "volodymyr-zelensky",
    "pyongyang",
    "al-bilad",
    "afp",
    *(value for value, _label in Claim.Verdict.choices),
    *(value for value, _label in Language.choices),
    *(value for value, _label in YES_NO + SORT_CHOICES),
    "2024-11-01",
    "2",
]

text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(KNOWN),
    st.text(
        st.characters(categories=["L", "N", "P", "Z", "Cc", "Cs", "Co", "Cn"]),
        max_size=30,
    ),
)


def encode(value):
    """`value` (text, possibly with lone surrogates, or raw bytes) percent-encoded."""
    if isinstance(value, str):
        value = value.encode("utf-8", "surrogatepass")
    return "".join(f"%{b:02X}" for b in value)


values = st.one_of(text, st.sampled_from(HOSTILE_BYTES), st.binary(max_size=12))
# Several parameters, repeated or not: pairs of any name and value, or one value given to a
# set of names (so that one hostile value reaches several filters at once).
query = st.one_of(
    st.lists(st.tuples(st.sampled_from(PARAMETERS), values), max_size=6),
    st.tuples(st.sets(st.sampled_from(PARAMETERS), min_size=1), values).map(
        lambda names_value: [(name, names_value[1]) for name in sorted(names_value[0])]
    ),
)
# A path's own part: a real one, or something hostile (an id too large for bigint, say).
segment = st.one_of(values.filter(lambda v: len(v) < 2000), st.sampled_from(["..", "%2F"]))
number = st.one_of(
    st.integers(min_value=0, max_value=10**30).map(str), st.sampled_from(["0", "-1"])
)

URLS = [
    "/",
    "/claims/",
    "/claims/{claim}/",
    "/articles/{article}/",
    "/sources/{source}/",
    "/tags/{tag}/",
    "/feeds/articles/",
    "/export/articles.csv",
    "/export/claims.csv",
    "/api/articles/",
    "/api/articles/{article_id}/",
    "/api/claims/",
    "/api/claims/{claim}/",
    "/sitemap.xml",
    "/robots.txt",
]

# One item's pages, which read no parameter (the drawn examples still send them some).
READ_NO_PARAMETERS = {
    "/claims/{claim}/",
    "/articles/{article}/",
    "/api/articles/{article_id}/",
    "/api/claims/{claim}/",
    "/robots.txt",
}


@pytest.fixture
def real(archive_db):
    """What the seed archive really holds, for the paths that name a row."""
    return {
        "claim": [str(pk) for pk in Claim.objects.published().values_list("pk", flat=True)],
        "article": list(Article.objects.published().values_list("slug", flat=True)),
        "article_id": [str(pk) for pk in Article.objects.published().values_list("pk", flat=True)],
        "source": list(Source.objects.values_list("slug", flat=True)),
        "tag": list(Tag.objects.values_list("slug", flat=True)),
    }


def fill(template, real, data):
    for name, choices in real.items():
        placeholder = "{" + name + "}"
        if placeholder in template:
            numeric = name in ("claim", "article_id")
            part = data.draw(
                st.one_of(
                    st.sampled_from(choices).map(encode),
                    (number if numeric else segment.map(encode)),
                )
            )
            template = template.replace(placeholder, part)
    return template


def fetch(client, method, url):
    """The answer to `url`, read to its end (an export can fail half-way through its
    stream); an exception in a view fails the test with its traceback."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code < 500, (method, url, response.status_code)
    return response


def with_query(path, params):
    return path + ("?" + "&".join(f"{encode(k)}={encode(v)}" for k, v in params) if params else "")


@pytest.mark.parametrize("template", URLS)
def test_every_hostile_value_in_every_parameter_and_path(real, template):
    """Each hostile value at once in every parameter (each is checked on its own, so none
    hides another), and as the path's own part where the URL has one."""
    client = Client()
    path = template.format(**{name: encode(choices[0]) for name, choices in real.items()})
    for value in HOSTILE_TEXT + HOSTILE_BYTES:
        if template not in READ_NO_PARAMETERS:
            fetch(client, "get", with_query(path, [(name, value) for name in PARAMETERS]))
        if path != template:
            part = encode(value)
            if any(name in template for name in ("{claim}", "{article_id}")):
                part = "9" * len(value) if value else "0"
            bare = template.format(**{name: part for name in real})
            fetch(client, "get", bare)


@pytest.mark.parametrize("template", URLS)
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_public_url_answers_a_server_error(real, template, data):
    path = fill(template, real, data)
    method = data.draw(st.sampled_from(["get", "head"]))
    fetch(Client(), method, with_query(path, data.draw(query)))
