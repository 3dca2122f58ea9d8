"""The CPU-bound half of collecting a source, in worker processes beside the store.

Parsing a feed, normalising its entries, tagging them and computing their cluster signatures are
pure Python work; so is storing (dedup, clusters, the database driver). In threads they share one
interpreter lock and so one core. With `workers` > 0 the pure half runs in that many spawned
processes while the main thread stores the source before: the same pure functions, their results
pickled back. The pool lives as long as the process, so the scheduler (or a test session) pays
the start-up (imports, the tagger's dictionaries) once.

A worker that dies (out of memory, a crash inside a C library) loses nothing: the call runs again
in the calling thread, the caller gets a warning to report, and the next call starts a new pool.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")

MAX_AUTO_WORKERS = 4

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


AUTO = -1                 # a workers setting of "auto": decided per run by `resolve`


def auto_workers(cpus: int | None = None, tagging: bool = True) -> int:
    """Workers for `auto`, at most MAX_AUTO_WORKERS: as many as the CPUs when items are tagged
    (tagging is the costliest stage; the storing main process mostly waits), one fewer when they
    are not (then storing keeps a CPU busy); 0 (everything in one process) on a single CPU."""
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    if cpus <= 1:
        return 0
    return min(cpus if tagging else cpus - 1, MAX_AUTO_WORKERS)


def resolve(workers: int, tagging: bool = True) -> int:
    """A workers setting for one run: AUTO becomes auto_workers(tagging=...)."""
    return auto_workers(tagging=tagging) if workers == AUTO else workers


def parse_workers(value: str | int | None) -> int:
    """A workers setting: "auto" (or empty: AUTO) or a whole number >= 0. ValueError names the value."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        return AUTO
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"workers must be 'auto' or a whole number >= 0, not {value!r}")
    return int(text)


def _shared(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:      # other callers' queued work still runs to its end
                _pool.shutdown(wait=False)
            # spawn, not fork: the caller has threads (fetching) and open database connections
            _pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            _pool_size = workers
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    """Forget a broken pool (the next call starts a new one)."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False)


def shutdown() -> None:
    """Stop the shared pool (it also stops at interpreter exit)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def call(workers: int, fn: Callable[..., T], *args) -> tuple[T, str | None]:
    """fn(*args) in a worker process when `workers` > 0, else in this thread: (result, warning).
    `fn` and its arguments must pickle (module-level functions, plain data); what `fn` raises is
    raised here. The warning is set only when a worker died and the call ran here instead."""
    if workers <= 0:
        return fn(*args), None
    pool = _shared(workers)
    try:
        future = pool.submit(fn, *args)
    except (BrokenProcessPool, RuntimeError) as e:    # broken, or shut down by another thread
        return _here(pool, e, fn, args)
    try:
        return future.result(), None
    except (BrokenProcessPool, CancelledError) as e:
        return _here(pool, e, fn, args)


def _here(pool: ProcessPoolExecutor, error: BaseException, fn: Callable[..., T],
          args: tuple) -> tuple[T, str | None]:
    _discard(pool)
    reason = " ".join(str(error).split())[:120] or type(error).__name__
    return fn(*args), f"worker process lost ({reason}); prepared in the main process instead"


def ordered(workers: int, fn: Callable[..., T], calls: Iterable[tuple], window: int = 0) -> Iterator[T]:
    """fn(*args) for every args of `calls`, yielded in order. With `workers` > 0 up to `window`
    calls (default twice the workers) run at once in the pool while the caller consumes the
    earlier results; if a worker dies, that call and every later one run here instead."""
    calls = iter(calls)
    if workers <= 0:
        for args in calls:
            yield fn(*args)
        return
    pool: ProcessPoolExecutor | None = _shared(workers)
    pending: deque[tuple[tuple, Future | None]] = deque()

    def top_up() -> None:
        nonlocal pool
        while pool is not None and len(pending) < (window or 2 * workers):
            args = next(calls, None)
            if args is None:
                return
            try:
                pending.append((args, pool.submit(fn, *args)))
            except (BrokenProcessPool, RuntimeError):
                _discard(pool)
                pool = None
                pending.append((args, None))

    try:
        top_up()
        while pending:
            args, future = pending.popleft()
            if future is None or pool is None:
                value = fn(*args)
            else:
                try:
                    value = future.result()
                except (BrokenProcessPool, CancelledError):
                    _discard(pool)
                    pool = None
                    value = fn(*args)
            yield value
            top_up()
        for args in calls:          # after a lost worker
            yield fn(*args)
    finally:                        # the caller stopped early: drop what has not started
        for _, future in pending:
            if future is not None:
                future.cancel()
