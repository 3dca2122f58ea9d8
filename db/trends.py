"""Trend analytics over stories: counts by local bucket and facet, KPIs against the previous period,
spikes with their lead language, the zh/en gap, rising terms and top evidence phrases.

Counting happens in SQL (`counts`, the JSON-array aggregations); the statistics in `db.stats` run
on those aggregated rows only. Imported through `db.queries`, the one read side.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, literal_column, or_, select, true
from sqlalchemy.orm import Session

from db import models as m
from db import rollups, stats
from db import tally as tallies
from db.buckets import as_date, bucket_expr, local_day
from db.filters import ItemFilter, day_window
from db.jsonsql import json_elements
from ingest.tag import reasons

DIMENSIONS = ("lang", "sentiment", "model", "theme", "source", "category", "spam")
LANGS = ("zh", "en")
SENTIMENTS = ("positive", "neutral", "negative")
js_divergence_of = stats.js_divergence


def counts(session: Session, flt: ItemFilter | None = None, *, by: Sequence[str] = (),
           bucket: str | None = None, tz: str = "UTC", tally: tallies.Tally | None = None) -> list[dict]:
    """Stories per local `bucket` (day | week | month in zone `tz`, key "bucket") and per value of
    each dimension in `by` (keys named after the dimensions), in "count". Zero cells are omitted.
    With "model" or "theme" in `by`, a story counts once per model or theme it has; when the
    filter names models (themes), only those are grouped. A `tally` (db.tally) of the filter
    answers when it covers the request (the same numbers, without reading the stories again)."""
    flt = flt or ItemFilter()
    by = tuple(by)
    for dim in by:
        if dim not in DIMENSIONS:
            raise ValueError(f"cannot count by {dim!r} (dimensions: {', '.join(DIMENSIONS)})")
    if bucket is not None and bucket not in ("day", "week", "month"):
        raise ValueError(f"unknown bucket {bucket!r} (use day, week or month)")
    rows = tallies.answer(tally, flt, by, bucket, tz)
    if rows is None:
        rows = _rollup_counts(session, flt, by, bucket, tz)
    if rows is None:
        rows = _counts_from_items(session, flt, by, bucket, tz)
    names = (("bucket",) if bucket else ()) + by
    # Both paths return rows ordered by their keys; a None key (untagged sentiment) goes last on
    # every backend: re-sort only when one is there.
    if names and any(r[n] is None for r in rows for n in names):
        rows.sort(key=lambda r: tuple((r[n] is None, r[n]) for n in names))
    return rows


def _rollup_counts(session: Session, flt: ItemFilter, by: tuple[str, ...], bucket: str | None,
                   tz: str) -> list[dict] | None:
    """The rollup's answer (whole local days), None when it has none. A window cut at its
    "as_of" (a day not over) is its whole days' rollup rows less the stories dated from "as_of"
    to the window's end, counted from the items (a few at most: feeds dated ahead of time)."""
    whole = flt.replace(as_of=None)
    rows = _whole_days(session, whole, by, bucket, tz)
    if rows is None or flt.as_of is None:
        return rows
    ahead = whole.replace(since=flt.as_of if flt.since is None else max(flt.since, flt.as_of))
    names = (("bucket",) if bucket else ()) + by
    later = {tuple(r[n] for n in names): r["count"]
             for r in _counts_from_items(session, ahead, by, bucket, tz)}
    if not later:
        return rows
    out = []
    for r in rows:
        n = r["count"] - later.get(tuple(r[k] for k in names), 0)
        if n > 0 or not names:   # a cell left with no story is left out, as SQL leaves it
            out.append({**r, "count": n})
    return out


def _whole_days(session: Session, flt: ItemFilter, by: tuple[str, ...], bucket: str | None,
                tz: str) -> list[dict] | None:
    """The rollup's answer; for a window whose ends fall inside local days (the same stretch of a
    previous period, `comparable_window`: until 10:32 three months ago), its whole days from the
    rollup and the part-days at its ends from the items, summed cell by cell. None when the
    rollup cannot answer, or the window holds no whole day. Without buckets any built zone's
    days will do (the ends are instants); with them, only `tz`'s."""
    rows = rollups.try_counts(session, flt, by, bucket, tz)
    if rows is not None or flt.since is None or flt.until is None:
        return rows
    for zone in [tz] + ([z for z in rollups.zones(session) if z != tz] if bucket is None else []):
        first, last = local_day(flt.since, zone), local_day(flt.until, zone)
        lo = day_window(first, first, zone)[0]
        if lo < flt.since:
            lo = day_window(first, first, zone)[1]
        hi = day_window(last, last, zone)[0]
        if lo >= hi:
            continue
        inner = rollups.try_counts(session, flt.replace(since=lo, until=hi), by, bucket, zone)
        if inner is None:
            continue
        names = (("bucket",) if bucket else ()) + by
        cells: dict[tuple, int] = {}
        parts = [inner] + [_counts_from_items(session, flt.replace(since=a, until=b), by, bucket, tz)
                           for a, b in ((flt.since, lo), (hi, flt.until)) if a < b]
        for part in parts:
            for r in part:
                key = tuple(r[n] for n in names)
                cells[key] = cells.get(key, 0) + r["count"]
        if not names:
            return [{"count": cells.get((), 0)}]
        order = sorted(cells, key=lambda key: tuple((v is None, v) for v in key))
        return [{**dict(zip(names, key)), "count": cells[key]} for key in order if cells[key]]
    return None


def _counts_from_items(session: Session, flt: ItemFilter, by: tuple[str, ...], bucket: str | None,
                       tz: str) -> list[dict]:
    it = m.Item
    cols, joined = [], set()
    if bucket:
        cols.append(bucket_expr(session, bucket, tz, flt.since, flt.until).label("bucket"))
    for dim in by:
        if dim in ("lang", "sentiment", "spam"):
            cols.append(getattr(it, dim).label(dim))
        elif dim == "source":
            cols.append(it.source_id.label("source"))
        elif dim == "category":
            cols.append(m.Source.category.label("category"))
        elif dim == "model":
            cols.append(m.ItemModel.model.label("model"))
        else:
            cols.append(m.ItemTheme.theme.label("theme"))
        joined.add(dim)
    stmt = select(*cols, func.count().label("count")).select_from(it)
    if "category" in joined:
        stmt = stmt.join(m.Source, m.Source.id == it.source_id)
    if "model" in joined:
        stmt = stmt.join(m.ItemModel, m.ItemModel.item_id == it.id)
        if flt.model:
            stmt = stmt.where(m.ItemModel.model.in_(flt.model))
    if "theme" in joined:
        stmt = stmt.join(m.ItemTheme, m.ItemTheme.item_id == it.id)
        if flt.theme:
            stmt = stmt.where(m.ItemTheme.theme.in_(flt.theme))
    stmt = flt.apply(stmt)
    if cols:   # the bucket by its label (one CASE), facets by column (names may clash in joins)
        keys = [c.name if c.name == "bucket" else c.element for c in cols]
        stmt = stmt.group_by(*keys).order_by(   # output names: NULLS LAST on both backends
            *(literal_column(c.name).asc().nulls_last() for c in cols))
    rows = []
    for r in session.execute(stmt):
        row = dict(r._mapping)
        if bucket:
            row["bucket"] = as_date(row["bucket"])
        rows.append(row)
    return rows


def sentiment_index(session: Session, flt: ItemFilter | None = None, *, bucket: str | None = "day",
                    tz: str = "UTC", by: str | None = None,
                    tally: tallies.Tally | None = None) -> list[dict]:
    """Per bucket (and per value of `by`): positive, neutral, negative, stories and the net
    sentiment index (positive - negative) / stories, in [-1, 1]. Untagged stories count in
    `stories` only."""
    dims = ((by,) if by else ()) + ("sentiment",)
    cells: dict[tuple, dict] = {}
    for r in counts(session, flt, by=dims, bucket=bucket, tz=tz, tally=tally):
        key = (r.get("bucket"), r.get(by) if by else None)
        cell = cells.setdefault(key, {"positive": 0, "neutral": 0, "negative": 0, "stories": 0})
        if r["sentiment"] in SENTIMENTS:
            cell[r["sentiment"]] += r["count"]
        cell["stories"] += r["count"]
    out = []
    for (b, k), cell in sorted(cells.items(), key=lambda kv: (kv[0][0] or date.min, str(kv[0][1]))):
        row = {"bucket": b} if bucket else {}
        if by:
            row["key"] = k
        row.update(cell)
        row["net"] = round((cell["positive"] - cell["negative"]) / cell["stories"], 4) if cell["stories"] else None
        out.append(row)
    return out


def clock(flt: ItemFilter | None, now: datetime | None = None) -> datetime:
    """The instant a read of `flt` runs at: `now` when given, else the filter's "as_of" (a window
    not over, counted until then: the dashboard's view, a digest, an export), else the current
    time. So a view's spikes, KPIs and terms stop where its counts do."""
    return now or (flt.as_of if flt is not None else None) or datetime.now(timezone.utc)


def previous_window(flt: ItemFilter) -> ItemFilter:
    """The same filter over the equally long window right before it."""
    if flt.since is None or flt.until is None:
        raise ValueError("comparing with the previous period needs a filter with since and until")
    span = flt.until - flt.since
    return flt.replace(since=flt.since - span, until=flt.since)


def elapsed(flt: ItemFilter, now: datetime) -> timedelta | None:
    """How far into the filter's window `now` is, None when the window is not running (over, or
    still to come). On the window's own clock: for a window of local days (db.filters.day_window)
    the local time since its first midnight, so that adding it to an earlier local midnight gives
    the same hour, a DST change between them or not ("today until now" against "yesterday until
    the same hour")."""
    if flt.since is None or flt.until is None or not flt.since <= now < flt.until:
        return None
    return now.astimezone(flt.since.tzinfo) - flt.since


def so_far(flt: ItemFilter, now: datetime) -> ItemFilter:
    """The filter's window until `now` while it is running (`elapsed`: a day or period not over),
    else the filter unchanged: the stories counted so far, none dated later than `now`."""
    stretch = elapsed(flt, now)
    return flt if stretch is None else flt.replace(until=flt.since + stretch)


def comparable_window(flt: ItemFilter, now: datetime) -> ItemFilter:
    """The previous window to hold the filter's against: the equally long one right before it, or,
    while the filter's window is not over at `now`, its stretch as far in as `now` is (`elapsed`).
    The one rule of the KPIs, the rising terms and the digest's comparisons."""
    prev = previous_window(flt)
    stretch = elapsed(flt, now)
    return prev if stretch is None else prev.replace(until=prev.since + stretch)


def period_kpis(session: Session, flt: ItemFilter, *, tz: str = "UTC",
                now: datetime | None = None, tally: tallies.Tally | None = None) -> dict:
    """Headline numbers of the filter's window against the previous window of the same length.
    A window not over at `now` (default: the current time) is held against the same stretch of
    the previous one, from its start to as far in as `now` is in the current one ("partial"):
    today's first hours against yesterday's first hours, not against the whole of yesterday.
    With a search, each window's stories are matched once (`db.tally.searched`), or not at all
    where `tally` covers the window."""
    now = clock(flt, now)
    partial = elapsed(flt, now) is not None
    prev = comparable_window(flt, now)
    out: dict = {"since": flt.since, "until": flt.until, "prev_since": prev.since,
                 "prev_until": prev.until, "partial": partial}
    periods = {"current": flt, "previous": prev}
    known = {p: tallies.searched(session, f, tz, tally) for p, f in periods.items()}
    lang_sent = {p: counts(session, f, by=("lang", "sentiment"), tally=known[p])
                 for p, f in periods.items()}
    stories = {p: sum(r["count"] for r in rows) for p, rows in lang_sent.items()}
    out["stories"] = stories
    out["share"] = {lang: {p: (sum(r["count"] for r in rows if r["lang"] == lang) / stories[p]
                               if stories[p] else None) for p, rows in lang_sent.items()}
                    for lang in LANGS}
    out["net_sentiment"] = {p: _net(rows) for p, rows in lang_sent.items()}
    for dim in ("theme", "model"):
        cur = {r[dim]: r["count"] for r in counts(session, flt, by=(dim,), tally=known["current"])}
        old = {r[dim]: r["count"] for r in counts(session, prev, by=(dim,), tally=known["previous"])}
        best = max(cur, key=lambda k: (cur[k] - old.get(k, 0), cur[k], k), default=None)
        out[f"rising_{dim}"] = (None if best is None or cur[best] - old.get(best, 0) <= 0 else
                                {"key": best, "current": cur[best], "previous": old.get(best, 0),
                                 "change": cur[best] - old.get(best, 0)})
    out["tz"] = tz
    return out


def _net(rows: list[dict]) -> float | None:
    total = sum(r["count"] for r in rows)
    if not total:
        return None
    pos = sum(r["count"] for r in rows if r["sentiment"] == "positive")
    neg = sum(r["count"] for r in rows if r["sentiment"] == "negative")
    return round((pos - neg) / total, 4)


def day_range(session: Session, flt: ItemFilter, tz: str) -> tuple[date, date] | None:
    """The first and last local day (zone `tz`) of the filter's window; open ends take the data's."""
    from db.queries import _bounds

    first, last = _bounds(session)
    since = flt.since or first
    until = flt.until
    if since is None:
        return None
    start = local_day(since, tz)
    end = local_day(until - timedelta(microseconds=1), tz) if until else local_day(last, tz)
    return (start, end) if end >= start else None


SPIKE_WINDOW = 28   # days of a key's trailing baseline


def spike_history(session: Session, flt: ItemFilter, tz: str, window: int = SPIKE_WINDOW,
                  now: datetime | None = None) -> tuple[ItemFilter, date, date, date] | None:
    """The filter over the local days `spikes` reads (the window's, after the baseline and onset
    days before them, never before the archive's first day: the days before it are unknown, not
    days without stories; none after the local day of `now`, default the current time), with
    that first day and the window's first and last day; None when it holds no day."""
    span = day_range(session, flt, tz)
    if span is None:
        return None
    start, end = span
    today = local_day(clock(flt, now), tz)
    if start <= today <= end:
        end = today          # no day after today has begun
    from db.queries import _bounds

    archive_first = _bounds(session)[0]
    if archive_first is None:
        return None
    first_day = max(start - timedelta(days=window + stats.ONSET_RADIUS_DAYS), local_day(archive_first, tz))
    if first_day > end:
        return None
    hist_since, until = day_window(first_day, end, tz)
    return flt.replace(since=hist_since, until=until), first_day, start, end


def spikes(session: Session, flt: ItemFilter, *, tz: str = "UTC", dims: Sequence[str] = ("model", "theme"),
           window: int = SPIKE_WINDOW, threshold: float = stats.SPIKE_THRESHOLD, min_count: int = 3,
           now: datetime | None = None, tally: tallies.Tally | None = None) -> list[dict]:
    """Days in the filter's window when a model's or theme's stories rose far above the key's own
    trailing baseline (the robust score in `db.stats`), with each language's count that day and
    which language reacted first. Sorted by score, highest first. Baselines start at the archive's
    first day: its first MIN_HISTORY_DAYS days are never scored. A search's stories are matched
    once for every key (`db.tally.searched`), or not at all where `tally` covers them.

    The local day not over at `now` (default: the current time) counts its stories until `now`
    and is scored against the same stretch of each baseline day (`elapsed`, as the KPIs hold a
    period not over): 10:00 today against each of the days before until 10:00, its languages'
    onsets too. Such a spike's "as_of" is `now` (None for a whole day); `spike_stories` takes it."""
    now = clock(flt, now)
    history = spike_history(session, flt, tz, window, now)
    if history is None:
        return []
    wide, first_day, start, end = history
    today = local_day(now, tz)
    running = start <= today <= end
    known_tally = tallies.searched(session, wide, tz, tally)
    out = []
    for dim in dims:
        per_key: dict[str, dict[date, int]] = defaultdict(dict)
        per_lang: dict[tuple[str, str], dict[date, int]] = defaultdict(dict)
        for r in counts(session, wide, by=(dim, "lang"), bucket="day", tz=tz, tally=known_tally):
            k, d = r[dim], r["bucket"]
            per_key[k][d] = per_key[k].get(d, 0) + r["count"]
            per_lang[(k, r["lang"])][d] = r["count"]
        so_far: dict[tuple[str, str], list[int]] = {}
        if running:
            if any(per_key[k].get(today) for k in per_key):
                so_far = _same_stretch(session, flt, dim, today, now, tz, window)
            for k in per_key:      # today: its stories until now
                per_key[k][today] = sum(v[-1] for (key, _), v in so_far.items() if key == k)
            for (k, lang), d in per_lang.items():
                d[today] = so_far.get((k, lang), [0])[-1]

        known = min(window, (today - first_day).days)     # baseline days the archive holds

        def partial(key: str, langs: Sequence[str]) -> stats.Partial | None:
            if not running:
                return None
            rows = [so_far.get((key, lang), [0] * (window + 1)) for lang in langs]
            return today, [sum(col) for col in zip(*rows)][window - known:-1]

        for key, series in per_key.items():
            days, values = stats.dense(series, first_day, end)
            key_langs = sorted({lang for (k, lang) in per_lang if k == key})
            lang_series: dict[str, list] = {}
            for hit in stats.find_spikes(days, values, first=start, window=window, threshold=threshold,
                                         min_count=min_count, partial=partial(key, key_langs)):
                onsets = {}
                for lang in LANGS:
                    if lang not in lang_series:
                        lang_series[lang] = stats.dense(per_lang.get((key, lang), {}), first_day, end)[1]
                    onsets[lang] = stats.onset(days, lang_series[lang], hit["day"], window=window,
                                               partial=partial(key, (lang,)))
                leader, lag = stats.lead_lag(onsets)
                by_lang = {lang: per_lang.get((key, lang), {}).get(hit["day"], 0) for lang in LANGS}
                out.append({"dim": dim, "key": key, **hit, "by_lang": by_lang,
                            "onset": onsets, "leader": leader, "lag_days": lag,
                            "lead": stats.lead(leader, lag, by_lang),
                            "as_of": now if running and hit["day"] == today else None})
    out.sort(key=lambda r: (-r["score"], r["day"], r["dim"], r["key"]))
    return out


def _same_stretch(session: Session, flt: ItemFilter, dim: str, day: date,
                  now: datetime, tz: str, window: int) -> dict[tuple[str, str], list[int]]:
    """Per (key of `dim`, lang): the stories of each of the `window` local days before `day` and
    of `day` itself (last), each from its local midnight to as far in as `now` is in `day`.
    Counted under the view's own filter, every key (not narrowed to the keys with stories today:
    nearly all of them, and the narrowing cost a probe of the story's models per key, 5x slower;
    a key without stories today scores 0 on it either way)."""
    since, until = day_window(day, day, tz)
    stretch = elapsed(flt.replace(since=since, until=until), now)
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (window + 1))
    for back in range(window + 1):
        start = since - timedelta(days=back)     # a local midnight: + stretch is the same hour
        for r in counts(session, flt.replace(since=start, until=start + stretch), by=(dim, "lang")):
            out[(r[dim], r["lang"])][window - back] = r["count"]
    return dict(out)


def spike_stories(session: Session, flt: ItemFilter, *, dim: str, key: str, day: date,
                  tz: str = "UTC", limit: int = 10, as_of: datetime | None = None,
                  order: str = "new", lang: tuple[str, ...] = ()) -> list[dict]:
    """The stories behind a spike: that local day's stories with the model or theme (a spike of a
    day not over, `as_of` its "as_of": those until then, the ones it counted), each with its
    evidence phrases for it; in `order` (db.queries.ORDERS), only those in `lang` when given."""
    from db.queries import evidence_for, items

    since, until = day_window(day, day, tz)
    narrowed = flt.replace(since=since, until=until, **{dim: (key,)})
    if lang:
        narrowed = narrowed.replace(lang=lang)
    if as_of is not None:
        narrowed = so_far(narrowed, as_of)
    rows = items(session, narrowed, limit=limit, order=order)
    evidence = evidence_for(session, [r["id"] for r in rows], dim, key)
    for r in rows:
        r["evidence"] = evidence.get(r["id"], [])
    return rows


def language_gap(session: Session, flt: ItemFilter | None = None, *, dim: str = "theme",
                 tally: tallies.Tally | None = None) -> list[dict]:
    """Each theme's (model's) share of its own language's stories, Chinese beside English:
    {"key","zh","en","zh_share","en_share","diff_pp","log_ratio"} sorted by |diff_pp|. log_ratio is
    log2 of the zh share over the en share, each smoothed by half a story."""
    import math

    if dim not in ("theme", "model"):
        raise ValueError(f"language gap by {dim!r}: use theme or model")
    flt = flt or ItemFilter()
    flt_langs = flt.replace(lang=LANGS) if not flt.lang else flt
    totals = {r["lang"]: r["count"] for r in counts(session, flt_langs, by=("lang",), tally=tally)}
    cells: dict[str, dict[str, int]] = defaultdict(dict)
    for r in counts(session, flt_langs, by=(dim, "lang"), tally=tally):
        cells[r[dim]][r["lang"]] = r["count"]
    out = []
    for key, per in cells.items():
        row = {"key": key}
        for lang in LANGS:
            row[lang] = per.get(lang, 0)
            row[f"{lang}_share"] = row[lang] / totals[lang] if totals.get(lang) else None
        zs, es = row["zh_share"], row["en_share"]
        row["diff_pp"] = round((zs - es) * 100, 2) if zs is not None and es is not None else None
        if totals.get("zh") and totals.get("en"):
            row["log_ratio"] = round(math.log2(((row["zh"] + 0.5) / totals["zh"])
                                               / ((row["en"] + 0.5) / totals["en"])), 3)
        else:
            row["log_ratio"] = None
        out.append(row)
    out.sort(key=lambda r: (-abs(r["diff_pp"] or 0), r["key"]))
    return out


def js_divergence(rows: list[dict]) -> float | None:
    """Jensen-Shannon divergence (bits, 0..1) between the zh and the en mix of `language_gap` rows;
    None when a language has none of them."""
    return stats.js_divergence([r["zh"] for r in rows], [r["en"] for r in rows])


SAMPLE_CAP = 10_000   # stories read per period for term and phrase statistics


def sample_step(session: Session, flt: ItemFilter, cap: int = SAMPLE_CAP,
                tally: tallies.Tally | None = None) -> int:
    """1, or k when more than `cap` stories match: term and phrase statistics then read every k-th
    story by id (a fixed, uniform systematic sample), which keeps a two-year view interactive.
    Rankings and log-odds z-scores stay estimates of the full ones; counts are scaled back by k."""
    n = sum(r["count"] for r in counts(session, flt, tally=tally))
    return max(1, -(-n // cap))


def term_counts(session: Session, flt: ItemFilter, *, steps: dict[str, int]) -> dict[str, dict[str, int]]:
    """Stories per stored keyword under the filter (document frequency), per language of `steps`,
    each over every `steps[lang]`-th story. On PostgreSQL one pass over the window for all the
    languages: the language is a filter on the rows the time index finds, so a pass per language
    read the whole window's rows each time (0.8-1.2 s for the Keywords page at 1M stories, 0.5 s
    in one pass). SQLite, given the languages together, walks the language index instead, every
    story of the archive in those languages (1.2-2.4 s against 0.4 s): a pass per language there."""
    el = json_elements(session, m.Item.keywords)
    it = m.Item
    groups = ([{lang: step} for lang, step in steps.items()]
              if session.get_bind().dialect.name == "sqlite" else [steps])
    out: dict[str, dict[str, int]] = {lang: {} for lang in steps}
    for group in groups:
        stmt = flt.replace(lang=tuple(group)).apply(
            select(it.lang, el.c.value, func.count()).select_from(it).join(el, true()))
        stmt = stmt.where(or_(*((it.lang == lang) & (it.id % step == 0) if step > 1 else it.lang == lang
                                for lang, step in group.items())))
        for lang, term, n in session.execute(stmt.group_by(it.lang, el.c.value)):
            out[lang][str(term)] = n
    return out


def rising_terms_by_lang(session: Session, flt: ItemFilter, *, langs: Sequence[str] = ("zh", "en"),
                         top: int = 30, min_count: int = 2,
                         now: datetime | None = None) -> dict[str, list[dict]]:
    """Terms that rose most in each of `langs` against the previous window of the same length (a
    window not over at `now`: its same stretch, `comparable_window`), by the weighted log-odds
    z-score with an informative Dirichlet prior (`db.stats.log_odds`). The sidebar's language
    filter of `flt` is replaced by `langs`; every language is counted in one pass per window.
    Rows: {"term","current","previous","z","sample_every"}; see `sample_step` for large windows
    (each language has its own)."""
    cur_flt = flt.replace(lang=tuple(langs))
    prev_flt = comparable_window(cur_flt, clock(flt, now))
    steps = {lang: max(sample_step(session, cur_flt.replace(lang=(lang,))),
                       sample_step(session, prev_flt.replace(lang=(lang,)))) for lang in langs}
    current = term_counts(session, cur_flt, steps=steps)
    previous = term_counts(session, prev_flt, steps=steps)
    out = {}
    for lang, step in steps.items():
        rows = []
        for r in stats.log_odds(current[lang], previous[lang]):
            if r["z"] > 0 and r["current"] * step >= min_count:
                rows.append({**r, "current": r["current"] * step, "previous": r["previous"] * step,
                             "sample_every": step})
        out[lang] = rows[:top]
    return out


def rising_terms(session: Session, flt: ItemFilter, *, lang: str, top: int = 30,
                 min_count: int = 2, now: datetime | None = None) -> list[dict]:
    """`rising_terms_by_lang` of one language."""
    return rising_terms_by_lang(session, flt, langs=(lang,), top=top, min_count=min_count, now=now)[lang]


def evidence_top(session: Session, flt: ItemFilter | None = None, *, dim: str = "theme",
                 per_key: int = 10, tally: tallies.Tally | None = None) -> list[dict]:
    """The phrases that most often triggered each theme (model): {"key","phrase","count",
    "sample_every"} (see `sample_step`; from a search's `tally` that lists them, every story is
    counted). The tagger's reasons stored among the phrases (the competition theme's "3 models")
    are not phrases of any text and are left out."""
    flt = flt or ItemFilter()
    counted = tallies.evidence(tally, flt, dim)     # a search's stories, matched once for the view
    step = 1
    if counted is None:
        table, col = (m.ItemTheme, m.ItemTheme.theme) if dim == "theme" else (m.ItemModel, m.ItemModel.model)
        ids = flt.apply(select(m.Item.id).select_from(m.Item))
        step = sample_step(session, flt, tally=tally)
        if step > 1:
            ids = ids.where(m.Item.id % step == 0)
        el = json_elements(session, table.evidence)
        stmt = (select(col.label("key"), el.c.value.label("phrase"), func.count().label("count"))
                .select_from(table).join(el, true()).where(table.item_id.in_(ids)))
        wanted = flt.theme if dim == "theme" else flt.model
        if wanted:
            stmt = stmt.where(col.in_(wanted))
        counted = session.execute(stmt.group_by(col, el.c.value))
    per: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for key, phrase, n in counted:
        if not reasons.is_reason(str(phrase)):
            per[key].append((n, str(phrase)))
    out = []
    for key in sorted(per):
        for n, phrase in sorted(per[key], key=lambda t: (-t[0], t[1]))[:per_key]:
            out.append({"key": key, "phrase": phrase, "count": n * step, "sample_every": step})
    return out
