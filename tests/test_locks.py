"""db.locks: one holder at a time, across threads and processes, on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from db import models as m
from db.engine import make_engine
from db.locks import DbLock, LockBusy, holder, named_lock, utcnow

ROOT = Path(__file__).resolve().parent.parent

HOLD_SCRIPT = """
import sys, time
from db.engine import make_engine
from db.locks import DbLock
lock = DbLock(make_engine(sys.argv[1]), "ingest", lease=float(sys.argv[2]), owner="child-holder")
lock.acquire(5)
print("held", flush=True)
time.sleep(120)
"""


def test_second_taker_is_refused_with_the_holder_named_then_gets_it_after_release(engine):
    first = DbLock(engine, "ingest", owner="host-a:1:x")
    second = DbLock(engine, "ingest", owner="host-b:2:y")
    first.acquire()
    try:
        assert second.try_acquire() is False
        with pytest.raises(LockBusy) as info:
            second.acquire(wait=0)
        line = info.value.one_line()
        assert line.startswith("another ingest is running (held by host-a:1:x since ")
        assert info.value.exit_code == 5
    finally:
        first.release()
    second.acquire()
    second.release()
    assert holder(engine, "ingest") is None   # released locks leave no row behind


def test_different_names_do_not_block_each_other(engine):
    with named_lock(engine, "ingest"), named_lock(engine, "digest"):
        pass


def test_a_waiter_gets_the_lock_when_the_holder_releases_within_the_wait(engine):
    first = DbLock(engine, "digest")
    first.acquire()
    timer = threading.Timer(0.6, first.release)
    timer.start()
    started = time.monotonic()
    try:
        with named_lock(engine, "digest", wait=10):
            waited = time.monotonic() - started
    finally:
        timer.join()
    assert 0.4 < waited < 5


def test_waiting_runs_out_with_the_time_waited_in_the_message(engine):
    with named_lock(engine, "ingest", owner="me:1:a"):
        started = time.monotonic()
        with pytest.raises(LockBusy, match=r"held by me:1:a .*after waiting 1s"):
            DbLock(engine, "ingest").acquire(wait=1.0, poll=0.2)
        assert time.monotonic() - started >= 1.0


def test_a_held_lock_outlives_its_lease_because_it_is_renewed(engine):
    with named_lock(engine, "ingest", lease=0.6) as lock:
        time.sleep(1.5)
        assert DbLock(engine, "ingest").try_acquire() is False
        assert not lock.lost


@pytest.fixture
def sqlite_engine(_sqlite_template, tmp_path):
    """SQLite only: PostgreSQL's advisory locks die with their connection, there is no lease."""
    path = tmp_path / "locks.db"
    shutil.copyfile(_sqlite_template, path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()


def test_sqlite_takes_over_a_lease_left_by_a_dead_holder(sqlite_engine):
    engine = sqlite_engine
    past = utcnow() - timedelta(minutes=5)
    with engine.begin() as conn:
        conn.execute(insert(m.Lock).values(name="ingest", owner="dead:1:z", acquired_at=past,
                                           expires_at=past + timedelta(seconds=60)))
    with named_lock(engine, "ingest", owner="alive:2:q"):
        with engine.connect() as conn:
            assert conn.execute(select(m.Lock.owner)).scalar() == "alive:2:q"


def test_another_process_holding_the_lock_blocks_us_until_it_dies(engine, db_url):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", HOLD_SCRIPT, db_url, "1.0"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held", child.stderr.read()
        with pytest.raises(LockBusy, match="held by child-holder"):
            DbLock(engine, "ingest").acquire(wait=1.5, poll=0.2)   # renewed lease outlives 1 s
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    # PostgreSQL frees the advisory lock with the dead connection; SQLite after the 1 s lease.
    with named_lock(engine, "ingest", wait=10, owner="after-death"):
        assert holder(engine, "ingest").owner == "after-death"
