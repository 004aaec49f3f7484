"""The analyser's rules: the one table from which the SQL functions (sql.py), the Python
mirror (analyzer.py) and the C analyser's rules.h (native/build.py) are all made.

Plain Python, free of Django: native/build.py loads this file alone."""

import re
import unicodedata

FOLDS = {
    "ا": "أإآٱٲٳٵ",
    "ي": "ىیۍې",
    "ه": "ةۀ",
    "ء": "ؤئٶٸ",
    "ك": "کڪگ",
    "ف": "ڤ",
    "ب": "پ",
    "ج": "چ",
    "ز": "ژ",
    **{str(d): "٠١٢٣٤٥٦٧٨٩"[d] + "۰۱۲۳۴۵۶۷۸۹"[d] for d in range(10)},
}
MARKS = (
    "".join(chr(c) for c in range(0x064B, 0x0660))  # tashkeel and hamza marks
    + "\u0670\u0640"  # superscript alef, tatweel
    + "".join(chr(c) for c in range(0x06D6, 0x06EE))  # Quranic annotation marks
    + "\u200c\u200d\u200e\u200f\u061c\u00ad"  # joiners, direction marks, soft hyphen
)
THOUSANDS_SEPARATORS = ",،٬"
# NFKC (step 1) is applied to texts with presentation forms, ligatures or full-width forms.
NFKC_TRIGGER = "[\ufb00-\ufdff\ufe70-\ufeff\uff00-\uffef]"
COMMON_FOLDS = "أإآىةؤئ"  # folded in every text; the rarer folds only where they occur
WORD_CHARS = "0-9a-zß-öø-ÿء-ي"

STOP_WORDS = """
في من على الى إلى عن ان أن إن او أو ما لا لم لن قد ثم كما هذا هذه ذلك تلك هؤلاء هناك هنا التي
الذي الذين اللذين اللتين اللواتي هو هي هم هن انا نحن انت كان كانت يكون تكون كانوا مع عند بين
حتى اذا إذا بعد قبل حيث كل غير منذ خلال ضد نحو لدى عبر ايضا أيضا الا إلا بل لكن لكن انه إنه أنه
انها إنها أنها به له لها لهم فيه فيها منه منها عليه عليها اليه إليه عنه عنها وفي ومن وعلى والى
وإلى وعن وان وأن وإن وما ولا ولم ولن وقد وهو وهي وهذا وهذه وذلك والتي والذي وكان وكانت ومع
وبين وحتى وبعد وقبل وكل فقد فان فإن فيما مما بما كما لما يا و ف ب ل ك
""".split()

ARTICLES = ["وبال", "فبال", "وكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال"]
PROCLITICS = "وفبكل"
SUFFIXES = ["ها", "يه", "ات", "ون", "ين", "ان", "ه", "ا", "ي"]
MIN_STEM = 3

EXACT_MARK = "="
PAIR_MARK = "_"  # joins the stems of two adjacent words into one lexeme (never in a word)
WEIGHTS = {"title": "A", "lead": "B", "body": "C"}


def fold_table() -> dict[int, str | None]:
    """{code point: letter it folds into, or None for a mark deleted}, for str.translate."""
    table: dict[int, str | None] = {
        ord(ch): target for target, sources in FOLDS.items() for ch in sources
    }
    table.update({ord(ch): None for ch in MARKS})
    return table


FOLD_TABLE = fold_table()
NON_WORD = re.compile(rf"[^{WORD_CHARS}]+")


def normal_stop_words() -> list[str]:
    """The stop words as the analyser sees them (folded), longest first."""
    words = []
    for word in STOP_WORDS:
        normal = NON_WORD.sub(
            " ", unicodedata.normalize("NFKC", word).lower().translate(FOLD_TABLE)
        )
        words.append(normal.strip())
    return sorted(set(words), key=lambda w: (-len(w), w))


NORMAL_STOP_WORDS = normal_stop_words()
