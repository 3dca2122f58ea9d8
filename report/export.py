"""Trend and item exports: what the rows are and the method that travels with them.

Every number comes from `db.queries` with the caller's `ItemFilter`, so an export, the digest and a
dashboard chart agree for the same filters. `report.formats` writes the rows.

Trends: one row per local bucket (and per combination of the grouped dimensions), "stories" counted
once per story (syndicated copies are not counted). Buckets with no stories are filled with 0 for
every combination seen in the range, so each series is continuous.
Items: one row per story, newest first, streamed in keyset pages (bounded memory).
"""
from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from aigcwatch import __version__
from db import queries as q
from db.buckets import bucket_starts, local_day, stored_range
from db.filters import ItemFilter, day_window
from ingest.tag import reasons
from report.formats import Column

BUCKETS = ("day", "week", "month")
GROUPS = ("model", "theme", "lang", "sentiment", "source", "category")

ITEM_COLUMNS = [
    Column("id", "int", "story id in this database"),
    Column("published_at", "datetime", "publication time in UTC, in every format: ISO 8601 ending in Z "
                                       "(CSV, JSON), timestamp[UTC] (Parquet), a date-time shown as "
                                       "'2025-10-22 07:20:00 UTC' (xlsx: Excel stores no time zone; add "
                                       "the zone's offset for local time, e.g. +8/24 for Asia/Shanghai; "
                                       "the local day is 'day')"),
    Column("day", "date", "local calendar day of published_at in the export's time zone"),
    Column("source_id", "str", "source id (sources.toml)"),
    Column("source_name", "text", "source display name"),
    Column("category", "str", "news | social"),
    Column("lang", "str", "zh | en | other"),
    Column("title", "text", "title as published"),
    Column("url", "text", "link to the story"),
    Column("models", "list", "video models named (canonical ids)"),
    Column("themes", "list", "themes (taxonomy ids)"),
    Column("sentiment", "str", "positive | neutral | negative (empty: untagged)"),
    Column("sentiment_score", "float", "tone score in [-1, 1]"),
    Column("spam", "bool", "SEO/gambling spam"),
    Column("relevant", "bool", "about AI video (empty: untagged)"),
    Column("copies", "int", "copies seen (exact copies in other outlets or at other URLs, and edited "
                            "republications clustered with it), not counted as stories"),
    Column("reach", "int", "distinct outlets that carried the story (its cluster's sources and those "
                           "of their exact copies)"),
    Column("tagger_version", "str", "version of the tagger that tagged it"),
]
# appended with --evidence (the columns above never move): the tagger's evidence for its own
# decisions. Opt-in: they are feed text, a third of the CSV's bytes and of its CPU per row.
EVIDENCE_COLUMNS = [
    Column("relevance_evidence", "list", "phrases behind the tagger's call that it is (or is not) "
                                         "about AI video; all the evidence columns are empty for "
                                         "a story tagged before they were stored, until aigcwatch retag"),
    Column("sentiment_evidence", "list", "words and phrases behind its tone score, strongest first"),
    Column("spam_evidence", "list", "phrases of the text that made it spam; empty when not spam"),
    Column("spam_reasons", "list", "the tagger's own reasons it is spam, not in the text (such as "
                                   "'title/body mismatch', 'pinyin after characters')"),
]

# columns added later, after all of the above (with or without --evidence), so none of those moves
LATER_COLUMNS = [
    Column("date_is_fallback", "bool", "true: the feed gave no date, and published_at is when the story "
                                       "was fetched (a feed's undated backlog lands on the day it was "
                                       "first fetched)"),
]

UNIT = ("stories: each story is counted once however many outlets carried it; syndicated copies "
        "are not stories (the items export gives each story's copies)")


@dataclass(frozen=True, slots=True)
class Range:
    """Local calendar days `start`..`end` (inclusive) in zone `tz`; an open side is unbounded."""

    start: date | None
    end: date | None
    tz: str

    def window(self) -> tuple[datetime | None, datetime | None]:
        since = day_window(self.start, self.start, self.tz)[0] if self.start else None
        until = day_window(self.end, self.end, self.tz)[1] if self.end else None
        if since and until and until <= since:
            raise ValueError(f"the range ends ({self.end}) before it starts ({self.start})")
        return since, until

    def as_dict(self) -> dict:
        since, until = self.window()
        return {"first_day": self.start, "last_day": self.end, "since_utc": since,
                "until_utc": until}


def closed_range(session: Session, rng: Range) -> Range | None:
    """`rng` with open sides closed at the first / last stored day (trends need whole buckets).
    An open side whose stored day lies beyond the given one (`--since` after the last stored
    day, `--until` before the first) closes on the given day: an empty range, not an inverted one.
    None when the database holds no stories and no day was given."""
    start, end = rng.start, rng.end
    if start is None or end is None:
        f = q.facets(session)
        zone = ZoneInfo(rng.tz)
        if start is None:
            start = f["first"].astimezone(zone).date() if f["first"] else end
            if start is not None and end is not None and start > end:
                start = end
        if end is None:
            end = f["last"].astimezone(zone).date() if f["last"] else start
            if start is not None and end is not None and end < start:
                end = start
    if start is None or end is None:
        return None
    return Range(start, end, rng.tz)


def windowed(flt: ItemFilter, rng: Range | None) -> ItemFilter:
    if rng is None:
        return flt
    since, until = rng.window()
    return flt.replace(since=since, until=until)


# --- trends -------------------------------------------------------------------------------------

def trend_columns(group: Sequence[str]) -> list[Column]:
    return ([Column("bucket", "date", "first day of the local bucket (day, ISO week from Monday, month)")]
            + [Column(g, "str", f"grouped by {g}") for g in group]
            + [Column(q.STORIES, "int", "stories in the bucket (see unit)"),
               Column("partial", "bool", "the range covers only part of the bucket's period (it "
                                         "starts or ends inside it, or the period is not over "
                                         "yet): its stories are not comparable with a whole "
                                         "bucket's")])


def fill_gaps(rows: list[dict], group: Sequence[str], buckets: list[date],
              partial: Container[date] = ()) -> list[dict]:
    """Every bucket x every group combination seen, with 0 where `rows` (counts()) has none;
    "partial" true for the buckets in `partial`."""
    have = {(r["bucket"], *(r[g] for g in group)): r["count"] for r in rows}
    combos = sorted({k[1:] for k in have}, key=lambda c: tuple("" if v is None else str(v) for v in c))
    if not group:
        combos = [()]
    out = []
    for b in buckets:
        for combo in combos:
            row = {"bucket": b, **dict(zip(group, combo)), q.STORIES: have.get((b, *combo), 0),
                   "partial": b in partial}
            out.append(row)
    return out


def trend_rows(session: Session, flt: ItemFilter, rng: Range | None, *, bucket: str,
               group: Sequence[str], now: datetime | None = None) -> list[dict]:
    """counts() by bucket and group over the range, gaps filled, each bucket marked partial or not
    (`q.partial_buckets`, with today's local day from `now`)."""
    if bucket not in BUCKETS:
        raise ValueError(f"unknown bucket {bucket!r} (use {', '.join(BUCKETS)})")
    bad = [g for g in group if g not in GROUPS]
    if bad:
        raise ValueError(f"cannot group by {', '.join(bad)} (use {', '.join(GROUPS)})")
    if rng is None or rng.start is None or rng.end is None:
        return []
    rows = q.counts(session, windowed(flt, rng), by=tuple(group), bucket=bucket, tz=rng.tz)
    today = local_day(q.clock(flt, now), rng.tz)
    partial = q.partial_buckets(rng.start, rng.end, bucket, today)
    return fill_gaps(rows, group, bucket_starts(rng.start, rng.end, bucket), partial)


# --- items --------------------------------------------------------------------------------------

def item_columns(evidence: bool = False) -> list[Column]:
    """The items export's columns: EVIDENCE_COLUMNS after ITEM_COLUMNS when `evidence`, then
    LATER_COLUMNS (a column added never moves one a reader's script already takes by position)."""
    return ITEM_COLUMNS + (EVIDENCE_COLUMNS if evidence else []) + LATER_COLUMNS


def item_rows(session: Session, flt: ItemFilter, rng: Range | None, *, tz: str,
              batch: int = 5000, evidence: bool = False) -> Iterator[dict]:
    """Export rows of every matching story, newest first, streamed (`iter_export_items`: the rows
    of `iter_items` without the text, aggregated in SQL); with the decision evidence when
    `evidence`."""
    local_day = day_function(session, windowed(flt, rng), tz)
    for r in q.iter_export_items(session, windowed(flt, rng), batch=batch, evidence=evidence):
        r["day"] = local_day(r["published_at"])
        if evidence:    # the stored list mixes the two (every stored row keeps that format)
            told = r["spam_evidence"]
            r["spam_evidence"], r["spam_reasons"] = (reasons.split(told) if told
                                                     else (told, None if told is None else []))
        if r.get("reach") is None:   # stored before story clusters: its own outlet plus copies
            r["reach"] = 1 + (r["copies"] or 0)
        yield r


def day_function(session: Session, flt: ItemFilter, tz: str) -> Callable[[datetime], date]:
    """published_at -> local day in `tz`. When the zone keeps one UTC offset over the stories'
    range (no DST change in it: most zones, most ranges), a fixed shift; else zoneinfo per row."""
    from db.buckets import offset_spans

    zone = ZoneInfo(tz)
    # every stored time, undated items' too (facets() leaves them out)
    lo, hi = stored_range(session, flt.since, flt.until)
    if lo is not None and hi is not None and lo < hi:
        spans = offset_spans(tz, lo, hi)
        if len(spans) == 1:
            shift = timedelta(seconds=spans[0][1])
            return lambda at: (at + shift).date()
    return lambda at: at.astimezone(zone).date()


# --- method -------------------------------------------------------------------------------------

def method(session: Session, kind: str, flt: ItemFilter, rng: Range | None, *, columns: list[Column],
           rows: int, bucket: str | None = None, group: Sequence[str] = (),
           now: datetime | None = None, versions: list[dict] | None = None) -> dict:
    """What the export holds and how it was counted; written into (or beside) every export.
    `versions`: tagger_versions() of the exported stories when the caller has them already."""
    wide = windowed(flt, rng)
    if versions is None:
        versions = q.tagger_versions(session, wide)
    out: dict = {
        "kind": kind,
        "generated_at": (now or datetime.now(timezone.utc)).astimezone(timezone.utc),
        "aigcwatch_version": __version__,
        "unit": UNIT,
        "time_zone": rng.tz if rng else None,
        # a range not over: "as_of", the time its stories are counted until (none dated later)
        "range": {**rng.as_dict(), "as_of": wide.as_of} if rng else None,
        "filters": {k: v for k, v in flt.as_dict().items() if k not in ("since", "until", "as_of")},
        "tagger_versions": [{"version": r["version"], "stories": r["count"]} for r in versions],
        "rows": rows,
        "columns": [{"name": c.name, "type": c.kind, "meaning": c.help} for c in columns],
    }
    if kind == "trends":
        out["bucket"] = bucket
        out["buckets"] = ("local calendar buckets in time_zone: day, ISO week starting Monday, "
                          "or month; 'bucket' is the first day")
        out["group"] = list(group)
        out["gaps"] = "buckets without stories are filled with 0 for every group combination seen"
        out["partial"] = ("'partial' is true for a bucket the range covers only in part (it "
                          "starts or ends inside the bucket, or the bucket holds today or a later "
                          "day, in time_zone): a dip there is the missing days, not fewer stories")
        if {"model", "theme"} & set(group):
            out["multi_valued"] = ("grouped by model or theme, a story counts once per model or "
                                   "theme it has, so the groups add up to more than the stories")
    else:
        out["order"] = "newest first"
        out["times"] = ("published_at is UTC in every format (xlsx: a date-time without a zone, "
                        "each cell shown with 'UTC'); day is its local day in time_zone")
        evidence = any(c.name == EVIDENCE_COLUMNS[0].name for c in columns)
        out["lists"] = ("models, themes and the evidence lists: arrays (JSON, Parquet) or "
                        "'|'-joined (CSV, xlsx); an evidence list is null (JSON, Parquet) or empty "
                        "(CSV, xlsx) when the story was tagged before evidence was stored"
                        if evidence else
                        "models and themes: arrays (JSON, Parquet) or '|'-joined (CSV, xlsx)")
    return out


def begin_snapshot(session: Session) -> None:
    """Make the session's reads one consistent snapshot (the row count in the method, then the
    rows): REPEATABLE READ on PostgreSQL, an explicit read transaction on SQLite (WAL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return
    conn = session.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")
