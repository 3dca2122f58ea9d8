"""The CPU-bound half of collecting a source, in worker processes beside the store.

Parsing a feed, normalising its entries, tagging them and computing their cluster signatures are
pure Python work; so is storing (dedup, clusters, the database driver). In threads they share one
interpreter lock and so one core. With `workers` > 0 the pure half runs in that many spawned
processes while the main thread stores the source before: the same pure functions, their results
pickled back. The pool lives as long as the process, so the scheduler (or a test session) pays
the start-up (imports, the tagger's dictionaries) once.

A worker that dies (out of memory, a crash inside a C library) loses nothing else: its call runs
again, alone in a new process, and the caller gets a warning to report; the next calls go to a new
pool. A call that kills that process too raises WorkerLost: its input is the cause, and running it
in the caller's process could bring that down as well.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
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


def _watch_parent(parent: int) -> None:
    """In each worker, at start: exit once the process that started it is gone. A parent killed
    outright never shuts its pool down, and the workers would otherwise wait for work for ever."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="aigcwatch-parent-watch", daemon=True).start()


def _new_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the caller has threads (fetching) and open database connections
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_watch_parent, initargs=(os.getpid(),))


def _shared(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:      # other callers' queued work still runs to its end
                _pool.shutdown(wait=False)
            _pool = _new_pool(workers)
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


class WorkerLost(RuntimeError):
    """A call's worker process died twice, the second time alone in a process of its own: the
    call's input itself kills it (out of memory, a crash inside a C library), so it is given up
    rather than run in the caller's process, which it could bring down as well."""


def _reason(error: BaseException | None) -> str:
    return (" ".join(str(error).split())[:120] or type(error).__name__) if error else "?"


def _alone(fn: Callable[..., T], args: tuple, first: BaseException | None) -> T:
    """fn(*args) in a one-off worker process of its own (after its first worker died)."""
    with _new_pool(1) as one:
        try:
            return one.submit(fn, *args).result()
        except BrokenProcessPool:
            raise WorkerLost(f"worker process lost twice ({_reason(first)}); a script that asks for "
                             f"workers needs an `if __name__ == \"__main__\":` guard") from None


def _lost(pool: ProcessPoolExecutor, error: BaseException, fn: Callable[..., T],
          args: tuple) -> tuple[T, str]:
    """A call whose worker died (or whose pool went away): again, alone in a new process."""
    _discard(pool)
    return _alone(fn, args, error), f"worker process lost ({_reason(error)}); done again in a new one"


def call(workers: int, fn: Callable[..., T], *args) -> tuple[T, str | None]:
    """fn(*args) in a worker process when `workers` > 0, else in this thread: (result, warning).
    `fn` and its arguments must pickle (module-level functions, plain data); what `fn` raises is
    raised here. A worker that dies costs one retry in a process of its own (the warning says
    so); a call that kills that one too raises WorkerLost."""
    if workers <= 0:
        return fn(*args), None
    pool = _shared(workers)
    try:
        future = pool.submit(fn, *args)
    except (BrokenProcessPool, RuntimeError) as e:    # broken, or shut down by another thread
        return _lost(pool, e, fn, args)
    try:
        return future.result(), None
    except (BrokenProcessPool, CancelledError) as e:
        return _lost(pool, e, fn, args)


def ordered(workers: int, fn: Callable[..., T], calls: Iterable[tuple], window: int = 0) -> Iterator[T]:
    """fn(*args) for every args of `calls`, yielded in order. With `workers` > 0 up to `window`
    calls (default twice the workers) run at once in the pool while the caller consumes the
    earlier results. A call whose worker dies runs again alone in a new process (WorkerLost if
    it dies there too); the calls after it go on in a new pool."""
    calls = iter(calls)
    if workers <= 0:
        for args in calls:
            yield fn(*args)
        return
    pending: deque[tuple[tuple, Future | None, ProcessPoolExecutor | None]] = deque()

    def top_up() -> None:
        while len(pending) < (window or 2 * workers):
            args = next(calls, None)
            if args is None:
                return
            pool = _shared(workers)
            try:
                pending.append((args, pool.submit(fn, *args), pool))
            except (BrokenProcessPool, RuntimeError):
                _discard(pool)
                pending.append((args, None, None))     # runs alone when its turn comes

    try:
        top_up()
        while pending:
            args, future, pool = pending.popleft()
            if future is None:
                value = _alone(fn, args, None)
            else:
                try:
                    value = future.result()
                except (BrokenProcessPool, CancelledError) as e:
                    _discard(pool)                       # the next calls go to a new pool
                    value = _alone(fn, args, e)
            yield value
            top_up()
    finally:                        # the caller stopped early: drop what has not started
        for _, future, _ in pending:
            if future is not None:
                future.cancel()
