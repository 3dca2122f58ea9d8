"""Orchestration only: fetch -> parse -> normalise -> tag -> dedup keys -> store, one source at a time.

Deciding is done by pure functions (`prepare` and the stage modules); this module only calls them in
order and writes each source's outcome in ONE transaction (items, copies, run record, fetch state),
so a run killed midway leaves no half-written source and a re-run picks up where it stopped.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from ingest import offload
from ingest.collect import Collected, DbLookup, collect_all
from ingest.fetch import FetchSettings, next_state, should_fetch
from ingest.prepare import (Normalised, Prepared, Tagger, classify_parse_error, each, finish,
                            normalise_feed, prepare)
from ingest.types import FailureClass, FetchResult, FetchState, ItemIntent, Source, SourceResult
from ingest.wording import counted

__all__ = ["RunSummary", "run_ingest", "default_tagger", "prepare", "each", "finish",
           "normalise_feed", "classify_parse_error", "Normalised", "Prepared", "Tagger"]

@dataclass
class RunSummary:
    run_id: int
    status: str
    results: list[SourceResult] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(r, attr) for r in self.results)

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == "failed"]


def default_tagger() -> tuple[Tagger, str]:
    from ingest.tag import engine

    return engine.tag_batch, engine.TAGGER_VERSION


def run_ingest(
    session_factory,
    sources: Sequence[Source],
    *,
    settings: FetchSettings | None = None,
    tagging: bool = True,
    force: bool = False,
    on_start: Callable[[list[Source]], None] | None = None,
    on_result: Callable[[SourceResult], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    rollup_zones: Sequence[str] = (),
) -> RunSummary:
    """Ingest the given sources once. One broken source never stops the run. At the end the
    read-side rollups take in the new items: every zone already built, plus `rollup_zones`."""
    from db import store

    settings = settings or FetchSettings()
    settings = replace(settings, workers=offload.resolve(settings.workers, tagging))
    tagger, version = default_tagger() if tagging else (None, None)
    with session_factory() as session:
        store.mark_interrupted_runs(session)
        store.sync_sources(session, sources)
        run_id = store.start_run(session, version)
        states = {s.id: store.load_fetch_state(session, s.id) for s in sources}
        session.commit()

    summary = RunSummary(run_id=run_id, status="running")
    started = now()
    jobs: list[tuple[Source, FetchState]] = []
    for s in sources:
        if not s.enabled:
            continue
        if should_fetch(states[s.id], started, force=force):
            jobs.append((s, states[s.id]))
        else:
            res = SourceResult(source_id=s.id, status="skipped",
                               error=f"backing off until {states[s.id].next_attempt_at:%Y-%m-%d %H:%M} UTC "
                                     f"after {counted(states[s.id].consecutive_failures, 'failure')}")
            _write_result(session_factory, run_id, s, states[s.id], None, res, (), now())
            summary.results.append(res)
            if on_result:
                on_result(res)
    if on_start:
        on_start([s for s, _ in jobs])
    by_id = {s.id: s for s, _ in jobs}

    for got in collect_all(jobs, settings, lookup=DbLookup(session_factory), tagger=tagger):
        source = by_id[got.source.id]
        t0 = time.perf_counter()
        res, intents = _process(got, tagger)
        res = _write_result(session_factory, run_id, source, states[source.id], got, res, intents, now())
        res = replace(res, elapsed_ms=got.elapsed_ms + int((time.perf_counter() - t0) * 1000))
        summary.results.append(res)
        if on_result:
            on_result(res)

    failed = len(summary.failed)
    attempted = len([r for r in summary.results if r.status != "skipped"])
    if attempted == 0 and summary.results:      # every enabled source is backing off: nothing asked
        summary.status = "skipped"
    else:
        summary.status = "ok" if failed == 0 else ("failed" if failed == attempted else "partial")
    with session_factory() as session:
        store.finish_run(session, run_id, summary.status)
        session.commit()
        store.refresh_rollups(session, rollup_zones)
        session.commit()
    return summary


def _process(got: Collected, tagger: Tagger | None) -> tuple[SourceResult, tuple[ItemIntent, ...]]:
    source, fres = got.source, got.fetch
    base = dict(source_id=source.id, http_status=fres.http_status, elapsed_ms=got.elapsed_ms,
                pages=got.pages)
    if got.norm is None and got.prepared is None:
        if fres.status == "not_modified" and got.error_class is None:
            return SourceResult(status="not_modified", **base), ()
        return SourceResult(status="failed", error_class=got.error_class, error=got.error,
                            warnings=got.warnings, **base), ()
    prep = got.prepared if got.prepared is not None else finish(source, got.norm, tagger)
    warnings = got.warnings + prep.warnings
    # Non-fatal problems (recovered malformed XML, repaired encoding, a bad entry, an API page
    # that failed after others were read) are kept in the run record's error text so nothing
    # goes unnoticed; the source still counts as ok. A feed that parsed but lists no entries (a
    # news search with no hit today) is ok with an `empty` warning, as an API search with no
    # result is ok: backing it off would miss the first hits; `stale` takes over after stale_days.
    error_class = got.error_class
    if prep.fetched == 0 and source.kind == "rss" and error_class is None:
        error_class, warnings = FailureClass.EMPTY, ("feed has no entries", *warnings)
    note = "; ".join(([got.error] if got.error else []) + list(warnings))[:1000] or None
    return SourceResult(status="ok", fetched=prep.fetched, irrelevant=prep.irrelevant,
                        invalid=prep.invalid, spam=prep.spam, warnings=warnings, error=note,
                        error_class=error_class, **base), prep.intents


def _write_result(session_factory, run_id: int, source: Source, state: FetchState,
                  got: Collected | None, res: SourceResult, intents: Iterable[ItemIntent],
                  now: datetime) -> SourceResult:
    """One transaction per source: items + copies + clusters + pages fetched + run record +
    fetch state and cursor, or nothing."""
    from db import social, store

    intents = tuple(intents)
    with session_factory() as session:
        try:
            if intents:
                counts = store.store_intents(session, run_id, source.id, intents, now)
                res = replace(res, new=counts.new, duplicate=counts.duplicate,
                              refreshed=counts.refreshed, updated=counts.updated)
            if got is not None:
                social.record_pages(session, got.new_pages, now)
                fres = got.fetch
                res = _maybe_stale(session, source, res, now)
                new_state = replace(_state_after(state, fres, res, now), cursor=got.cursor)
                store.save_fetch_state(session, source.id, new_state,
                                       fetched_at=fres.fetched_at or now, ok=res.status != "failed",
                                       error_class=res.error_class, error=res.error, new_items=res.new)
            store.record_source_result(session, run_id, res)
            session.commit()
        except Exception:
            session.rollback()
            raise
    return res


def _state_after(state: FetchState, fres: FetchResult, res: SourceResult, now: datetime) -> FetchState:
    """Fetch state after this source's outcome. A feed fetched fine but unusable (parse, decode,
    empty) counts as a failure: it backs off and keeps its old validators, so it is refetched."""
    if res.status == "failed" and fres.status == "ok":
        fres = replace(fres, status="error", error_class=res.error_class, error=res.error)
    return next_state(state, fres, now)


def _maybe_stale(session, source: Source, res: SourceResult, now: datetime) -> SourceResult:
    """A source that works but brought nothing new for `stale_days` gets a STALE warning (in place
    of an empty feed's `empty` one: the longer story)."""
    from db import store

    if res.status not in ("ok", "not_modified") or res.new or \
            res.error_class not in (None, FailureClass.EMPTY):
        return res
    last = store.last_new_item_at(session, source.id)
    if last is not None and now - last > timedelta(days=source.stale_days):
        days = (now - last).days
        return replace(res, error_class=FailureClass.STALE,
                       error=f"no new item for {days} days (stale_days={source.stale_days})")
    return res
