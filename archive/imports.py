"""Bulk import of articles from JSON Lines or CSV files (gzipped or not).

The rules, the same for `manage.py import_articles` and the admin's import page:
- a field map says which field of the file fills which field of an article
  (`title=title,body=text,...`); without one, the columns of the archive's own CSV export;
- outlets and tags are found by name, slug or alias, and created when missing, never twice;
- an article whose url is already in the archive (without a url: whose title and body are) is
  skipped, or updated with `update=True`; running the same file twice adds nothing;
- a row that cannot be imported (no title, no body, no outlet, a date or url that does not
  parse, a line that is not JSON, a text the search index cannot hold) goes to the rejects
  file with its line number and the reason, and the import goes on; read = created + updated
  + skipped + rejected;
- rows are written in batches, each batch one transaction: an import stopped half-way and run
  again finishes without duplicates. Memory stays flat: nothing is kept across batches but
  the outlet and tag caches;
- two imports of the same rows at once (the command and the admin, say) create each article
  once: the second's insert waits on the first's, through the url's unique index or, without
  a url, the slug's (made from the title and body, see slug_for), fails once the first
  commits, and its batch written again a row at a time finds those rows and skips them.
"""

import csv
import datetime as dt
import email.utils
import gzip
import hashlib
import io
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, connection, reset_queries, transaction
from django.utils.text import slugify

from .models import Article, Source, Tag, TagAlias

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
# The archive's own CSV export (archive/exports.py) is the default shape.
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
LANGUAGES = {code for code, _ in Article._meta.get_field("language").choices}

csv.field_size_limit(sys.maxsize)


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

    def add(self, other):
        for name in ("read", "created", "updated", "skipped", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

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


def records(text, fmt):
    """(line number, dict or Rejected) for every record of the file."""
    if fmt == "jsonl":
        for number, line in enumerate(text, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                yield number, Rejected(f"not JSON: {exc}")
                continue
            if not isinstance(row, dict):
                yield number, Rejected("not a JSON object")
                continue
            yield number, row
        return
    reader = csv.DictReader(text)
    line = 1
    try:
        for row in reader:
            start = line + 1
            line = reader.line_num
            if None in row:
                yield start, Rejected("more values than the header has columns")
                continue
            yield start, row
    except csv.Error as exc:
        yield reader.line_num, Rejected(f"not CSV: {exc}")


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
        except (TypeError, ValueError):
            raise Rejected(f"the date {value[:40]!r} does not parse") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
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
    def url(self):
        return self.fields["url"]


def clean_row(number, row, mapping, status):
    title = " ".join(text_of(row, mapping, "title").split())
    body = text_of(row, mapping, "body").replace("\x00", "").strip()
    if not title:
        raise Rejected("no title")
    if len(title) > MAX_TITLE:
        raise Rejected(f"the title is longer than {MAX_TITLE} characters")
    if not body:
        raise Rejected("no body")
    source = " ".join(text_of(row, mapping, "source").split())
    if not source:
        raise Rejected("no outlet (source)")
    url = text_of(row, mapping, "url").strip()
    if url and (not url.startswith(("http://", "https://")) or len(url) > MAX_URL or " " in url):
        raise Rejected(f"the url {url[:60]!r} is not a web address")
    language = text_of(row, mapping, "language").strip().lower() or "ar"
    if language not in LANGUAGES:
        language = "other"
    fields = {
        "title": title,
        "lead": text_of(row, mapping, "lead").replace("\x00", "").strip(),
        "body": body,
        "url": url,
        "author": " ".join(text_of(row, mapping, "author").split())[:300],
        "language": language,
        "published_at": parse_date(text_of(row, mapping, "published_at")),
        "status": status,
    }
    key = url or "hash:" + content_hash(title, body)
    return Row(
        number,
        fields,
        source,
        names_of(text_of(row, mapping, "tags")),
        names_of(text_of(row, mapping, "credited_sources")),
        key,
    )


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
        that imports running side by side never wait on each other's new names."""
        for row in rows:
            self.source(row.source)
            for name in row.tags:
                self.tag(name)
            for name in row.credited:
                self.source(name)


# --- writing ---------------------------------------------------------------------------------


def existing(rows):
    """{key: article id} for the rows already in the archive (by url, or title and body)."""
    urls = [r.url for r in rows if r.url]
    hashes = [r.key[5:] for r in rows if not r.url]
    found = {}
    with connection.cursor() as cursor:
        if urls:
            cursor.execute("SELECT url, id FROM archive_article WHERE url = ANY(%s)", [urls])
            found.update(cursor.fetchall())
        if hashes:
            cursor.execute(
                "SELECT 'hash:' || md5(title || E'\\n' || body), id FROM archive_article"
                " WHERE md5(title || E'\\n' || body) = ANY(%s)",
                [hashes],
            )
            found.update(cursor.fetchall())
    return found


def write_batch(rows, names, update, summary):
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
    names.resolve(unique)
    refused = []
    try:
        with transaction.atomic():
            counts = write_rows(unique, names, update)
    except DatabaseError as error:
        if refusal(error) is None:
            raise
        counts = Counter()
        with transaction.atomic():
            for row in unique:
                try:
                    with transaction.atomic():
                        counts += write_rows([row], names, update)
                except DatabaseError as error:
                    reason = refusal(error)
                    if reason is None:
                        raise
                    refused.append((row.line, reason))
    summary.created += counts["created"]
    summary.updated += counts["updated"]
    summary.skipped += counts["skipped"]
    return refused


# SQLSTATE classes of errors that a row's own data causes: data exceptions, integrity
# constraint violations, program limits (a word or a text too long for the text index).
ROW_ERRORS = ("22", "23", "54")


def refusal(error):
    """Why the database refused a row, in words; None for an error that is not the row's
    (a lost connection, a deadlock), which stops the import instead."""
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None) or ""
    if not state.startswith(ROW_ERRORS):
        return None
    message = str(cause).splitlines()[0]
    if "word is too long" in message:
        return f"a word of the text is too long to be indexed for search ({message})"
    if "too long for tsvector" in message:
        return f"the text is too large to be indexed for search ({message})"
    return f"the database refused it: {message}"


def write_rows(rows, names, update):
    """Writes `rows` (distinct keys) in the current transaction; returns the counts."""
    counts = Counter()
    known = existing(rows)
    new = [r for r in rows if r.key not in known]
    old = [r for r in rows if r.key in known]
    articles = []
    for row in new:
        article = Article(**row.fields, source_id=names.source(row.source))
        article.slug = slug_for(row)
        articles.append(article)
    Article.objects.bulk_create(articles, batch_size=500)
    counts["created"] += len(articles)
    links, credits = [], []
    for article, row in zip(articles, new, strict=True):
        links += [(article.pk, names.tag(t)) for t in dict.fromkeys(row.tags)]
        credits += [(article.pk, names.source(s)) for s in dict.fromkeys(row.credited)]
    if update and old:
        changed = []
        for row in old:
            article = Article(pk=known[row.key], **row.fields, source_id=names.source(row.source))
            changed.append(article)
            links += [(article.pk, names.tag(t)) for t in dict.fromkeys(row.tags)]
            credits += [(article.pk, names.source(s)) for s in dict.fromkeys(row.credited)]
        Article.objects.bulk_update(
            changed,
            [
                "title",
                "lead",
                "body",
                "author",
                "language",
                "published_at",
                "status",
                "source_id",
            ],
            batch_size=500,
        )
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
    article is always written by one process. `on_batch(summary)` is called after each batch
    is written; `user` is who imports (the admin's editor)."""
    if workers > 1:
        return import_in_parallel(
            path,
            mapping,
            workers,
            status=status,
            update=update,
            batch_size=batch_size,
            out=out,
            quiet=quiet,
            rejects_path=rejects_path,
        )
    fmt = file_format(path)
    summary = Summary()
    started = time.monotonic()
    names = Names()
    rejects_path = Path(rejects_path) if rejects_path else rejects_path_for(path)
    rejects_file = None
    raw, text = open_text(path)
    progress = Progress(path, raw, out or sys.stdout, quiet=quiet)
    batch = []

    def reject(line, reason):
        nonlocal rejects_file
        summary.rejected += 1
        if rejects_file is None:
            rejects_file = open(rejects_path, "w", encoding="utf-8")
        entry = {"line": line, "reason": reason}
        rejects_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if len(summary.rejects) < 50:
            summary.rejects.append(entry)

    try:
        for number, record in records(text, fmt):
            try:
                if isinstance(record, Rejected):
                    raise record
                row = clean_row(number, record, mapping, status)
                if part is not None and owner(row.key, part[1]) != part[0]:
                    continue
                summary.read += 1
                batch.append(row)
            except Rejected as reason:
                if part is not None and number % part[1] != part[0]:
                    continue
                summary.read += 1
                reject(number, str(reason))
            if len(batch) >= batch_size:
                for line, reason in write_batch(batch, names, update, summary):
                    reject(line, reason)
                batch = []
                reset_queries()  # with DEBUG on, Django would keep every query in memory
                progress.update(summary)
                if counter is not None:
                    with counter.get_lock():
                        counter.value += batch_size
                if on_batch is not None:
                    on_batch(summary)
        if batch:
            for line, reason in write_batch(batch, names, update, summary):
                reject(line, reason)
            if on_batch is not None:
                on_batch(summary)
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

    connections.close_all()  # a connection of its own, not the parent's
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
    path, mapping, workers, *, out=None, quiet=False, rejects_path=None, **options
):
    import multiprocessing
    import tempfile

    from django.db import connections

    file_format(path)
    out = out or sys.stdout
    rejects_path = Path(rejects_path) if rejects_path else rejects_path_for(path)
    started = time.monotonic()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    counter = context.Value("q", 0)
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
        reports, last = [], time.monotonic()
        while len(reports) < workers:
            try:
                reports.append(results.get(timeout=1))
            except Exception:  # queue.Empty: nothing yet
                if not any(p.is_alive() for p in processes) and results.empty():
                    break
            if not quiet and time.monotonic() - last >= Progress.interval:
                last = time.monotonic()
                rate = counter.value / (last - started)
                out.write(f"{counter.value:,} rows done, {rate:,.0f} rows/s\n")
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
