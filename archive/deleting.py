"""What deleting an article, a claim, a tag or a source would change, said before it happens.

Django's delete page lists the rows a deletion takes with it; an editor needs the meaning:
which claims would stop being public, which articles lose a tag, why a tag or an outlet cannot
go (a claim keeps its claimant, an article its outlet: PROTECT in the models). The admin's
delete page and its bulk delete action show these sentences (templates/admin/archive/).
"""

from dataclasses import dataclass, field

from django.contrib.admin.actions import delete_selected
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Article, Claim, ClaimAppearance, Source, Tag, TagAlias

# Names listed under a sentence; the rest are counted.
SHOWN = 20


@dataclass
class Consequence:
    text: str
    names: list = field(default_factory=list)
    more: int = 0
    refused: bool = False  # the deletion cannot happen until this is dealt with

    @classmethod
    def listing(cls, text, queryset, **options):
        items = list(queryset[: SHOWN + 1])
        shown = items[:SHOWN]
        more = queryset.count() - len(shown) if len(items) > SHOWN else 0
        return cls(text, [str(item) for item in shown], more, **options)


def consequences(objects, user=None):
    """The sentences saying what deleting `objects` (of one model) would change."""
    objects = list(objects)
    if not objects:
        return []
    model = type(objects[0])
    ids = [obj.pk for obj in objects]
    if model is Article:
        return article_consequences(objects, ids, user)
    if model is Claim:
        return claim_consequences(ids)
    if model is Tag:
        return tag_consequences(ids)
    if model is Source:
        return source_consequences(ids)
    return []


def claims_losing_publicity(claims, article_ids):
    """The claims among `claims` that are public now and would not be without the articles
    `article_ids` (or without their appearances)."""
    elsewhere = ClaimAppearance.objects.published().filter(claim=OuterRef("pk"))
    elsewhere = elsewhere.exclude(article_id__in=article_ids)
    return claims.published().exclude(Exists(elsewhere)).distinct().order_by("statement")


def article_consequences(articles, ids, user):
    found = []
    published = [article for article in articles if article.status == Article.Status.PUBLISHED]
    if published:
        text = _(
            "A published article is withdrawn, not deleted: withdrawing takes it off the public"
            " archive, its address then says that it was withdrawn and when, and its record,"
            " its history and its claims' appearances are kept. Deleting erases all of that."
        )
        if user is not None and not user.has_perm("archive.publish_article"):
            text += " " + _("Ask a chief editor to withdraw it.")
        listed = Article.objects.filter(pk__in=ids, status=Article.Status.PUBLISHED)
        found.append(Consequence.listing(text, listed))
    appearances = ClaimAppearance.objects.filter(article_id__in=ids)
    if count := appearances.count():
        found.append(
            Consequence(
                ngettext(
                    "%(count)d appearance of a claim (its quote) is deleted with it.",
                    "%(count)d appearances of claims (their quotes) are deleted with it.",
                    count,
                )
                % {"count": count}
            )
        )
    losing = claims_losing_publicity(Claim.objects.filter(appearances__article_id__in=ids), ids)
    if losing.exists():
        found.append(
            Consequence.listing(
                _("These claims would stop being public, as no other public article quotes them:"),
                losing,
            )
        )
    return found


def claim_consequences(ids):
    found = []
    appearances = ClaimAppearance.objects.filter(claim_id__in=ids)
    if count := appearances.count():
        found.append(
            Consequence(
                ngettext(
                    "%(count)d appearance in an article (its quote) is deleted with it; the"
                    " article stays.",
                    "%(count)d appearances in articles (their quotes) are deleted with it; the"
                    " articles stay.",
                    count,
                )
                % {"count": count}
            )
        )
    public = Claim.objects.filter(pk__in=ids).published()
    if public.exists():
        found.append(
            Consequence.listing(
                _("These claims are public now; their pages would answer “not found”:"),
                public.order_by("statement"),
            )
        )
    return found


def tag_consequences(ids):
    found = []
    claimed = Claim.objects.filter(claimant_id__in=ids).order_by("statement")
    if claimed.exists():
        found.append(
            Consequence.listing(
                _(
                    "This tag is the claimant of these claims, and a claim keeps its claimant:"
                    " the tag cannot be deleted. Give these claims another claimant, or merge"
                    " this tag into the tag that should stay (“Merge two tags” in the tags"
                    " list), which moves them."
                ),
                claimed,
                refused=True,
            )
        )
    articles = Article.objects.filter(tags__in=ids).distinct().order_by("-published_at")
    if count := articles.count():
        found.append(
            Consequence.listing(
                ngettext(
                    "It is removed from %(count)d article, which stays:",
                    "It is removed from %(count)d articles, which stay:",
                    count,
                )
                % {"count": count},
                articles,
            )
        )
    claims = Claim.objects.filter(tags__in=ids).distinct().order_by("statement")
    if count := claims.count():
        found.append(
            Consequence.listing(
                ngettext(
                    "It is removed from the tags of %(count)d claim, which stays:",
                    "It is removed from the tags of %(count)d claims, which stay:",
                    count,
                )
                % {"count": count},
                claims,
            )
        )
    aliases = TagAlias.objects.filter(tag_id__in=ids)
    if aliases.exists():
        found.append(
            Consequence.listing(
                _(
                    "Its other spellings are deleted with it; a search for them no longer finds"
                    " this name:"
                ),
                aliases,
            )
        )
    return found


def source_consequences(ids):
    found = []
    published = Article.objects.filter(source_id__in=ids).order_by("-published_at")
    if published.exists():
        found.append(
            Consequence.listing(
                _(
                    "This source is the outlet of these articles, and an article keeps its"
                    " outlet: the source cannot be deleted. Give these articles another outlet"
                    " first."
                ),
                published,
                refused=True,
            )
        )
    credited = Article.objects.filter(credited_sources__in=ids).distinct()
    if count := credited.count():
        found.append(
            Consequence.listing(
                ngettext(
                    "It is removed from the credited sources of %(count)d article:",
                    "It is removed from the credited sources of %(count)d articles:",
                    count,
                )
                % {"count": count},
                credited.order_by("-published_at"),
            )
        )
    return found


def delete_selected_explained(modeladmin, request, queryset):
    """Django's bulk delete, its confirmation page saying what the deletion would change."""
    response = delete_selected(modeladmin, request, queryset)
    if isinstance(response, TemplateResponse):
        response.context_data["consequences"] = consequences(queryset, request.user)
    return response


class SafeDeletionAdmin:
    """A ModelAdmin mixin: the delete page and the bulk delete say what would change."""

    def render_delete_form(self, request, context):
        context["consequences"] = consequences([context["object"]], request.user)
        return super().render_delete_form(request, context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _function, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected_explained, name, description)
        return actions
