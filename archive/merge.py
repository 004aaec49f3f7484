"""Merging two tags for the same entity (a duplicate an import made, say): the kept tag takes
the other's articles, claims and claimed statements, its names become the kept tag's aliases,
and the other is deleted; in one transaction, recorded in the history as one merge.

Tags of different kinds (a person and a topic) are merged only when asked for explicitly
(`different_kinds=True`): a duplicate of the wrong kind is a real case, but two tags of
different kinds are more often two entities. A tag that is a claimant is kept only by a
person or an organisation, since a claim's claimant is one of those.
"""

from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .history import recorded
from .models import Article, Claim, Tag, TagAlias, squash_spaces


class MergeRefused(ValueError):
    """A merge that cannot be made, with the reason for the editor."""


@dataclass
class MergePlan:
    """What merging `merged` into `kept` would move, for the confirmation page."""

    kept: Tag
    merged: Tag
    articles: list = field(default_factory=list)  # articles that move to the kept tag
    claims: list = field(default_factory=list)  # claims (tags) that move
    claimed: list = field(default_factory=list)  # claims whose claimant moves
    new_aliases: list = field(default_factory=list)  # spellings the kept tag gains
    dropped: list = field(default_factory=list)  # (spelling, why) not carried over

    @property
    def kinds_differ(self):
        return self.kept.kind != self.merged.kind


def plan(kept, merged, *, different_kinds=False):
    """The merge of `merged` into `kept`, checked; MergeRefused says why it cannot be."""
    if kept.pk == merged.pk:
        raise MergeRefused(_("A tag cannot be merged into itself."))
    if kept.kind != merged.kind and not different_kinds:
        raise MergeRefused(
            _(
                "“%(merged)s” is a %(merged_kind)s and “%(kept)s” a %(kept_kind)s: confirm that"
                " they are the same entity to merge tags of different kinds."
            )
            % {
                "merged": merged,
                "merged_kind": merged.get_kind_display(),
                "kept": kept,
                "kept_kind": kept.get_kind_display(),
            }
        )
    claimed = list(Claim.objects.filter(claimant=merged).order_by("statement"))
    if claimed and kept.kind not in Tag.CLAIMANT_KINDS:
        raise MergeRefused(
            _(
                "“%(merged)s” is the claimant of %(count)d claims, and a claimant is a person or"
                " an organisation: keep “%(merged)s”, or make “%(kept)s” one of those first."
            )
            % {"merged": merged, "kept": kept, "count": len(claimed)}
        )
    result = MergePlan(kept, merged, claimed=claimed)
    result.articles = list(
        Article.objects.filter(tags=merged).exclude(tags=kept).order_by("-published_at")
    )
    result.claims = list(Claim.objects.filter(tags=merged).exclude(tags=kept).order_by("statement"))
    taken = {squash_spaces(name).lower() for name in kept.spellings}
    for spelling in [merged.name_ar, merged.name_en, *(a.name for a in merged.aliases.all())]:
        spelling = squash_spaces(spelling or "")
        if not spelling or spelling.lower() in taken:
            continue
        taken.add(spelling.lower())
        owner = (
            TagAlias.objects.filter(name__iexact=spelling)
            .exclude(tag__in=[kept, merged])
            .select_related("tag")
            .first()
        )
        if owner is not None:
            result.dropped.append(
                (spelling, _("already an alias of “%(tag)s”") % {"tag": owner.tag})
            )
        else:
            result.new_aliases.append(spelling)
    return result


def merge_tags(kept, merged, *, user=None, via="admin", different_kinds=False, **context):
    """Merges `merged` into `kept` (see the module); returns the MergePlan carried out.
    `context` adds to the history's context (command="merge_tags")."""
    who = user.pk if user else None
    with recorded(via, merge_into=kept.pk, merged=merged.pk, user=who, **context):
        with transaction.atomic():
            # Rows locked so that two merges of the same tags cannot interleave.
            kept, merged = (
                Tag.objects.select_for_update().get(pk=kept.pk),
                Tag.objects.select_for_update().get(pk=merged.pk),
            )
            carried = plan(kept, merged, different_kinds=different_kinds)
            move_links(Article.tags.through, "article_id", merged, kept)
            move_links(Claim.tags.through, "claim_id", merged, kept)
            changed = {"claimant": kept, "updated_at": timezone.now()}
            if user is not None:
                changed["updated_by"] = user
            Claim.objects.filter(claimant=merged).update(**changed)
            # The merged tag's aliases move (their history goes on); its names become new
            # aliases; spellings the kept tag has already go with the merged tag.
            carried_over = {name.lower() for name in carried.new_aliases}
            moving = [
                alias.pk
                for alias in merged.aliases.all()
                if squash_spaces(alias.name).lower() in carried_over
            ]
            TagAlias.objects.filter(pk__in=moving).update(tag=kept)
            moved = {
                squash_spaces(name).lower()
                for name in TagAlias.objects.filter(pk__in=moving).values_list("name", flat=True)
            }
            TagAlias.objects.bulk_create(
                [
                    TagAlias(tag=kept, name=name)
                    for name in carried.new_aliases
                    if name.lower() not in moved
                ]
            )
            if not kept.description and merged.description:
                kept.description = merged.description
                kept.save(update_fields=["description"])
            merged.delete()
    return carried


def move_links(through, owner, merged, kept):
    """The links of a many-to-many field to `merged` made to `kept` (once each)."""
    owners = through.objects.filter(tag=merged).values_list(owner, flat=True)
    through.objects.bulk_create(
        [through(**{owner: pk, "tag_id": kept.pk}) for pk in owners], ignore_conflicts=True
    )
    through.objects.filter(tag=merged).delete()


# --- the admin's action ----------------------------------------------------------------------


@admin.action(description=gettext_lazy("Merge two tags"), permissions=["change", "delete"])
def merge_tags_action(modeladmin, request, queryset):
    """Two tags selected: a page showing what the merge would move (the kept tag chosen there),
    then the merge."""
    tags = list(queryset.order_by("pk")[:3])
    if len(tags) != 2:
        modeladmin.message_user(request, _("Select exactly two tags to merge."), messages.ERROR)
        return None
    by_id = {str(tag.pk): tag for tag in tags}
    kept = by_id.get(request.POST.get("keep"), tags[0])  # the older, by default
    merged = tags[1] if kept is tags[0] else tags[0]
    different_kinds = request.POST.get("different_kinds") == "on"
    try:
        carried = plan(kept, merged, different_kinds=different_kinds)
        refusal = None
    except MergeRefused as error:
        carried, refusal = None, str(error)
    if carried is not None and request.POST.get("post") == "yes":
        merge_tags(kept, merged, user=request.user, different_kinds=different_kinds)
        modeladmin.message_user(
            request,
            _(
                "“%(merged)s” was merged into “%(kept)s”: %(articles)d articles, %(claims)d"
                " claims and %(claimed)d claimed statements moved, %(aliases)d spellings added"
                " as aliases."
            )
            % {
                "merged": merged,
                "kept": kept,
                "articles": len(carried.articles),
                "claims": len(carried.claims),
                "claimed": len(carried.claimed),
                "aliases": len(carried.new_aliases),
            },
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:archive_tag_change", args=[kept.pk]))
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": _("Merge two tags"),
        "tags": tags,
        "kept": kept,
        "merged": merged,
        "plan": carried,
        "refusal": refusal,
        "kinds_differ": kept.kind != merged.kind,
        "different_kinds": different_kinds,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "shown": SHOWN,
    }
    return TemplateResponse(request, "admin/archive/tag/merge.html", context)


SHOWN = 20
