"""The embedded PostgreSQL's life cycle, with real servers and real signals.

Each test drives `python -m newsroom.embedded_db` in a subprocess against a data folder of its
own (NEWSROOM_PGDATA), so the server that runs the rest of the suite is never touched."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PGDATA = BASE_DIR / ".pgdata-lifecycle-test"


def embedded(*args, timeout=120, **kwargs):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["NEWSROOM_PGDATA"] = str(PGDATA)
    return subprocess.run(
        [sys.executable, "-m", "newsroom.embedded_db", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def server_pid():
    result = embedded("status")
    return int(result.stdout.split("pid ")[1].rstrip(")\n")) if result.returncode == 0 else None


@pytest.fixture(scope="module", autouse=True)
def data_folder():
    yield
    embedded("stop")
    import shutil

    shutil.rmtree(PGDATA, ignore_errors=True)
    PGDATA.with_name(PGDATA.name + ".lock").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def stopped_before_and_after():
    embedded("stop")
    yield
    embedded("stop")
    assert server_pid() is None


def test_run_serves_the_command_and_stops_the_server_afterwards():
    probe = (
        "import os, psycopg; "
        "conn = psycopg.connect(os.environ['DATABASE_URL']); "
        "print(conn.execute('select current_database()').fetchone()[0])"
    )
    result = embedded("run", "--", sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "newsroom"
    assert server_pid() is None
    assert (PGDATA / "PG_VERSION").exists()


def test_run_passes_on_the_command_exit_status_and_still_stops():
    result = embedded("run", "--", sys.executable, "-c", "raise SystemExit(7)")
    assert result.returncode == 7
    assert server_pid() is None


def wrapper_serving_a_long_command():
    """`run -- sleep 60` in a process group of its own, once its server is up and the command
    runs (a signal sent between the two would reach the wrapper alone, which ignores Ctrl-C)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["NEWSROOM_PGDATA"] = str(PGDATA)
    wrapper = subprocess.Popen(
        [sys.executable, "-m", "newsroom.embedded_db", "run", "--", "sleep", "60"],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        commands = [c.name() for c in psutil.Process(wrapper.pid).children()]
        if server_pid() is not None and "sleep" in commands:
            break
        time.sleep(0.2)
    return wrapper


def test_ctrl_c_stops_the_command_and_the_server():
    wrapper = wrapper_serving_a_long_command()
    assert server_pid() is not None
    # A terminal sends SIGINT to the whole foreground process group.
    os.killpg(wrapper.pid, signal.SIGINT)
    assert wrapper.wait(timeout=60) != 0
    assert server_pid() is None


def test_a_server_left_running_is_adopted_and_stopped():
    assert embedded("start").returncode == 0
    left_behind = server_pid()
    assert left_behind is not None
    result = embedded("run", "--", "true")
    assert result.returncode == 0, result.stderr
    assert not psutil.pid_exists(left_behind) or psutil.Process(left_behind).status() == "zombie"


def test_a_killed_wrapper_leaves_a_server_the_next_run_stops():
    wrapper = wrapper_serving_a_long_command()
    os.killpg(wrapper.pid, signal.SIGKILL)
    wrapper.wait(timeout=10)
    assert server_pid() is not None  # the trap: nobody is left to stop it
    assert embedded("run", "--", "true").returncode == 0
    assert server_pid() is None


def test_a_stale_pid_file_does_not_prevent_the_start():
    assert embedded("start").returncode == 0
    assert embedded("stop").returncode == 0
    # A pid file left by a killed server, whose pid now belongs to another program.
    other = subprocess.Popen(["sleep", "60"])
    try:
        (PGDATA / "postmaster.pid").write_text(f"{other.pid}\n{PGDATA}\n0\n5432\n\n\n\nready\n")
        result = embedded("run", "--", "true")
        assert result.returncode == 0, result.stderr
        assert "stale" in result.stderr
    finally:
        other.kill()
        other.wait()


def test_the_server_listens_on_a_socket_only():
    assert embedded("start").returncode == 0
    connections = psutil.Process(server_pid()).net_connections(kind="inet")
    assert [c for c in connections if c.status == psutil.CONN_LISTEN] == []
    assert (PGDATA / ".s.PGSQL.5432").is_socket()


def test_unknown_subcommand_is_a_usage_error():
    result = embedded("explode")
    assert result.returncode == 2 and "usage" in result.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to another account")
def test_a_folder_the_server_account_cannot_enter_is_named_not_opened():
    import shutil

    from newsroom.embedded_db import EmbeddedDatabaseError, check_reachable, server_account

    closed = BASE_DIR / ".pgdata-closed-test"
    closed.mkdir(mode=0o700)
    try:
        with pytest.raises(EmbeddedDatabaseError, match=f"cannot enter {closed}\\."):
            check_reachable(server_account(), [closed / "project" / ".pgdata"])
        assert closed.stat().st_mode & 0o777 == 0o700  # nothing was widened
    finally:
        shutil.rmtree(closed)


def embedded_at(pgdata, *args):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["NEWSROOM_PGDATA"] = str(pgdata)
    return subprocess.run(
        [sys.executable, "-m", "newsroom.embedded_db", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def other_data_folder():
    import shutil

    folder = BASE_DIR / ".pgdata-other-test"
    yield folder
    embedded_at(folder, "stop")
    shutil.rmtree(folder, ignore_errors=True)
    folder.with_name(folder.name + ".lock").unlink(missing_ok=True)


def test_a_folder_holding_files_but_no_cluster_is_refused_not_deleted(other_data_folder):
    other_data_folder.mkdir()
    (other_data_folder / "notes.txt").write_text("an editor's notes")
    result = embedded_at(other_data_folder, "start")
    assert result.returncode == 1
    assert "not empty and holds no PostgreSQL cluster" in result.stderr
    assert (other_data_folder / "notes.txt").read_text() == "an editor's notes"
    assert sorted(p.name for p in other_data_folder.iterdir()) == ["notes.txt"]


def test_an_empty_folder_becomes_the_cluster(other_data_folder):
    other_data_folder.mkdir()
    result = embedded_at(other_data_folder, "start")
    assert result.returncode == 0, result.stderr
    assert (other_data_folder / "PG_VERSION").exists()


def server_uid():
    from newsroom.embedded_db import server_account

    account = server_account()
    return os.geteuid() if account is None else account.pw_uid


def test_the_socket_folder_is_created_private_to_the_server(tmp_path):
    from newsroom.embedded_db import private_socket_dir, server_account

    folder = tmp_path / "newsroom-pg-test"
    private_socket_dir(folder, server_account())
    info = folder.stat()
    assert info.st_mode & 0o777 == 0o700 and info.st_uid == server_uid()
    # A second start accepts the folder it made.
    private_socket_dir(folder, server_account())


@pytest.mark.parametrize("mode", [0o777, 0o755, 0o710, 0o701])
def test_a_socket_folder_open_to_others_is_refused(tmp_path, mode):
    from newsroom.embedded_db import EmbeddedDatabaseError, private_socket_dir, server_account

    folder = tmp_path / "newsroom-pg-test"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.raises(EmbeddedDatabaseError, match="open to other users"):
        private_socket_dir(folder, server_account())
    assert folder.stat().st_mode & 0o777 == mode


def test_a_symlink_in_place_of_the_socket_folder_is_refused(tmp_path):
    from newsroom.embedded_db import EmbeddedDatabaseError, private_socket_dir, server_account

    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    (tmp_path / "newsroom-pg-test").symlink_to(target)
    with pytest.raises(EmbeddedDatabaseError, match="is not a folder"):
        private_socket_dir(tmp_path / "newsroom-pg-test", server_account())


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a folder to another user")
def test_a_socket_folder_made_by_another_user_is_refused(tmp_path):
    from newsroom.embedded_db import EmbeddedDatabaseError, private_socket_dir, server_account

    folder = tmp_path / "newsroom-pg-test"
    folder.mkdir(mode=0o700)
    os.chown(folder, 54321, 54321)
    with pytest.raises(EmbeddedDatabaseError, match="belongs to another user"):
        private_socket_dir(folder, server_account())


def test_a_long_data_path_refuses_a_socket_folder_prepared_by_someone_else(other_data_folder):
    """A data path too long for a socket puts the socket under the system's temporary folder,
    where any local user could have made the folder first."""
    import shutil

    from newsroom.embedded_db import socket_dir

    other_data_folder.mkdir()
    long_folder = other_data_folder / ("long-" + "x" * 100)
    sockets = socket_dir(long_folder.resolve())
    assert sockets != long_folder.resolve()
    sockets.mkdir()
    sockets.chmod(0o777)
    try:
        result = embedded_at(long_folder, "start")
        assert result.returncode == 1
        assert f"the socket folder {sockets} is open to other users" in result.stderr
        embedded_at(long_folder, "stop")
        sockets.rmdir()
        result = embedded_at(long_folder, "start")
        assert result.returncode == 0, result.stderr
        assert sockets.stat().st_mode & 0o777 == 0o700
        assert (sockets / ".s.PGSQL.5432").is_socket()
    finally:
        embedded_at(long_folder, "stop")
        shutil.rmtree(sockets, ignore_errors=True)
