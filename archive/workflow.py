"""The articles' workflow, in one place: their states, who may move an article from one to
another, and who may edit or delete it. The admin, the imports and the commands ask here.

    draft ──submit──▶ review ──back to the writer──▶ draft
    draft, review ──publish (chief)──▶ published   (a future published_at: scheduled)
    published ──withdraw (chief)──▶ withdrawn ──(chief)──▶ draft or published
    published but scheduled ──(chief)──▶ draft       (not public yet: nothing to withdraw)

A chief editor is whoever holds `archive.publish_article` (the group "Chief editors", made by
migration 0023, or a superuser). Editors write and submit for review, edit articles that are
not published or withdrawn, and delete only their own drafts.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Article, Claim

DRAFT = Article.Status.DRAFT
REVIEW = Article.Status.REVIEW
PUBLISHED = Article.Status.PUBLISHED
WITHDRAWN = Article.Status.WITHDRAWN

PUBLISH = "archive.publish_article"
CHANGE_PUBLIC_VERDICT = "archive.change_public_verdict"

# (from, to) → whether only a chief editor may make the move.
MOVES = {
    (DRAFT, REVIEW): False,
    (REVIEW, DRAFT): False,
    (DRAFT, PUBLISHED): True,
    (REVIEW, PUBLISHED): True,
    (PUBLISHED, WITHDRAWN): True,
    (PUBLISHED, DRAFT): True,  # only while scheduled, see may_move
    (WITHDRAWN, DRAFT): True,
    (WITHDRAWN, PUBLISHED): True,
}

# What the admin calls each move, by the state it leads to.
ACTIONS = {
    REVIEW: _("Submit for review"),
    DRAFT: _("Back to draft"),
    PUBLISHED: _("Publish"),
    WITHDRAWN: _("Withdraw"),
}

# An import makes new articles; "withdrawn" is a decision about a published one.
IMPORT_STATUSES = (DRAFT, REVIEW, PUBLISHED)


def is_chief(user):
    return user.is_active and user.has_perm(PUBLISH)


def may_edit(user, article=None):
    """May `user` change `article` (any article, when None)? Once published or withdrawn, an
    article is the chief editors' to change."""
    if not user.has_perm("archive.change_article"):
        return False
    return article is None or article.status in (DRAFT, REVIEW) or is_chief(user)


def may_delete(user, article=None):
    """May `user` delete `article`? Chief editors any article, editors their own drafts
    alone. With no article: may `user` delete articles in bulk (chief editors only)."""
    if not user.has_perm("archive.delete_article"):
        return False
    if is_chief(user):
        return True
    return article is not None and article.status == DRAFT and article.created_by_id == user.pk


def may_move(user, article, target):
    """May `user` move `article` from its state to `target`?"""
    chief_only = MOVES.get((article.status, target))
    if chief_only is None or not user.has_perm("archive.change_article"):
        return False
    if (article.status, target) == (PUBLISHED, DRAFT) and not article.is_scheduled:
        return False  # public already: withdrawn, not silently taken back
    return is_chief(user) or not chief_only


def targets(user, article):
    """The states `user` may move `article` to, in the order of Article.Status."""
    return [status for status in Article.Status.values if may_move(user, article, status)]


def status_choices(user, article=None):
    """The status field's choices for `user`: the article's state and those it may move to;
    for a new article, draft and review (and published, for a chief editor)."""
    if article is None:
        allowed = [DRAFT, REVIEW, PUBLISHED] if is_chief(user) else [DRAFT, REVIEW]
    else:
        allowed = [article.status, *targets(user, article)]
    return [(value, label) for value, label in Article.Status.choices if value in allowed]


def stamp(article, previous):
    """Set what a change of state from `previous` implies: when it was withdrawn (the 410 page
    tells readers), and no such date once it has left that state."""
    if article.status == WITHDRAWN and previous != WITHDRAWN:
        article.withdrawn_at = timezone.now()
    elif article.status != WITHDRAWN:
        article.withdrawn_at = None


def move(article, target, user):
    """Move one article to `target` as `user`; PermissionDenied if that is not theirs to do."""
    if not may_move(user, article, target):
        raise PermissionDenied
    previous, article.status = article.status, target
    stamp(article, previous)
    article.updated_by = user
    article.save(update_fields=["status", "withdrawn_at", "updated_by", "updated_at"])


def move_many(queryset, target, user):
    """Move the articles of `queryset` that `user` may move to `target`, in one UPDATE per
    state they leave (recorded in the history by its triggers); returns how many moved."""
    sources = [source for (source, to), chief in MOVES.items() if to == target]
    if not is_chief(user):
        sources = [s for s in sources if not MOVES[(s, target)]]
    if not sources or not user.has_perm("archive.change_article"):
        return 0
    if target == DRAFT and PUBLISHED in sources:  # only while scheduled (see may_move)
        sources.remove(PUBLISHED)
        movable = Q(status__in=sources) | Q(status=PUBLISHED, published_at__gt=Now())
    else:
        movable = Q(status__in=sources)
    ids = list(queryset.filter(movable).values_list("pk", flat=True))
    return Article.objects.filter(pk__in=ids).update(
        status=target,
        withdrawn_at=Now() if target == WITHDRAWN else None,
        updated_by=user,
        updated_at=timezone.now(),
    )


def import_statuses(user):
    """The states an import run by `user` may give new articles; `None` is the operator at
    the command line, who may publish."""
    if user is None or is_chief(user):
        return list(IMPORT_STATUSES)
    return [DRAFT, REVIEW]


def import_problem(user, status, update):
    """Why `user` may not run an import that creates articles as `status` (and updates those
    already in the archive if `update`), or None."""
    if status not in import_statuses(user):
        return gettext(
            "Only a chief editor may import articles as “%(status)s”: import them as drafts or"
            " for review, and a chief editor publishes them."
        ) % {"status": Article.Status(status).label}
    if update and user is not None and not user.has_perm("archive.change_article"):
        return gettext(
            "Updating articles already in the archive needs the permission to change articles."
        )
    return None


def is_public(claim):
    return claim.pk is not None and Claim.objects.published().filter(pk=claim.pk).exists()


def may_change_verdict(user, claim):
    """Editors set the verdict of a claim that is not yet public; once readers see it, a
    change is a public correction, the chief editors' (change_public_verdict)."""
    if not user.has_perm("archive.change_claim"):
        return False
    return user.has_perm(CHANGE_PUBLIC_VERDICT) or not is_public(claim)
