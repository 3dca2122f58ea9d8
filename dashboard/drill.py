"""From a chart down to its stories: a chart point, or a choice in a drill-down box, narrows the
page's filter; the matching stories are listed and an Explorer link opens the same slice.

Dims name what a value narrows: "bucket" (a time bucket of the page's interval), "day" (one local
day), or a filter dimension (model, theme, lang, sentiment, source, category).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import streamlit as st

from dashboard import charts, data, i18n, ui
from db.filters import ItemFilter, day_window

FILTER_FIELD = {"model": "model", "theme": "theme", "lang": "lang", "sentiment": "sentiment",
                "source": "source_id", "category": "category"}
VIEW_FIELD = {"model": "model", "theme": "theme", "lang": "lang", "sentiment": "sentiment",
              "source": "source", "category": "category"}
STORIES = 10


def as_day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def narrowed(ctx, dims: Sequence[str], values: Sequence) -> tuple[ItemFilter, dict]:
    """The page filter narrowed by (dim, value) pairs; also the View changes for an Explorer link.
    A day or bucket not over runs until the view's "as_of", as the page's counts do (and the
    Explorer's, which the link opens): no story dated later is listed or counted."""
    flt, over = ctx.flt, {}
    for dim, value in zip(dims, values):
        if value is None or value in ("", "all"):   # "all": a chart's total series
            continue
        if dim in ("bucket", "day"):
            first = as_day(value)
            if first is None:
                continue
            last = charts.bucket_last_day(first, ctx.interval) if dim == "bucket" else first
            start, end = max(first, ctx.start), min(last, ctx.end)
            if end < start:
                start = end = first
            since, until = day_window(start, end, ctx.tz)
            flt = flt.replace(since=since, until=until)
            over.update(start=start, end=end)
        elif dim in FILTER_FIELD:
            flt = flt.replace(**{FILTER_FIELD[dim]: (str(value),)})
            over[VIEW_FIELD[dim]] = (str(value),)
    return flt, over


def describe(ctx, dims: Sequence[str], values: Sequence) -> str:
    parts = []
    for dim, value in zip(dims, values):
        if value is None or value == "":
            continue
        if dim in ("bucket", "day"):
            parts.append(str(as_day(value)))
        else:
            parts.append(i18n.key_name(dim, str(value), ctx.lang, ctx.source_names))
    return " · ".join(parts) or i18n.t("drill_none", ctx.lang)


def show(ctx, dims: Sequence[str], values: Sequence, *, key: str) -> None:
    """Count, stories and the Explorer link for one narrowed slice."""
    flt, over = narrowed(ctx, dims, values)
    n = ui.guarded(ctx.lang, data.total, ctx.url, flt)
    st.caption(ui.md_escape(describe(ctx, dims, values)) + " — " + ui.md_escape(i18n.t("results", ctx.lang, n=n)
                                                                               + ui.until_note(flt, ctx.tz, ctx.lang)))
    rows = ui.guarded(ctx.lang, data.items, ctx.url, flt, STORIES)
    ui.story_list(rows, lang=ctx.lang, tz=ctx.tz, evidence=False)
    ui.explorer_link(ctx, **over)


def point_values(point: dict, dims: Sequence[str]) -> list:
    """The (dim) values a selected plotly point stands for (x for time, customdata for keys)."""
    custom = point.get("customdata")
    keys = list(custom) if isinstance(custom, (list, tuple)) else [custom]
    if dims and dims[0] in ("bucket", "day"):
        return [point.get("x")] + keys[: len(dims) - 1]
    return keys[: len(dims)]


def selection(ctx, points: list[dict], dims: Sequence[str], *, key: str) -> None:
    """Stories behind the points selected on a chart (the first three)."""
    if not points:
        return
    st.markdown(f"**{ui.md_escape(i18n.t('selected_points', ctx.lang))}**")
    for i, point in enumerate(points[:3]):
        show(ctx, dims, point_values(point, dims), key=f"{key}_sel{i}")


def box(ctx, *, key: str, dims: Sequence[str], options: dict[str, Sequence]) -> None:
    """An expander of select boxes (one per dim) that lists the stories of the chosen slice."""
    with st.expander(i18n.t("drill", ctx.lang)):
        cols = st.columns(len(dims))
        values = []
        for col, dim in zip(cols, dims):
            opts = [None] + list(options.get(dim, ()))
            if dim in ("bucket", "day"):
                label = i18n.t("drill_period", ctx.lang)
                fmt = (lambda v: i18n.t("drill_none", ctx.lang) if v is None else str(v))
            else:
                label = i18n.dim_name(dim, ctx.lang)
                fmt = (lambda v, d=dim: i18n.t("drill_none", ctx.lang) if v is None
                       else i18n.key_name(d, v, ctx.lang, ctx.source_names))
            values.append(col.selectbox(label, opts, format_func=fmt, key=f"{key}_{dim}"))
        if any(v is not None for v in values):
            show(ctx, dims, values, key=key)


def periods(ctx) -> list[date]:
    """The page's time buckets, newest first (for drill-down boxes)."""
    return list(reversed(charts.bucket_starts(ctx.start, ctx.end, ctx.interval)))


def net_chart(ctx, df, dim: str, *, key: str, name: str, title: bool = False) -> None:
    """The net-sentiment lines of `df` by `dim` (a 7-day index for day buckets), with the chart's
    CSV (the drawn points beside their counts), a caption when some points rest on few stories
    (drawn open, `charts.net_lines`) and drill-down; `title` writes which index it is above it."""
    df, value = charts.smoothed_net(df, ctx.start, ctx.end, ctx.interval, dim)
    if title:
        st.markdown(f"**{ui.md_escape(i18n.t('net_7d' if value == 'net_7d' else 'net_sentiment', ctx.lang))}**")
    fig = charts.net_lines(df, lang=ctx.lang, tz=ctx.tz, interval=ctx.interval, dim=dim,
                           events=ctx.events, value=value, partial=ctx.partial,
                           span=ctx.span)
    points = ui.chart(fig, df, key=key, lang=ctx.lang, name=name, cut=ctx.cut)
    if df["few_stories"].astype(bool).any():
        window = i18n.t("window_7d" if value == "net_7d" else "every_" + ctx.interval, ctx.lang)
        st.caption(ui.md_escape(i18n.t("few_stories_note", ctx.lang, n=charts.MIN_NET_STORIES, window=window)))
    selection(ctx, points, ("bucket", dim), key=key)
