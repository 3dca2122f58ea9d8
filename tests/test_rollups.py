"""db.rollups: the rollup path and the item path of counts() give identical numbers for any request
the rollup answers, on SQLite and PostgreSQL; refresh is incremental by watermark; a tag update
drops the rollups; a stale rollup is never read; requests the rollup cannot answer get None."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from db import models as m
from db import queries, rollups, store
from db.filters import ItemFilter, day_window
from db.trends import DIMENSIONS, _counts_from_items
from ingest.types import Tags

from readside_data import (BACKENDS, MODELS, SOURCES, THEMES, as_cells, expected_counts,
                           module_db, random_corpus, utc, visible)

ZONES = ("UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin")
DAYS = ([date(2025, 2, 27) + timedelta(days=i) for i in range(42)]
        + [date(2025, 10, 18) + timedelta(days=i) for i in range(24)])


def norm(rows: list[dict]) -> list[tuple]:
    return sorted((tuple(sorted(r.items())) for r in rows), key=repr)


def raw(session, flt, by=(), bucket=None, tz="UTC") -> list[dict]:
    return _counts_from_items(session, flt, tuple(by), bucket, tz)


def random_request(rnd: random.Random) -> tuple[ItemFilter, tuple[str, ...], str | None, str]:
    tz = "Asia/Tokyo" if rnd.random() < 0.05 else rnd.choice(ZONES)   # Tokyo has no rollup
    since = until = None
    kind = rnd.random()
    if kind < 0.7:                                    # local midnights: what the rollup needs
        start = rnd.choice(DAYS)
        since, until = day_window(start, start + timedelta(days=rnd.randrange(40)), tz)
        if rnd.random() < 0.15:
            since = None
        elif rnd.random() < 0.15:
            until = None
    elif kind < 0.85:                                 # a window off the local midnights
        since = utc(2025, 3, 2, rnd.randrange(1, 24)) + timedelta(days=rnd.randrange(30))
        until = since + timedelta(days=rnd.randrange(1, 200))

    def some(values, weights):
        return tuple(rnd.sample(values, rnd.choices(range(len(weights)), weights)[0]))

    flt = ItemFilter(
        since=since, until=until,
        lang=some(("zh", "en", "other"), (60, 30, 10)),
        model=some(MODELS, (50, 35, 15)),
        theme=some(THEMES, (55, 35, 10)),
        sentiment=some(("positive", "neutral", "negative"), (75, 15, 10)),
        source_id=some(tuple(s.id for s in SOURCES), (85, 10, 5)),
        category=some(("news", "social"), (80, 20)),
        include_spam=rnd.random() < 0.2,
        include_irrelevant=rnd.random() < 0.2,
    )
    dims = [d for d in DIMENSIONS if d != "source" or rnd.random() < 0.3]
    by = tuple(rnd.sample(dims, rnd.choices((0, 1, 2, 3), (25, 40, 30, 5))[0]))
    bucket = rnd.choice((None, "day", "week", "month"))
    return flt, by, bucket, tz


@pytest.fixture(scope="module", params=BACKENDS)
def built(request, tmp_path_factory):
    """The random corpus with rollups for four zones, built in two steps (incremental refresh)."""
    with module_db(request, tmp_path_factory) as session:
        corpus = random_corpus()
        corpus.save(session, upto=90)
        store.refresh_rollups(session, ZONES)
        session.commit()
        corpus.save(session)
        store.refresh_rollups(session)
        session.commit()
        yield session, corpus


def test_rollup_and_item_counts_are_identical_for_random_requests(built):
    session, corpus = built
    rnd = random.Random(2025)
    answered = 0
    tried = 160
    for i in range(tried):
        flt, by, bucket, tz = random_request(rnd)
        expected = raw(session, flt, by, bucket, tz)
        assert as_cells(expected, by, bucket) == expected_counts(corpus, flt, by, bucket, tz), (
            i, flt, by, bucket, tz)                   # the items path against Python
        got = rollups.try_counts(session, flt, by, bucket, tz)
        if got is not None:
            answered += 1
            assert norm(got) == norm(expected), (i, flt, by, bucket, tz)
        if i % 4 == 0:   # the public entry point: whichever path it takes, the same rows, sorted
            public = queries.counts(session, flt, by=by, bucket=bucket, tz=tz)
            names = (("bucket",) if bucket else ()) + by
            assert [tuple(r[n] for n in names) for r in public] == sorted(
                (tuple(r[n] for n in names) for r in public), key=lambda t: [(v is None, v) for v in t])
            assert norm(public) == norm(expected), (i, flt, by, bucket, tz)
    assert answered > tried * 0.4, answered        # the comparison is not vacuous


def test_a_window_cut_at_its_as_of_counts_the_same_from_the_rollup_as_from_the_items(built):
    # A window not over is counted until its "as_of" (no story dated later): the rollup (whole
    # days) less the stories dated from then on gives the rows the items give.
    from db.trends import _rollup_counts

    def cut(rnd, flt, tz):
        lo = flt.since or utc(2025, 2, 27)
        hi = flt.until or utc(2025, 11, 12)
        return flt.replace(as_of=lo + (hi - lo) * rnd.random()) if hi > lo else None

    answered = _answers_on_random_windows(built, _rollup_counts, 7, cut)
    assert len(answered) > 30, len(answered)


def test_a_window_ending_inside_a_day_counts_its_whole_days_from_the_rollup(built):
    # The same stretch of a previous period (until 10:32 three months ago, `comparable_window`)
    # ends inside a day: its whole days come from the rollup and its part-days from the items,
    # summed; before, such a window read every item of it (0.7 s of the Overview at 1M).
    from db.trends import _whole_days

    def inside_days(rnd, flt, tz):
        start = rnd.choice(DAYS)
        since = day_window(start, start, tz)[0] + timedelta(minutes=rnd.choice((0, 0, 37, 600, 1439)))
        until = since + timedelta(days=rnd.randrange(0, 40), minutes=rnd.randrange(1, 1440))
        return flt.replace(since=since, until=until)

    answered = _answers_on_random_windows(built, _whole_days, 11, inside_days)
    for got in answered:   # in key order, None last, as counts() returns rows
        assert got == sorted(got, key=lambda r: [(r[k] is None, r[k]) for k in r if k != "count"])
    assert len(answered) > 30, len(answered)


def _answers_on_random_windows(built, path, seed: int, window) -> list[list[dict]]:
    """120 random requests, each over the filter `window(rnd, flt, tz)` makes of it (None: not
    asked), checked by `_paths_agree`: the rows of those `path` answered."""
    session, corpus = built
    rnd = random.Random(seed)
    answers = []
    for _ in range(120):
        flt, by, bucket, tz = random_request(rnd)
        asked = window(rnd, flt, tz)
        if asked is not None:
            got = _paths_agree(session, corpus, path, asked, by, bucket, tz)
            if got is not None:
                answers.append(got)
    return answers


def _paths_agree(session, corpus, path, flt, by, bucket, tz) -> list[dict] | None:
    """Check the items path against Python, then `path` (its rows, None when it cannot answer)
    and the public counts() against the items path."""
    expected = raw(session, flt, by, bucket, tz)
    assert as_cells(expected, by, bucket) == expected_counts(corpus, flt, by, bucket, tz), flt
    got = path(session, flt, by, bucket, tz)
    if got is not None:
        assert norm(got) == norm(expected), (flt, by, bucket, tz)
    assert norm(queries.counts(session, flt, by=by, bucket=bucket, tz=tz)) == norm(expected), flt
    return got


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_rollup_buckets_equal_item_buckets_in_every_zone(built, tz, bucket):
    session, corpus = built
    for by in ((), ("model",), ("theme", "lang"), ("model", "theme"), ("category", "sentiment")):
        flt = ItemFilter(include_spam=True)
        got = rollups.try_counts(session, flt, by, bucket, tz)
        assert got is not None
        assert norm(got) == norm(raw(session, flt, by, bucket, tz)), by
    total = sum(r["count"] for r in rollups.try_counts(session, ItemFilter(), (), bucket, tz))
    assert total == sum(visible(s) for s in corpus.stories)


@pytest.mark.parametrize("why, flt, by, bucket, tz", [
    ("text search", ItemFilter(q="story"), (), "day", "UTC"),
    ("two models, not grouped by model", ItemFilter(model=("sora", "veo")), (), "day", "UTC"),
    ("two models, grouped by theme", ItemFilter(model=("sora", "veo")), ("theme",), None, "UTC"),
    ("two themes, grouped by model", ItemFilter(theme=("jobs", "tech")), ("model",), None, "UTC"),
    ("window off midnight", ItemFilter(since=utc(2025, 3, 3, 5)), (), "day", "UTC"),
    ("until off midnight", ItemFilter(until=utc(2025, 3, 3, 12)), ("lang",), "week", "UTC"),
    ("window off every built zone's midnight", ItemFilter(since=utc(2025, 3, 3, 3)), (), None, "UTC"),
    ("source filter, grouped by model", ItemFilter(source_id="en-news"), ("model",), None, "UTC"),
    ("source filter, model filter", ItemFilter(source_id="en-news", model="sora"), (), None, "UTC"),
    ("grouped by source and theme", ItemFilter(), ("source", "theme"), "day", "UTC"),
    ("theme-model rows keep no tone", ItemFilter(model="sora", theme="jobs", sentiment="positive"),
     (), None, "UTC"),
    ("theme-model rows keep no category", ItemFilter(), ("model", "theme", "category"), None, "UTC"),
    ("zone not built", ItemFilter(), ("lang",), "day", "Asia/Tokyo"),
])
def test_requests_the_rollup_cannot_answer_get_none(built, why, flt, by, bucket, tz):
    session, _ = built
    assert rollups.try_counts(session, flt, by, bucket, tz) is None, why
    assert queries.counts(session, flt, by=by, bucket=bucket, tz=tz) is not None   # items answer


def test_requests_the_rollup_answers(built):
    session, _ = built
    two_models = ItemFilter(model=("sora", "veo"))
    assert rollups.try_counts(session, two_models, ("model",), "day", "UTC") is not None
    one_each = ItemFilter(model="sora", theme="jobs")
    assert rollups.try_counts(session, one_each, ("lang",), "month", "UTC") is not None
    # no buckets: a window on Shanghai midnights is answered from Shanghai's rollup, asked in UTC
    since, until = day_window(date(2025, 3, 5), date(2025, 3, 20), "Asia/Shanghai")
    flt = ItemFilter(since=since, until=until)
    got = rollups.try_counts(session, flt, ("lang",), None, "UTC")
    assert got is not None and norm(got) == norm(raw(session, flt, ("lang",)))


# --- refresh, staleness, invalidation (each test on a database of its own) ---------------------

def rollup_rows(session, tz: str) -> set[tuple]:
    cols = [getattr(m.RollupDay, c) for c in rollups._KEY] + [m.RollupDay.count]
    return {tuple(r) for r in session.execute(select(*cols).where(m.RollupDay.tz == tz))}


def test_refresh_adds_only_items_past_its_watermark(session):
    corpus = random_corpus(seed=7, n=60)
    corpus.save(session, upto=40)
    assert rollups.refresh(session, "Europe/Berlin") == 40
    session.commit()
    assert rollups.refresh(session, "Europe/Berlin") == 0       # nothing new

    corpus.save(session)
    assert not rollups.is_current(session, "Europe/Berlin")
    flt = ItemFilter(include_spam=True, include_irrelevant=True)
    assert rollups.try_counts(session, flt, (), None, "Europe/Berlin") is None   # stale: not read
    (row,) = queries.counts(session, flt, tz="Europe/Berlin")
    assert row["count"] == 60                                   # the items answer, new ones too

    assert rollups.refresh(session, "Europe/Berlin") == 20
    session.commit()
    for by in ((), ("lang", "sentiment"), ("model",), ("theme", "model"), ("source", "spam")):
        got = rollups.try_counts(session, flt, by, "day", "Europe/Berlin")
        assert got is not None and norm(got) == norm(raw(session, flt, by, "day", "Europe/Berlin"))
    incremental = rollup_rows(session, "Europe/Berlin")
    assert rollups.invalidate(session) == ["Europe/Berlin"]
    assert rollups.refresh(session, "Europe/Berlin") == 60
    assert rollup_rows(session, "Europe/Berlin") == incremental   # the same as built in one go


def test_update_tags_drops_the_rollups_and_a_refresh_rebuilds_them(session):
    corpus = random_corpus(seed=11, n=30)
    corpus.save(session)
    store.refresh_rollups(session, ("UTC", "Asia/Shanghai"))
    session.commit()
    assert rollups.zones(session) == ["Asia/Shanghai", "UTC"]
    story = next(s for s in corpus.stories if visible(s) and s.models and "pika" not in s.models)
    item_id = corpus.ids[story.n]
    before = {r["model"]: r["count"] for r in queries.counts(session, by=("model",))}

    store.update_tags(session, item_id, Tags(relevant=True, models=("pika",), themes=("jobs",),
                                             sentiment="negative", version="t2"), utc(2026, 2, 1))
    session.commit()
    assert rollups.zones(session) == []
    assert rollups.try_counts(session, ItemFilter(), ("model",), None, "UTC") is None
    after = {r["model"]: r["count"] for r in queries.counts(session, by=("model",))}
    assert after == {**{k: v - (k in story.models) for k, v in before.items()
                        if v - (k in story.models)}, "pika": 1}

    store.refresh_rollups(session, ("UTC",))
    session.commit()
    got = rollups.try_counts(session, ItemFilter(), ("model",), None, "UTC")
    assert got is not None and norm(got) == norm(raw(session, ItemFilter(), ("model",)))


def test_rollup_of_an_empty_database_counts_nothing(session):
    assert rollups.refresh(session, "UTC") == 0
    assert rollups.is_current(session, "UTC")
    assert rollups.try_counts(session, ItemFilter(), ("lang",), "day", "UTC") == []
    assert norm(rollups.try_counts(session, ItemFilter(), (), None, "UTC")) == norm(
        raw(session, ItemFilter()))


def test_adjust_moves_items_out_of_and_back_into_every_built_rollup(session):
    from sqlalchemy import update

    corpus = random_corpus(seed=5, n=40)
    corpus.save(session)
    store.refresh_rollups(session, ("UTC", "America/New_York"))
    session.commit()
    changed = [corpus.ids[s.n] for s in corpus.stories if visible(s)][:6]
    rollups.adjust(session, changed, -1)
    # in place, as re-pointing a cluster does: these stories become spam
    session.execute(update(m.Item).where(m.Item.id.in_(changed)).values(spam=True))
    rollups.adjust(session, changed, +1)
    session.commit()
    assert rollups.zones(session) == ["America/New_York", "UTC"]
    for tz in ("UTC", "America/New_York"):
        assert rollups.is_current(session, tz)
        for flt in (ItemFilter(), ItemFilter(include_spam=True)):
            for by in (("spam",), ("model", "lang"), ("theme",)):
                got = rollups.try_counts(session, flt, by, "day", tz)
                assert got is not None and norm(got) == norm(raw(session, flt, by, "day", tz))
        assert all(r["count"] > 0 for r in rollups.try_counts(session, ItemFilter(), ("lang",), "day", tz))
    stories = sum(r["count"] for r in queries.counts(session))
    assert stories == sum(visible(s) for s in corpus.stories) - 6


def test_a_source_moved_to_another_category_moves_its_stories_in_every_built_rollup(session):
    # The rollup rows keep each story's category; sync_sources changed the source's category
    # and the rollups went on counting its stories in the old one (the dashboard's and the
    # exports' --category / group by category then disagreed with a search of the same days).
    from dataclasses import replace

    corpus = random_corpus(seed=7, n=40)
    corpus.save(session)
    store.refresh_rollups(session, ("UTC", "America/New_York"))
    session.commit()
    moved = next(s for s in SOURCES if s.category == "news")
    store.sync_sources(session, [replace(s, category="social") if s.id == moved.id else s
                                 for s in SOURCES])
    session.commit()
    for tz in ("UTC", "America/New_York"):
        assert rollups.is_current(session, tz)
        since, until = day_window(date(2025, 2, 27), date(2025, 11, 30), tz)
        for flt in (ItemFilter(), ItemFilter(category=("social",)), ItemFilter(category=("news",)),
                    ItemFilter(since=since, until=until, category=("social",))):
            for by, bucket in (((), None), (("category",), "day"), (("category", "lang"), "week")):
                got = rollups.try_counts(session, flt, by, bucket, tz)
                assert got is not None
                assert norm(got) == norm(raw(session, flt, by, bucket, tz)), (tz, flt, by)
    social = rollups.try_counts(session, ItemFilter(category=("social",)), (), None, "UTC")
    assert social[0]["count"] > 0
