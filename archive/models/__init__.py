"""The archive's data model, a module per concern: outlets (sources), tags with their other
spellings, articles, claims with the places they appear, corrections in public, import runs
and purges. `from archive.models import X` reaches every model and helper.

What the public may see is decided here, by `public_article` and the `published()` QuerySet
methods; every public path starts from them (archive/selectors.py).
"""

from ..history import track_accounts
from .articles import (
    Article,
    ArticleManager,
    ArticleQuerySet,
    SearchQuerySetMixin,
    public_article,
)
from .claims import (
    Claim,
    ClaimAppearance,
    ClaimAppearanceManager,
    ClaimAppearanceQuerySet,
    ClaimEvidence,
    ClaimEvidenceManager,
    ClaimManager,
    ClaimQuerySet,
)
from .common import (
    CONTROL_CHARACTERS,
    EARLIEST_PUBLICATION,
    SLUG_SHAPE,
    SLUG_SHAPE_MESSAGE,
    AnyEditedChange,
    Language,
    SlugManager,
    control_character_problem,
    latest_publication,
    mark_quotes,
    publication_date_problem,
    search_key,
    squash_spaces,
    unique_slug,
    version_field,
    version_triggers,
    weighted_vector,
)
from .corrections import (
    CLAIM_IS_PUBLIC_SQL,
    Correction,
    CorrectionQuerySet,
    VerdictChange,
    VerdictChangeQuerySet,
    verdict_history,
)
from .duplicates import ImportNearDuplicate
from .imports import ImportRun, ImportRunQuerySet, UploadRefused, text_size
from .purges import PurgeRecord
from .sources import Source
from .tags import Tag, TagAlias, TagAliasManager, TagManager, TagQuerySet

# The accounts, their groups and rights have a history too (archive/history.py).
track_accounts()

__all__ = [
    "CLAIM_IS_PUBLIC_SQL",
    "CONTROL_CHARACTERS",
    "EARLIEST_PUBLICATION",
    "SLUG_SHAPE",
    "SLUG_SHAPE_MESSAGE",
    "AnyEditedChange",
    "Article",
    "ArticleManager",
    "ArticleQuerySet",
    "Claim",
    "ClaimAppearance",
    "ClaimAppearanceManager",
    "ClaimAppearanceQuerySet",
    "ClaimEvidence",
    "ClaimEvidenceManager",
    "ClaimManager",
    "ClaimQuerySet",
    "Correction",
    "CorrectionQuerySet",
    "IdArray",
    "ImportNearDuplicate",
    "ImportRun",
    "ImportRunQuerySet",
    "Language",
    "PurgeRecord",
    "SearchQuerySetMixin",
    "SlugManager",
    "Source",
    "Tag",
    "TagAlias",
    "TagAliasManager",
    "TagManager",
    "TagQuerySet",
    "UploadRefused",
    "VerdictChange",
    "VerdictChangeQuerySet",
    "control_character_problem",
    "latest_publication",
    "mark_quotes",
    "public_article",
    "publication_date_problem",
    "search_key",
    "squash_spaces",
    "text_size",
    "unique_slug",
    "verdict_history",
    "version_field",
    "version_triggers",
    "weighted_vector",
]
