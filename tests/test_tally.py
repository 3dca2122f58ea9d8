"""db.tally: a search's stories counted once per view give the very numbers counted from the
stories, on SQLite and PostgreSQL -- counts by any dimension it holds, bucket and zone (DST days
included), the KPIs against a previous window whole or partial, the sentiment index and the
spikes -- and a view that searches matches its stories in one statement, not one per count."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from db import queries
from db import tally as tallies
from db.filters import ItemFilter, day_window
from db.trends import DIMENSIONS, _counts_from_items

from readside_data import BACKENDS, MODELS, SOURCES, THEMES, module_db, random_corpus, utc

ZONES = ("UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin")
# ASCII in any case, a term no story holds, non-ASCII cased letters, Chinese in either script
TERMS = ("story 1*", "STORY 2*", "number 4*", "éclair", "ÉCLAIR sora", "可灵", "可靈", "zzqx")
FIRST_DAYS = [date(2025, 3, 1) + timedelta(days=i) for i in range(30)] + [
    date(2025, 10, 20) + timedelta(days=i) for i in range(14)]


def searchable_corpus():
    """The read-side corpus, plus stories whose titles hold non-ASCII terms."""
    corpus = random_corpus()
    rnd = random.Random(7)
    titles = ("Éclair: Sora clip review", "ÉCLAIR SORA SPECIAL", "可灵 上线新模型", "可靈 發佈")
    phrases = ("éclair", "裁员", "world model", "版权", "3 models")    # the last a tagger's reason
    said = random.Random(8)                # the phrases' own draws: the stories stay as they were
    for i in range(40):
        start, days = rnd.choice([(utc(2025, 3, 1), 36), (utc(2025, 10, 20), 20)])
        at = start + timedelta(days=rnd.randrange(days), minutes=rnd.randrange(24 * 60))
        models = tuple(rnd.sample(MODELS, rnd.randrange(0, 3)))
        themes = tuple(rnd.sample(THEMES, rnd.randrange(0, 3)))
        corpus.add(at, rnd.choice(SOURCES).id, title=f"{rnd.choice(titles)} {i}",
                   models=models, themes=themes,
                   evidence={k: tuple(said.sample(phrases, said.randrange(1, 3))) for k in models + themes},
                   sentiment=rnd.choice(("positive", "neutral", "negative")), spam=rnd.random() < 0.05)
    return corpus


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    with module_db(request, tmp_path_factory) as session:
        searchable_corpus().save(session)
        yield session


def random_filter(rnd: random.Random, since, until) -> ItemFilter:
    def some(values, weights):
        return tuple(rnd.sample(values, rnd.choices(range(len(weights)), weights)[0]))

    return ItemFilter(since=since, until=until, q=rnd.choice(TERMS),
                      lang=some(("zh", "en", "other"), (70, 25, 5)),
                      model=some(MODELS, (60, 30, 10)), theme=some(THEMES, (60, 30, 10)),
                      sentiment=some(("positive", "neutral", "negative"), (85, 10, 5)),
                      category=some(("news", "social"), (85, 15)),
                      include_spam=rnd.random() < 0.2, include_irrelevant=rnd.random() < 0.2)


def test_a_tally_answers_every_count_it_covers_as_the_stories_do(db):
    session = db
    rnd = random.Random(11)
    answered = refused = 0
    for _ in range(60):
        tz = rnd.choice(ZONES)
        first = rnd.choice(FIRST_DAYS)
        since, until = day_window(first, first + timedelta(days=rnd.randrange(3, 40)), tz)
        if rnd.random() < 0.3:   # a span ending now, inside a day (a window not over)
            until = since + timedelta(days=rnd.randrange(1, 3), hours=rnd.randrange(1, 23), minutes=17)
        span = random_filter(rnd, since, until)
        tally = tallies.build(session, span, tz, pairs=rnd.random() < 0.5)
        days = (until - since).days
        for _ in range(8):
            a = rnd.randrange(0, days)
            b = rnd.randrange(a + 1, days + 2)
            lo = day_window(first + timedelta(days=a), first + timedelta(days=a), tz)[0] if a else since
            hi = until if b > days else day_window(first, first + timedelta(days=b - 1), tz)[1]
            if hi <= lo or hi > until:
                hi = until
            if rnd.random() < 0.1:   # off the local midnights: not the tally's to answer
                lo += timedelta(hours=3)
            flt = span.replace(since=lo, until=hi)
            if rnd.random() < 0.3:   # fewer languages or tones (a tally's rows keep both)
                flt = flt.replace(lang=rnd.sample(span.lang or ("zh", "en", "other"), 1))
            if rnd.random() < 0.2:
                flt = flt.replace(sentiment=rnd.sample(span.sentiment or ("positive", "negative"), 1))
            if rnd.random() < 0.2:   # fewer models or themes: answered when counted by them
                dim, keys = rnd.choice((("model", MODELS), ("theme", THEMES)))
                flt = flt.replace(**{dim: rnd.sample(getattr(span, dim) or keys, 1)})
            by = tuple(rnd.sample(DIMENSIONS, rnd.choices((0, 1, 2), (30, 45, 25))[0]))
            if rnd.random() < 0.15:   # theme x model (a tally with its pairs answers)
                by = rnd.choice((("theme", "model"), ("model", "theme", "lang")))
            bucket = rnd.choice((None, "day", "week", "month"))
            got = tallies.answer(tally, flt, by, bucket, tz)
            if got is None:
                refused += 1
                continue
            answered += 1
            assert got == _counts_from_items(session, flt, by, bucket, tz), (flt, by, bucket, tz)
    assert answered > 200 and refused > 20, (answered, refused)


def test_a_tally_refuses_what_it_did_not_count(db):
    session = db
    since, until = day_window(date(2025, 3, 1), date(2025, 3, 31), "Europe/Berlin")
    span = ItemFilter(since=since, until=until, q="story 1*", lang=("en",))
    tally = tallies.build(session, span, "Europe/Berlin")
    assert tallies.answer(tally, span, ("model", "lang"), "week", "Europe/Berlin") is not None
    every_lang = tallies.build(session, span.replace(lang=()), "Europe/Berlin")
    assert tallies.answer(every_lang, span, ("theme", "sentiment"), None, "UTC") == _counts_from_items(
        session, span, ("theme", "sentiment"), None, "UTC")
    assert tallies.answer(every_lang, span.replace(sentiment=("negative",)), (), None, "UTC") == (
        _counts_from_items(session, span.replace(sentiment=("negative",)), (), None, "UTC"))
    two = span.replace(model=("sora", "kling"))   # the Models page's top models, by model
    assert tallies.answer(tally, two, ("model", "sentiment"), "day", "Europe/Berlin") == (
        _counts_from_items(session, two, ("model", "sentiment"), "day", "Europe/Berlin"))
    paired = tallies.build(session, span, "Europe/Berlin", pairs=True)   # the Themes heat map
    for flt in (span, two.replace(theme=("jobs",))):
        want = _counts_from_items(session, flt, ("theme", "model"), None, "UTC")
        assert want and tallies.answer(paired, flt, ("theme", "model"), None, "UTC") == want
    refused = [
        (span.replace(q="story 2*"), ("lang",), None, "UTC"),                     # another search
        (span.replace(lang=("zh",)), ("lang",), None, "UTC"),                    # another language
        (span.replace(lang=()), ("lang",), None, "UTC"),                         # more languages
        (span.replace(model=("sora",)), ("lang",), None, "UTC"),                 # fewer stories
        (span.replace(model=("sora",)), ("theme",), None, "UTC"),
        (span.replace(sentiment=("positive",), include_spam=True), (), None, "UTC"),   # other flags
        (span.replace(until=until + timedelta(days=1)), (), None, "UTC"),        # past its span
        (span.replace(since=since + timedelta(hours=5)), (), None, "UTC"),       # off midnight
        (span, ("source",), None, "UTC"),                                        # not kept
        (span, ("model", "theme"), None, "UTC"),                                 # not kept together
        (span, ("lang",), "day", "UTC"),                                         # other zone's days
    ]
    for flt, by, bucket, tz in refused:
        assert tallies.answer(tally, flt, by, bucket, tz) is None, (flt, by, bucket, tz)
    with pytest.raises(ValueError, match="since and until"):
        tallies.build(session, span.replace(since=None), "UTC")


def test_a_tally_with_evidence_lists_the_phrases_the_stories_give(db):
    """The Themes page's evidence phrases of a search, from the tally that matched its stories
    once: the phrases and counts evidence_top reads from the stories, for the range after the
    share's lead-in days, fewer languages, tones and themes; anything else is refused."""
    session = db
    rnd = random.Random(23)
    answered = 0
    for _ in range(70):
        tz, first = rnd.choice(ZONES), rnd.choice(FIRST_DAYS)
        days = rnd.randrange(8, 40)
        since, until = day_window(first, first + timedelta(days=days), tz)
        if rnd.random() < 0.3:   # a span ending now, inside a day (a window not over)
            until = since + timedelta(days=days, hours=rnd.randrange(1, 23), minutes=17)
        span = random_filter(rnd, since, until).replace(q=rnd.choice(TERMS[:-1]))
        lead = first + timedelta(days=rnd.choice((0, 6)))                 # after the lead-in days
        start = day_window(lead, lead, tz)[0]
        dim = rnd.choice(("theme", "model"))
        tally = tallies.build(session, span, tz, pairs=rnd.random() < 0.5, evidence=(dim, start, until))
        flt = span.replace(since=start)
        if rnd.random() < 0.3:
            flt = flt.replace(lang=rnd.sample(span.lang or ("zh", "en"), 1))
        if rnd.random() < 0.3:
            flt = flt.replace(sentiment=rnd.sample(span.sentiment or ("positive", "negative"), 1))
        if rnd.random() < 0.3:
            flt = flt.replace(**{dim: rnd.sample(getattr(span, dim) or (MODELS if dim == "model" else THEMES), 1)})
        assert tallies.evidence(tally, flt, dim) is not None, flt
        got = queries.evidence_top(session, flt, dim=dim, per_key=50, tally=tally)
        assert got == queries.evidence_top(session, flt, dim=dim, per_key=50), (flt, dim)
        answered += bool(got)
        assert all(r["phrase"] != "3 models" for r in got)
        other = "model" if dim == "theme" else "theme"
        for refused in ((flt.replace(since=since - timedelta(days=1)), dim),   # another window
                        (flt.replace(until=until - timedelta(days=1)), dim),
                        (flt.replace(q="zzqx"), dim),                          # another search
                        (flt.replace(include_spam=not flt.include_spam), dim),
                        (flt, other)):                                         # another dim
            assert tallies.evidence(tally, *refused) is None, refused
    assert answered > 20, answered
    with pytest.raises(ValueError, match="within the tally's window"):
        tallies.build(session, span, "UTC", evidence=("theme", since - timedelta(days=1), until))


def counted_from_stories(monkeypatch):
    """db.trends with no tally: every count reads the stories (the path before db.tally)."""
    monkeypatch.setattr(tallies, "answer", lambda *args, **kwargs: None)


VIEWS = [   # (first day, last day, zone, now, filter fields)
    (date(2025, 3, 20), date(2025, 4, 5), "Europe/Berlin", utc(2025, 5, 1), {"q": "story 1*"}),
    (date(2025, 10, 26), date(2025, 11, 2), "America/New_York", utc(2025, 11, 2, 18),   # not over
     {"q": "STORY", "lang": ("en", "zh")}),
    (date(2025, 3, 25), date(2025, 4, 4), "Asia/Shanghai", utc(2025, 6, 1),
     {"q": "ÉCLAIR", "model": ("sora", "kling")}),
    (date(2025, 10, 28), date(2025, 11, 8), "UTC", utc(2025, 11, 8, 9), {"q": "可灵"}),
    (date(2025, 3, 1), date(2025, 4, 5), "UTC", utc(2025, 6, 1), {"q": "zzqx"}),
]


@pytest.mark.parametrize("first, last, tz, now, fields", VIEWS)
def test_an_overview_with_a_search_has_the_numbers_counted_from_the_stories(
        db, monkeypatch, first, last, tz, now, fields):
    session = db
    since, until = day_window(first, last, tz)
    flt = ItemFilter(since=since, until=until, **fields)
    lead = flt.replace(since=day_window(first - timedelta(days=6), last, tz)[0])
    tally = queries.view_tally(session, flt, tz=tz, now=now)

    def overview(tally):
        return {"total": queries.counts(session, flt, tally=tally),
                "kpis": queries.period_kpis(session, flt, tz=tz, now=now, tally=tally),
                "volume": queries.counts(session, flt, by=("lang",), bucket="week", tz=tz, tally=tally),
                "net": queries.sentiment_index(session, lead, bucket="day", tz=tz, tally=tally),
                "net_lang": queries.sentiment_index(session, lead, tz=tz, by="lang", tally=tally),
                "spikes": queries.spikes(session, flt, tz=tz, min_count=1, threshold=1.0, tally=tally)}

    fast = overview(tally)
    counted_from_stories(monkeypatch)
    assert fast == overview(None)
    if fields["q"] != "zzqx":
        assert fast["total"][0]["count"] > 0 and fast["spikes"]


def test_a_view_with_a_search_matches_its_stories_once(db):
    session = db
    tz, now = "Europe/Berlin", utc(2025, 5, 1)
    since, until = day_window(date(2025, 3, 20), date(2025, 4, 5), tz)
    flt = ItemFilter(since=since, until=until, q="story 1*")
    searches = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if " LIKE " in statement or " ~ " in statement:
            searches.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        tally = queries.view_tally(session, flt, tz=tz, now=now)
        queries.counts(session, flt, tally=tally)
        queries.period_kpis(session, flt, tz=tz, now=now, tally=tally)
        queries.counts(session, flt, by=("lang",), bucket="day", tz=tz, tally=tally)
        queries.sentiment_index(session, flt, tz=tz, by="lang", tally=tally)
        queries.spikes(session, flt, tz=tz, tally=tally)
        assert len(searches) == 1, searches          # the tally's; the counts read none
        searches.clear()
        lead = flt.replace(since=day_window(date(2025, 3, 14), date(2025, 3, 14), tz)[0])
        themes = queries.view_tally(session, lead, tz=tz, spikes=False, previous=False, pairs=True,
                                    evidence="theme", evidence_since=flt.since)   # the Themes page
        queries.counts(session, flt, by=("theme", "model"), tally=themes)
        assert queries.evidence_top(session, flt, dim="theme", tally=themes)
        assert len(searches) == 1, searches          # its evidence phrases came with the tally
        searches.clear()
        queries.period_kpis(session, flt, tz=tz, now=utc(2025, 4, 5, 12))   # no tally given
        assert len(searches) == 2, searches          # one per window, not one per grouping
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_a_view_not_over_near_the_archives_first_day_holds_its_lead_in_days(db):
    # the spikes' history starts at the archive's first day (2025-03-01); the tally still holds
    # the sentiment index's 6 lead-in days before a range starting on or before it
    tz, now = "UTC", utc(2025, 3, 20, 9)
    for first in (date(2025, 3, 3), date(2025, 2, 20)):
        since, until = day_window(first, date(2025, 3, 20), tz)
        flt = ItemFilter(since=since, until=until, q="story 1*")
        lead = flt.replace(since=day_window(first - timedelta(days=6), first, tz)[0])
        assert tallies.covers(queries.view_tally(db, flt, tz=tz, now=now), lead)
