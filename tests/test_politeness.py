"""ingest.politeness: per-host spacing shared by every fetch of a run."""
from __future__ import annotations

import threading
import time

from ingest.politeness import HostLimiter, host_of


class Clock:
    """A clock that only moves when someone sleeps (the limiter's waits are its only motion)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.slept.append(round(s, 3))
        self.now += s


def test_requests_to_one_host_are_spaced_and_other_hosts_are_not_held_up():
    c = Clock()
    lim = HostLimiter(clock=c.time, sleep=c.sleep)
    for _ in range(3):
        lim.wait("https://hn.example/a", 1.0)
    lim.wait("https://other.example/b", 1.0)
    assert c.slept == [1.0, 1.0]                 # the third request waited two slots in all
    assert host_of("https://HN.example:8443/x") == "hn.example:8443"


def test_a_retry_after_holds_back_the_whole_host():
    c = Clock()
    lim = HostLimiter(clock=c.time, sleep=c.sleep)
    lim.defer("https://reddit.example/r/a.json", 30)
    assert lim.wait("https://reddit.example/r/b.json", 0.0) == 30.0   # another source, same host
    assert lim.wait("https://elsewhere.example/", 0.0) == 0.0


def test_a_block_fails_the_host_for_its_length_and_spares_other_hosts():
    c = Clock()
    lim = HostLimiter(clock=c.time, sleep=c.sleep)
    assert lim.blocked_for("https://bsky.example/a") == 0.0
    lim.block("https://bsky.example/a", 3600)
    assert lim.blocked_for("https://bsky.example/b") == 3600.0     # another source, same host
    assert lim.blocked_for("https://elsewhere.example/") == 0.0
    c.now += 3600
    assert lim.blocked_for("https://bsky.example/b") == 0.0
    assert c.slept == []                                            # nobody slept through it


def test_threads_share_the_slots():
    """Four threads asking one host at once get slots 0.1 s apart and none goes before its slot.
    The slots are read from the limiter (its clock under its lock), not from when each thread
    got to record its arrival: a loaded machine may run a released thread late, never early."""
    seen = threading.local()

    def clock() -> float:
        seen.now = time.monotonic()
        return seen.now

    lim = HostLimiter(clock=clock)
    slots: list[float] = []
    early: list[float] = []
    lock = threading.Lock()

    def go() -> None:
        delay = lim.wait("http://127.0.0.1:9/x", 0.1)
        slot = seen.now + delay
        left = slot - time.monotonic()
        with lock:
            slots.append(slot)
            if left > 0.005:
                early.append(left)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slots.sort()
    assert len(slots) == 4
    assert all(abs((b - a) - 0.1) < 1e-6 for a, b in zip(slots, slots[1:])), slots
    assert not early, f"threads released before their slot by {early} s"
