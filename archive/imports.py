"""Bulk import of articles from JSON Lines or CSV files (gzipped or not).

The rules, the same for `manage.py import_articles` and the admin's import page:
- a field map says which field of the file fills which field of an article
  (`title=title,body=text,...`); without one, the columns of the archive's own CSV export;
- outlets and tags are found by name, slug or alias, and created when missing, never twice;
- an article whose url is already in the archive (without a url: whose title and body are) is
  skipped, or updated with `update=True`; running the same file twice adds nothing;
- an article nearly the same as another (the archive's or the same file's; see
  archive/duplicates.py) is imported all the same, and reported: counted in the summary and
  listed on the import run's page;
- a row that cannot be imported goes to the rejects file with its line number and every
  reason it has (no title, no body, no outlet; a date that does not parse or lies outside 1800
  to next year; a url that is not one; a line that is not JSON or a CSV record that is
  malformed; a text holding a control character; a name too long; a text the search index
  cannot hold), and the import goes on; read = created + updated + skipped + rejected;
- what one row may hold is bounded (MAX_LINE, MAX_FIELD): a longer line is skipped to its end
  without being held, so that a small gzip cannot exhaust the importer's memory; a CSV record
  broken by a quote is reported by its first line and the lines after it are read again;
- an update rewrites an article's texts and facts but never its status (the import's status
  is for the articles it creates); `user` is recorded on the articles created or updated;
- the tables written are analysed at the end (the search's plans rest on their statistics);
- rows are written in batches, each batch one transaction: an import stopped half-way and run
  again finishes without duplicates. Memory stays flat: nothing is kept across batches but
  the outlet and tag caches;
- two imports of the same rows at once (the command and the admin, say) create each article
  once: the second's insert waits on the first's, through the url's unique index or, without
  a url, the slug's (made from the title and body, see slug_for), fails once the first
  commits, and its batch written again a row at a time finds those rows and skips them.
"""

import collections
import csv
import datetime as dt
import email.utils
import gzip
import hashlib
import io
import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.db import DatabaseError, IntegrityError, connection, reset_queries, transaction
from django.utils import timezone, translation
from django.utils.text import slugify

from . import duplicates
from .models import (
    CONTROL_CHARACTERS,
    Article,
    Source,
    Tag,
    TagAlias,
    control_character_problem,
    publication_date_problem,
)

TARGETS = {
    "title",
    "lead",
    "body",
    "source",
    "published_at",
    "url",
    "tags",
    "author",
    "language",
    "credited_sources",
}
REQUIRED = ("title", "body", "source", "published_at")
# The archive's own CSV export (archive/exports.py) is the default shape. Its order is the
# order in which a row's problems are listed.
DEFAULT_MAP = {
    "title": "title",
    "lead": "lead",
    "body": "body",
    "source": "outlet",
    "published_at": "published_at",
    "url": "original_url",
    "tags": "tags",
    "language": "language",
    "credited_sources": "credited_sources",
    "author": "author",
}
BATCH_SIZE = 1000
MAX_TITLE = Article._meta.get_field("title").max_length
MAX_URL = Article._meta.get_field("url").max_length
MAX_AUTHOR = Article._meta.get_field("author").max_length
MAX_NAME = min(Source._meta.get_field("name").max_length, Tag._meta.get_field("name_ar").max_length)
LANGUAGES = {code for code, _ in Article._meta.get_field("language").choices}

# What one row may hold: far beyond any article (its body is rarely 100 kB, and the text
# index cannot hold much over 1 MB), far below the importer's memory budget (a character may
# take 4 bytes, and a row is copied a few times on its way to the database).
MAX_LINE = 2 * 2**20  # characters of a JSON line or a CSV record
MAX_FIELD = 2**20  # characters of one field
SKIP_PIECE = 2**20  # how much of an oversized line is read at a time, to skip it
# And what a batch and the name caches may hold, so that rows at those bounds add up to no
# more either: a batch is written early once its texts reach BATCH_CHARS (a thousand
# ordinary articles, or one at the field bound); the caches start again past NAME_CACHE.
MAX_NAMES = 100  # tags, or credited sources, of one row
BATCH_CHARS = 4 * 2**20
NAME_CACHE = 100_000
NEAR_DUPLICATE_EXAMPLES = 20


class ImportError_(ValueError):
    """A problem with the whole import (a bad map, an unreadable file): nothing is written."""


def parse_map(text):
    """`title=title,body=text` → {"title": "title", "body": "text"}, refusing unknown
    targets and incomplete pairs with a message that names them."""
    if not text:
        return dict(DEFAULT_MAP)
    mapping = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        target, sep, source = pair.partition("=")
        target, source = target.strip(), source.strip()
        if not sep or not target or not source:
            raise ImportError_(f"--map takes target=field pairs separated by commas, not {pair!r}")
        if target not in TARGETS:
            raise ImportError_(
                f"--map: {target!r} is not an article field; use {', '.join(sorted(TARGETS))}"
            )
        mapping[target] = source
    missing = [t for t in REQUIRED if t not in mapping]
    if missing:
        raise ImportError_(f"--map must say where to find {', '.join(missing)}")
    return mapping


@dataclass
class Summary:
    read: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0
    seconds: float = 0.0
    rejects_path: Path | None = None
    rejects: list = field(default_factory=list)  # the first few, for the admin page
    # Articles written although nearly the same as another (archive/duplicates.py): how many,
    # and the first few as (line, article id, other id, similarity), for the command's report.
    near_duplicates: int = 0
    near_duplicate_examples: list = field(default_factory=list)

    def add(self, other):
        for name in ("read", "created", "updated", "skipped", "rejected", "near_duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.near_duplicate_examples += other.near_duplicate_examples
        del self.near_duplicate_examples[NEAR_DUPLICATE_EXAMPLES:]

    @property
    def balanced(self):
        return self.read == self.created + self.updated + self.skipped + self.rejected

    def __str__(self):
        rate = self.read / self.seconds if self.seconds else 0
        text = (
            f"read {self.read:,}, created {self.created:,}, updated {self.updated:,}, "
            f"skipped as duplicates {self.skipped:,}, rejected {self.rejected:,} "
            f"in {self.seconds:.1f} s ({rate:,.0f} rows/s)"
        )
        if self.near_duplicates:
            text += f"; {self.near_duplicates:,} near-duplicates imported (see below)"
        if self.rejects_path:
            text += f"; rejects in {self.rejects_path}"
        return text


class Rejected(Exception):
    """A row that cannot be imported, and why."""


# --- reading -------------------------------------------------------------------------------


def open_text(path):
    """The file as text, gunzipped when it is gzip (by its first bytes, not its name)."""
    raw = open(path, "rb")
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return raw, io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8-sig", newline="")
    raw.seek(0)
    return raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def file_format(path):
    name = str(path).lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise ImportError_(f"{path}: the name must end in .jsonl, .ndjson, .json or .csv (.gz)")


class TooLong(Exception):
    """A line, or a CSV record, over MAX_LINE: read to its end but not kept."""

    def __init__(self, number):
        self.number = number


class Lines:
    """The physical lines of a text, each read with a bound: a longer line is skipped to its
    end a piece at a time, never held whole, and given as TOO_LONG. Lines given back (a
    CSV record read again from its second line) come first."""

    TOO_LONG = object()

    def __init__(self, text):
        self.text = text
        self.number = 0
        self.given_back = collections.deque()

    def next(self):
        """(line number, line): the line None at the end of the file."""
        if self.given_back:
            return self.given_back.popleft()
        line = self.text.readline(MAX_LINE + 1)
        if not line:
            return self.number + 1, None
        self.number += 1
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            while line and not line.endswith(("\n", "\r")):
                line = self.text.readline(SKIP_PIECE)
            return self.number, self.TOO_LONG
        return self.number, line

    def give_back(self, numbered_lines):
        self.given_back.extendleft(reversed(numbered_lines))


def too_long(number):
    return Rejected(
        f"line {number} is longer than {MAX_LINE:,} characters, the most a row may hold"
    )


def json_records(lines):
    while True:
        number, line = lines.next()
        if line is None:
            return
        if line is Lines.TOO_LONG:
            yield number, too_long(number)
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            line = None  # not held while the row is written
        except RecursionError:
            yield number, Rejected("not JSON: nested too deeply")
            continue
        except ValueError as exc:
            yield number, Rejected(f"not JSON: {exc}")
            continue
        if not isinstance(row, dict):
            yield number, Rejected("not a JSON object")
            continue
        yield number, row


class CsvFeed:
    """What csv.reader reads: the lines of one record at a time, remembered, so that a
    broken record can be reported by its first line and read again from its second."""

    def __init__(self, lines):
        self.lines = lines
        self.taken, self.size = [], 0

    def __iter__(self):
        return self

    def __next__(self):
        number, line = self.lines.next()
        if line is None:
            raise StopIteration
        if line is Lines.TOO_LONG or (self.taken and self.size + len(line) > MAX_LINE):
            self.taken.append((number, line))
            raise TooLong(number)
        self.taken.append((number, line))
        self.size += len(line)
        return line

    def start_record(self):
        self.taken, self.size = [], 0

    def resynchronise(self):
        """The record's first line number; its other lines will be read again."""
        self.lines.give_back(self.taken[1:])
        return self.taken[0][0]


def csv_records(lines):
    """(line, dict or Rejected) for each record. A record that spans several lines and does
    not come out as a row of the header's width (an unclosed quote swallowing the rows
    after it), or that csv cannot parse, is rejected by its first line and the lines after
    it are read again: one broken quote costs one row, not the rest of the file."""
    csv.field_size_limit(MAX_FIELD)
    feed = CsvFeed(lines)
    reader = csv.reader(feed, strict=True)
    header = None
    while True:
        feed.start_record()
        try:
            values = next(reader)
        except StopIteration:
            return
        except TooLong as exc:
            start = feed.resynchronise()
            if start == exc.number:
                reason = too_long(start)
            else:
                reason = Rejected(
                    f"not CSV: the record from this line runs past {MAX_LINE:,} characters"
                    f" (at line {exc.number}); an unclosed quote?"
                )
        except csv.Error as exc:
            start = feed.resynchronise()
            last = feed.taken[-1][0]
            where = f" (lines {start} to {last})" if last > start else ""
            reason = Rejected(f"not CSV: {exc}{where}")
        else:
            start, last = feed.taken[0][0], feed.taken[-1][0]
            if not values:
                continue  # a blank line
            if header is None:
                header = values
                continue
            if len(values) == len(header):
                yield start, dict(zip(header, values, strict=True))
                continue
            if last == start:
                if len(values) > len(header):
                    yield start, Rejected("more values than the header has columns")
                else:  # missing values at the end of the line are empty, as DictReader has it
                    yield start, dict(zip(header, values + [""] * len(header), strict=False))
                continue
            feed.resynchronise()
            reason = Rejected(
                f"not CSV: a quoted value opened on this line runs to line {last}, leaving"
                f" {len(values)} values for {len(header)} columns; an unclosed quote?"
            )
        if header is None:
            raise ImportError_(f"line {start}, the header: {reason}")
        yield start, reason


# --- one row ---------------------------------------------------------------------------------


def parse_date(value):
    value = (value or "").strip()
    if not value:
        raise Rejected("no publication date")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            raise Rejected(f"the date {value[:40]!r} does not parse") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    with translation.override("en"):  # a reject's reason is in English, whoever imports
        problem = publication_date_problem(parsed)
        if problem:
            raise Rejected(f"the date {value[:40]!r}: {problem}")
    return parsed


def text_of(row, mapping, target):
    key = mapping.get(target)
    if key is None:
        return ""
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


# Control characters (see models.CONTROL_CHARACTERS) and lone surrogates, which UTF-8 cannot
# carry: one scan of each text finds either.
UNSTORABLE = re.compile(CONTROL_CHARACTERS.pattern[:-1] + r"\ud800-\udfff]")


def text_problem(text):
    """Why a field's text cannot be stored as it is, or None."""
    if len(text) > MAX_FIELD:
        return f"longer than {MAX_FIELD:,} characters, the most a field may hold"
    if not text or UNSTORABLE.search(text) is None:
        return None
    with translation.override("en"):  # a reject's reason is in English, whoever imports
        return str(
            control_character_problem(text) or "holds a lone surrogate, which is not a character"
        )


def names_of(value):
    for separator in (";", "|"):
        if separator in value:
            return [v.strip() for v in value.split(separator) if v.strip()]
    return [v.strip() for v in value.split(",") if v.strip()]


@dataclass
class Row:
    line: int
    fields: dict
    source: str
    tags: list
    credited: list
    key: str  # the url, or a hash of title and body

    @property
    def size(self):
        """Characters held, for the batch's bound."""
        return sum(len(value) for value in self.fields.values() if isinstance(value, str))

    @property
    def url(self):
        return self.fields["url"]


def clean_row(number, row, mapping, status):
    """The row as an article's fields, or Rejected with every problem it has."""
    try:
        raw = {target: text_of(row, mapping, target) for target in DEFAULT_MAP}
    except RecursionError:  # a list nested as deep as JSON allows, made text
        raise Rejected("a value is nested too deeply") from None
    problems, bad = [], set()
    for target, value in raw.items():
        problem = text_problem(value)
        if problem:
            problems.append(f"{mapping[target]}: {problem}")
            bad.add(target)
            raw[target] = ""  # judged no further
    title = " ".join(raw["title"].split())
    body = raw["body"].strip()
    source = " ".join(raw["source"].split())
    url = raw["url"].strip()
    tags = names_of(raw["tags"])
    credited = names_of(raw["credited_sources"])
    for target, value, reason in (
        ("title", title, "no title"),
        ("body", body, "no body"),
        ("source", source, "no outlet (source)"),
    ):
        if not value and target not in bad:
            problems.append(reason)
    if len(title) > MAX_TITLE:
        problems.append(f"the title is longer than {MAX_TITLE} characters")
    author = " ".join(raw["author"].split())
    if len(author) > MAX_AUTHOR:
        problems.append(f"the byline is longer than {MAX_AUTHOR} characters")
    for kind, names in (("tags", tags), ("credited sources", credited)):
        if len(names) > MAX_NAMES:
            problems.append(f"{len(names)} {kind}, more than the {MAX_NAMES} a row may name")
    for kind, names in (("outlet", [source]), ("tag", tags), ("credited source", credited)):
        for name in names:
            if len(name) > MAX_NAME:
                problems.append(f"the {kind} name {name[:40]!r}… is longer than {MAX_NAME}")
    if url and (not url.startswith(("http://", "https://")) or len(url) > MAX_URL or " " in url):
        problems.append(f"the url {url[:60]!r} is not a web address")
    published_at = None
    if "published_at" not in bad:
        try:
            published_at = parse_date(raw["published_at"])
        except Rejected as reason:
            problems.append(str(reason))
    if problems:
        raise Rejected("; ".join(problems))
    language = raw["language"].strip().lower() or "ar"
    if language not in LANGUAGES:
        language = "other"
    fields = {
        "title": title,
        "lead": raw["lead"].strip(),
        "body": body,
        "url": url,
        "author": author,
        "language": language,
        "published_at": published_at,
        "status": status,
    }
    key = url or "hash:" + content_hash(title, body)
    return Row(number, fields, source, tags, credited, key)


def content_hash(title, body):
    """As the database computes it: md5(title || E'\\n' || body) (see the index)."""
    return hashlib.md5(f"{title}\n{body}".encode()).hexdigest()


# --- finding outlets and tags ----------------------------------------------------------------


class Names:
    """Outlets and tags by the names a file uses, created once when missing."""

    def __init__(self):
        self.sources, self.tags = {}, {}

    def source(self, name):
        key = name.casefold()
        if key not in self.sources:
            found = (
                Source.objects.filter(name__iexact=name).first()
                or Source.objects.filter(name_ar__iexact=name).first()
                or Source.objects.filter(slug__iexact=name).first()
            )
            if found is None:
                found = self._create(
                    Source,
                    lambda: Source.objects.filter(name__iexact=name).first(),
                    name=name,
                    name_ar="" if name.isascii() else name,
                    kind=Source.Kind.WEBSITE,
                )
            self.sources[key] = found.pk
        return self.sources[key]

    def tag(self, name):
        key = name.casefold()
        if key not in self.tags:
            found = (
                Tag.objects.filter(slug=name).first()
                or Tag.objects.filter(name_ar__iexact=name).first()
                or Tag.objects.filter(name_en__iexact=name).first()
            )
            if found is None:
                alias = TagAlias.objects.filter(name__iexact=name).select_related("tag").first()
                found = alias.tag if alias else None
            if found is None:
                found = self._create(
                    Tag,
                    lambda: Tag.objects.filter(name_ar__iexact=name).first(),
                    kind=Tag.Kind.TOPIC,
                    name_ar=name,
                    name_en=name if name.isascii() else "",
                )
            self.tags[key] = found.pk
        return self.tags[key]

    @staticmethod
    def _create(model, refetch, **fields):
        """Create in a transaction of its own; if another import created it meanwhile, use
        theirs."""
        try:
            with transaction.atomic():
                return model.objects.create(**fields)
        except IntegrityError:
            found = refetch()
            if found is None:
                raise
            return found

    def resolve(self, rows):
        """Find or create every outlet and tag of a batch before the batch's transaction, so
        that imports running side by side never wait on each other's new names. Returns the
        rows whose names the database refused, as (row, reason)."""
        if len(self.sources) + len(self.tags) > NAME_CACHE:
            self.sources.clear()
            self.tags.clear()
        refused = []
        for row in rows:
            try:
                self.source(row.source)
                for name in row.tags:
                    self.tag(name)
                for name in row.credited:
                    self.source(name)
            except DatabaseError as error:
                reason = refusal(error)
                if reason is None:
                    raise
                refused.append((row, reason))
        return refused


# --- writing ---------------------------------------------------------------------------------


def existing(rows):
    """{key: article id} for the rows already in the archive (by url, or title and body)."""
    urls = [r.url for r in rows if r.url]
    hashes = [r.key[5:] for r in rows if not r.url]
    found = {}
    articles = Article._meta.db_table
    with connection.cursor() as cursor:
        if urls:
            cursor.execute(f"SELECT url, id FROM {articles} WHERE url = ANY(%s)", [urls])
            found.update(cursor.fetchall())
        if hashes:
            cursor.execute(
                f"SELECT 'hash:' || md5(title || E'\\n' || body), id FROM {articles}"
                " WHERE md5(title || E'\\n' || body) = ANY(%s)",
                [hashes],
            )
            found.update(cursor.fetchall())
    return found


def write_batch(rows, names, update, summary, user=None):
    """One transaction: new rows created, known ones skipped or updated. Returns the rows the
    database refused, as (line, reason): when the batch fails on a row's data (a text that
    cannot be indexed, say), it is written again a row at a time, each row in a savepoint, so
    that the others go in and only the refused are left out."""
    unique, seen = [], set()
    for row in rows:
        if row.key in seen:
            summary.skipped += 1  # the same article twice in the batch
            continue
        seen.add(row.key)
        unique.append(row)
    refused = [(row.line, reason) for row, reason in names.resolve(unique)]
    if refused:
        lines = {line for line, _ in refused}
        unique = [row for row in unique if row.line not in lines]
    found = []  # near-duplicates among the rows written
    try:
        with transaction.atomic():
            counts = write_rows(unique, names, update, user, found)
    except DatabaseError as error:
        if refusal(error) is None:
            raise
        counts = None
    if counts is None:  # out of the except block: its traceback, which holds the batch's
        counts = Counter()  # query, is gone before the rows are written again
        found.clear()
        with transaction.atomic():
            for row in unique:
                try:
                    with transaction.atomic():
                        counts += write_rows([row], names, update, user, found)
                except DatabaseError as error:
                    reason = refusal(error)
                    if reason is None:
                        raise
                    refused.append((row.line, reason))
    summary.created += counts["created"]
    summary.updated += counts["updated"]
    summary.skipped += counts["skipped"]
    summary.near_duplicates += len(found)
    room = NEAR_DUPLICATE_EXAMPLES - len(summary.near_duplicate_examples)
    summary.near_duplicate_examples += found[: max(room, 0)]
    return sorted(refused)


# SQLSTATE classes of errors that a row's own data causes: data exceptions, integrity
# constraint violations, program limits (a word or a text too long for the text index).
ROW_ERRORS = ("22", "23", "54")
PROGRAM_LIMITS = "54"


def refusal(error):
    """Why the database refused a row, in words; None for an error that is not the row's
    (a lost connection, a deadlock), which stops the import instead. Told by the SQLSTATE
    code, not by the message, which a server may give in its own language."""
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None) or ""
    if not state.startswith(ROW_ERRORS) and not (
        # The driver's own refusal of a value (a NUL byte), before the server sees it.
        not state and isinstance(cause, psycopg.DataError)
    ):
        return None
    message = str(cause).splitlines()[0]
    if state.startswith(PROGRAM_LIMITS):
        return (
            f"the text is too large or a word of it too long to be indexed for search ({message})"
        )
    return f"the database refused it: {message}"


# What an update rewrites: the texts and facts of the article, never its status, which is
# the newsroom's decision (the import's status applies to the articles it creates).
UPDATED_FIELDS = ["title", "lead", "body", "author", "language", "published_at", "source_id"]


def write_rows(rows, names, update, user=None, found=None):
    """Writes `rows` (distinct keys) in the current transaction; returns the counts. The
    near-duplicates of the articles written are added to `found` (archive/duplicates.py)."""
    counts = Counter()
    known = existing(rows)
    new = [r for r in rows if r.key not in known]
    old = [r for r in rows if r.key in known]
    user_id = user.pk if user is not None else None
    articles = []
    for row in new:
        article = Article(
            **row.fields,
            source_id=names.source(row.source),
            updated_by_id=user_id,
            created_by_id=user_id,
        )
        article.slug = slug_for(row)
        articles.append(article)
    Article.objects.bulk_create(articles, batch_size=500)
    counts["created"] += len(articles)
    links, credits = [], []
    for article, row in zip(articles, new, strict=True):
        links += [(article.pk, names.tag(t)) for t in dict.fromkeys(row.tags)]
        credits += [(article.pk, names.source(s)) for s in dict.fromkeys(row.credited)]
    if update and old:
        changed, now = [], timezone.now()
        for row in old:
            fields = {name: value for name, value in row.fields.items() if name != "status"}
            article = Article(
                pk=known[row.key],
                **fields,
                source_id=names.source(row.source),
                updated_by_id=user_id,
                updated_at=now,
            )
            changed.append(article)
            links += [(article.pk, names.tag(t)) for t in dict.fromkeys(row.tags)]
            credits += [(article.pk, names.source(s)) for s in dict.fromkeys(row.credited)]
        recorded = ["updated_at"] + (["updated_by_id"] if user is not None else [])
        Article.objects.bulk_update(changed, UPDATED_FIELDS + recorded, batch_size=500)
        counts["updated"] += len(changed)
    else:
        counts["skipped"] += len(old)
    Tags = Article.tags.through
    Credits = Article.credited_sources.through
    Tags.objects.bulk_create(
        [Tags(article_id=a, tag_id=t) for a, t in links], ignore_conflicts=True
    )
    Credits.objects.bulk_create(
        [Credits(article_id=a, source_id=s) for a, s in credits], ignore_conflicts=True
    )
    if found is not None:
        written = [(row.line, a.pk) for row, a in zip(new, articles, strict=True)]
        if update and old:
            written += [(row.line, known[row.key]) for row in old]
        found += duplicates.check_import(written)
    return counts


def slug_for(row):
    digest = hashlib.sha1(row.key.encode()).hexdigest()[:10]
    return f"{slugify(row.fields['title'], allow_unicode=True)[:120].strip('-')}-{digest}"


# --- the whole import ----------------------------------------------------------------------


def rejects_path_for(path):
    """Beside the input; in the current folder when the input's folder is read-only (judged
    by its permissions, which root would otherwise ignore)."""
    beside = Path(f"{path}.rejects.jsonl")
    folder = beside.parent
    if os.access(folder, os.W_OK) and folder.stat().st_mode & 0o200:
        return beside
    return Path.cwd() / beside.name


class Progress:
    """A tqdm bar on a terminal (rate, time left from the bytes read); plain lines every few
    seconds otherwise."""

    interval = 5  # seconds between plain lines

    def __init__(self, path, raw, out, quiet=False):
        self.raw, self.out, self.quiet = raw, out, quiet
        self.total = os.path.getsize(path)
        self.bar = None
        self.last = time.monotonic()
        self.started = self.last
        if not quiet and out.isatty():
            from tqdm import tqdm

            self.bar = tqdm(
                total=self.total, unit="B", unit_scale=True, desc=Path(path).name, file=out
            )

    def update(self, summary):
        if self.quiet:
            return
        position = self.raw.tell()
        if self.bar is not None:
            self.bar.update(position - self.bar.n)
            self.bar.set_postfix(rows=summary.read, refresh=False)
            return
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            done = position / self.total if self.total else 1
            rate = summary.read / (now - self.started)
            left = (now - self.started) * (1 - done) / done if done else 0
            self.out.write(
                f"{done:6.1%} {summary.read:,} rows, {rate:,.0f} rows/s, about {left:,.0f} s left\n"
            )
            self.out.flush()

    def close(self):
        if self.bar is not None:
            self.bar.close()


def import_file(
    path,
    mapping,
    *,
    status="published",
    update=False,
    batch_size=BATCH_SIZE,
    out=None,
    quiet=False,
    rejects_path=None,
    workers=1,
    part=None,
    counter=None,
    user=None,
    on_batch=None,
):
    """Import one file; returns its Summary. With workers > 1, that many processes share the
    file: each takes the rows whose key (url, or title and body) hashes to it, so that one
    article is always written by one process.

    `user` is recorded as the last to change the articles created or updated; `on_batch`, if
    given, is called with the running Summary after each batch written. The tables written
    are analysed at the end, so that the planner knows what the import added."""
    if workers > 1:
        summary = import_in_parallel(
            path,
            mapping,
            workers,
            status=status,
            update=update,
            batch_size=batch_size,
            out=out,
            quiet=quiet,
            rejects_path=rejects_path,
            user=user,
            on_batch=on_batch,
        )
    else:
        summary = import_part(
            path,
            mapping,
            status=status,
            update=update,
            batch_size=batch_size,
            out=out,
            quiet=quiet,
            rejects_path=rejects_path,
            part=part,
            counter=counter,
            user=user,
            on_batch=on_batch,
        )
    if part is None and (summary.created or summary.updated):
        analyze_written_tables()
    return summary


def analyze_written_tables():
    """ANALYZE the tables an import writes: the search's plans rest on their statistics,
    which autovacuum may gather late or never (it can be off)."""
    tables = [
        Article._meta.db_table,
        Article.tags.through._meta.db_table,
        Article.credited_sources.through._meta.db_table,
        Source._meta.db_table,
        Tag._meta.db_table,
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


COUNTS = ("read", "created", "updated", "skipped", "rejected")


def import_part(
    path,
    mapping,
    *,
    status,
    update,
    batch_size,
    out,
    quiet,
    rejects_path,
    part,
    counter,
    user,
    on_batch,
):
    """The file's rows read in one process: all of them, or with `part` = (k, n) those whose
    key hashes to k of n (a worker's share; `counter` then gathers every worker's counts)."""
    fmt = file_format(path)
    summary = Summary()
    started = time.monotonic()
    names = Names()
    rejects_path = Path(rejects_path) if rejects_path else rejects_path_for(path)
    rejects_file = None
    raw, text = open_text(path)
    progress = Progress(path, raw, out or sys.stdout, quiet=quiet)
    batch, batch_chars = [], 0
    reported = dict.fromkeys(COUNTS, 0)

    def reject(line, reason):
        nonlocal rejects_file
        summary.rejected += 1
        if rejects_file is None:
            rejects_file = open(rejects_path, "w", encoding="utf-8")
        entry = {"line": line, "reason": reason}
        rejects_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if len(summary.rejects) < 50:
            summary.rejects.append(entry)

    def write(batch):
        for line, reason in write_batch(batch, names, update, summary, user):
            reject(line, reason)
        reset_queries()  # with DEBUG on, Django would keep every query in memory
        progress.update(summary)
        report()
        if on_batch is not None:
            on_batch(summary)

    def report():
        if counter is not None:
            with counter.get_lock():
                for i, name in enumerate(COUNTS):
                    counter[i] += getattr(summary, name) - reported[name]
                    reported[name] = getattr(summary, name)

    lines = Lines(text)
    records = json_records(lines) if fmt == "jsonl" else csv_records(lines)
    try:
        for number, record in records:
            try:
                if isinstance(record, Rejected):
                    raise record
                row = clean_row(number, record, mapping, status)
                if part is not None and owner(row.key, part[1]) != part[0]:
                    continue
                summary.read += 1
                batch.append(row)
                batch_chars += row.size
            except Rejected as reason:
                if part is not None and number % part[1] != part[0]:
                    continue
                summary.read += 1
                reject(number, str(reason))
            if len(batch) >= batch_size or batch_chars >= BATCH_CHARS:
                write(batch)
                batch, batch_chars = [], 0
        if batch:
            write(batch)
        report()
    except UnicodeDecodeError as exc:
        raise ImportError_(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ImportError_(f"{path}: cannot be read to the end ({exc})") from exc
    finally:
        progress.close()
        text.close()
        if rejects_file is not None:
            rejects_file.close()
    if rejects_file is not None:
        summary.rejects_path = rejects_path
    elif rejects_path.exists():
        rejects_path.unlink()  # a rerun without rejects leaves no stale file
    summary.seconds = time.monotonic() - started
    return summary


def owner(key, workers):
    return int(hashlib.md5(key.encode()).hexdigest()[:8], 16) % workers


def _worker(path, mapping, part, options, counter, folder, results):
    from django.db import connections

    from .history import own_context

    connections.close_all()  # a connection of its own, not the parent's
    own_context()  # the history's context: a row of its own, the same metadata
    try:
        summary = import_file(
            path,
            mapping,
            part=part,
            quiet=True,
            counter=counter,
            rejects_path=Path(folder) / f"rejects-{part[0]}.jsonl",
            **options,
        )
        results.put((part[0], summary.__dict__ | {"rejects_path": None}, None))
    except Exception as exc:  # reported by the parent, which fails the import
        results.put((part[0], None, f"{type(exc).__name__}: {exc}"))


def import_in_parallel(
    path,
    mapping,
    workers,
    *,
    out=None,
    quiet=False,
    rejects_path=None,
    user=None,
    on_batch=None,
    **options,
):
    """import_file's work shared by `workers` processes; `on_batch` is called here, in the
    parent, with the workers' counts so far whenever they change."""
    import multiprocessing
    import tempfile

    from django.db import connections

    file_format(path)
    out = out or sys.stdout
    rejects_path = Path(rejects_path) if rejects_path else rejects_path_for(path)
    started = time.monotonic()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    counter = context.Array("q", len(COUNTS))  # every worker's counts so far
    options["user"] = user
    results = context.Queue()
    total = Summary()
    with tempfile.TemporaryDirectory() as folder:
        processes = [
            context.Process(
                target=_worker,
                args=(path, mapping, (k, workers), options, counter, folder, results),
            )
            for k in range(workers)
        ]
        for process in processes:
            process.start()
        reports, last, seen = [], time.monotonic(), None
        while len(reports) < workers:
            try:
                reports.append(results.get(timeout=1))
            except Exception:  # queue.Empty: nothing yet
                if not any(p.is_alive() for p in processes) and results.empty():
                    break
            with counter.get_lock():
                running = Summary(**dict(zip(COUNTS, counter[:], strict=True)))
            if on_batch is not None and counter[:] != seen:
                seen = counter[:]
                on_batch(running)
            if not quiet and time.monotonic() - last >= Progress.interval:
                last = time.monotonic()
                rate = running.read / (last - started)
                out.write(f"{running.read:,} rows done, {rate:,.0f} rows/s\n")
                out.flush()
        for process in processes:
            process.join()
        errors = [error for _, _, error in reports if error]
        if errors or len(reports) < workers:
            raise ImportError_(f"{path}: a worker failed: {'; '.join(errors) or 'no report'}")
        entries = []
        for k, data, _ in sorted(reports):
            part = Summary(**{k2: v for k2, v in data.items() if k2 != "rejects"})
            total.add(part)
            worker_rejects = Path(folder) / f"rejects-{k}.jsonl"
            if worker_rejects.exists():
                entries += [json.loads(line) for line in worker_rejects.read_text().splitlines()]
        entries.sort(key=lambda entry: entry["line"])
        if entries:
            with open(rejects_path, "w", encoding="utf-8") as handle:
                for entry in entries:
                    handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            total.rejects_path = rejects_path
            total.rejects = entries[:50]
        elif rejects_path.exists():
            rejects_path.unlink()
    total.seconds = time.monotonic() - started
    return total
