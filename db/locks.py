"""Named locks shared by every process (and machine) using the same database.

`ingest`, the scheduler's jobs and the digest take one before they run, so two of them never
overlap, wherever they were started.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held on a connection of its
  own; the server drops it when that connection dies, so a killed holder never leaves it stuck.
  The holder is also written to the `locks` table, only to name it in messages.
- SQLite (and any other backend): a row in `locks` with an owner and a lease. Taking the lock is
  one atomic statement (insert, or take over a row whose lease has run out); while the lock is
  held a thread renews the lease, so only a holder that died loses it, after at most `lease`.

Both are polled while waiting (`wait` seconds; 0 = try once). `LockBusy` names the holder.
"""
from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from aigcwatch.errors import AigcwatchError
from db import models as m

DEFAULT_LEASE_S = 60.0
POLL_S = 0.5


class LockBusy(AigcwatchError):
    """The lock is held by someone else (after waiting as long as asked)."""

    exit_code = 5

    def __init__(self, name: str, holder: Holder | None, waited: float) -> None:
        who = (f"held by {holder.owner} since {holder.acquired_at:%Y-%m-%d %H:%M:%S} UTC"
               if holder else "held by another process")
        after = f" after waiting {waited:.0f}s" if waited >= 0.5 else ""
        super().__init__(f"another {name} is running ({who}){after}")
        self.name, self.holder = name, holder


@dataclass(frozen=True, slots=True)
class Holder:
    owner: str
    acquired_at: datetime
    expires_at: datetime


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_owner() -> str:
    """host:pid:random — unique per lock object, readable in messages."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_advisory_lock` (the same in every process)."""
    digest = hashlib.blake2b(f"aigcwatch:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def holder(engine: Engine, name: str) -> Holder | None:
    """Who holds (or last held) the lock, from the `locks` table."""
    lk = m.Lock
    with engine.connect() as conn:
        row = conn.execute(select(lk.owner, lk.acquired_at, lk.expires_at)
                           .where(lk.name == name)).first()
    return Holder(row.owner, row.acquired_at, row.expires_at) if row else None


class DbLock:
    """One named lock; `acquire(wait)` then `release()`, or use `named_lock(...)`."""

    def __init__(self, engine: Engine, name: str, *, lease: float = DEFAULT_LEASE_S,
                 owner: str | None = None) -> None:
        if lease <= 0:
            raise ValueError("lease must be positive")
        self.engine, self.name, self.lease = engine, name, lease
        self.owner = owner or make_owner()
        self._pg = engine.dialect.name == "postgresql"
        self._conn: Connection | None = None          # PostgreSQL: holds the advisory lock
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self.held = False
        self.lost = False                              # SQLite: the lease was taken over

    # --- one attempt ---------------------------------------------------------------------------

    def try_acquire(self) -> bool:
        if self.held:
            raise RuntimeError(f"lock {self.name!r} is already held by this object")
        ok = self._try_pg() if self._pg else self._try_row()
        if ok:
            self.held, self.lost = True, False
            if not self._pg:
                self._start_renewer()
        return ok

    def _try_pg(self) -> bool:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                               {"k": advisory_key(self.name)}).scalar()
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        now = utcnow()
        values = {"name": self.name, "owner": self.owner, "acquired_at": now,
                  "expires_at": now + timedelta(seconds=self.lease)}
        stmt = pg_insert(m.Lock).values(**values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_=values))
        return True

    def _try_row(self) -> bool:
        now = utcnow()
        expires = now + timedelta(seconds=self.lease)
        values = {"owner": self.owner, "acquired_at": now, "expires_at": expires}
        with self.engine.begin() as conn:
            # Each statement is atomic on its own: take over an expired lease, else insert.
            taken = conn.execute(
                update(m.Lock).where(m.Lock.name == self.name, m.Lock.expires_at < now)
                .values(**values)).rowcount
            if taken:
                return True
            if conn.dialect.name == "sqlite":
                stmt = sqlite_insert(m.Lock).values(name=self.name, **values).on_conflict_do_nothing()
            else:
                stmt = pg_insert(m.Lock).values(name=self.name, **values).on_conflict_do_nothing()
            return bool(conn.execute(stmt).rowcount)

    # --- lease renewal (SQLite) ----------------------------------------------------------------

    def _start_renewer(self) -> None:
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew_loop, name=f"lock-{self.name}",
                                         daemon=True)
        self._renewer.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                if not self.renew():
                    self.lost = True
                    return
            except SQLAlchemyError:
                continue   # database busy for a moment: the lease still has two thirds left

    def renew(self) -> bool:
        """Extend the lease; False when the row is no longer ours (the lease ran out and was taken)."""
        now = utcnow()
        with self.engine.begin() as conn:
            return bool(conn.execute(
                update(m.Lock).where(m.Lock.name == self.name, m.Lock.owner == self.owner)
                .values(expires_at=now + timedelta(seconds=self.lease))).rowcount)

    # --- waiting and releasing -----------------------------------------------------------------

    def acquire(self, wait: float = 0.0, *, poll: float = POLL_S) -> None:
        """Take the lock, waiting up to `wait` seconds; raises `LockBusy` naming the holder."""
        start = time.monotonic()
        while True:
            if self.try_acquire():
                return
            waited = time.monotonic() - start
            if waited >= wait:
                raise LockBusy(self.name, holder(self.engine, self.name), waited)
            time.sleep(min(poll, max(0.0, wait - waited)))

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        if self._pg:
            conn, self._conn = self._conn, None
            try:
                conn.execute(delete(m.Lock).where(m.Lock.name == self.name,
                                                  m.Lock.owner == self.owner))
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": advisory_key(self.name)})
            finally:
                conn.close()
            return
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        with self.engine.begin() as conn:
            conn.execute(delete(m.Lock).where(m.Lock.name == self.name, m.Lock.owner == self.owner))


@contextmanager
def named_lock(engine: Engine, name: str, *, wait: float = 0.0, lease: float = DEFAULT_LEASE_S,
               owner: str | None = None) -> Iterator[DbLock]:
    """Hold lock `name` for the block (see `DbLock.acquire` for `wait`)."""
    lock = DbLock(engine, name, lease=lease, owner=owner)
    lock.acquire(wait)
    try:
        yield lock
    finally:
        lock.release()
