"""Loopback helpers for tests that start real servers: a free port, and waiting for a Streamlit
process to answer its health check."""
from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_streamlit(proc: subprocess.Popen, base: str, log: Path, seconds: float = 120) -> None:
    """Return once `base`/_stcore/health answers "ok"; fail the test, with the server's log, when
    the process exits first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the dashboard process exited with {proc.returncode}:\n"
                        f"{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the dashboard did not answer on {base} within {seconds:g} s:\n"
                        f"{log.read_text(errors='replace')}")
        time.sleep(0.25)
