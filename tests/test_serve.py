"""The dashboard launcher behind `aigcwatch dashboard` and `aigcwatch demo`: everything that would only
fail inside the browser is checked first, with one line and an exit code; then Streamlit serves."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from aigcwatch.cli import main
from aigcwatch.errors import ConfigError
from aigcwatch.serve import check_port, dashboard_app, dashboard_env, streamlit_command
from tests.support.net import free_port, wait_for_streamlit

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def busy_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def _one_line(result) -> str:
    lines = [ln for ln in result.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_streamlit_runs_the_dashboard_headless_without_usage_statistics():
    app = dashboard_app()
    assert app is not None and app.name == "app.py" and app.parent.name == "dashboard"
    cmd = streamlit_command(app, host="127.0.0.1", port=8765, python="/venv/bin/python")
    assert cmd[:5] == ["/venv/bin/python", "-m", "streamlit", "run", str(app)]
    flags = dict(zip(cmd[5::2], cmd[6::2]))
    assert flags["--server.address"] == "127.0.0.1" and flags["--server.port"] == "8765"
    assert flags["--server.headless"] == "true" and flags["--browser.gatherUsageStats"] == "false"
    assert flags["--server.fileWatcherType"] == "none"


def test_the_app_gets_the_database_url_it_was_given():
    env = dashboard_env("sqlite:////data/x.db", {"AIGCWATCH_DATABASE_URL": "postgresql://other/db", "HOME": "/h"})
    assert env["AIGCWATCH_DATABASE_URL"] == "sqlite:////data/x.db" and env["HOME"] == "/h"


def test_a_port_in_use_or_a_foreign_address_is_refused(busy_port):
    with pytest.raises(ConfigError, match=rf"port {busy_port} on 127.0.0.1 is already in use"):
        check_port("127.0.0.1", busy_port)
    check_port("127.0.0.1", free_port())
    with pytest.raises(ConfigError, match="--host 'no-such-host.invalid'"):
        check_port("no-such-host.invalid", 8501)
    with pytest.raises(ConfigError, match="cannot listen on 192.0.2.1"):   # TEST-NET-1: not ours
        check_port("192.0.2.1", free_port())


def test_unreachable_database_is_one_line_exit_3_without_the_password():
    result = CliRunner().invoke(main, ["dashboard", "--database-url",
                                       "postgresql://analyst:s3cret@127.0.0.1:1/aigcwatch"])
    assert result.exit_code == 3
    line = _one_line(result)
    assert "cannot connect" in line and "analyst:***@127.0.0.1:1/aigcwatch" in line and "s3cret" not in line


def test_a_mistyped_database_file_is_one_line_exit_3_and_is_not_created(tmp_path, monkeypatch):
    """`dashboard`, `export` and `digest` only read: a SQLite file they are pointed at that does
    not exist was created empty and shown as an archive without a story."""
    from db.engine import ensure_schema

    real = tmp_path / "archive.db"
    ensure_schema(f"sqlite:///{real}").dispose()
    typo = tmp_path / "archve.db"
    url = f"sqlite:///{typo}"
    runs = (["dashboard", "--database-url", url, "--port", str(free_port())],
            ["export", "trends", "--database-url", url],
            ["export", "items", "--database-url", url],
            ["digest", "--date", "2025-10-05", "--database-url", url, "--dry-run", str(tmp_path / "d.html")])
    for args in runs:
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 3, (args, result.output)
        assert f"no database file at {typo}" in _one_line(result), args
        assert not typo.exists(), args
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", url)          # named by the variable: the same
    result = CliRunner().invoke(main, ["export", "trends"])
    assert result.exit_code == 3 and not typo.exists()
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{real}")
    assert CliRunner().invoke(main, ["export", "trends"]).exit_code == 0


def test_busy_port_bad_time_zone_and_bad_events_file_are_one_line_exit_2(tmp_path, busy_port, monkeypatch):
    from db.engine import ensure_schema

    url = f"sqlite:///{tmp_path / 'a.db'}"
    ensure_schema(url).dispose()
    result = CliRunner().invoke(main, ["dashboard", "--database-url", url, "--port", str(busy_port)])
    assert result.exit_code == 2 and f"port {busy_port}" in _one_line(result)

    monkeypatch.setenv("AIGCWATCH_TIMEZONE", "Asia/Beijing")
    result = CliRunner().invoke(main, ["dashboard", "--database-url", url, "--port", str(free_port())])
    assert result.exit_code == 2 and "AIGCWATCH_TIMEZONE: unknown time zone 'Asia/Beijing'" in _one_line(result)

    monkeypatch.delenv("AIGCWATCH_TIMEZONE")
    events = tmp_path / "events.toml"
    events.write_text('[[event]]\ndate = 2025-05-20\nmodel = "veo"\nkind = "launch"\ntitle = "x"\n'
                      'link = "javascript:alert(1)"\n', encoding="utf-8")
    monkeypatch.setenv("AIGCWATCH_EVENTS", str(events))
    result = CliRunner().invoke(main, ["dashboard", "--database-url", url, "--port", str(free_port())])
    assert result.exit_code == 2
    assert f"{events}: event 1, field 'link': must be an http(s) URL" in _one_line(result)


def test_demo_refuses_a_busy_port_before_the_ingest(tmp_path, busy_port):
    result = CliRunner().invoke(main, ["demo", "--port", str(busy_port), "--database-url",
                                       f"sqlite:///{tmp_path / 'demo.db'}"])
    assert result.exit_code == 2 and f"port {busy_port}" in _one_line(result)
    assert not (tmp_path / "demo.db").exists()


@pytest.mark.slow
def test_serves_on_loopback_and_stops_on_sigterm(tmp_path):
    """The real command: Streamlit answers on the port over an empty database, and SIGTERM stops it
    (on POSIX the command's process becomes Streamlit, so the signal reaches the server)."""
    from db.engine import ensure_schema

    port = free_port()
    log = tmp_path / "dashboard.log"
    env = {k: v for k, v in os.environ.items() if k != "AIGCWATCH_EVENTS"}
    ensure_schema(f"sqlite:///{tmp_path / 'empty.db'}").dispose()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "aigcwatch.cli", "dashboard", "--port", str(port),
                                 "--database-url", f"sqlite:///{tmp_path / 'empty.db'}"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_streamlit(proc, f"http://127.0.0.1:{port}", log)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
        assert f"dashboard: http://127.0.0.1:{port} over sqlite:///" in log.read_text()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
