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

from ingest import dedup
from ingest.fetch import FetchSettings, fetch_all, next_state, should_fetch
from ingest.normalize import Rejected, normalize_entry
from ingest.parse import parse_feed
from ingest.types import (FailureClass, FetchResult, FetchState, ItemIntent, Source, SourceResult,
                          Tags)

# Tags many items (title, text, lang) at once, in order; an item that fails gets its exception.
Tagger = Callable[[Sequence[tuple[str, str, str | None]]], Sequence["Tags | Exception"]]


def each(tag_one: Callable[[str, str, str | None], Tags]) -> Tagger:
    """A Tagger from a function that tags one item."""
    def tag_all(items: Sequence[tuple[str, str, str | None]]) -> list[Tags | Exception]:
        out: list[Tags | Exception] = []
        for title, text, lang in items:
            try:
                out.append(tag_one(title, text, lang))
            except Exception as e:  # noqa: BLE001 - reported per item
                out.append(e)
        return out
    return tag_all


@dataclass(frozen=True, slots=True)
class Prepared:
    """What one fetched feed yields before storage."""

    intents: tuple[ItemIntent, ...]
    fetched: int
    irrelevant: int
    invalid: int
    spam: int
    warnings: tuple[str, ...] = ()


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


def classify_parse_error(exc: Exception) -> FailureClass:
    """The class a parse-stage error carries (decode or parse); anything unexpected is parse."""
    cls = getattr(exc, "error_class", None)
    return cls if isinstance(cls, FailureClass) else FailureClass.PARSE


def prepare(source: Source, result: FetchResult, *, tagger: Tagger | None) -> Prepared:
    """Pure: parse, normalise, tag and key one fetched feed. Raises the parse module's errors."""
    fetched_at = result.fetched_at or datetime.now(timezone.utc)
    feed = parse_feed(source.id, result.body or b"", content_type=result.content_type,
                      base_url=result.final_url or source.url)
    intents: list[ItemIntent] = []
    warnings = list(feed.warnings)
    problems: list[tuple[int, str]] = []      # (entry number, warning), in entry order at the end
    irrelevant = invalid = spam = 0

    def problem(n: int, entry, e: Exception) -> None:
        problems.append((n, f"entry {n} ({(entry.link or entry.guid or '?')[:80]}): "
                            f"{type(e).__name__}: {' '.join(str(e).split())[:160]}"))

    # normalise every entry, then tag the good ones together (see engine.tag_batch)
    good: list[tuple[int, object, object]] = []
    for n, entry in enumerate(feed.entries, 1):
        try:
            item = normalize_entry(entry, source, fetched_at)
        except Exception as e:  # noqa: BLE001 - one bad entry never costs the feed's good ones
            invalid += 1
            problem(n, entry, e)
            continue
        if isinstance(item, Rejected):
            invalid += 1
            continue
        good.append((n, entry, item))
    tagged: Sequence[Tags | Exception | None] = (
        [None] * len(good) if tagger is None
        else tagger([(item.title, item.text, item.lang) for _, _, item in good]))
    for (n, entry, item), tags in zip(good, tagged):
        if isinstance(tags, Exception):
            invalid += 1
            problem(n, entry, tags)
            continue
        if tags is not None:
            if source.topical and not tags.relevant:
                tags = replace(tags, relevant=True)
            if not tags.relevant:
                irrelevant += 1
                continue
            spam += bool(tags.spam)
        intents.append(ItemIntent(item=item, keys=dedup.keys_for(item), tags=tags))
    warnings += [w for _, w in sorted(problems, key=lambda p: p[0])]
    return Prepared(tuple(intents), len(feed.entries), irrelevant, invalid, spam, tuple(warnings))


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
                                     f"after {states[s.id].consecutive_failures} failure(s)")
            _write_result(session_factory, run_id, s, states[s.id], None, res, (), now())
            summary.results.append(res)
            if on_result:
                on_result(res)
    if on_start:
        on_start([s for s, _ in jobs])
    by_id = {s.id: s for s, _ in jobs}

    for fres in fetch_all(jobs, settings):
        source = by_id[fres.source_id]
        t0 = time.perf_counter()
        res, intents = _process(source, fres, tagger)
        res = _write_result(session_factory, run_id, source, states[source.id], fres, res, intents, now())
        res = replace(res, elapsed_ms=fres.elapsed_ms + int((time.perf_counter() - t0) * 1000))
        summary.results.append(res)
        if on_result:
            on_result(res)

    failed = len(summary.failed)
    attempted = len([r for r in summary.results if r.status != "skipped"])
    summary.status = "ok" if failed == 0 else ("failed" if failed == attempted else "partial")
    with session_factory() as session:
        store.finish_run(session, run_id, summary.status)
        session.commit()
        store.refresh_rollups(session, rollup_zones)
        session.commit()
    return summary


def _process(source: Source, fres: FetchResult, tagger: Tagger | None) -> tuple[SourceResult, tuple[ItemIntent, ...]]:
    base = dict(source_id=source.id, http_status=fres.http_status, elapsed_ms=fres.elapsed_ms)
    if fres.status == "not_modified":
        return SourceResult(status="not_modified", **base), ()
    if fres.status != "ok":
        return SourceResult(status="failed", error_class=fres.error_class, error=fres.error, **base), ()
    try:
        prep = prepare(source, fres, tagger=tagger)
    except Exception as e:  # noqa: BLE001 - isolation: one broken feed never stops the run
        cls = classify_parse_error(e)
        msg = " ".join(str(e).split()) or type(e).__name__
        return SourceResult(status="failed", error_class=cls, error=msg, **base), ()
    if prep.fetched == 0:
        return SourceResult(status="failed", error_class=FailureClass.EMPTY,
                            error="feed has no entries", warnings=prep.warnings, **base), ()
    # Non-fatal problems (recovered malformed XML, repaired encoding, a bad entry) are kept in the
    # run record's error text so nothing goes unnoticed; the source still counts as ok.
    note = "; ".join(prep.warnings)[:1000] or None
    return SourceResult(status="ok", fetched=prep.fetched, irrelevant=prep.irrelevant,
                        invalid=prep.invalid, spam=prep.spam, warnings=prep.warnings, error=note,
                        **base), prep.intents


def _write_result(session_factory, run_id: int, source: Source, state: FetchState,
                  fres: FetchResult | None, res: SourceResult, intents: Iterable[ItemIntent],
                  now: datetime) -> SourceResult:
    """One transaction per source: items + copies + run record + fetch state, or nothing."""
    from db import store

    intents = tuple(intents)
    with session_factory() as session:
        try:
            if intents:
                counts = store.store_intents(session, run_id, source.id, intents, now)
                res = replace(res, new=counts.new, duplicate=counts.duplicate)
            if fres is not None:
                res = _maybe_stale(session, source, res, now)
                store.save_fetch_state(session, source.id, _state_after(state, fres, res, now),
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
    """A source that works but brought nothing new for `stale_days` gets a STALE warning."""
    from db import store

    if res.status not in ("ok", "not_modified") or res.new:
        return res
    last = store.last_new_item_at(session, source.id)
    if last is not None and now - last > timedelta(days=source.stale_days):
        days = (now - last).days
        return replace(res, error_class=FailureClass.STALE,
                       error=f"no new item for {days} days (stale_days={source.stale_days})")
    return res
