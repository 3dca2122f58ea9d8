"""Local calendar buckets (day, ISO week, month) of `items.published_at` as SQL, per dialect.

PostgreSQL converts with `AT TIME ZONE`, which knows every zone's rules. SQLite has no time zones,
so the zone's UTC offsets over the queried range are computed here (zoneinfo), and the bucket is a
CASE over the offset transitions in that range: exact, DST included, for any IANA zone.
"""
from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Date, case, cast, func
from sqlalchemy.orm import Session

from db import models as m

Bucket = Literal["day", "week", "month"]
BUCKETS: tuple[str, ...] = ("day", "week", "month")
UTC = timezone.utc


def offset_spans(tz: str, since: datetime, until: datetime) -> list[tuple[datetime | None, int]]:
    """[(start, offset_seconds)] covering [since, until): each span starts at a transition
    (the first at None = "from the beginning"). One span for zones without DST. The search runs
    in UTC: arithmetic on instants carrying a zone (day_window's) runs on their wall clocks, which
    put a fall-back change an hour late, a day late at midnight changes (Santiago, Cairo)."""
    zone = ZoneInfo(tz)
    since, until = since.astimezone(UTC), until.astimezone(UTC)

    def off(t: datetime) -> int:
        return int(t.astimezone(zone).utcoffset().total_seconds())

    spans: list[tuple[datetime | None, int]] = [(None, off(since))]
    t = since
    step = timedelta(days=1)
    while t < until:
        nxt = min(t + step, until)
        if off(nxt) != spans[-1][1]:
            lo, hi = t, nxt          # the change lies in (lo, hi]: bisect to the second
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if off(mid) == spans[-1][1]:
                    lo = mid
                else:
                    hi = mid
            spans.append((hi.replace(microsecond=0), off(hi)))
        t = nxt
    return spans


def _sqlite_local(offset: int, bucket: str):
    col = m.Item.published_at
    mods = [f"{offset:+d} seconds"]
    if bucket == "week":
        mods += ["-6 days", "weekday 1"]     # the Monday on or before the local day
    elif bucket == "month":
        mods.append("start of month")
    return func.date(col, *mods)


def bucket_expr(session: Session, bucket: str, tz: str, since: datetime | None,
                until: datetime | None):
    """SQL expression of the local `bucket` (a date) of published_at in zone `tz`."""
    if bucket not in BUCKETS:
        raise ValueError(f"unknown bucket {bucket!r} (use one of {', '.join(BUCKETS)})")
    ZoneInfo(tz)   # unknown zones fail here, with zoneinfo's message
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone(tz, m.Item.published_at)   # timestamptz -> local wall time
        return cast(func.date_trunc(bucket, local), Date)
    lo, hi = stored_range(session, since, until)
    if lo is None or hi is None or lo >= hi:
        return _sqlite_local(int(datetime.now(UTC).astimezone(ZoneInfo(tz)).utcoffset()
                                 .total_seconds()), bucket)
    spans = offset_spans(tz, lo, hi)
    if len(spans) == 1:
        return _sqlite_local(spans[0][1], bucket)
    whens = [(m.Item.published_at < start, _sqlite_local(prev_off, bucket))
             for (_, prev_off), (start, _) in zip(spans, spans[1:])]
    return case(*whens, else_=_sqlite_local(spans[-1][1], bucket))


def stored_range(session: Session, since: datetime | None, until: datetime | None
                 ) -> tuple[datetime | None, datetime | None]:
    """[since, until) with an open side closed on the stored publication times (every item's:
    the first, and a second past the last); None where nothing is stored."""
    lo = since or stored_bound(session, func.min)
    hi = until
    if hi is None:
        last = stored_bound(session, func.max)
        hi = last + timedelta(seconds=1) if last is not None else None
    return lo, hi


def stored_bound(session: Session, agg) -> datetime | None:
    """The first (`func.min`) or last (`func.max`) stored publication time, of every item."""
    value = session.scalar(agg(m.Item.published_at))
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def local_day(value: datetime, tz: str) -> date:
    """The calendar day of an instant in zone `tz` (the Python twin of the SQL buckets)."""
    return value.astimezone(ZoneInfo(tz)).date()


def bucket_start(day: date, bucket: str) -> date:
    """The bucket (day, Monday of the ISO week, first of the month) a local day falls in."""
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def bucket_last_day(start: date, bucket: str) -> date:
    """The last local day inside the bucket that begins on `start`."""
    if bucket == "week":
        return start + timedelta(days=6)
    if bucket == "month":
        return start.replace(day=monthrange(start.year, start.month)[1])
    return start


def bucket_starts(start: date, end: date, bucket: str) -> list[date]:
    """The first day of every bucket that holds a day of start..end (inclusive)."""
    out, cur = [], bucket_start(start, bucket)
    while cur <= end:
        out.append(cur)
        cur = bucket_last_day(cur, bucket) + timedelta(days=1)
    return out


def partial_buckets(start: date, end: date, bucket: str, today: date | None = None
                    ) -> dict[date, tuple[date, date]]:
    """The buckets of local days start..end (inclusive) that hold only part of their period's
    stories, by first day, each with the days it does cover (first, last): the first bucket when
    the range starts after its first day, the last when the range ends before its last day, and
    any bucket holding `today` or a later day (a day not over yet, or days to come). Such a bucket
    is drawn and exported under its full period's label, so its count is not comparable with a
    whole one. The one definition of "partial" for the dashboard, the digest and the exports."""
    out: dict[date, tuple[date, date]] = {}
    for first in bucket_starts(start, end, bucket):
        last = bucket_last_day(first, bucket)
        lo, hi = max(first, start), min(last, end)
        if today is not None and hi >= today:
            hi = max(lo, today)
        if lo > first or hi < last or (today is not None and last >= today):
            out[first] = (lo, hi)
    return out


__all__ = ["BUCKETS", "Bucket", "as_date", "bucket_expr", "bucket_last_day", "bucket_start",
           "bucket_starts", "local_day", "offset_spans", "partial_buckets", "stored_bound", "stored_range"]
