"""Serve the Streamlit dashboard (dashboard/app.py): the one launcher behind `aigcwatch dashboard`
and the end of `aigcwatch demo`.

Before anything starts, `prepare_dashboard` checks what would otherwise only fail inside the
browser: the database is reachable and at the current schema, AIGCWATCH_TIMEZONE is a real zone,
the events file is valid, and the port is free. Each failure is one AigcwatchError (exit 2 or 3).
`serve_dashboard` then runs `python -m streamlit run dashboard/app.py` (headless, no usage
statistics, no file watcher, no developer menu) with AIGCWATCH_DATABASE_URL set for the app; on
POSIX the process becomes Streamlit (exec), so signals and the exit code are Streamlit's own.
"""
from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from aigcwatch.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501


def dashboard_app() -> Path | None:
    """dashboard/app.py of this installation, or None when it is not there."""
    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    return app if app.is_file() else None


def streamlit_command(app: Path, *, host: str, port: int, python: str | None = None) -> list[str]:
    """The command line that serves `app` on host:port."""
    return [python or sys.executable, "-m", "streamlit", "run", str(app),
            "--server.address", host, "--server.port", str(port),
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
            "--server.runOnSave", "false",
            "--client.toolbarMode", "minimal",
            # a table's own CSV export writes feed titles starting with = + - @ as they are (a
            # spreadsheet runs them); the pages' Download CSV buttons neutralise them (ui.csv_bytes)
            "--client.disableDataExport", "true"]


def dashboard_env(database_url: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the app: `base` (default os.environ) with the database URL pinned."""
    env = dict(os.environ if base is None else base)
    env["AIGCWATCH_DATABASE_URL"] = database_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def check_port(host: str, port: int) -> None:
    """ConfigError when nothing can listen on host:port (in use, or not an address of this host)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise ConfigError(f"--host {host!r}: not an address of this machine ({e.strerror})") from e
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        if os.name == "posix":   # like the server will: a port in TIME_WAIT is free
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ConfigError(f"port {port} on {host} is already in use (another dashboard?); "
                                  "choose another with --port") from e
            raise ConfigError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e


def prepare_dashboard(database_url: str | None, *, host: str = DEFAULT_HOST,
                      port: int = DEFAULT_PORT) -> str:
    """Check everything the dashboard needs; returns the database URL to serve.

    Raises DatabaseError (unreachable or unusable database) or ConfigError (no dashboard in this
    installation, bad AIGCWATCH_TIMEZONE or events file, port taken).
    """
    from aigcwatch.config import zone_setting
    from dashboard.events import load_events
    from db import engine as dbe

    url = dbe.existing_database_url(database_url)
    dbe.ensure_schema(url).dispose()
    zone_setting("timezone")
    load_events()
    check_port(host, port)
    if dashboard_app() is None:
        raise ConfigError("the dashboard is not part of this installation (dashboard/app.py is missing)")
    return url


def serve_dashboard(database_url: str, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> int:
    """Serve the dashboard until it is stopped; returns Streamlit's exit code (POSIX: never returns,
    the process becomes Streamlit)."""
    app = dashboard_app()
    if app is None:
        raise ConfigError("the dashboard is not part of this installation (dashboard/app.py is missing)")
    cmd = streamlit_command(app, host=host, port=port)
    env = dashboard_env(database_url)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)
    try:   # pragma: no cover - Windows
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:   # pragma: no cover
        return 0
