"""Per-host request spacing shared by every fetch of a run (feeds, API pages, article pages).

Each host has a next free slot; a request takes the slot and waits for it, so requests to one
host are at least `interval` seconds apart however many threads fetch, while other hosts go
on in parallel. A 429's Retry-After (or any "come back later") pushes the host's slot back, so
every source on that host waits, not only the one that was told; a Retry-After longer than a run
waits blocks the host instead: its other sources fail at once, rate limited, without asking.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit


def host_of(url: str) -> str:
    try:
        parts = urlsplit(url)
        return (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return ""


class HostLimiter:
    """Thread-safe per-host spacing. `clock` and `sleep` are injectable for tests."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._blocked: dict[str, float] = {}
        self._clock, self._sleep = clock, sleep

    def reserve(self, url: str, interval_s: float) -> float:
        """Take the host's next slot; returns how long to wait for it (seconds, >= 0)."""
        host = host_of(url)
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + max(0.0, interval_s)
            return slot - now

    def wait(self, url: str, interval_s: float) -> float:
        """Wait for the host's next slot (and keep the following one `interval_s` later)."""
        delay = self.reserve(url, interval_s)
        if delay > 0:
            self._sleep(delay)
        return delay

    def defer(self, url: str, seconds: float) -> None:
        """Nobody asks this host again for `seconds` (a 429's Retry-After)."""
        host = host_of(url)
        with self._lock:
            until = self._clock() + max(0.0, seconds)
            self._next[host] = max(self._next.get(host, 0.0), until)

    def block(self, url: str, seconds: float) -> None:
        """The host asked to be left alone for longer than a run waits (a long Retry-After):
        its other sources fail at once for `seconds` (see blocked_for) instead of asking."""
        host = host_of(url)
        with self._lock:
            until = self._clock() + max(0.0, seconds)
            self._blocked[host] = max(self._blocked.get(host, 0.0), until)

    def blocked_for(self, url: str) -> float:
        """Seconds left of the host's block (0.0: not blocked)."""
        host = host_of(url)
        with self._lock:
            return max(0.0, self._blocked.get(host, 0.0) - self._clock())
