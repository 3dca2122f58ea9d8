"""What the digest says: every number read from `db.queries` for one local day (or the 7 days ending
on it), gathered into a plain `Digest` that `report.render` turns into HTML, text and chat messages.

The period is `day` (the local calendar day `date` in zone `tz`) or `week` (the 7 local days ending
on `date`). "Previous" is the period of the same length right before; the average is the mean per period
over the 7 days (day) or 4 weeks (week) right before the period. The decision of what the biggest change is
(`headline`) is a pure function of the gathered numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

from sqlalchemy.orm import Session

from db import queries as q
from db.buckets import local_day
from db.filters import ItemFilter, day_window

PERIODS = ("day", "week")
LANGS = ("zh", "en")
SPIKES_SHOWN = 3
STORIES_PER_SPIKE = 3
SPIKE_CANDIDATES = 20
RISING_SHOWN = 3
THEMES_SHOWN = 3
STORIES_PER_THEME = 2
UNTHEMED_LOOKED_AT = 50   # the widest carried stories searched for those without a theme
TERMS_SHOWN = 8
CHART_DAYS = 14
TOP_STORIES = 2


@dataclass(frozen=True, slots=True)
class Change:
    current: int
    previous: int
    average: float                 # per period, over the 7 days / 4 weeks before (a period
                                   # not over: each of them only as far in as this one is)

    @property
    def delta(self) -> int:
        return self.current - self.previous


class ThemeTop(NamedTuple):
    """A theme of a language section and its most widely carried stories. A story is listed once,
    under the first spike or the first (largest) theme that lists it: a later one skips it and
    takes its next story, and `above` names, once per story it skipped, the spike (`spike_mark`)
    or the theme it is listed under."""
    theme: str
    count: int                     # the theme's stories in the period
    stories: list[dict]            # at most STORIES_PER_THEME, none listed under an earlier theme
    above: list[str]               # per skipped story, the earlier theme listing it


@dataclass
class LangSection:
    lang: str
    stories: Change
    net: tuple[float | None, float | None]             # net sentiment (current, previous)
    rising_models: list[dict]                          # {"key","current","previous","change"}
    rising_themes: list[dict]
    terms: list[dict]                                  # rising_terms rows
    themes: list[ThemeTop]
    unthemed: list[dict] = field(default_factory=list)  # top stories with no theme, listed nowhere else


@dataclass
class Digest:
    day: date                      # last local day of the period
    period: str
    tz: str
    langs: tuple[str, ...]
    first_day: date
    since: datetime
    until: datetime
    filters: ItemFilter
    stories: Change
    share: dict[str, tuple[float | None, float | None]]     # lang -> (current, previous)
    net: tuple[float | None, float | None]
    # stories per language, both languages whatever `langs` holds (a Chinese digest's total
    # counts the English stories too); "other": the rest (language undetermined), when any
    by_lang: dict[str, Change] = field(default_factory=dict)
    spikes: list[dict] = field(default_factory=list)        # spikes() rows + "stories"
    more_spikes: list[dict] = field(default_factory=list)   # the spikes past SPIKES_SHOWN, named only
    undated: int = 0                                        # stories of the period dated when fetched
    rising_models: list[dict] = field(default_factory=list)
    rising_themes: list[dict] = field(default_factory=list)
    gap: list[dict] = field(default_factory=list)           # language_gap rows, largest first
    daily: list[dict] = field(default_factory=list)         # {"day", "zh", "en"} for the chart
    sections: list[LangSection] = field(default_factory=list)
    top_stories: list[dict] = field(default_factory=list)  # the most widely carried (chat links)
    last_story_at: datetime | None = None
    last_run: dict | None = None
    tagger_versions: list[str] = field(default_factory=list)
    as_of: datetime | None = None  # a period not over: the time every comparison runs to
    source_names: dict[str, str] = field(default_factory=dict)   # the focus's sources: id -> name

    @property
    def empty(self) -> bool:
        return self.stories.current == 0


def period_days(day: date, period: str) -> tuple[date, date]:
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r} (use day or week)")
    return (day - timedelta(days=6), day) if period == "week" else (day, day)


def _rising(cur: dict[str, int], old: dict[str, int], top: int) -> list[dict]:
    rows = [{"key": k, "current": n, "previous": old.get(k, 0), "change": n - old.get(k, 0)}
            for k, n in cur.items() if n - old.get(k, 0) > 0]
    rows.sort(key=lambda r: (-r["change"], -r["current"], r["key"]))
    return rows[:top]


def _by(session: Session, flt: ItemFilter, dim: str) -> dict[str, int]:
    return {r[dim]: r["count"] for r in q.counts(session, flt, by=(dim,))}


def _average(session: Session, flt: ItemFilter, periods: int,
             stretch: timedelta | None = None) -> float:
    """Mean stories per period over the `periods` periods right before the filter's window (the
    7-day average of a day, the 4-week average of a week). With `stretch` (a period not over, see
    `q.elapsed`), each of those periods counts only as far in as this one is: today until now
    against each of the 7 days before until the same hour."""
    span = flt.until - flt.since
    if stretch is None:
        wide = flt.replace(since=flt.since - span * periods, until=flt.since)
        return q.count_items(session, wide) / periods
    starts = [flt.since - span * k for k in range(1, periods + 1)]
    return sum(q.count_items(session, flt.replace(since=s, until=s + stretch)) for s in starts) / periods


def _change(session: Session, flt: ItemFilter, prev: ItemFilter, periods: int,
            stretch: timedelta | None) -> Change:
    return Change(q.count_items(session, flt), q.count_items(session, prev),
                  _average(session, flt, periods, stretch))


def build_digest(session: Session, day: date, *, period: str = "day", tz: str = "UTC",
                 langs: tuple[str, ...] = LANGS, base: ItemFilter | None = None,
                 now: datetime | None = None) -> Digest:
    """Gather the digest of `period` ending on local `day` in zone `tz`. A period not over at `now`
    (default: the current time) is held against the same stretch of the previous one (as
    `period_kpis` does), and its chart's days not over are marked partial."""
    first, last = period_days(day, period)
    since, until = day_window(first, last, tz)
    now = now or datetime.now(timezone.utc)
    # a period not over counts its stories until now, in every number (none dated later)
    flt = (base or ItemFilter()).replace(since=since, until=until, as_of=now)
    periods = 4 if period == "week" else 7
    kpis = q.period_kpis(session, flt, tz=tz, now=now)
    stretch = q.elapsed(flt, now)     # None unless the period is not over
    # the previous period as the KPIs take it: as far in as this one is, when it is not over
    prev = flt.replace(since=kpis["prev_since"], until=kpis["prev_until"])
    d = Digest(day=last, period=period, tz=tz, langs=tuple(langs), first_day=first, since=since,
               until=until, filters=flt,
               stories=Change(kpis["stories"]["current"], kpis["stories"]["previous"],
                              _average(session, flt, periods, stretch)),
               share={lang: (kpis["share"][lang]["current"], kpis["share"][lang]["previous"])
                      for lang in LANGS},
               net=(kpis["net_sentiment"]["current"], kpis["net_sentiment"]["previous"]),
               as_of=now if stretch is not None else None)
    d.source_names = q.source_names(session, flt.source_id) if flt.source_id else {}
    facets = q.facets(session)
    d.last_story_at = facets["last"]
    runs = q.latest_runs(session, 1)
    d.last_run = runs[0] if runs else None
    chart_first = last - timedelta(days=CHART_DAYS - 1)
    chart_since, _ = day_window(chart_first, last, tz)
    per_day: dict[date, dict] = {}
    for r in q.counts(session, flt.replace(since=chart_since, until=until), by=("lang",),
                      bucket="day", tz=tz):
        if r["lang"] in LANGS:
            per_day.setdefault(r["bucket"], {"zh": 0, "en": 0})[r["lang"]] = r["count"]
    partial = q.partial_buckets(chart_first, last, "day", local_day(now, tz))
    chart_days = [chart_first + timedelta(days=k) for k in range(CHART_DAYS)]
    d.daily = [{"day": day_, **per_day.get(day_, {"zh": 0, "en": 0}), "partial": day_ in partial}
               for day_ in chart_days]
    if d.empty:
        return d
    d.tagger_versions = [r["version"] for r in q.tagger_versions(session, flt) if r["version"]]
    d.undated = q.undated_stories(session, flt)
    d.top_stories = q.top_stories(session, flt, limit=TOP_STORIES)
    _add_outlets(session, d.top_stories)
    listed: dict[int, str] = {}     # story id -> the spike listing it ("spike:model:sora")
    spikes = q.spikes(session, flt, tz=tz, now=now)
    d.more_spikes = spikes[SPIKES_SHOWN:]
    for s in spikes[:SPIKES_SHOWN]:
        stories = ranked_spike_stories(session, flt, s, tz, langs=d.langs)
        entry = once_per_story(spike_mark(s), s["count"], stories, listed, STORIES_PER_SPIKE)
        s["stories"], s["above"] = entry.stories, entry.above
        d.spikes.append(s)
    d.rising_models = _rising(_by(session, flt, "model"), _by(session, prev, "model"), RISING_SHOWN)
    d.rising_themes = _rising(_by(session, flt, "theme"), _by(session, prev, "theme"), RISING_SHOWN)
    d.gap = q.language_gap(session, flt, dim="theme")
    d.by_lang = {lang: _change(session, flt.replace(lang=(lang,)), prev.replace(lang=(lang,)), periods, stretch)
                 for lang in LANGS}
    rest = Change(d.stories.current - sum(c.current for c in d.by_lang.values()),
                  d.stories.previous - sum(c.previous for c in d.by_lang.values()),
                  max(0.0, d.stories.average - sum(c.average for c in d.by_lang.values())))
    if rest.current or rest.previous:
        d.by_lang["other"] = rest
    for lang in langs:
        d.sections.append(_section(session, flt, prev, lang, d.by_lang[lang], now, dict(listed)))
    return d


def ranked_spike_stories(session: Session, flt: ItemFilter, sp: dict, tz: str,
                         limit: int = SPIKE_CANDIDATES, langs: tuple[str, ...] = LANGS) -> list[dict]:
    """The stories behind spike `sp` (those it counted), each with its outlets, the most widely
    carried first, then the newest (the digest's and the alerts' order), the reader's first
    (`reader_first`: in `langs`). The candidates are the `limit` widest carried of the day and
    the widest of each of `langs`, not the newest: a story carried by three outlets in the
    morning leads a spike of forty stories whatever came after it."""
    def widest(lang: tuple[str, ...] = (), n: int = limit) -> list[dict]:
        return q.spike_stories(session, flt, dim=sp["dim"], key=sp["key"], day=sp["day"], tz=tz,
                               limit=n, as_of=sp["as_of"], order="reach", lang=lang)

    by_id = {st["id"]: st for st in widest()}
    for lang in langs:
        if not flt.lang or lang in flt.lang:          # never past the focus's own languages
            by_id.update((st["id"], st) for st in widest((lang,), 3) if st["id"] not in by_id)
    stories = list(by_id.values())
    _add_outlets(session, stories)
    stories.sort(key=lambda st: (-st["outlets"], -st["published_at"].timestamp(), -st["id"]))
    return reader_first(stories, langs)


def reader_first(ranked: list[dict], langs: tuple[str, ...]) -> list[dict]:
    """`ranked` (best first) as a reader of `langs` is shown it: the best story of each of those
    languages first (in their order of rank), then the rest of theirs, then stories in other
    languages. An English digest's Sora spike of 22 English and 19 Chinese stories was shown
    by three Chinese ones; a digest of both shows one of each before the rest."""
    best: dict[str, dict] = {}                  # language -> its best story, in order of rank
    for st in ranked:
        if st.get("lang") in langs:
            best.setdefault(st["lang"], st)
    firsts = list(best.values())
    own = [st for st in ranked if st.get("lang") in langs and all(st is not f for f in firsts)]
    return firsts + own + [st for st in ranked if st.get("lang") not in langs]


def spike_mark(sp: dict) -> str:
    """How a spike stands in a listing's `above`: "spike:model:sora" (a theme stands as its id)."""
    return f"spike:{sp['dim']}:{sp['key']}"


def once_per_story(theme: str, n: int, ranked: list[dict], listed: dict[int, str],
                   per_theme: int = STORIES_PER_THEME) -> ThemeTop:
    """`theme`'s first `per_theme` stories of `ranked` (its stories, best first) not in `listed`
    (story id -> the earlier theme listing it), and the earlier themes of those it skipped on the
    way; adds its own to `listed`."""
    stories: list[dict] = []
    above: list[str] = []
    for st in ranked:
        if len(stories) >= per_theme:
            break
        if st["id"] in listed:
            above.append(listed[st["id"]])
        else:
            stories.append(st)
    for st in stories:
        listed[st["id"]] = theme
    return ThemeTop(theme, n, stories, above)


def _add_outlets(session: Session, stories: list[dict]) -> None:
    outlets = q.outlet_counts(session, [s["id"] for s in stories])
    for s in stories:
        s["outlets"] = outlets.get(s["id"], 1)


def _section(session: Session, flt: ItemFilter, prev: ItemFilter, lang: str, stories: Change,
             now: datetime, listed: dict[int, str]) -> LangSection:
    """One language's part; `listed` (story id -> the spike listing it) keeps the spikes' stories
    out of the themes, which say where they are listed instead."""
    lf, lp = flt.replace(lang=(lang,)), prev.replace(lang=(lang,))
    net = [r["net"] for r in q.sentiment_index(session, lf, bucket=None)] or [None]
    net_prev = [r["net"] for r in q.sentiment_index(session, lp, bucket=None)] or [None]
    themes = sorted(_by(session, lf, "theme").items(), key=lambda kv: (-kv[1], kv[0]))[:THEMES_SHOWN]
    top: list[ThemeTop] = []
    for theme, n in themes:
        ranked = q.top_stories(session, lf.replace(theme=(theme,)), limit=STORIES_PER_THEME + len(listed))
        entry = once_per_story(theme, n, ranked, listed)
        _add_outlets(session, entry.stories)
        top.append(entry)
    # stories with no theme are counted above but listed under no theme: the widest carried of
    # them get a block of their own, so every section can reach its stories (a focused digest
    # whose few stories have no theme listed none of them)
    unthemed = [s for s in q.top_stories(session, lf, limit=UNTHEMED_LOOKED_AT + len(listed))
                if not s.get("themes") and s["id"] not in listed][:STORIES_PER_THEME]
    _add_outlets(session, unthemed)
    return LangSection(
        lang=lang, stories=stories,
        net=(net[0], net_prev[0]),
        rising_models=_rising(_by(session, lf, "model"), _by(session, lp, "model"), RISING_SHOWN),
        rising_themes=_rising(_by(session, lf, "theme"), _by(session, lp, "theme"), RISING_SHOWN),
        terms=q.rising_terms(session, lf, lang=lang, top=TERMS_SHOWN, now=now), themes=top,
        unthemed=unthemed)


# --- the biggest change (pure) ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Headline:
    kind: str        # spike | rising_model | rising_theme | stories | empty
    key: str | None
    current: int
    reference: float  # baseline (spike) or previous count
    leader: str | None = None
    day: date | None = None   # a spike's local day, in a digest of more than one day


def headline(d: Digest) -> Headline:
    """The one change the subject names: the strongest spike, else the model or theme that rose
    most (by at least 2 stories), else the change in stories."""
    if d.empty:
        return Headline("empty", None, 0, d.stories.previous)
    if d.spikes:
        s = d.spikes[0]
        return Headline("spike", f"{s['dim']}:{s['key']}", s["count"], s["baseline"], s.get("leader"),
                        s["day"] if d.period != "day" else None)
    best = max(((f"rising_{dim}", r) for dim, rows in (("model", d.rising_models),
                                                        ("theme", d.rising_themes)) for r in rows[:1]),
               key=lambda kr: (kr[1]["change"], kr[0] == "rising_model"), default=None)
    if best and best[1]["change"] >= 2:
        kind, r = best
        return Headline(kind, r["key"], r["current"], r["previous"])
    return Headline("stories", None, d.stories.current, d.stories.previous)
