"""`make backup` / `make restore`: a backup, a change, a restore, and the change is gone.

Each test works on a database of its own on the suite's server (PostgreSQL 15 or the embedded
18), owned by a role without superuser rights, with the extensions created by the superuser, as
the README asks of a production database."""

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg.conninfo import make_conninfo

from newsroom.backup import BackupError, backup, restore

BASE_DIR = Path(__file__).resolve().parents[2]
ROLE = f"newsroom_backup_test_{os.getpid()}"
NAME = f"newsroom_backup_test_{os.getpid()}"


def connect(dbname, user=None):
    base = settings.DATABASES["default"]
    params = {
        "dbname": dbname,
        "host": base["HOST"] or None,
        "port": base["PORT"] or None,
        "user": user or base["USER"] or None,
        "password": base["PASSWORD"] or None,
    }
    return psycopg.connect(make_conninfo(**{k: v for k, v in params.items() if v}), autocommit=True)


def rows(user=ROLE):
    with connect(NAME, user) as conn:
        return conn.execute("SELECT id, body FROM note ORDER BY id").fetchall()


def fill(with_extensions=True):
    if with_extensions:
        with connect(NAME) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with connect(NAME, ROLE) as conn:
        conn.execute("CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL)")
        conn.execute("CREATE INDEX note_body_trgm ON note USING gin (body gin_trgm_ops)")
        conn.execute("INSERT INTO note (body) VALUES ('قبل'), ('before')")
        # Enough rows that the middle of the dump is table data.
        conn.execute("INSERT INTO note (body) SELECT md5(n::text) FROM generate_series(1, 5000) n")


@pytest.fixture
def database(tmp_path):
    with connect("postgres") as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        conn.execute(f"DROP ROLE IF EXISTS {ROLE}")
        conn.execute(f"CREATE ROLE {ROLE} LOGIN")
        conn.execute(f"CREATE DATABASE {NAME} OWNER {ROLE}")
    fill()
    yield {**settings.DATABASES["default"], "NAME": NAME, "USER": ROLE, "PASSWORD": ""}
    with connect("postgres") as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        conn.execute(f"DROP ROLE IF EXISTS {ROLE}")


@pytest.fixture
def imports(tmp_path):
    folder = tmp_path / "imports"
    (folder / "runs").mkdir(parents=True)
    (folder / "runs" / "march.csv").write_text("title,body\nعنوان,نص\n")
    return folder


def change(imports):
    with connect(NAME, ROLE) as conn:
        conn.execute("UPDATE note SET body = 'after' WHERE body = 'before'")
        conn.execute("INSERT INTO note (body) VALUES ('new')")
    (imports / "runs" / "march.csv").unlink()
    (imports / "april.csv").write_text("title\n")


def files(folder):
    return {
        str(path.relative_to(folder)): path.read_text()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_restore_undoes_a_change_to_rows_and_files(database, imports, tmp_path):
    before_rows, before_files = rows(), files(imports)
    path = backup(database, imports, tmp_path / "backups")
    change(imports)
    assert rows() != before_rows and files(imports) != before_files

    manifest = restore(database, imports, path)

    assert rows() == before_rows
    assert files(imports) == before_files
    assert manifest["database"] == NAME
    with connect(NAME, ROLE) as conn:
        # The trigram index came back with the table, on the extension left in place.
        assert conn.execute("SELECT count(*) FROM note WHERE body % 'befor'").fetchone() == (1,)
        assert conn.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'note_body_trgm'"
        ).fetchone()


def test_a_backup_is_one_private_tar_of_the_dump_and_the_files(database, imports, tmp_path):
    path = backup(database, imports, tmp_path / "backups")
    assert path.name.startswith("newsroom-") and path.suffix == ".tar"
    assert path.stat().st_mode & 0o777 == 0o600
    with tarfile.open(path) as archive:
        names = set(archive.getnames())
    assert {"manifest.json", "database.dump", "imports/runs/march.csv"} <= names
    assert list((tmp_path / "backups").iterdir()) == [path]


def test_a_restore_into_a_new_empty_database_recreates_everything(database, imports, tmp_path):
    """Disaster recovery: the database is created anew by its owner, extensions included
    (pg_trgm and unaccent are trusted extensions, which the database's owner may create)."""
    path = backup(database, imports, tmp_path / "backups")
    before = rows()
    with connect("postgres") as conn:
        conn.execute(f"DROP DATABASE {NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {NAME} OWNER {ROLE}")
    restore(database, imports, path)
    assert rows() == before


def test_a_damaged_backup_changes_nothing(database, imports, tmp_path):
    path = backup(database, imports, tmp_path / "backups")
    change(imports)
    changed_rows, changed_files = rows(), files(imports)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(path) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name == "database.dump":
                # The table of contents stays readable; the rows' compressed data does not.
                content = bytearray(data.read())
                middle = len(content) // 2
                content[middle : middle + 40] = b"\xff" * 40
                data = io.BytesIO(content)
            target.addfile(member, data)
    with pytest.raises(BackupError, match="nothing was changed"):
        restore(database, imports, damaged)
    assert rows() == changed_rows and files(imports) == changed_files


def test_a_tar_that_is_not_a_backup_is_refused(database, imports, tmp_path):
    stranger = tmp_path / "stranger.tar"
    (tmp_path / "notes.txt").write_text("x")
    with tarfile.open(stranger, "w") as archive:
        archive.add(tmp_path / "notes.txt", arcname="notes.txt")
    with pytest.raises(BackupError, match="not a backup"):
        restore(database, imports, stranger)
    with pytest.raises(BackupError, match="not a file"):
        restore(database, imports, tmp_path / "missing.tar")
    (tmp_path / "garbage.tar").write_bytes(b"\x00garbage" * 100)
    with pytest.raises(BackupError, match="cannot be read"):
        restore(database, imports, tmp_path / "garbage.tar")
    assert files(imports) == {"runs/march.csv": "title,body\nعنوان,نص\n"}


def test_a_backup_member_escaping_the_folder_is_refused(database, imports, tmp_path):
    path = backup(database, imports, tmp_path / "backups")
    evil = tmp_path / "evil.tar"
    with tarfile.open(path) as source, tarfile.open(evil, "w") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        planted = tarfile.TarInfo("imports/../../planted.txt")
        target.addfile(planted, None)
    with pytest.raises(BackupError, match="cannot be read"):
        restore(database, imports, evil)
    assert not (tmp_path / "planted.txt").exists()


def test_a_backup_of_an_unreachable_database_leaves_no_file(imports, tmp_path):
    unreachable = {
        **settings.DATABASES["default"],
        "HOST": "127.0.0.1",
        "PORT": "9",
        "NAME": "nothing",
    }
    with pytest.raises(BackupError, match="pg_dump failed"):
        backup(unreachable, imports, tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        ([], 2, "usage"),
        (["restore"], 2, "usage"),
        (["explode"], 2, "usage"),
        (["restore", "/nonexistent/backup.tar"], 1, "is not a file"),
    ],
)
def test_the_command_line(args, status, message):
    env = {**os.environ, "DJANGO_DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "newsroom.backup", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == status
    assert message in result.stderr
