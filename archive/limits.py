"""What one reader's request may cost. A request over one of these caps is refused with its
reason: a 400 from the API, the feeds and the exports, a form error on the pages (answered
with 400, the page still shown). Each cap is here with the reason for its number."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A whole quoted headline fits; the query parser reads no more (search.MAX_QUERY_CHARS).
MAX_QUERY_CHARS = 500
# Each word is a lookup of the text index and a term to rank; the parser keeps 32 terms.
MAX_QUERY_WORDS = 32
# Each tag (or claimant) chosen is a join of its own and up to four queries to find it.
MAX_TAGS = 10
# Rows whose vectors one search may read to test its phrases (the index cannot tell a phrase
# from its words): enough for a phrase with a stop word inside to be answered on the ANT
# corpus, bounded well inside the statement timeout at 1M (bench/RESULTS.md, worst requests).
MAX_PHRASE_TESTS = 5_000

# The code of every refusal above, so that a view can tell a cap from any other bad value.
CODE = "over_limit"


def check_query(text):
    """A form validator: the search text within MAX_QUERY_CHARS and MAX_QUERY_WORDS."""
    if len(text) > MAX_QUERY_CHARS:
        raise ValidationError(
            _("A search may be at most %(limit)d characters long; this one has %(count)d."),
            code=CODE,
            params={"limit": MAX_QUERY_CHARS, "count": len(text)},
        )
    words = len(text.split())
    if words > MAX_QUERY_WORDS:
        raise ValidationError(
            _("A search may have at most %(limit)d words; this one has %(count)d."),
            code=CODE,
            params={"limit": MAX_QUERY_WORDS, "count": words},
        )


def check_tags(label, count):
    """A form field's check: at most MAX_TAGS values for the field called `label`."""
    if count > MAX_TAGS:
        raise ValidationError(
            _("%(field)s: at most %(limit)d may be chosen at once; %(count)d were given."),
            code=CODE,
            params={"field": label, "limit": MAX_TAGS, "count": count},
        )


class TooCostly(Exception):
    """A search that would test its phrases on more than MAX_PHRASE_TESTS rows."""

    def __init__(self):
        super().__init__("phrase tests over MAX_PHRASE_TESTS")
        self.error = ValidationError(
            _(
                "This phrase is too common to look for in the whole archive (its words are in"
                " too many articles). Add a word, choose a period or an outlet, and search again."
            ),
            code=CODE,
        )


def over_limit(form):
    """{field: [message, ...]} of the form's errors that are refusals by a cap."""
    return {
        field: [message for error in errors for message in error.messages]
        for field, errors in form.errors.as_data().items()
        if any(error.code == CODE for error in errors)
    }
