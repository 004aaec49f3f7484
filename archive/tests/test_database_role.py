"""The database role the app needs in production: no superuser. A database owned by that role
is migrated by it, whether an administrator created the extensions beforehand or not
(pg_trgm and unaccent are trusted extensions, which a database's owner may create)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from psycopg.conninfo import make_conninfo

BASE_DIR = Path(__file__).resolve().parents[2]
ROLE = f"newsroom_role_test_{os.getpid()}"


def admin_connection(dbname="postgres"):
    base = settings.DATABASES["default"]
    params = {"dbname": dbname, "host": base["HOST"], "port": base["PORT"], "user": base["USER"]}
    params["password"] = base["PASSWORD"]
    return psycopg.connect(make_conninfo(**{k: v for k, v in params.items() if v}), autocommit=True)


def url_as_role():
    base = settings.DATABASES["default"]
    if base["HOST"].startswith("/"):
        return f"postgres://{ROLE}@/{ROLE}?host={quote(base['HOST'])}"
    return f"postgres://{ROLE}@{base['HOST']}:{base['PORT'] or 5432}/{ROLE}"


@pytest.fixture
def owned_database():
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {ROLE} WITH (FORCE)")
        conn.execute(f"DROP ROLE IF EXISTS {ROLE}")
        conn.execute(f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
        conn.execute(f"CREATE DATABASE {ROLE} OWNER {ROLE}")
    yield ROLE
    with admin_connection() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {ROLE} WITH (FORCE)")
        conn.execute(f"DROP ROLE IF EXISTS {ROLE}")


def migrate():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=url_as_role(), DJANGO_SECRET_KEY="role-test", DJANGO_DEBUG="false")
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def extension_owners(database):
    with admin_connection(database) as conn:
        return dict(
            conn.execute(
                "SELECT extname, extowner::regrole::text FROM pg_extension"
                " WHERE extname IN ('pg_trgm', 'unaccent')"
            ).fetchall()
        )


def test_the_owner_migrates_a_fresh_database_creating_the_extensions(owned_database):
    result = migrate()
    assert result.returncode == 0, result.stderr
    assert extension_owners(owned_database) == {"pg_trgm": ROLE, "unaccent": ROLE}


def test_extensions_created_beforehand_by_an_administrator_are_used(owned_database):
    with admin_connection(owned_database) as conn:
        conn.execute("CREATE EXTENSION pg_trgm")
        conn.execute("CREATE EXTENSION unaccent")
    result = migrate()
    assert result.returncode == 0, result.stderr
    admin = settings.DATABASES["default"]["USER"]
    assert extension_owners(owned_database) == {"pg_trgm": admin, "unaccent": admin}
