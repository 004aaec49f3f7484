"""The direction of what editors write, in the admin.

A title, a body or a name is Arabic or English whatever the interface's language: an Arabic
title typed in the English admin must run right to left, with its full stop on the left. Each
text input and textarea of the admin's forms and inlines therefore gets dir="auto" (the browser
takes the direction from the first strong letter), and `user_text` wraps a written text shown
in a list or on the desk the same way.
"""

from django.db import models
from django.utils.html import format_html

AUTO = {"dir": "auto"}


def user_text(text, css_class=""):
    """`text` (escaped) in a span whose direction is its own: <span dir="auto">…</span>."""
    if css_class:
        return format_html('<span dir="auto" class="{}">{}</span>', css_class, text)
    return format_html('<span dir="auto">{}</span>', text)


def is_written_text(db_field):
    """A free text field: a CharField or TextField an editor types into (not a choice)."""
    return isinstance(db_field, models.CharField | models.TextField) and not db_field.choices


class TextDirectionMixin:
    """For ModelAdmins and inlines (first in their bases): the text fields' widgets carry
    dir="auto". A widget that already says its direction (a field map, dir="ltr") keeps it."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and is_written_text(db_field):
            for key, value in AUTO.items():
                field.widget.attrs.setdefault(key, value)
        return field


RIGHT_TO_LEFT = {"ar"}
LEFT_TO_RIGHT = {"en", "fr"}


def direction_of(language):
    """ "rtl" or "ltr" for a language the archive knows, else "auto"."""
    if language in RIGHT_TO_LEFT:
        return "rtl"
    return "ltr" if language in LEFT_TO_RIGHT else "auto"


class LanguageDirectionMixin:
    """For an admin whose objects say their language (Article): their texts take that
    language's direction, not the first letter's, so an Arabic body that opens with a Latin
    dateline ("Pyongyang, …") still runs right to left. A new object takes the field's default."""

    language_direction_fields = ("title", "lead", "body")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        language = (
            obj.language if obj is not None else self.model._meta.get_field("language").default
        )
        for name in self.language_direction_fields:
            if name in form.base_fields:
                form.base_fields[name].widget.attrs["dir"] = direction_of(language)
        return form
