"""One pass over the stories a search matches, for every count of a view that searches.

The rollups (db.rollups) hold no text, so each count of a searching view read the window's stories
and matched the terms against their title and text again: the Overview's KPIs (two windows, three
groupings each), its chart, its sentiment index and its spikes searched the same stories a dozen
times. A `Tally` is that work done once: the matching stories per local day of zone `tz`, language
and tone, and per model and per theme with language and tone, counted in SQL in one statement
(the matches found once, in a CTE, then grouped three ways). `answer` then gives what
`db.trends.counts` gives for any request over the same filter whose window it covers (local
midnights of its zone, or its own ends) and whose dimensions it holds, by summing tally rows;
anything else gets None and is counted from the stories as before. tests/test_tally.py checks
the two paths against each other on SQLite and PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, func, literal, null, select, true, union_all
from sqlalchemy.orm import Session

from db import models as m
from db.buckets import as_date, bucket_expr, bucket_start, local_day
from db.filters import ItemFilter, day_window
from db.jsonsql import json_elements
from db.stats import ONSET_RADIUS_DAYS

DIMS = ("lang", "sentiment", "model", "theme")   # what a tally can group by
_PER = {"model": (m.ItemModel, m.ItemModel.model), "theme": (m.ItemTheme, m.ItemTheme.theme)}


@dataclass(frozen=True)
class Tally:
    """Stories of `flt` (its window: the span) per local day in zone `tz`.
    rows: (dim, key, day, lang, sentiment, count); dim "" (key "") counts stories, "model" and
    "theme" count a story once per model (theme) it has, and, with `pairs`, "pair" (key
    (theme, model)) once per theme and model."""

    flt: ItemFilter
    tz: str
    rows: tuple[tuple[str, str | tuple[str, str], date, str | None, str | None, int], ...]
    pairs: bool = False
    # with `evidence` (dim, since, until): the phrases that triggered each model (theme) of the
    # stories published in that window, as (key, phrase, lang, sentiment, count)
    evidence: tuple[str, datetime, datetime] | None = None
    evidence_rows: tuple[tuple[str, str, str | None, str | None, int], ...] = ()


def build(session: Session, flt: ItemFilter, tz: str, *, pairs: bool = False,
          evidence: tuple[str, datetime, datetime] | None = None) -> Tally:
    """The tally of `flt` (which needs both window ends) in zone `tz`: one statement (`pairs`:
    with its theme-model rows, for a theme x model count; `evidence` (dim, since, until): with
    the evidence phrases of each model or theme of the stories published in that part of the
    window, for `db.trends.evidence_top`, which would otherwise search the stories again)."""
    if flt.since is None or flt.until is None:
        raise ValueError("a tally needs a filter with since and until")
    if evidence is not None and (evidence[0] not in _PER
                                 or not flt.since <= evidence[1] < evidence[2] <= flt.until):
        raise ValueError(f"evidence {evidence!r}: a model or theme, within the tally's window")
    it = m.Item
    day = bucket_expr(session, "day", tz, flt.since, flt.until)
    stories = select(it.id.label("id"), day.label("day"), it.lang.label("lang"),
                     it.sentiment.label("sentiment"), it.published_at.label("at")).select_from(it)
    if session.get_bind().dialect.name == "sqlite":
        # The window's ids from the publication-time index, then the rows in id order: SQLite
        # fetched them in time order, a random read of the table where ids are not in
        # publication order (2x slower over a year of a 1M archive). PostgreSQL's bitmap scans
        # already read in table order.
        window = select(it.id).where(it.published_at >= flt.since, it.published_at < flt.until)
        stories = flt.replace(since=None, until=None).apply(stories).where(it.id.in_(window))
    else:
        stories = flt.apply(stories)
    hits = stories.cte("hits")
    facets = (hits.c.day, hits.c.lang, hits.c.sentiment)
    none = literal("", String)
    lateral = session.get_bind().dialect.name == "postgresql"
    parts = [select(literal("", String), none, none, *facets, func.count())
             .select_from(hits).group_by(*facets)]
    for dim in _PER:
        joined, key, _ = _joined(hits, hits, dim, lateral)
        parts.append(select(literal(dim, String), key, none, *facets, func.count())
                     .select_from(joined).group_by(key, *facets))
    if pairs:
        with_theme, theme, _ = _joined(hits, hits, "theme", lateral)
        joined, model, _ = _joined(with_theme, hits, "model", lateral)
        parts.append(select(literal("pair", String), theme, model, *facets, func.count())
                     .select_from(joined).group_by(theme, model, *facets))
    if evidence is not None:
        dim, since, until = evidence
        joined, key, phrases = _joined(hits, hits, dim, lateral, evidence=True)
        el = json_elements(session, phrases)
        parts.append(select(literal(_EVIDENCE, String), key, el.c.value, null(), hits.c.lang,
                            hits.c.sentiment, func.count())
                     .select_from(joined).join(el, true())
                     .where(hits.c.at >= since, hits.c.at < until)
                     .group_by(key, el.c.value, hits.c.lang, hits.c.sentiment))
    rows, evidence_rows = [], []
    for dim, key, key2, d, lang, sentiment, n in session.connection().execute(union_all(*parts)):
        if dim == _EVIDENCE:
            evidence_rows.append((key, key2, lang, sentiment, int(n)))
        else:
            rows.append((dim, (key, key2) if dim == "pair" else key, as_date(d), lang, sentiment, int(n)))
    return Tally(flt=flt, tz=tz, rows=tuple(rows), pairs=pairs, evidence=evidence,
                 evidence_rows=tuple(evidence_rows))


_EVIDENCE = "evidence"


def _joined(left, hits, dim: str, lateral: bool, evidence: bool = False):
    """`left` joined to the `dim` ("model", "theme") rows of each story of `hits`, the column of
    their keys and (`evidence`) of their evidence phrases (else None). On PostgreSQL a LATERAL
    lookup per matched story (the primary key's index): the planner cannot know how few stories
    the CTE holds, and hashed all 1.7M theme rows of a 1M archive for 40k matches (0.6 s of a
    1.6 s tally)."""
    table, col = _PER[dim]
    if not lateral:
        return left.join(table, table.item_id == hits.c.id), col, table.evidence if evidence else None
    # OFFSET 0 keeps the planner from pulling the subquery up into the plain join again
    cols = (col.label("key"), table.evidence.label("phrases")) if evidence else (col.label("key"),)
    per = (select(*cols).where(table.item_id == hits.c.id).offset(0)
           .lateral(f"per_{dim}{'_evidence' if evidence else ''}"))
    return left.join(per, true()), per.c.key, per.c.phrases if evidence else None


def _midnight(value: datetime, tz: str) -> bool:
    return value.astimezone(ZoneInfo(tz)).time() == time(0, 0)


def _within(wanted: tuple[str, ...], counted: tuple[str, ...]) -> bool:
    """Whether a filter on `wanted` values (any value: ()) keeps only stories counted under `counted`."""
    return not counted or (bool(wanted) and set(wanted) <= set(counted))


def covers(tally: Tally | None, flt: ItemFilter, by: Sequence[str] = ()) -> bool:
    """Whether `tally` counted `flt`'s stories: the same filter but for the window, which lies in
    the tally's span and starts and ends on local midnights of its zone or on the span's ends,
    and for languages and tones, which may be fewer (its rows keep both), and, when counted `by`
    model (theme), for models (themes), which may be fewer too (its rows per model are the
    story-model pairs such a count groups)."""
    if tally is None or flt.since is None or flt.until is None:
        return False
    span = tally.flt
    # the tally counted until its "as_of" (a window not over): a window cut there too, or one
    # over by then (its stories all counted), and no other
    if flt.as_of != span.as_of and (flt.as_of is not None or span.as_of is None or flt.until > span.as_of):
        return False
    fewer = {f: getattr(span, f) for f in ("lang", "sentiment", *(d for d in ("model", "theme") if d in by))}
    if (flt.replace(since=None, until=None, as_of=None, **fewer) != span.replace(since=None, until=None, as_of=None)
            or not all(_within(getattr(flt, f), counted) for f, counted in fewer.items())):
        return False
    if not span.since <= flt.since < flt.until <= span.until:
        return False
    return ((flt.since == span.since or _midnight(flt.since, tally.tz))
            and (flt.until == span.until or _midnight(flt.until, tally.tz)))


def answer(tally: Tally | None, flt: ItemFilter, by: Sequence[str], bucket: str | None,
           tz: str) -> list[dict] | None:
    """`db.trends.counts(session, flt, by=by, bucket=bucket, tz=tz)` from the tally, ordered as
    SQL orders it (keys ascending, None last), or None when the tally cannot answer it."""
    by = tuple(by)
    if (not covers(tally, flt, by) or not set(by) <= set(DIMS)
            or ({"model", "theme"} <= set(by) and not tally.pairs)
            or (bucket is not None and tz != tally.tz)):
        return None
    dim = ("pair" if {"model", "theme"} <= set(by) else "model" if "model" in by
           else "theme" if "theme" in by else "")
    themes = flt.theme if dim in ("theme", "pair") else ()
    models = flt.model if dim in ("model", "pair") else ()
    first = local_day(flt.since, tally.tz)
    last = None if flt.until == tally.flt.until else local_day(flt.until, tally.tz)   # exclusive
    cells: dict[tuple, int] = {}
    for row_dim, key, day, lang, sentiment, n in tally.rows:
        if row_dim != dim or day < first or (last is not None and day >= last):
            continue
        theme, model = key if dim == "pair" else (key, key)
        if ((themes and theme not in themes) or (models and model not in models)
                or (flt.lang and lang not in flt.lang) or (flt.sentiment and sentiment not in flt.sentiment)):
            continue
        values = {"lang": lang, "sentiment": sentiment, "model": model, "theme": theme}
        cell = ((bucket_start(day, bucket),) if bucket else ()) + tuple(values[d] for d in by)
        cells[cell] = cells.get(cell, 0) + n
    names = (("bucket",) if bucket else ()) + by
    if not names:   # one row, as SELECT count(*) gives, even of nothing
        return [{"count": cells.get((), 0)}]
    order = sorted(cells, key=lambda cell: tuple((v is None, v) for v in cell))
    return [{**dict(zip(names, cell)), "count": cells[cell]} for cell in order]


def evidence(tally: Tally | None, flt: ItemFilter, dim: str) -> list[tuple[str, str, int]] | None:
    """(key, phrase, stories) of `flt`'s stories from the tally's evidence rows, as
    `db.trends.evidence_top` counts them (every story, no sample), or None when the tally did
    not count them: no evidence of `dim`, another window, or a filter it does not cover."""
    if (tally is None or tally.evidence is None or tally.evidence != (dim, flt.since, flt.until)
            or not covers(tally, flt, (dim,))):
        return None
    keys = flt.theme if dim == "theme" else flt.model
    cells: dict[tuple[str, str], int] = {}
    for key, phrase, lang, sentiment, n in tally.evidence_rows:
        if ((keys and key not in keys) or (flt.lang and lang not in flt.lang)
                or (flt.sentiment and sentiment not in flt.sentiment)):
            continue
        cells[(key, phrase)] = cells.get((key, phrase), 0) + n
    return [(key, phrase, n) for (key, phrase), n in cells.items()]


def searched(session: Session, flt: ItemFilter, tz: str, tally: Tally | None = None) -> Tally | None:
    """`tally` when it covers `flt`, else, for a search over a closed window, a tally of `flt`
    (its stories matched once for all of a function's counts), else None (the rollups answer)."""
    if covers(tally, flt):
        return tally
    if flt.q and flt.since is not None and flt.until is not None:
        return build(session, flt, tz)
    return None


def view_tally(session: Session, flt: ItemFilter, *, tz: str = "UTC", now: datetime | None = None,
               spikes: bool = True, previous: bool = True, pairs: bool = False,
               evidence: str | None = None, evidence_since: datetime | None = None) -> Tally | None:
    """One tally for every count a view of `flt` with a search makes (the Overview's total,
    chart, sentiment index with its lead-in days, KPIs and spikes): its window, from the first
    day of the `spikes`' history (the days before the archive's first day included), or of the
    `previous` window when that is whole days (a window not over at `now` is held against a
    stretch that is not); with theme-model rows (`pairs`), and with the evidence phrases of
    `evidence` ("theme", "model") of the stories from `evidence_since` (default: the window's
    start) to its end.
    None without a search or a closed window."""
    from db.trends import SPIKE_WINDOW, clock, comparable_window, spike_history

    if not flt.q or flt.since is None or flt.until is None:
        return None
    span = flt
    history = spike_history(session, flt, tz, now=now) if spikes else None
    if history is not None:
        wide, _, start, _ = history
        # from the history's first day before spike_history clamps it to the archive's: the days
        # before the archive hold no story, and a range starting near its first day keeps its
        # sentiment index's lead-in days (the 6 before the range) in the tally
        first = day_window(start - timedelta(days=SPIKE_WINDOW + ONSET_RADIUS_DAYS), start, tz)[0]
        span = flt.replace(since=min(flt.since, first), until=max(wide.until, flt.until))
    if previous:
        prev = comparable_window(flt, clock(flt, now))
        if prev.until == flt.since:
            span = span.replace(since=min(span.since, prev.since))
    window = (evidence, evidence_since or flt.since, flt.until) if evidence else None
    return build(session, span, tz, pairs=pairs, evidence=window)


__all__ = ["DIMS", "Tally", "answer", "build", "covers", "evidence", "searched", "view_tally"]
