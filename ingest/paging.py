"""Reading a newest-first JSON API politely: only what is new, a cap of pages, no silent gaps.

The saved cursor (per source, as JSON in `sources.cursor`) holds the *mark* — the newest entry
read so far — and the *gaps*: ranges a run could not finish (page cap, rate limit, timeout).

Each run reads from the top until it meets the mark: the page holding the mark is the last one
(its already-known posts get their engagement refreshed by the store). If the run stops before
the mark, the unread range becomes a gap; later runs spend their remaining pages on the gaps
(newest first, resuming just below the gap's upper end) until each is closed. A first run reads
the newest `max_pages` pages and does not go further back.

`walk` does the requests through a `fetch(url)` callable; every decision is made here in plain
code, so it is tested without a network.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import ModuleType

from aigcwatch.errors import SourceError
from ingest.connectors.base import Mark
from ingest.types import FailureClass, FetchResult, RawEntry, Source
from ingest.wording import counted

MAX_GAPS = 8            # older unfinished ranges beyond this are given up (with a warning)


@dataclass(frozen=True, slots=True)
class Gap:
    """Entries older than `before` and newer than `until` are still unread."""

    before: Mark
    until: Mark


@dataclass(frozen=True, slots=True)
class Cursor:
    mark: Mark | None = None
    gaps: tuple[Gap, ...] = ()

    def to_json(self) -> str | None:
        if self.mark is None and not self.gaps:
            return None
        return json.dumps({"mark": self.mark.to_json() if self.mark else None,
                           "gaps": [[g.before.to_json(), g.until.to_json()] for g in self.gaps]},
                          separators=(",", ":"))

    @staticmethod
    def from_json(text: str | None) -> Cursor:
        """The saved cursor; anything unreadable is a fresh start (read the newest pages)."""
        if not text:
            return Cursor()
        try:
            data = json.loads(text)
        except ValueError:
            return Cursor()
        if not isinstance(data, dict):
            return Cursor()
        gaps = []
        for pair in data.get("gaps") or ():
            if isinstance(pair, list) and len(pair) == 2:
                before, until = Mark.from_json(pair[0]), Mark.from_json(pair[1])
                if before and until:
                    gaps.append(Gap(before, until))
        return Cursor(Mark.from_json(data.get("mark")), tuple(gaps))


@dataclass(frozen=True, slots=True)
class Walk:
    """What one run read from one API source."""

    first: FetchResult                    # the first request's result (decides ok / failed)
    entries: tuple[RawEntry, ...] = ()
    cursor: Cursor = field(default_factory=Cursor)
    pages: int = 0
    error_class: FailureClass | None = None   # a request or page that stopped the walk
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """Nothing was read: the first page itself failed."""
        return self.error_class is not None and self.pages <= 1 and not self.entries


# -- pure decisions ----------------------------------------------------------------------------

def reached(marks: tuple[Mark | None, ...], stop_at: Mark | None) -> bool:
    """True when a page holds an entry at or below `stop_at` (the walk can stop there)."""
    return stop_at is not None and any(m is not None and m.at_or_below(stop_at) for m in marks)


def newest(a: Mark | None, b: Mark | None) -> Mark | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def oldest(marks: tuple[Mark | None, ...]) -> Mark | None:
    present = [m for m in marks if m is not None]
    return min(present) if present else None


def next_cursor(old: Cursor, top: Mark | None, new_gaps: list[Gap]) -> tuple[Cursor, list[str]]:
    """The cursor after a run: the newest mark and at most MAX_GAPS gaps (newest first)."""
    gaps = sorted(new_gaps, key=lambda g: g.before, reverse=True)
    warnings = []
    if len(gaps) > MAX_GAPS:
        lost = gaps[MAX_GAPS:]
        warnings.append(f"{counted(len(lost), 'unfinished older range')} given up (more than {MAX_GAPS})")
        gaps = gaps[:MAX_GAPS]
    return Cursor(newest(old.mark, top), tuple(gaps)), warnings


# -- the walk ----------------------------------------------------------------------------------

@dataclass
class _State:
    pages: int = 0
    entries: list[RawEntry] = field(default_factory=list)
    top: Mark | None = None
    error_class: FailureClass | None = None
    error: str | None = None
    first: FetchResult | None = None


def _read(conn: ModuleType, source: Source, url: str, stop_at: Mark | None, cap: int,
          fetch: Callable[[str], FetchResult], st: _State) -> tuple[str, Mark | None]:
    """Read pages from `url` until `stop_at`, the end, the cap or a failure.

    Returns (how it ended: "reached" | "end" | "cap" | "failed", the oldest mark read)."""
    low: Mark | None = None
    while st.pages < cap:
        res = fetch(url)
        st.pages += 1
        if st.first is None:
            st.first = res
        where = f"page {st.pages}"
        if not res.ok:
            st.error_class = res.error_class or FailureClass.NETWORK
            detail = _api_detail(res.body)
            st.error = f"{where}: {res.error or res.status}" + (f" ({detail})" if detail else "")
            return "failed", low
        try:
            page = conn.parse_page(source.id, res.body or b"", res.final_url or url, res.link)
        except SourceError as e:
            st.error_class = e.error_class if isinstance(e.error_class, FailureClass) \
                else FailureClass.PARSE
            st.error = f"{where}: {_message(e)}"
            return "failed", low
        st.entries.extend(page.entries)
        page_low = oldest(page.marks)
        low = page_low if low is None or (page_low is not None and page_low < low) else low
        for m in page.marks:
            st.top = newest(st.top, m)
        if reached(page.marks, stop_at):
            return "reached", low
        if not page.entries or page.next_url is None or page.next_url == url:
            return "end", low
        url = page.next_url
    return "cap", low


def _api_detail(body: bytes | None) -> str | None:
    """The message of a JSON error body that came with an HTTP error, if it has one."""
    if not body or not body.lstrip().startswith(b"{"):
        return None
    try:
        doc = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    parts = [str(doc[k]) for k in ("error", "message") if doc.get(k) not in (None, "")]
    return " ".join(": ".join(dict.fromkeys(parts)).split())[:200] or None


def _message(e: Exception) -> str:
    reason = getattr(e, "reason", None)
    return " ".join(str(reason or e).split())


def walk(conn: ModuleType, source: Source, cursor: Cursor,
         fetch: Callable[[str], FetchResult]) -> Walk:
    """Read what is new for one source (see the module's description). Never raises for
    network, HTTP or parse problems: the first one stops the walk and is reported."""
    cap = max(1, source.max_pages)
    st = _State()
    gaps: list[Gap] = []
    how, low = _read(conn, source, conn.first_url(source.url), cursor.mark, cap, fetch, st)
    if cursor.mark is not None and how in ("cap", "failed") and low is not None:
        gaps.append(Gap(before=low, until=cursor.mark))
    pending = list(cursor.gaps)
    while pending and st.error_class is None and st.pages < cap:
        gap = pending.pop(0)
        how, low = _read(conn, source, conn.resume_url(source.url, gap.before), gap.until, cap,
                         fetch, st)
        if how in ("cap", "failed"):
            gaps.append(replace(gap, before=low) if low is not None and low < gap.before else gap)
    gaps += pending
    if st.first is None or (st.error_class is not None and st.pages == 1):
        first = st.first or FetchResult(source_id=source.id, url=source.url, status="error",
                                        error_class=st.error_class, error=st.error)
        return Walk(first=first, pages=st.pages, error_class=st.error_class, error=st.error,
                    cursor=cursor)
    new, warnings = next_cursor(cursor, st.top, gaps)
    if gaps:
        warnings.append(f"{counted(len(gaps), 'older range')} left to read in later runs")
    return Walk(first=st.first, entries=tuple(st.entries), cursor=new, pages=st.pages,
                error_class=st.error_class, error=st.error, warnings=tuple(warnings))
