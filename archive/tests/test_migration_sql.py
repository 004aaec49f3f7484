"""The migrations' frozen SQL lives in archive/migrations/sql/, one file a migration named
after it: each file is read whole and as stored, never changes, and is what the database runs."""

import hashlib
import importlib
import re

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from archive.migrations.sql import FOLDER, read_sql

# The SHA-256 of each file, as first written from the migration's Python string: a frozen
# migration's SQL is never edited (a change of the SQL is a new migration with a file of its own).
FROZEN = {
    "0004_search_functions": "b3d033b8ff2ccd895e9eb854d98f426cf873b5e5ec5b0dd4b52453e83ebe365c",
    "0009_search_functions_distinct_words": (
        "1fd67c24bc4f7631e49454d8c93406be0f14730b9363105c40af51a61a90d1c9"
    ),
    "0011_search_word_pairs": "36465d91909ce36486d2a9a8aad95270c818f8a7b02a48254591bb141ec9de56",
    "0014_search_pair_vector": "926e6fc9c2c682edc9d318f0afcc7836a52bc70f76e68aa47aa798ee521ebd99",
    "0017_native_analyser": "1d7411407251de173ac4c29b5ecbcac9357a2b323840f86b8efd267389efdc47",
}

FUNCTION = re.compile(r"CREATE OR REPLACE FUNCTION (\w+)\(.*?AS \$fn\$(.*?)\$fn\$;", re.DOTALL)


def test_every_file_is_frozen_and_every_frozen_file_is_there():
    assert sorted(p.stem for p in FOLDER.glob("*.sql")) == sorted(FROZEN)


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_the_file_is_unchanged_and_the_migration_runs_it(name):
    stored = (FOLDER / f"{name}.sql").read_bytes()
    assert hashlib.sha256(stored).hexdigest() == FROZEN[name]
    migration = importlib.import_module(f"archive.migrations.{name}")
    assert migration.SQL == stored.decode("utf-8") == read_sql(f"{name}.sql")
    assert migration.SQL.count("CREATE OR REPLACE FUNCTION") >= 6
    assert migration.SQL.endswith("INITCOND = ''\n);\n")


def test_the_loader_reads_every_migration_and_passes_the_sql_package_by():
    migrations = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    names = {name for app, name in migrations if app == "archive"}
    assert set(FROZEN) <= names
    assert "sql" not in names
    for name in FROZEN:
        assert migrations["archive", name].dependencies


def test_a_missing_file_fails_loudly():
    with pytest.raises(FileNotFoundError):
        read_sql("0099_no_such_migration.sql")


@pytest.mark.django_db
def test_the_database_runs_the_functions_of_the_newest_file():
    """The migrated database has the functions of the newest file that defines the analyser,
    each with the body written there: none left from an older file (a file cut short), none
    with another body."""
    newest = max(name for name in FROZEN if "FUNCTION archive_terms" in read_sql(f"{name}.sql"))
    sql = read_sql(f"{newest}.sql")
    functions = FUNCTION.findall(sql)
    assert len(functions) == sql.count("CREATE OR REPLACE FUNCTION")
    ever_defined = {name for old in FROZEN for name, _ in FUNCTION.findall(read_sql(f"{old}.sql"))}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname FROM pg_proc"
            " WHERE prokind = 'f' AND pronamespace = current_schema()::regnamespace"
        )
        in_database = {name for (name,) in cursor.fetchall()}
        assert in_database & ever_defined == {name for name, _ in functions}
        cursor.execute("SELECT quote_ident(current_schema())")
        schema = cursor.fetchone()[0]
        for name, body in functions:
            if name == "archive_text_vectors":
                continue  # pointed at the native or the SQL analyser after every migrate
            cursor.execute(
                "SELECT prosrc FROM pg_proc"
                " WHERE proname = %s AND pronamespace = current_schema()::regnamespace",
                [name],
            )
            assert cursor.fetchall() == [(body.replace("@schema@", schema),)], name
        cursor.execute("SELECT to_regprocedure('archive_tsvector_agg(tsvector)')")
        assert cursor.fetchone()[0] is not None
