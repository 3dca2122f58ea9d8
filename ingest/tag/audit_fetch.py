"""Fetch the audit set's pages again and rebuild their excerpts (the `fetch` step of the audit).

The audit set commits addresses and fingerprints, never texts, so a fresh checkout has none. This
module fetches each address through the project's own fetcher (retries, redirects, size cap,
one request per second per host), turns each page into candidate texts (trafilatura's main text
and the whole visible text: an excerpt may hold a caption or a line the extractor drops), and
rebuilds every excerpt of that address from them by its clause fingerprints (`audit.rebuild`).
Only texts whose hashes verify are kept. The page texts are appended to a git-ignored JSONL file
of {url, text} lines, so `fill --from` can rebuild again without the network.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from ingest.fetch import ACCEPT_HTML, FetchSettings, fetch_one, run_pool, unexpected_error
from ingest.fulltext import decode_html, extract_main_text
from ingest.politeness import HostLimiter
from ingest.tag.audit import AUDIT_DIR, Filled, rebuild
from ingest.textclean import html_to_text
from ingest.types import FetchState, Source

PAGES_FILE = AUDIT_DIR / "pages.jsonl"     # git-ignored: third-party page texts


def page_candidates(url: str, body: bytes, content_type: str | None) -> list[str]:
    """The texts of one fetched page an excerpt may be rebuilt from (pure): its main text, then
    all its visible text. A plain-text body is its own candidate."""
    page, _ = decode_html(body, content_type)
    out: list[str] = []
    if "<" in page:
        main = extract_main_text(page, url)
        if main:
            out.append(main)
    whole = html_to_text(page)
    if whole and whole not in out:
        out.append(whole)
    return out


def rebuild_any(record: Mapping[str, Any], candidates: Iterable[str]) -> Filled | None:
    """The record's text from the first candidate that holds all its clauses, or None."""
    for cand in candidates:
        got = rebuild(record, cand)
        if got is not None:
            return got
    return None


@dataclass(frozen=True)
class Page:
    """One address fetched: its candidate texts, or why there are none."""

    url: str
    texts: tuple[str, ...] = ()
    error: str | None = None


def fetch_pages(urls: Iterable[str], settings: FetchSettings,
                limiter: HostLimiter | None = None) -> Iterator[Page]:
    """Fetch every address (`settings.max_concurrency` at a time, each host
    `settings.page_interval_s` apart); yield the pages in the order given. Never raises for a
    page: a failure is that page's `error`, one line."""
    limiter = limiter or HostLimiter()

    def work(source: Source, state: FetchState, client: httpx.Client) -> Page:
        res = fetch_one(source, state, settings, client=client, limiter=limiter,
                        accept=ACCEPT_HTML)
        if not res.ok:
            return Page(source.url, error=res.error or res.status)
        texts = page_candidates(res.final_url or source.url, res.body or b"", res.content_type)
        return Page(source.url, tuple(texts), None if texts else "the page holds no text")

    def broken(source: Source, exc: BaseException) -> Page:
        return Page(source.url, error=unexpected_error(source, exc, None).error)

    jobs = ((Source(id=f"audit:{u}", name=u, kind="page", url=u,
                    min_interval_s=settings.page_interval_s), FetchState()) for u in urls)
    yield from run_pool(jobs, settings, work, broken)


@dataclass
class FetchReport:
    """What one fetch run did, for the summary line."""

    pages: int = 0
    failed: list[tuple[str, str]] | None = None       # (url, one-line reason)
    filled: dict[str, Filled] | None = None
    changed: list[str] | None = None                  # ids whose page no longer holds them


def fetch_and_rebuild(records: list[Mapping[str, Any]], settings: FetchSettings, *,
                      pages_file: Path | None = PAGES_FILE,
                      on_page: Callable[[Page], None] | None = None) -> FetchReport:
    """Fetch the addresses of `records` and rebuild their texts. Each fetched page's texts are
    appended to `pages_file` (when given) as they come, so an interrupted run loses nothing."""
    by_url: dict[str, list[Mapping[str, Any]]] = {}
    for rec in records:
        by_url.setdefault(rec["url"], []).append(rec)
    report = FetchReport(failed=[], filled={}, changed=[])
    sink = open(pages_file, "a", encoding="utf-8") if pages_file else None
    try:
        for page in fetch_pages(by_url, settings):
            report.pages += 1
            if page.error:
                report.failed.append((page.url, page.error))
            elif sink:
                for text in page.texts:
                    sink.write(json.dumps({"url": page.url, "text": text},
                                          ensure_ascii=False) + "\n")
                sink.flush()
            for rec in by_url[page.url]:
                got = rebuild_any(rec, page.texts)
                if got is not None:
                    report.filled[rec["id"]] = got
                elif not page.error:
                    report.changed.append(rec["id"])
            if on_page:
                on_page(page)
    finally:
        if sink:
            sink.close()
    return report


def default_settings(concurrency: int = 4, interval_s: float = 1.0,
                     timeout_s: float = 20.0) -> FetchSettings:
    return replace(FetchSettings(), max_concurrency=concurrency, page_interval_s=interval_s,
                   timeout_s=timeout_s, deadline_s=max(timeout_s * 3, 30.0))
