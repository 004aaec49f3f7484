"""What the import page tells an editor a file must hold: the columns, which are required, and
the formats. Read from the importer's own definitions (archive/imports.py: TARGETS, REQUIRED,
DEFAULT_MAP, LANGUAGES), so that the page cannot fall behind it; a test holds every field of
the importer described here, and the formats described here accepted by it."""

from django.utils.translation import gettext_lazy as _

from . import imports

# What each of the importer's fields holds, for an editor. A field the importer gains without
# a line here fails archive/tests/test_direction_and_details.py.
DESCRIPTIONS = {
    "title": _("The article's title."),
    "lead": _("The opening paragraph, shown under the title."),
    "body": _("The text; paragraphs separated by line breaks."),
    "source": _("The outlet, by its name, Arabic name or slug; a new name creates the outlet."),
    "published_at": _(
        "The publication time: ISO 8601 (2024-10-24, 2024-10-24T09:30:00+03:00) or the e-mail"
        " form (Thu, 24 Oct 2024 09:30:00 +0300). Without an offset, the time is UTC."
    ),
    "url": _(
        "The original address (http:// or https://); a URL already in the archive is skipped."
    ),
    "tags": _("Tag names or aliases, separated by ; or | (or by commas when there is neither)."),
    "author": _("The byline."),
    "language": _("%(codes)s; empty: ar; any other value: other."),
    "credited_sources": _("Outlets and agencies credited, separated as the tags are."),
}

# File names the importer takes (imports.file_format), each also gzipped (.gz).
FILE_KINDS = [
    (_("CSV with a header line"), [".csv"]),
    (_("JSON Lines: one JSON object per line"), [".jsonl", ".ndjson", ".json"]),
]


def columns():
    """The fields an import fills, required first, each with the column it is read from when
    no field map is given, whether it is required, and what it holds."""
    codes = ", ".join(sorted(imports.LANGUAGES - {"other"}))
    order = [*imports.REQUIRED, *(t for t in imports.DEFAULT_MAP if t not in imports.REQUIRED)]
    order += sorted(imports.TARGETS - set(order))
    rows = []
    for target in order:
        description = DESCRIPTIONS.get(target, "")
        if target == "language":
            description = description % {"codes": codes}
        rows.append(
            {
                "field": target,
                "column": imports.DEFAULT_MAP.get(target, ""),
                "required": target in imports.REQUIRED,
                "description": description,
            }
        )
    return rows


def file_kinds():
    return [{"label": label, "suffixes": suffixes} for label, suffixes in FILE_KINDS]
