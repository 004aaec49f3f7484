"""For ClaimAdmin: the claim's change page lists its related claims and the passages of other
published articles that state it, each with a button that adds it as an appearance
(archive/claim_tracking.py); and the claims list is searched by figure too."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from . import claim_tracking, workflow
from .models import Article, Claim, ClaimAppearance, public_article

FIGURE = re.compile(r"^[0-9]{1,15}(?:\.[0-9]{1,4})?$")
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class ClaimTrackingAdmin:
    """Before the ModelAdmin in ClaimAdmin's bases."""

    def get_urls(self):
        return [
            path(
                "<path:object_id>/where-else/add/",
                self.admin_site.admin_view(self.add_appearance_view),
                name="archive_claim_add_appearance",
            ),
            *super().get_urls(),
        ]

    def may_add_appearance(self, request, claim, article=None):
        """Adding a line to a published article is a chief editor's (GuardedAppearances)."""
        if not self.has_change_permission(request, claim):
            return False
        if not request.user.has_perm("archive.add_claimappearance"):
            return False
        return workflow.is_chief(request.user) or (
            article is not None and article.status in (workflow.DRAFT, workflow.REVIEW)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        claim = self.get_object(request, unquote(object_id)) if object_id else None
        if claim is not None and request.method == "GET":
            extra_context = {
                **(extra_context or {}),
                "related_claims": claim_tracking.related_claims(claim),
                "where_else": claim_tracking.where_else(claim),
                "may_add_appearance": self.may_add_appearance(request, claim),
                "related_days": claim_tracking.RELATED_DAYS,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def add_appearance_view(self, request, object_id):
        """POST: store the sentence of a published article as the claim's appearance, its
        exact words; refused when the page was opened before a later save of the claim."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        claim = self.get_object(request, unquote(object_id))
        if claim is None:
            raise Http404
        try:
            article_id = int(request.POST.get("article", ""))
            opened = int(request.POST.get("version", ""))
        except ValueError:
            raise Http404 from None
        article = Article.objects.filter(public_article(), pk=article_id).first()
        if article is None:
            raise Http404
        if not self.may_add_appearance(request, claim, article):
            raise PermissionDenied
        quote = (request.POST.get("quote") or "").strip()
        back = reverse("admin:archive_claim_change", args=[claim.pk])
        with transaction.atomic():
            claim = Claim.objects.select_for_update().get(pk=claim.pk)
            if claim.version != opened:
                messages.error(
                    request,
                    _(
                        "The claim was changed after this page was opened; nothing was added."
                        " Look at the passages again."
                    ),
                )
                return HttpResponseRedirect(back)
            if claim.appearances.filter(article=article, quote=quote).exists():
                messages.warning(request, _("This passage is already an appearance of the claim."))
                return HttpResponseRedirect(back)
            appearance = ClaimAppearance(claim=claim, article=article, quote=quote)
            try:
                appearance.full_clean()
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return HttpResponseRedirect(back)
            appearance.save()
        messages.success(
            request,
            _("Added as an appearance in “%(title)s”.") % {"title": article.title},
        )
        return HttpResponseRedirect(back)  # the message stands at the top of the page

    def get_search_results(self, request, queryset, search_term):
        """A search for a number (in any digits, with thousands separators) also finds the
        claims whose figure is that number or whose range, open or not, holds it."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        number = re.sub(r"[\s,،٬]", "", search_term).translate(DIGITS)
        if not FIGURE.match(number):
            return found, duplicates
        try:
            value = Decimal(number)
        except InvalidOperation:
            return found, duplicates
        # A range holds the value; an open end ("more than", "up to") holds all on its side.
        in_range = (Q(quantity_low__isnull=False) | Q(quantity_high__isnull=False)) & (
            (Q(quantity_low__isnull=True) | Q(quantity_low__lte=value))
            & (Q(quantity_high__isnull=True) | Q(quantity_high__gte=value))
        )
        figure = Q(quantity_value=value) | in_range
        return queryset.filter(Q(pk__in=found.values("pk")) | figure), duplicates
