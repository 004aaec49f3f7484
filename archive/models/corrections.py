"""Corrections in public: what readers are told was changed after they could read it.

- An article's title, lead or body changed while it was public sets its `revised_at`; its page
  then says "updated on". A trigger sets it, so every write path (admin, import, raw SQL) does.
- An editor's correction note (Correction) is listed on the article's page, in the API and in
  the feed's `updated`.
- Every change of a claim's verdict is recorded by a trigger on the claims' table
  (VerdictChange); the admin's optional public note goes with it.

What was done before the article or the claim was public is no public correction: each row
records, when it is written, whether it was made while public (`made_while_public`), by the
rule of public_article written in SQL (the function archive_is_public, migration 0025).
"""

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from ..history import track
from .articles import Article, public_article
from .claims import Claim, ClaimAppearance
from .common import control_character_problem


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """The corrections readers see: made while their article was public, which it is."""
        return self.filter(public_article("article__"), made_while_public=True)


@track
class Correction(models.Model):
    """A correction note an editor adds to an article: shown with its date to readers when it
    was made while the article was public."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("article")
    )
    note = models.TextField(
        _("correction"),
        help_text=_("What was wrong and what the article says now, for readers."),
    )
    created_at = models.DateTimeField(_("date"), db_default=Now(), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("added by"),
    )
    # Set by the database when the row is written (the trigger below), whatever is sent.
    made_while_public = models.BooleanField(
        _("made while the article was public"), default=False, editable=False
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(note__regex=r"\S"),
                name="correction_note_not_blank",
                violation_error_message=_("The correction cannot be empty."),
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="correction_made_while_public",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=f"""
                    IF TG_OP = 'INSERT' OR NEW.article_id IS DISTINCT FROM OLD.article_id THEN
                        NEW.made_while_public := coalesce((
                            SELECT archive_is_public(a.status, a.published_at)
                            FROM {Article._meta.db_table} a WHERE a.id = NEW.article_id), false);
                    ELSE
                        NEW.made_while_public := OLD.made_while_public;
                    END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self):
        return self.note if len(self.note) <= 90 else self.note[:88] + "…"

    def clean(self):
        problem = control_character_problem(self.note)
        if problem:
            raise ValidationError({"note": problem})


class VerdictChangeQuerySet(models.QuerySet):
    def public(self):
        """The verdict changes readers see: made while the claim was public, which it is."""
        public_claim = ClaimAppearance.objects.published().filter(claim=OuterRef("claim"))
        return self.filter(Exists(public_claim), made_while_public=True)


class VerdictChange(models.Model):
    """One change of a claim's verdict, written by the database (the trigger
    claim_verdict_changes) whatever made it; the admin adds the editor's public note."""

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="verdict_changes", verbose_name=_("claim")
    )
    changed_at = models.DateTimeField(_("date"), db_default=Now())
    from_verdict = models.CharField(
        _("earlier verdict"), max_length=12, choices=Claim.Verdict.choices
    )
    to_verdict = models.CharField(_("new verdict"), max_length=12, choices=Claim.Verdict.choices)
    note = models.TextField(_("public note"), blank=True)
    made_while_public = models.BooleanField(_("made while the claim was public"), default=False)

    objects = VerdictChangeQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("verdict change")
        verbose_name_plural = _("verdict changes")
        indexes = [models.Index(fields=["claim", "changed_at"], name="verdictchange_claim_date")]

    def __str__(self):
        return f"{self.get_from_verdict_display()} → {self.get_to_verdict_display()}"

    @staticmethod
    def note_latest(claim, note):
        """Put the editor's public `note` on the change of `claim`'s verdict that the current
        transaction made (the trigger's row, dated now()); False when it made none."""
        now = models.Func(function="now", output_field=models.DateTimeField())
        latest = VerdictChange.objects.filter(claim=claim, changed_at=now).order_by("-id").first()
        if latest is None:
            return False
        VerdictChange.objects.filter(pk=latest.pk).update(note=note.strip())
        return True


# The claim's appearances in public articles, in SQL: whether a claim is public now.
APPEARANCES, ARTICLES = ClaimAppearance._meta.db_table, Article._meta.db_table
CLAIM_IS_PUBLIC_SQL = f"""EXISTS (
    SELECT 1 FROM {APPEARANCES} ca JOIN {ARTICLES} a ON a.id = ca.article_id
    WHERE ca.claim_id = {{claim}} AND archive_is_public(a.status, a.published_at))"""

# revised_at is the database's: a write that does not revise the text keeps the value it has
# (a form or an object read before a revision would otherwise put back the older one).
pgtrigger.register(
    pgtrigger.Trigger(
        name="article_revised_while_public",
        when=pgtrigger.Before,
        operation=pgtrigger.Update,
        condition=pgtrigger.Condition(
            "((OLD.title, OLD.lead, OLD.body) IS DISTINCT FROM (NEW.title, NEW.lead, NEW.body)"
            " OR OLD.revised_at IS DISTINCT FROM NEW.revised_at)"
        ),
        func="""
            IF (OLD.title, OLD.lead, OLD.body) IS DISTINCT FROM (NEW.title, NEW.lead, NEW.body)
               AND archive_is_public(OLD.status, OLD.published_at) THEN
                NEW.revised_at := now();
            ELSE
                NEW.revised_at := OLD.revised_at;
            END IF;
            RETURN NEW;
        """,
    )
)(Article)

pgtrigger.register(
    pgtrigger.Trigger(
        name="claim_verdict_changes",
        when=pgtrigger.After,
        operation=pgtrigger.Update,
        condition=pgtrigger.Q(old__verdict__df=pgtrigger.F("new__verdict")),
        func=f"""
            INSERT INTO {VerdictChange._meta.db_table}
                (claim_id, changed_at, from_verdict, to_verdict, note, made_while_public)
            VALUES (NEW.id, now(), OLD.verdict, NEW.verdict, '',
                    {CLAIM_IS_PUBLIC_SQL.format(claim="NEW.id")});
            RETURN NULL;
        """,
    )
)(Claim)


def verdict_history(claim):
    """`claim`'s public verdict changes as data: [{"date", "from", "to", "note"}], oldest
    first; the note only when there is one."""
    changes = getattr(claim, "public_verdict_changes", None)
    if changes is None:
        changes = claim.verdict_changes.public().order_by("changed_at", "id")
    return [
        {
            "date": change.changed_at.isoformat(),
            "from": change.from_verdict,
            "to": change.to_verdict,
            **({"note": change.note} if change.note else {}),
        }
        for change in changes
    ]
