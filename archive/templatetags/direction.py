"""Direction of what people wrote, inside the interface's own text.

A name or a quote written in Arabic, placed in an English sentence (or the reverse), must not
take its neighbours' direction: "…قضايا الأمن القومي." would end with its full stop on the
wrong side. In HTML, <bdi> isolates a piece of text and gives it its own direction (that of
its first strong letter); where markup cannot go (a <title>, a feed's text), the Unicode
isolates FSI … PDI do the same."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import pgettext

register = template.Library()

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


@register.filter
def bdi(value):
    """`value` escaped, in a <bdi>: its own direction whatever surrounds it."""
    if value in (None, ""):
        return ""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def bdi_join(values):
    """Each of `values` in its own <bdi>, joined as the interface's language lists things."""
    separator = pgettext("between the items of a list", ", ")
    return format_html_join(separator, "<bdi>{}</bdi>", ((value,) for value in values))


@register.filter
def isolated(value):
    """`value` between the Unicode isolates, for text that cannot hold markup (<title>)."""
    if value in (None, ""):
        return ""
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"
