"""db.buckets: local day, ISO-week and month buckets in any IANA zone, the same on SQLite (offset
spans) and PostgreSQL (AT TIME ZONE), checked against Python's zoneinfo."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from db import queries
from db.buckets import bucket_expr, bucket_start, local_day, offset_spans
from db.filters import ItemFilter, day_window

from readside_data import BACKENDS, Corpus, module_db, random_corpus, utc, visible

ZONES = ("UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe",
         "Asia/Kolkata", "America/St_Johns")


# --- offset spans (pure) -----------------------------------------------------------------------

@pytest.mark.parametrize("tz, since, until, spans", [
    ("UTC", utc(2025, 1, 1), utc(2026, 1, 1), [(None, 0)]),
    ("Asia/Shanghai", utc(2025, 1, 1), utc(2026, 1, 1), [(None, 8 * 3600)]),
    ("America/New_York", utc(2025, 3, 1), utc(2025, 4, 1),
     [(None, -5 * 3600), (utc(2025, 3, 9, 7), -4 * 3600)]),
    ("America/New_York", utc(2025, 10, 20), utc(2025, 11, 20),
     [(None, -4 * 3600), (utc(2025, 11, 2, 6), -5 * 3600)]),
    ("Europe/Berlin", utc(2025, 3, 1), utc(2025, 4, 1),
     [(None, 3600), (utc(2025, 3, 30, 1), 7200)]),
    ("Europe/Berlin", utc(2025, 1, 1), utc(2026, 1, 1),
     [(None, 3600), (utc(2025, 3, 30, 1), 7200), (utc(2025, 10, 26, 1), 3600)]),
    ("Australia/Lord_Howe", utc(2025, 1, 1), utc(2026, 1, 1),   # a half-hour DST shift
     [(None, 39600), (utc(2025, 4, 5, 15), 37800), (utc(2025, 10, 4, 15, 30), 39600)]),
])
def test_offset_spans_start_at_each_transition(tz, since, until, spans):
    assert offset_spans(tz, since, until) == spans


def test_offset_span_starts_on_the_exact_second_of_the_change():
    since = datetime(2025, 3, 30, 0, 59, 59, 999_999, tzinfo=ZoneInfo("UTC"))
    until = since + timedelta(seconds=1, microseconds=1)
    (_, (start, offset)) = offset_spans("Europe/Berlin", since, until)
    assert (start, offset) == (utc(2025, 3, 30, 1), 7200)
    zone = ZoneInfo("Europe/Berlin")
    assert (start - timedelta(seconds=1)).astimezone(zone).utcoffset() == timedelta(hours=1)


def test_offset_spans_of_a_window_inside_summer_time_is_one_span():
    assert offset_spans("America/New_York", utc(2025, 6, 1), utc(2025, 7, 1)) == [(None, -4 * 3600)]


@pytest.mark.parametrize("tz, first, last, change, offset", [
    ("America/Santiago", date(2026, 4, 1), date(2026, 4, 10), utc(2026, 4, 5, 3), -4 * 3600),
    ("America/Santiago", date(2025, 9, 1), date(2025, 9, 10), utc(2025, 9, 7, 4), -3 * 3600),
    ("America/New_York", date(2025, 10, 25), date(2025, 11, 5), utc(2025, 11, 2, 6), -5 * 3600),
    ("Africa/Cairo", date(2025, 10, 25), date(2025, 11, 5), utc(2025, 10, 30, 21), 2 * 3600),
])
def test_offset_spans_of_a_window_of_local_days_start_at_the_instant_of_the_change(
        tz, first, last, change, offset):
    # day_window gives instants in the zone itself; the bisection once ran on their wall clocks,
    # which put a fall-back change an hour late (Santiago at midnight: a day late for that hour)
    since, until = day_window(first, last, tz)
    spans = offset_spans(tz, since, until)
    assert spans[1:] == [(change, offset)]
    assert spans == offset_spans(tz, since.astimezone(ZoneInfo("UTC")), until.astimezone(ZoneInfo("UTC")))


def test_python_twins_of_the_sql_buckets():
    assert local_day(utc(2025, 3, 1, 23, 30), "Asia/Shanghai") == date(2025, 3, 2)
    assert local_day(utc(2025, 3, 1, 23, 30), "UTC") == date(2025, 3, 1)
    sunday, monday = date(2025, 3, 9), date(2025, 3, 10)
    assert bucket_start(sunday, "week") == date(2025, 3, 3)
    assert bucket_start(monday, "week") == monday
    assert bucket_start(date(2025, 3, 31), "month") == date(2025, 3, 1)
    assert bucket_start(sunday, "day") == sunday


# --- buckets in SQL on both backends -----------------------------------------------------------

# (instant, zone, local day there): each case tells the right offset from the wrong one.
DAY_CASES = [
    (utc(2025, 3, 1, 23, 30), "Asia/Shanghai", date(2025, 3, 2)),
    (utc(2025, 3, 1, 15, 59), "Asia/Shanghai", date(2025, 3, 1)),
    (utc(2025, 3, 9, 4, 30), "America/New_York", date(2025, 3, 8)),     # 23:30 EST
    (utc(2025, 3, 9, 6, 30), "America/New_York", date(2025, 3, 9)),     # 01:30 EST
    (utc(2025, 3, 10, 4, 30), "America/New_York", date(2025, 3, 10)),   # 00:30 EDT (EST: the 9th)
    (utc(2025, 11, 2, 4, 30), "America/New_York", date(2025, 11, 2)),   # 00:30 EDT (EST: the 1st)
    (utc(2025, 11, 3, 4, 30), "America/New_York", date(2025, 11, 2)),   # 23:30 EST (EDT: the 3rd)
    (utc(2025, 3, 29, 23, 30), "Europe/Berlin", date(2025, 3, 30)),     # 00:30 CET
    (utc(2025, 3, 30, 22, 30), "Europe/Berlin", date(2025, 3, 31)),     # 00:30 CEST (CET: the 30th)
    (utc(2025, 10, 25, 22, 30), "Europe/Berlin", date(2025, 10, 26)),   # 00:30 CEST
    (utc(2025, 10, 26, 22, 30), "Europe/Berlin", date(2025, 10, 26)),   # 23:30 CET (CEST: the 27th)
]


@pytest.fixture
def day_cases(session):
    corpus = Corpus()
    for at, _, _ in DAY_CASES:
        corpus.add(at)
    corpus.save(session)
    return corpus


def day_counts(session, tz, flt=None, bucket="day"):
    return {r["bucket"]: r["count"] for r in queries.counts(session, flt, bucket=bucket, tz=tz)}


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York", "Europe/Berlin"])
def test_day_buckets_follow_the_zone_offset_of_each_instant_across_dst(session, day_cases, tz):
    expected = Counter(local_day(at, tz) for at, _, _ in DAY_CASES)
    for case_at, case_tz, case_day in DAY_CASES:
        if case_tz == tz:
            assert local_day(case_at, tz) == case_day
    assert day_counts(session, tz) == expected
    wide = ItemFilter(since=utc(2025, 2, 1), until=utc(2025, 12, 1))
    assert day_counts(session, tz, wide) == expected
    # a window that starts after the spring change (one span on SQLite) still buckets rightly
    autumn = ItemFilter(since=utc(2025, 10, 1), until=utc(2025, 12, 1))
    assert day_counts(session, tz, autumn) == Counter(
        local_day(at, tz) for at, _, _ in DAY_CASES if at >= autumn.since)


def test_a_story_in_the_repeated_hour_of_a_midnight_change_keeps_its_local_day(session):
    # Santiago falls back at 24:00 (03:00 UTC, 5 April 2026): 03:30 UTC is 23:30 on the 4th
    corpus = Corpus()
    corpus.add(utc(2026, 4, 5, 3, 30))
    corpus.add(utc(2026, 4, 5, 2, 30))     # 23:30 on the 4th, before the change
    corpus.add(utc(2026, 4, 5, 4, 30))     # 00:30 on the 5th
    corpus.save(session)
    tz = "America/Santiago"
    since, until = day_window(date(2026, 4, 1), date(2026, 4, 10), tz)
    expected = {date(2026, 4, 4): 2, date(2026, 4, 5): 1}
    assert day_counts(session, tz, ItemFilter(since=since, until=until)) == expected
    assert day_counts(session, tz) == expected


def test_a_story_at_2330_utc_lands_on_the_next_local_day_in_shanghai(session):
    corpus = Corpus()
    corpus.add(utc(2025, 3, 1, 23, 30))
    corpus.save(session)
    assert day_counts(session, "Asia/Shanghai") == {date(2025, 3, 2): 1}
    assert day_counts(session, "UTC") == {date(2025, 3, 1): 1}
    since, until = day_window(date(2025, 3, 2), date(2025, 3, 2), "Asia/Shanghai")
    assert queries.count_items(session, ItemFilter(since=since, until=until)) == 1


def test_week_buckets_start_on_monday(session):
    corpus = Corpus()
    corpus.add(utc(2025, 3, 9, 12))     # Sunday
    corpus.add(utc(2025, 3, 10, 3))     # Monday 03:00 UTC = Sunday 23:00 in New York (EDT)
    corpus.add(utc(2025, 3, 16, 23))    # Sunday 23:00 UTC = Monday 07:00 in Shanghai
    corpus.save(session)
    assert day_counts(session, "UTC", bucket="week") == {date(2025, 3, 3): 1, date(2025, 3, 10): 2}
    assert day_counts(session, "America/New_York", bucket="week") == {
        date(2025, 3, 3): 2, date(2025, 3, 10): 1}
    assert day_counts(session, "Asia/Shanghai", bucket="week") == {
        date(2025, 3, 3): 1, date(2025, 3, 10): 1, date(2025, 3, 17): 1}
    assert all(b.weekday() == 0 for tz in ZONES for b in day_counts(session, tz, bucket="week"))


def test_month_buckets_are_the_first_of_the_local_month(session):
    corpus = Corpus()
    corpus.add(utc(2025, 3, 31, 20))    # 1 April 04:00 in Shanghai
    corpus.add(utc(2025, 11, 1, 2))     # 31 October 22:00 in New York
    corpus.add(utc(2025, 3, 1))
    corpus.save(session)
    assert day_counts(session, "UTC", bucket="month") == {date(2025, 3, 1): 2, date(2025, 11, 1): 1}
    assert day_counts(session, "Asia/Shanghai", bucket="month") == {
        date(2025, 3, 1): 1, date(2025, 4, 1): 1, date(2025, 11, 1): 1}
    assert day_counts(session, "America/New_York", bucket="month") == {
        date(2025, 2, 1): 1, date(2025, 3, 1): 1, date(2025, 10, 1): 1}


def test_buckets_of_an_empty_database_are_empty(session):
    for bucket in ("day", "week", "month"):
        assert queries.counts(session, bucket=bucket, tz="Europe/Berlin") == []
        since_only = ItemFilter(since=utc(2025, 3, 1))
        assert queries.counts(session, since_only, bucket=bucket, tz="Europe/Berlin") == []


def test_unknown_bucket_or_zone_is_refused_by_name(session):
    with pytest.raises(ValueError, match="unknown bucket 'hour'"):
        bucket_expr(session, "hour", "UTC", None, None)
    with pytest.raises(ValueError, match="unknown bucket 'year'"):
        queries.counts(session, bucket="year")
    with pytest.raises(ZoneInfoNotFoundError):
        queries.counts(session, bucket="day", tz="Mars/Olympus_Mons")


# --- a random corpus: every zone and bucket against zoneinfo, on both backends -----------------

@pytest.fixture(scope="module", params=BACKENDS)
def mixed(request, tmp_path_factory):
    with module_db(request, tmp_path_factory) as session:
        corpus = random_corpus()
        corpus.save(session)
        yield session, corpus


@pytest.mark.parametrize("tz", ZONES)
def test_buckets_equal_zoneinfo_local_days_for_every_zone(mixed, tz):
    session, corpus = mixed
    shown = [s for s in corpus.stories if visible(s)]
    first, last = date(2025, 3, 5), date(2025, 11, 2)
    since, until = day_window(first, last, tz)
    for bucket in ("day", "week", "month"):
        everything = Counter(bucket_start(local_day(s.at, tz), bucket) for s in shown)
        assert day_counts(session, tz, bucket=bucket) == everything, bucket
        inside = Counter(bucket_start(local_day(s.at, tz), bucket) for s in shown
                         if since <= s.at < until)
        got = day_counts(session, tz, ItemFilter(since=since, until=until), bucket=bucket)
        assert got == inside, bucket
        assert sum(got.values()) < sum(everything.values())


@pytest.mark.parametrize("start, end, bucket, today, partial", [
    # a whole past ISO week and month: nothing partial
    (date(2025, 10, 6), date(2025, 10, 12), "week", date(2026, 1, 1), {}),
    (date(2025, 10, 1), date(2025, 10, 31), "month", date(2026, 1, 1), {}),
    # --since on a Wednesday, --until on a Tuesday: the first and last weeks hold 5 and 2 days
    (date(2025, 10, 1), date(2025, 10, 14), "week", date(2026, 1, 1),
     {date(2025, 9, 29): (date(2025, 10, 1), date(2025, 10, 5)),
      date(2025, 10, 13): (date(2025, 10, 13), date(2025, 10, 14))}),
    (date(2025, 10, 20), date(2025, 11, 30), "month", date(2026, 1, 1),
     {date(2025, 10, 1): (date(2025, 10, 20), date(2025, 10, 31))}),
    # today is not over: its day, week and month are partial; the days to come hold nothing yet
    (date(2025, 10, 1), date(2025, 10, 31), "day", date(2025, 10, 30),
     {date(2025, 10, 30): (date(2025, 10, 30), date(2025, 10, 30)),
      date(2025, 10, 31): (date(2025, 10, 31), date(2025, 10, 31))}),
    (date(2025, 10, 6), date(2025, 10, 12), "week", date(2025, 10, 8),
     {date(2025, 10, 6): (date(2025, 10, 6), date(2025, 10, 8))}),
    (date(2025, 10, 1), date(2025, 10, 31), "month", date(2025, 10, 31),
     {date(2025, 10, 1): (date(2025, 10, 1), date(2025, 10, 31))}),
    (date(2025, 10, 1), date(2025, 10, 31), "day", None, {}),
])
def test_partial_buckets_are_those_the_range_or_today_cuts(start, end, bucket, today, partial):
    assert queries.partial_buckets(start, end, bucket, today) == partial
