"""Frozen SQL of the migrations, one file a migration (named after it), kept apart so that a
diff shows it line by line. A package, so Django's migration loader passes it by."""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def read_sql(name):
    """The text of archive/migrations/sql/<name>, exactly as stored: decoded from its bytes,
    so that no newline is translated and a migration runs the same SQL everywhere."""
    return (FOLDER / name).read_bytes().decode("utf-8")
