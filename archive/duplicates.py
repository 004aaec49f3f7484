"""Near-duplicate articles: the same story saved twice, or republished with small edits.

How alike two articles are: the Jaccard similarity of their pairs, |A ∩ B| / |A ∪ B|, where an
article's pairs are the lexemes of its `pair_vector` (each two adjacent words of title, lead or
body as stem_stem: the search's own index, see archive/search/__init__.py's glossary). The
analyser has already folded spellings (hamza and alef forms, ة/ه, clitics, suffixes), so two
spellings of one text are one set of pairs; and pairs, not single words, keep two stories about
the same people apart. Two articles are near-duplicates from THRESHOLD on (docs/duplicates.md
gives the reasons and examples); identical title and body always are, however short.

Finding them without comparing with every article: PROBES of the text's pairs (first those
that are not among the column's most common pairs in PostgreSQL's statistics, whose posting
lists are long; then by a fixed hash, so that the same text always probes alike), taken BAND at
a time, make a query "(p1 & p2) | (p3 & p4) | …" for pair_vector's GIN index. An article that holds
THRESHOLD of the text's pairs holds a given band with a chance of about THRESHOLD², and
misses all PROBES / BAND bands with a chance of about (1 - THRESHOLD²)^(PROBES / BAND); the
few candidates are then measured exactly. The similarity needs no table of its own: the
search's trigger keeps pair_vector on every write path (the admin, imports, loaddata, raw SQL).
The only table is the imports' report (ImportNearDuplicate).

Used by the article's admin form (DuplicateCheckFormMixin: the editor confirms before such a
save) and by the importer (check_import: it imports them, and reports them).
"""

from dataclasses import dataclass

from django import forms
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import search
from .models.common import control_character_problem

THRESHOLD = 0.8
# Texts with fewer pairs (a headline and a sentence) are judged by identical text alone: a
# one-word change in them moves the similarity by more than the margin the threshold allows.
MIN_PAIRS = 20
PROBES = 16
BAND = 2
SHOWN = 10  # near-duplicates shown for one article
# The importer's check can be switched off here (the benchmark compares the two).
CHECK_IMPORTS = True

# The candidates of each text of `new(id, vec)` (vec: its pairs as a tsvector) and their
# similarity. The probes are pairs, made only of word characters and the pair mark (never a
# quote), so quoting them for the tsquery is safe.
_MATCHES = """
common AS MATERIALIZED (
  SELECT pair FROM pg_stats, unnest(most_common_elems::text::text[]) AS pair
  WHERE schemaname = current_schema() AND tablename = 'archive_article'
    AND attname = 'pair_vector'
), probes AS (
  SELECT new.id, new.vec, (
    SELECT string_agg('(' || band || ')', ' | ')
    FROM (
      SELECT string_agg('''' || p || '''', ' & ') AS band
      FROM (
        SELECT p, row_number() OVER (ORDER BY p IN (SELECT pair FROM common), hashtext(p), p) AS n
        FROM unnest(tsvector_to_array(new.vec)) AS p
        ORDER BY n
        LIMIT %(probes)s
      ) AS chosen
      GROUP BY (n - 1) / %(band)s
    ) AS bands
  )::tsquery AS q
  FROM new
  WHERE length(new.vec) >= %(min_pairs)s
), candidates AS (
  SELECT probes.id AS new_id, other.id AS other_id, length(probes.vec) AS size_new,
    length(other.pair_vector) AS size_other,
    length(other.pair_vector) - length(ts_delete(other.pair_vector, tsvector_to_array(probes.vec)))
      AS shared
  FROM probes JOIN archive_article AS other ON other.pair_vector @@ probes.q
  WHERE other.id IS DISTINCT FROM probes.id AND length(other.pair_vector) >= %(min_pairs)s
)
SELECT new_id, other_id, shared::float / (size_new + size_other - shared) AS similarity
FROM candidates
WHERE shared::float / (size_new + size_other - shared) >= %(threshold)s
"""

_PARAMS = {"probes": PROBES, "band": BAND, "min_pairs": MIN_PAIRS, "threshold": THRESHOLD}


@dataclass
class NearDuplicate:
    """An article like the one checked: `similarity` 1.0 for the same pairs (or the same
    title and body), down to THRESHOLD."""

    article: object  # an Article
    similarity: float

    @property
    def percent(self):
        return round(self.similarity * 100)

    @property
    def identical(self):
        return self.similarity >= 1


def near_duplicates(title, lead, body, exclude=None, limit=SHOWN):
    """The articles whose text is the same as this one's or nearly (drafts included: the
    admin is the newsroom's), most alike first; `exclude`: the article's own id."""
    from .models import Article

    sql = f"""
    WITH new AS MATERIALIZED (
      SELECT %(exclude)s::bigint AS id, archive_article_pairs(%(title)s, %(lead)s, %(body)s) AS vec
    ), {_MATCHES.strip()}
    UNION ALL
    SELECT %(exclude)s::bigint, a.id, 1.0 FROM archive_article AS a
    WHERE md5(a.title || E'\\n' || a.body) = md5(%(title)s || E'\\n' || %(body)s)
      AND a.id IS DISTINCT FROM %(exclude)s::bigint
    """
    params = {**_PARAMS, "title": title, "lead": lead or "", "body": body, "exclude": exclude}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {}
        for _new, other, similarity in cursor.fetchall():
            found[other] = max(similarity, found.get(other, 0))
    best = sorted(found.items(), key=lambda item: (-item[1], -item[0]))[:limit]
    articles = Article.objects.select_related("source").in_bulk([pk for pk, _s in best])
    return [NearDuplicate(articles[pk], similarity) for pk, similarity in best if pk in articles]


def pairs_among(ids):
    """(article id, other id, similarity) for each of the articles `ids` (written just now)
    and each article nearly the same: one statement for a whole import batch. A pair of two of
    `ids` comes once, the later article first."""
    if not ids:
        return []
    sql = f"""
    WITH new AS MATERIALIZED (
      SELECT id, pair_vector AS vec FROM archive_article WHERE id = ANY(%(ids)s)
    ), {_MATCHES.strip()}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {**_PARAMS, "ids": list(ids)})
        rows = cursor.fetchall()
    written = set(ids)
    return sorted(
        (new, other, similarity)
        for new, other, similarity in rows
        if not (other in written and other > new)
    )


# --- the importer ------------------------------------------------------------------------------


def check_import(written):
    """The near-duplicates among the articles an import batch has just written (`written`:
    (line, article id) pairs), in the batch's transaction: (line, article id, other id,
    similarity), most alike first. Recorded for the import run whose writes these are (the
    command and the admin's worker import inside the run's history context)."""
    if not CHECK_IMPORTS or not written:
        return []
    lines = {pk: line for line, pk in written}
    merge_pending_pairs()
    found = [(lines[new], new, other, s) for new, other, s in pairs_among(list(lines))]
    found.sort(key=lambda match: (match[0], -match[3]))
    run_id = current_import_run()
    if run_id is not None and found:
        from .models import ImportNearDuplicate

        ImportNearDuplicate.objects.bulk_create(
            [
                ImportNearDuplicate(
                    run_id=run_id, line=line, article_id=new, other_id=other, similarity=s
                )
                for line, new, other, s in found
            ],
            ignore_conflicts=True,
        )
    return found


def merge_pending_pairs():
    """Move the pairs index's pending list (GIN's fast update: the batch just written, up to
    gin_pending_list_limit) into the index proper, as its next flush or vacuum would: every
    lookup reads the whole pending list, and the check makes one lookup per article. A role
    that does not own the index (the app's owns it, see README) leaves it to them."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list('article_pairs'::regclass)")
    except DatabaseError:
        pass


def report_lines(summary, run_id=None):
    """The near-duplicates of an import's summary as lines for the command's output."""
    from .models import Article

    if not summary.near_duplicates:
        return []
    examples = summary.near_duplicate_examples
    ids = {pk for _line, new, other, _s in examples for pk in (new, other)}
    titles = dict(Article.objects.filter(pk__in=ids).values_list("pk", "title"))
    lines = [
        f"near-duplicates: {summary.near_duplicates:,} articles imported although nearly the"
        f" same as another (similarity ≥ {THRESHOLD:.0%} of their word pairs)"
    ]
    for line, new, other, similarity in examples:
        lines.append(
            f"  line {line}: article {new} “{titles.get(new, '?')[:60]}” ≈ article {other}"
            f" “{titles.get(other, '?')[:60]}” ({similarity:.0%})"
        )
    if summary.near_duplicates > len(examples):
        where = f" on import run {run_id}'s admin page" if run_id else ""
        lines.append(f"  … the first {len(examples)}; all of them{where}")
    return lines


def near_duplicates_of(run, limit=50):
    """The first near-duplicates an import run reported, with both articles and outlets."""
    return list(
        run.near_duplicates.select_related("article__source", "other__source").order_by(
            "line", "-similarity", "other_id"
        )[:limit]
    )


def current_import_run():
    """The id of the import run whose writes these are: the history's context names it
    (ImportRun.recorded), in the command, in the admin's worker and in a parallel import's
    processes alike. None outside an import run (a test, a benchmark)."""
    import pghistory.runtime

    tracked = getattr(pghistory.runtime._tracker, "value", None)
    return tracked.metadata.get("import_run") if tracked is not None else None


# --- the admin's form ------------------------------------------------------------------------

CONFIRM = "not_a_duplicate"


class DuplicateCheckFormMixin(forms.Form):
    """An article form that will not save a text that is the same as another article's, or
    nearly, until the editor confirms: the form comes back with the other articles listed
    (each linked to its change page) and a box to tick. Checked when the article is new or its
    title, lead or body changed; the article itself never counts."""

    not_a_duplicate = forms.BooleanField(
        label=_("Save anyway: it is not a duplicate"),
        required=False,
    )

    duplicates: list = []

    def _post_clean(self):
        # After the model's own validation (dates, control characters, constraints), so
        # that the editor first fixes what cannot be saved at all, then confirms.
        super()._post_clean()
        self.duplicates = []
        self._check_duplicates()

    def _check_duplicates(self):
        cleaned = self.cleaned_data
        if self.errors or cleaned.get(CONFIRM):
            return  # the editor first fixes the other errors, or has confirmed
        if self.instance.pk is not None and not {"title", "lead", "body"} & set(self.changed_data):
            return
        title, lead, body = cleaned.get("title"), cleaned.get("lead") or "", cleaned.get("body")
        if not title or not body:
            return
        texts = {"title": title, "lead": lead, "body": body}
        if any(map(control_character_problem, texts.values())) or search.unindexable(texts):
            return  # the article's own validation says why it cannot be saved
        self.duplicates = near_duplicates(" ".join(title.split()), lead, body, self.instance.pk)
        if self.duplicates:
            listed = duplicates_html(self.duplicates)
            # The bound field copied the help text when the fields were cleaned.
            self.fields[CONFIRM].help_text = self[CONFIRM].help_text = listed
            self.add_error(
                CONFIRM,
                forms.ValidationError(
                    _(
                        "This text is the same as another article's, or nearly the same (listed"
                        " below). Open them to check; if this is a different story, tick the box"
                        " and save again."
                    ),
                    code="near_duplicate",
                ),
            )


def duplicates_html(duplicates):
    """The list the form shows: each article linked to its change page, with its outlet,
    date, status and similarity."""
    rows = format_html_join(
        "",
        # Each name isolated (<bdi>), so that an Arabic title in the English interface, or
        # a Latin outlet name in the Arabic one, does not reorder the line around it.
        '<li><bdi><a href="{}" dir="auto">{}</a></bdi> — <bdi>{}</bdi> · {} · {} · {}</li>',
        (
            (
                reverse("admin:archive_article_change", args=[d.article.pk]),
                d.article.title,
                d.article.source,
                formats.date_format(timezone.localtime(d.article.published_at), "j F Y"),
                d.article.get_status_display(),
                _("identical text")
                if d.identical
                else _("%(percent)s%% alike") % {"percent": d.percent},
            )
            for d in duplicates
        ),
    )
    return format_html('<ul class="near-duplicates">{}</ul>', rows)


class DuplicateCheckAdminMixin:
    """For ArticleAdmin: the confirmation box is shown, at the top of the form, only when
    the form found near-duplicates."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The check goes into the base the admin builds its form from, so that what the
        # other mixins then set on the built form's fields (the workflow's status choices)
        # stays: subclassing the built form would make its fields anew from the model.
        base = kwargs.get("form", self.form)
        if not issubclass(base, DuplicateCheckFormMixin):
            kwargs["form"] = type(base.__name__, (DuplicateCheckFormMixin, base), {})
        return super().get_form(request, obj, change, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        if adminform is not None and getattr(adminform.form, "duplicates", None):
            from django.contrib.admin import helpers

            fieldsets = [
                (_("Possible duplicate"), {"fields": [CONFIRM], "classes": ["near-duplicate"]}),
                *adminform.fieldsets,
            ]
            context["adminform"] = helpers.AdminForm(
                adminform.form,
                fieldsets,
                self.get_prepopulated_fields(request, obj) if not adminform.readonly_fields else {},
                adminform.readonly_fields,
                model_admin=self,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
