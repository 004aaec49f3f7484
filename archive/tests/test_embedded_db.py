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
