"""The fetch workers: everything one source needs from the network in one run, in its thread.

- `rss`: one conditional GET, parsed and normalised;
- API kinds: the page walk of `ingest.paging` (what is new since the saved cursor, a cap of
  pages, gaps remembered), normalised;
- `full_text = true`: each item's page (a post's shared link, an article's own URL) is fetched
  once ever (a passing failure is retried by later runs, `MAX_PAGE_ATTEMPTS` fetches in all) and
  its main text replaces the summary when extraction gives a real body; an item seen again takes
  its recorded page's text again (so its source's edits compare with what is stored).

Every request of the run goes through one `HostLimiter`, so requests to one host are spaced by
the source's `min_interval_s` (article pages by `FetchSettings.page_interval_s`) and a 429's
Retry-After holds back the whole host. With `FetchSettings.workers` > 0 the pure CPU work
(parse, normalise, tag, key, sign) runs in worker processes (ingest.offload) and the pipeline only
stores; otherwise tagging and keys happen in the pipeline.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Protocol

import httpx

from ingest import dedup, offload, paging
from ingest.connectors import CONNECTORS
from ingest.fetch import (ACCEPT, ACCEPT_HTML, ACCEPT_JSON, FetchSettings, fetch_one, run_pool,
                          unexpected_error)
from ingest.fulltext import PageText, about_item, choose_text, long_enough, page_text, retry_page
from ingest.lang import detect_lang, to_simplified
from ingest.normalize import LANG_SAMPLE_CHARS, MAX_TEXT_CHARS
from ingest.politeness import HostLimiter
from ingest.prepare import (Normalised, ParseFailure, Prepared, Tagger, finish, normalise_feed,
                            parse_normalise, prepare_fetched)
from ingest.types import FailureClass, FetchResult, FetchState, Item, ParsedFeed, Source
from ingest.wording import counted

MAX_FULL_TEXT = 40          # article pages per source per run; later items keep their summary
MAX_STALLED = 3             # pages in a row lost to timeouts or connection errors: no more this run
MAX_PAGE_ATTEMPTS = 3       # fetches of a page whose fetch failed for a passing reason, in all


@dataclass(frozen=True, slots=True)
class Collected:
    """One source's network outcome in one run."""

    source: Source
    fetch: FetchResult                      # the first request (status, validators, back-off)
    norm: Normalised | None = None          # None: nothing to store (failed or not modified)
    prepared: Prepared | None = None        # ... or already tagged, keyed and signed (workers)
    error_class: FailureClass | None = None  # why it failed, or what cut a partial read short
    error: str | None = None
    cursor: str | None = None               # the source's pagination state after this run
    pages: int = 0                          # requests made (feed / API pages, article pages)
    new_pages: tuple[PageText, ...] = ()    # article pages fetched now (the store records them)
    warnings: tuple[str, ...] = ()
    elapsed_ms: int = 0                     # network time for this source in this run


class Lookup(Protocol):
    """What the full-text stage asks the database (read only, from worker threads)."""

    def known(self, url_keys: Iterable[str],
              guid_keys: Iterable[str]) -> Mapping[str, tuple[str | None, str | None]]: ...
    def texts(self, guid_keys: Iterable[str]) -> Mapping[str, str | None]: ...
    def pages(self, urls: Iterable[str]) -> dict[str, PageText]: ...
    def versions(self, source_id: str,
                 url_keys: Iterable[str]) -> Mapping[str, tuple[str, str, bool]]: ...


class DbLookup:
    def __init__(self, session_factory) -> None:
        self._sf = session_factory

    def known(self, url_keys: Iterable[str],
              guid_keys: Iterable[str]) -> Mapping[str, tuple[str | None, str | None]]:
        from db import social

        with self._sf() as s:
            return social.known_keys(s, url_keys, guid_keys)

    def texts(self, guid_keys: Iterable[str]) -> Mapping[str, str | None]:
        from db import social

        with self._sf() as s:
            return social.guid_texts(s, guid_keys)

    def pages(self, urls: Iterable[str]) -> dict[str, PageText]:
        from db import social

        with self._sf() as s:
            return social.fetched_pages(s, urls)

    def versions(self, source_id: str,
                 url_keys: Iterable[str]) -> Mapping[str, tuple[str, str, bool]]:
        from db import social

        with self._sf() as s:
            return social.kept_versions(s, source_id, url_keys)


class _PageCache:
    """Pages fetched in this run, shared by the workers: a URL is fetched by one of them only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: dict[str, PageText] = {}
        self._busy: dict[str, threading.Event] = {}

    def get_or_fetch(self, url: str, fetch: Callable[[str], PageText]) -> tuple[PageText, bool]:
        """(the page, True when this call fetched it)."""
        with self._lock:
            if url in self._done:
                return self._done[url], False
            event = self._busy.get(url)
            mine = event is None
            if mine:
                event = self._busy[url] = threading.Event()
        if not mine:
            event.wait()
            return self._done[url], False
        page = PageText(url, None, None, FailureClass.NETWORK.value, "fetch did not finish")
        try:
            page = fetch(url)
        finally:
            with self._lock:
                self._done[url] = page
                self._busy.pop(url).set()
        return page, True


def target_url(item: Item) -> str | None:
    """The page whose text completes an item: a post's shared link, an article's own page.
    Comments and posts without a link are complete already."""
    if item.kind == "comment":
        return None
    if item.kind == "post":
        return item.shared_url
    return item.url


def with_full_text(item: Item, text: str) -> Item:
    text = text[:MAX_TEXT_CHARS]
    return replace(item, text=text, text_simplified=to_simplified(text), full_text=True,
                   lang=detect_lang(f"{item.title}\n{text[:LANG_SAMPLE_CHARS]}"))


class Collector:
    def __init__(self, settings: FetchSettings, lookup: Lookup | None,
                 limiter: HostLimiter | None = None, now: datetime | None = None,
                 tagger: Tagger | None = None) -> None:
        self.settings, self.lookup, self.now = settings, lookup, now
        self.tagger = tagger            # used here only with workers; else the pipeline tags
        self.limiter = limiter or HostLimiter()
        self._cache = _PageCache()

    # -- one source ------------------------------------------------------------------------
    def collect(self, source: Source, state: FetchState, client: httpx.Client) -> Collected:
        try:
            return self._collect(source, state, client)
        except offload.WorkerLost as e:       # this source's items kill their worker: give it up
            res = unexpected_error(source, e, self.now)
            return Collected(source=source, fetch=res, error_class=FailureClass.PARSE,
                             error=f"{source.id}: {e}", cursor=state.cursor)

    def _collect(self, source: Source, state: FetchState, client: httpx.Client) -> Collected:
        t0 = time.monotonic()
        got = self._api(source, state, client) if source.kind in CONNECTORS \
            else self._rss(source, state, client)
        if got.norm is not None and self._full_text(source):
            norm, pages, requests, warnings = self._enrich(source, got.norm, client)
            got = replace(got, norm=norm, new_pages=pages, pages=got.pages + requests,
                          warnings=got.warnings + warnings)
        elif got.norm is not None and self._settling():
            urls = [dedup.url_key(i.url) for _, _, i in got.norm.good]   # the one key asked for
            got = replace(got, norm=replace(got.norm, settled=self._settled(
                source, got.norm, urls, range(len(urls)))))
        if got.norm is not None and self.settings.workers > 0:
            prepared, note = offload.call(self.settings.workers, finish, source, got.norm, self.tagger)
            got = replace(got, norm=None, prepared=prepared, warnings=got.warnings + _notes(note))
        elif got.norm is not None:
            got = replace(got, norm=got.norm.signed())
        return replace(got, elapsed_ms=int((time.monotonic() - t0) * 1000))

    def _full_text(self, source: Source) -> bool:
        return source.full_text and self.lookup is not None

    def _settling(self) -> bool:
        """Items are tagged and the store can be asked which of them it holds as they are."""
        return self.tagger is not None and self.lookup is not None

    def _versions(self, source: Source, urls: Sequence[str | None],
                  positions: Iterable[int]) -> Mapping[str, tuple[str, str, bool]]:
        """The stored title, text and spam flag of the source's items at `positions` (their URL
        keys `urls`), by URL key."""
        wanted = {urls[n] for n in positions if urls[n]}
        return self.lookup.versions(source.id, wanted) if wanted else {}

    def _settled(self, source: Source, norm: Normalised, urls: Sequence[str | None],
                 positions: Iterable[int],
                 versions: Mapping[str, tuple[str, str, bool]] | None = None) -> dict[int, bool]:
        """The items at `positions` the source's stored items hold with this title and text (by
        URL key), each with its stored spam flag: plain duplicates, not tagged again."""
        positions = [n for n in positions if urls[n]]
        if versions is None:
            versions = self._versions(source, urls, positions)
        return {n: v[2] for n in positions
                if (v := versions.get(urls[n])) is not None
                and v[:2] == (norm.good[n][2].title, norm.good[n][2].text)}

    def _get(self, source: Source, state: FetchState, client: httpx.Client,
             accept: str) -> FetchResult:
        return fetch_one(source, state, self.settings, client=client, now=self.now,
                         limiter=self.limiter, accept=accept)

    def _rss(self, source: Source, state: FetchState, client: httpx.Client) -> Collected:
        res = self._get(source, state, client, ACCEPT)
        base = Collected(source=source, fetch=res, cursor=state.cursor, pages=1)
        if res.status == "not_modified":
            return base
        if not res.ok:
            return replace(base, error_class=res.error_class, error=res.error)
        args = (source, res.body or b"", res.content_type, res.final_url or source.url, _when(res))
        # Parsed and tagged in one worker call, unless the store is asked first which entries it
        # holds already as they are (those are not tagged again): then tagged by a second call.
        if self.settings.workers > 0 and not self._full_text(source) and not self._settling():
            out, note = offload.call(self.settings.workers, prepare_fetched, *args, self.tagger)
        else:
            out, note = offload.call(self.settings.workers, parse_normalise, *args)
        # the body is read: results wait in source order, so they should not hold it
        base = replace(base, fetch=replace(res, body=None), warnings=_notes(note))
        if isinstance(out, ParseFailure):
            return replace(base, error_class=out.error_class, error=out.error)
        if isinstance(out, Prepared):
            return replace(base, prepared=out)
        return replace(base, norm=out)

    def _api(self, source: Source, state: FetchState, client: httpx.Client) -> Collected:
        conn = CONNECTORS[source.kind]

        def fetch(url: str) -> FetchResult:
            return self._get(replace(source, url=url), FetchState(), client, ACCEPT_JSON)

        w = paging.walk(conn, source, paging.Cursor.from_json(state.cursor), fetch)
        base = Collected(source=source, fetch=replace(w.first, body=None), cursor=w.cursor.to_json(),
                         pages=w.pages, error_class=w.error_class, error=w.error, warnings=w.warnings)
        if w.failed:
            return replace(base, cursor=state.cursor)
        feed = ParsedFeed(source_id=source.id, entries=w.entries, encoding="utf-8")
        return replace(base, norm=normalise_feed(source, feed, _when(w.first)))

    # -- full text -------------------------------------------------------------------------
    def _enrich(self, source: Source, norm: Normalised,
                client: httpx.Client) -> tuple[Normalised, tuple[PageText, ...], int, tuple[str, ...]]:
        items = [item for _, _, item in norm.good]
        keys = [dedup.keys_for(i, norm.shared) for i in items]
        known = self.lookup.known([k.url_key for k in keys if k.url_key],
                                  [k.guid_key for k in keys if k.guid_key])
        # Every item's page, fetched once ever (a passing failure: up to MAX_PAGE_ATTEMPTS times,
        # by later runs; a page this run left out for its cap or a stalled host: by a later one).
        # An item seen before takes its recorded page's text again, so that it compares with
        # what is stored: a corrected headline is then an edit, not the feed's summary.
        # An item known by its GUID under another link keeps its stored text unless db.store
        # will take it for another story (dedup.reused_guid on the same texts and titles: the
        # stored one's and the feed's): the old entry moved gets no page, a new story under a
        # reused GUID gets its page now.
        moved = {k.guid_key for k in keys
                 if k.guid_key in known and k.url_key not in known
                 and known[k.guid_key][0] not in (None, k.url_key)}
        stored_texts = self.lookup.texts(moved) if moved else {}
        wanted: dict[int, str] = {}
        seen: set[int] = set()
        for n, (item, k) in enumerate(zip(items, keys)):
            url = target_url(item)
            holder = known.get(k.guid_key) if k.guid_key else None
            if k.url_key not in known and holder is not None and not dedup.reused_guid(
                    holder[0], holder[1], dedup.text_signature(stored_texts.get(k.guid_key) or ""),
                    item, dedup.text_signature(item.text or "")):
                continue
            if url:
                wanted[n] = url
                if k.url_key in known:
                    seen.add(n)
        stored = self.lookup.pages(set(wanted.values())) if wanted else {}
        urls = [k.url_key for k in keys]
        versions = self._versions(source, urls, seen)
        fetched: list[PageText] = []
        requests = skipped = kept = elsewhere = stalled = given_up = 0
        # new items first: retries never take the run's page budget from them
        for n, url in sorted(wanted.items(), key=lambda nu: nu[0] in seen):
            page = stored.get(url)
            fetch = page is None or retry_page(page, MAX_PAGE_ATTEMPTS)
            if n in seen and not fetch:
                # a page the stored item took is its text again, whatever its headline says now
                # (rewritten until the page no longer counts as about it, it is still that item's)
                held = versions.get(keys[n].url_key)
                taken = page.text is not None and held is not None \
                    and held[1] == page.text[:MAX_TEXT_CHARS]
                text = page.text if taken else choose_text(items[n].text, page.text, items[n].title)
                if text is not None:
                    items[n] = with_full_text(items[n], text)
                continue
            if fetch:
                if requests >= MAX_FULL_TEXT:
                    skipped += 1
                    continue
                if stalled >= MAX_STALLED:      # a hanging host would hold the run for an hour
                    given_up += 1
                    continue
                tries = 1 if page is None else page.attempts + 1
                page, mine = self._cache.get_or_fetch(
                    url, lambda u: replace(self._page(source, u, client), attempts=tries))
                if mine:
                    requests += 1
                    fetched.append(page)
                    stalled = stalled + 1 if page.error_class == FailureClass.NETWORK.value else 0
            # choose_text's rule, with why a page was not taken (about_item is read once)
            text, item = page.text, items[n]
            about = bool(text) and about_item(text, item.title, item.text)
            if about and long_enough(item.text, text):
                items[n] = with_full_text(item, text)
            else:
                kept += 1
                elsewhere += bool(text) and not about
        warnings = []
        if kept > elsewhere:
            warnings.append(f"full text: {counted(kept - elsewhere, 'item')} kept their summary (page unusable)")
        if elsewhere:
            warnings.append(f"full text: {counted(elsewhere, 'item')} kept their summary (the page is not "
                            f"about the item: a consent, login or paywall page?)")
        if skipped:
            warnings.append(f"full text: {counted(skipped, 'page')} not fetched (more than {MAX_FULL_TEXT})")
        if given_up:
            warnings.append(f"full text: {counted(given_up, 'page')} not fetched (the {MAX_STALLED} before "
                            f"them timed out or could not connect)")
        # Items seen again exactly as stored (title and text, the page's included) are plain
        # duplicates: they are not tagged again (db.store writes nothing for them).
        norm = norm.with_items(items)
        return (replace(norm, settled=self._settled(source, norm, urls, seen, versions)),
                tuple(fetched), requests, tuple(warnings))

    def _page(self, source: Source, url: str, client: httpx.Client) -> PageText:
        page_source = replace(source, url=url, min_interval_s=self.settings.page_interval_s)
        res = self._get(page_source, FetchState(), client, ACCEPT_HTML)
        if not res.ok:
            cls = res.error_class.value if res.error_class else res.status
            return PageText(url, None, res.http_status, cls, res.error)
        # recorded under the address asked for (the one later items link), not where it led
        return replace(page_text(res.final_url or url, res.body or b"", res.content_type), url=url)


def _notes(note: str | None) -> tuple[str, ...]:
    return (note,) if note else ()


def _when(res: FetchResult) -> datetime:
    return res.fetched_at or datetime.now(timezone.utc)


def collect_all(jobs: Sequence[tuple[Source, FetchState]], settings: FetchSettings, *,
                lookup: Lookup | None = None, now: datetime | None = None,
                limiter: HostLimiter | None = None, tagger: Tagger | None = None) -> Iterator[Collected]:
    """Collect every job, `settings.max_concurrency` at a time; yield the results in job order
    (see run_pool). `tagger` tags in the worker processes when `settings.workers` > 0."""
    collector = Collector(settings, lookup, limiter, now, tagger)
    cursors = {s.id: st.cursor for s, st in jobs}

    def broken(source: Source, exc: BaseException) -> Collected:
        res = unexpected_error(source, exc, now)
        return Collected(source=source, fetch=res, error_class=res.error_class, error=res.error,
                         cursor=cursors.get(source.id))

    yield from run_pool(jobs, settings, collector.collect, broken)
