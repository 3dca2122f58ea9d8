"""Pure chart builders: DataFrame in, plotly Figure out. No Streamlit, no database.

Every figure shares one look: dates on x, one fixed colour per model, theme, language and sentiment
on every page, a CJK-capable font, the time zone named on every time axis, and optional event
markers. Text that came from feeds (terms, phrases) is HTML-escaped before plotly sees it, because
plotly renders a subset of HTML in labels and hover text.
"""
from __future__ import annotations

import hashlib
import html
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from db.buckets import as_date, bucket_last_day, bucket_start, bucket_starts  # noqa: F401  (pages use them from here)

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
HEIGHT = 380

MODEL_COLORS: dict[str, str] = {
    "sora": "#2E91E5", "runway": "#E15F99", "pika": "#1CA71C", "kling": "#FB0D0D",
    "veo": "#DA16FF", "vidu": "#B68100", "hailuo": "#00A08B", "luma": "#750D86",
    "jimeng": "#EB663B", "pixverse": "#511CFB", "stable_video": "#6C7C32", "movie_gen": "#778AAE",
    "wan": "#FC0080", "hunyuan_video": "#862A16", "cogvideo": "#A777F1", "lumiere": "#620042",
    "emu_video": "#1616A7", "haiper": "#DA60CA", "mochi": "#6C4516", "ltx_video": "#0D2A63",
    "midjourney_video": "#AF0038", "other": "#8C8C8C",
}
# Twelve themes, each told from every other at a glance (CIEDE2000 >= 15), and still apart (>= 7.5)
# for protanopia, deuteranopia and tritanopia (simulated: tests/support/colour.py); the six most
# covered themes of the demo get the six most distinct colours (Jobs, Copyright and Deepfakes were
# three near pinks). Colours from Paul Tol's and Okabe & Ito's colour-blind-safe sets.
THEME_COLORS: dict[str, str] = {
    "launch_access": "#0077BB", "creative_industry": "#AA4499", "tech": "#009988", "flaws": "#CCBB44",
    "misinformation": "#CC3311", "competition": "#66CCEE", "compute": "#555555", "markets": "#228833",
    "copyright": "#FF9DA7", "jobs": "#004488", "agi_world_model": "#CC79A7", "regulation": "#9C755F",
}
LANG_COLORS = {"zh": "#D62728", "en": "#1F77B4", "und": "#9E9E9E", "other": "#BDBDBD", "all": "#333333"}
SENTIMENT_COLORS = {"positive": "#2CA02C", "neutral": "#B0B0B0", "negative": "#D62728"}
CATEGORY_COLORS = {"news": "#4E79A7", "social": "#F28E2B"}
PARTIAL_FILL, PARTIAL_OPACITY = "#9E9E9E", 0.18   # the band over a bucket holding part of its period
_SPARE = ("#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7",
          "#9C755F", "#BAB0AC", "#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#E6AB02")
_FIXED = {"model": MODEL_COLORS, "theme": THEME_COLORS, "lang": LANG_COLORS,
          "sentiment": SENTIMENT_COLORS, "category": CATEGORY_COLORS}
SENTIMENT_ORDER = ("positive", "neutral", "negative")
# Dimensions with a few fixed keys are drawn in one fixed order in every chart (first = bottom of a
# stack, first in the legend), so Chinese lies under English whatever the sizes of the view.
KEY_ORDER = {"lang": ("zh", "en", "und", "other", "all"), "sentiment": SENTIMENT_ORDER,
             "category": ("news", "social")}
# Sources (dozens of keys) stack by id in every view: ordered by each view's sizes, a source's
# segment moved up or down the bars from one range or filter to the next.
BY_KEY = ("source",)


def plot_text(value: object) -> str:
    """Text safe to hand to plotly (which renders <b>, <a href> ... in labels)."""
    return html.escape(str(value), quote=False)


def color_for(dim: str | None, key: str | None) -> str:
    """The one colour of `key` in dimension `dim`, the same on every page and every run."""
    if not key:
        return "#555555"
    fixed = _FIXED.get(dim or "", {})
    if key in fixed:
        return fixed[key]
    digest = hashlib.sha1(f"{dim}:{key}".encode("utf-8")).digest()
    return _SPARE[digest[0] % len(_SPARE)]


def key_colors(keys: Iterable) -> dict:
    """Colours for a dimension of many keys without fixed ones (sources, stacked in key order): by
    position among all `keys` sorted, so neighbours in a stack never share a colour (hashed
    colours gave several sources of one stack the same red) and a key keeps its colour in every
    view of the same key set. Past the palette's 16, each further round is the palette lightened,
    then darkened (and so on), so no two keys share a colour: the demo's 25 sources gave nine
    pairs the same one."""
    return {k: _spare_shade(i) for i, k in enumerate(sorted(keys, key=str))}


# (mix, toward): the palette itself, then lighter, darker, lighter still, darker still
_SHADES = ((0.0, 255), (0.45, 255), (0.35, 0), (0.7, 255), (0.55, 0))


def _spare_shade(i: int) -> str:
    base = _SPARE[i % len(_SPARE)]
    mix, toward = _SHADES[(i // len(_SPARE)) % len(_SHADES)]
    rgb = (int(base[j:j + 2], 16) for j in (1, 3, 5))
    return "#" + "".join(f"{round(c + (toward - c) * mix):02X}" for c in rgb)


LEGEND_ROW_PX, LEGEND_PER_ROW, LEGEND_FLOW = 21, 2, 4
# an entry's share of the plot's width; a name longer than LEGEND_NAME_UNITS (a CJK character
# counts 2: ~140 px, what half a chart has at an 800 px window) is wrapped onto a second line in a
# legend of rows of two, cut with "…" only past two lines (whole in the hover): "Demo Reddit
# r/aivideo comments" ran into the next entry. Cut to one line, "Deepfakes / misinforma…" was cut at
# 1400 px too, where half a chart has room for it: the server does not know the window's width, so
# a name is never cut where two lines hold it.
LEGEND_ENTRY_WIDTH, LEGEND_NAME_UNITS, LEGEND_NAME_LINES, LEGEND_LINE_PX = 0.5, 20, 2, 16


def text_units(text: str) -> int:
    """The width of `text` in Latin characters: a wide (CJK, full-width) character counts 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_NO_LINE_START = "，。、；：！？）」』】》〉…,.;:!?)]}"


def legend_lines(text: str, units: int = LEGEND_NAME_UNITS, lines: int = LEGEND_NAME_LINES) -> list[str]:
    """`text` in at most `lines` lines of at most `units` (`text_units`) each: broken at spaces,
    inside a run without one (a CJK name) where it fills the line; the last line cut with "…"
    when the text is longer still."""
    out: list[str] = []
    rest = " ".join(text.split())
    while rest and len(out) < lines:
        if text_units(rest) <= units:
            out.append(rest)
            rest = ""
            break
        fit = _fitting(rest, units)
        space = rest.rfind(" ", 0, fit + 1)
        cut = space if space > 0 else fit
        while space <= 0 and 1 < cut < len(rest) and rest[cut] in _NO_LINE_START:
            cut -= 1      # "，" or "」" never starts a line: the character before it goes along
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:     # longer than `lines` lines: the last one cut
        out[-1] = _cut(out[-1] + " " + rest, units)
    return out


def _fitting(text: str, units: int) -> int:
    """How many leading characters of `text` fit in `units` (`text_units`)."""
    used = 0
    for i, ch in enumerate(text):
        used += text_units(ch)
        if used > units:
            return i
    return len(text)


def _cut(text: str, units: int) -> str:
    """`text` cut to `units` with its "…" (which takes one)."""
    return text[:_fitting(text, units - 1)].rstrip() + "…"


def legend_name(text: str, units: int = LEGEND_NAME_UNITS) -> str:
    """`text` as a legend entry (plotly markup, escaped): its `legend_lines` joined by <br>."""
    return "<br>".join(plot_text(line) for line in legend_lines(text, units))


def legend_entries(fig: go.Figure) -> int:
    """How many entries the figure's legend lists."""
    return sum(1 for tr in fig.data if tr.showlegend is not False)


def room_for_legend(fig: go.Figure, entries: int | None = None) -> go.Figure:
    """A legend of more than LEGEND_FLOW entries (`entries`, default: the figure's) in rows of two,
    each half the chart wide whatever the window, and a figure taller by its rows: in plotly's own
    flow an 800 px window got one entry to a row, so 12 themes took a scrolled legend over a plot
    ~100 px high (and the height, planned for three to a row, fell short)."""
    entries = legend_entries(fig) if entries is None else entries
    if entries <= LEGEND_FLOW:
        return fig
    rows = -(-entries // LEGEND_PER_ROW)
    wrapped = sum(str(tr.name or "").count("<br>") for tr in fig.data if tr.showlegend is not False)
    fig.update_layout(height=HEIGHT + LEGEND_ROW_PX * rows + LEGEND_LINE_PX * wrapped,
                      legend_entrywidth=LEGEND_ENTRY_WIDTH, legend_entrywidthmode="fraction")
    return fig


def ordered_keys(dim: str | None, keys: Iterable, size: Mapping | None = None) -> list:
    """`keys` of `dim` in drawing order: the fixed order of lang, sentiment and category (unknown
    keys after, by name); sources by id; for other dimensions biggest first by `size` (legend
    order = importance), else by name."""
    keys = list(keys)
    fixed = KEY_ORDER.get(dim or "")
    if fixed is not None:
        return sorted(keys, key=lambda k: (fixed.index(k) if k in fixed else len(fixed), str(k)))
    if size is not None and dim not in BY_KEY:
        return sorted(keys, key=lambda k: (-size.get(k, 0), str(k)))
    return sorted(keys, key=str)


def label(dim: str | None, key: str | None, lang: str, names: dict[str, str] | None = None) -> str:
    return i18n.key_name(dim or "", key, lang, names) if dim else str(key)


# --- time buckets (db.buckets: one definition for the read side, the charts and the exports) -----

def fill_gaps(df: pd.DataFrame, start: date, end: date, interval: str, dim: str | None = None,
              values: Sequence[str] = ("count",)) -> pd.DataFrame:
    """Rows for every bucket (and every key of `dim` seen) with zeros where the query had none."""
    buckets = bucket_starts(start, end, interval)
    cols = ["bucket"] + ([dim] if dim else []) + list(values)
    if df is None or df.empty:
        if dim:
            return pd.DataFrame(columns=cols)
        return pd.DataFrame({"bucket": buckets, **{v: 0 for v in values}})[cols]
    df = df.copy()
    df["bucket"] = pd.to_datetime(df["bucket"]).dt.date
    if dim:
        keys = sorted(df[dim].dropna().unique())
        index = pd.MultiIndex.from_product([buckets, keys], names=["bucket", dim])
        out = df.set_index(["bucket", dim])[list(values)].reindex(index, fill_value=0).reset_index()
    else:
        out = (df.set_index("bucket")[list(values)].reindex(buckets, fill_value=0)
               .rename_axis("bucket").reset_index())
    return out[cols]


# --- layout -------------------------------------------------------------------------------------

def _layout(fig: go.Figure, *, title: str | None = None, height: int = HEIGHT) -> go.Figure:
    fig.update_layout(
        font=dict(family=FONT, size=13), height=height, margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        title=dict(text=plot_text(title)) if title else None, template="plotly_white")
    return fig


def _in_order(fig: go.Figure) -> go.Figure:
    """The legend in drawing order: plotly reverses it by default for stacks (bars, areas), which
    would list English before Chinese over an area with Chinese at the bottom."""
    fig.update_layout(legend_traceorder="normal")
    return fig


def time_axis_title(interval: str, tz: str, lang: str) -> str:
    return f"{i18n.t('every_' + interval, lang)} ({tz})"


def time_chart(df: pd.DataFrame, *, lang: str, tz: str, interval: str, dim: str | None = None,
               value: str = "count", kind: str = "line", y_title: str = "", title: str | None = None,
               events: Iterable = (), names: dict[str, str] | None = None,
               percent: bool = False, partial: Mapping[date, object] | None = None,
               colors: Mapping | None = None, order_by: str | None = None,
               span: tuple[date, date] | None = None) -> go.Figure:
    """Buckets on x, `value` on y, one trace per key of `dim` (or one trace without `dim`), in its
    colour (`colors`, else `color_for`), over the x range of the view's days `span` (first, last;
    default: the buckets of `df`), `view_range`.

    Each point carries its key in customdata, so a selection can be turned into stories. Buckets
    in `partial` (`db.queries.partial_buckets`) are shaded, labelled and drawn with open markers
    (hatched bars): they hold only part of their period. Keys other than lang, sentiment and
    category are drawn (and listed) biggest first by the sum of `order_by` (default `value`).
    """
    partial = {as_date(b) for b in (partial or ())}
    events = tuple(events)
    fig = go.Figure()
    groups = [(None, df)] if not dim else [(k, g) for k, g in df.groupby(dim, sort=True)]
    if dim:   # a fixed order for lang, sentiment, category; else biggest series first
        by_key = dict(groups)
        totals = {k: g[order_by or value].sum() for k, g in groups}
        groups = [(k, by_key[k]) for k in ordered_keys(dim, by_key, totals)]
    rows_of_two = len(groups) + bool(partial) + bool(events) > LEGEND_FLOW    # room_for_legend
    for key, g in groups:
        g = g.sort_values("bucket")
        whole = label(dim, key, lang, names) if dim else (y_title or value)
        entry = legend_name(whole) if rows_of_two else plot_text(whole)
        color = ((colors or {}).get(key) or color_for(dim, key)) if dim else "#4E79A7"
        common = dict(x=list(g["bucket"]), y=list(g[value]), name=entry,
                      customdata=[key if key is not None else ""] * len(g))
        if entry != plot_text(whole):     # the hover names it whole, on one line
            # "name : value", as plotly writes the lines beside it
            common.update(meta=plot_text(whole), hovertemplate="%{meta} : %{y}<extra></extra>")
        cut = [as_date(b) in partial for b in g["bucket"]]
        if kind == "bar":
            fig.add_trace(go.Bar(marker=dict(color=color, pattern_shape=["/" if c else "" for c in cut]),
                                 **common))
        else:
            marker = (dict(size=[8 if c else 4 for c in cut],
                           symbol=["circle-open" if c else "circle" for c in cut]) if any(cut)
                      else dict(size=4))
            fig.add_trace(go.Scatter(mode="lines+markers", marker=marker, line=dict(color=color, width=2),
                                     stackgroup="one" if kind == "area" else None, **common))
    if kind == "bar":
        fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=plot_text(time_axis_title(interval, tz, lang)), type="date")
    date_axis(fig, lang, interval, df["bucket"] if "bucket" in df else ())
    fig.update_yaxes(title_text=plot_text(y_title), ticksuffix="%" if percent else None,
                     hoverformat=".1f" if percent else None)   # "22.2%", not "22.22222%"
    whole_number_ticks(fig, df, value, stacked=bool(dim) and kind in ("bar", "area"), percent=percent)
    fig.update_layout(hovermode="x unified", hoverlabel_namelength=-1)   # whole names: "Jimeng / Seedance"
    shade_partial(fig, partial, interval, lang)
    add_events(fig, events, lang)
    _layout(fig, title=title)
    fit_range(fig, span or _days_of(df, "bucket"), interval)
    return room_for_legend(_in_order(fig))


WHOLE_TICKS_UP_TO = 10     # a count axis this short gets a tick per story: plotly halves up to 4 or so


def whole_number_ticks(fig: go.Figure, df: pd.DataFrame, value: str, *, stacked: bool,
                       percent: bool = False) -> go.Figure:
    """A y axis of counts (whole numbers in `df[value]`) never ticks between them: plotly steps a
    short axis by 0.5 ("1.5 stories"), so up to WHOLE_TICKS_UP_TO (the top of the stack when
    `stacked`) it ticks every one; a longer one's steps (1, 2, 5 ...) are whole already."""
    if percent or value not in df or df.empty or not pd.api.types.is_integer_dtype(df[value]):
        return fig
    top = df.groupby("bucket")[value].sum().max() if stacked and "bucket" in df else df[value].max()
    if top <= WHOLE_TICKS_UP_TO:
        fig.update_yaxes(tick0=0, dtick=1)
    return fig


def shade_partial(fig: go.Figure, partial: Iterable[date], interval: str, lang: str) -> go.Figure:
    """A grey band over each bucket that holds only part of its period (centred on the bucket's
    point or bar, one period wide), named "partial" by a grey swatch in the legend: a label in the
    plot would cover the top points or an event marker there."""
    bands = []
    for first in sorted(partial):
        half = pd.Timedelta(days=((bucket_last_day(first, interval) - first).days + 1) / 2)
        mid = pd.Timestamp(first)
        bands.append(dict(type="rect", xref="x", yref="paper", x0=mid - half, x1=mid + half, y0=0,
                          y1=1, fillcolor=PARTIAL_FILL, opacity=PARTIAL_OPACITY, line=dict(width=0),
                          layer="below"))
    if bands:
        fig.update_layout(shapes=list(fig.layout.shapes or ()) + bands)
        fig.add_trace(go.Scatter(   # a legend entry only: no point, no hover, nothing to select
            x=[None], y=[None], mode="markers", name=plot_text(i18n.t("partial", lang)),
            marker=dict(symbol="square", size=14, color=PARTIAL_FILL, opacity=0.45),
            hoverinfo="skip", customdata=[], legendgroup="partial"))
    return fig


MAX_TICKS = 12


def view_range(start: date, end: date, interval: str) -> list[pd.Timestamp]:
    """The x range of every time chart of a view of the days start..end: from half a period before
    its first bucket to half a period after its last, the span of its bars and partial bands.
    Plotly pads each trace type its own way (lines and markers by ~5 %, areas not at all), so a
    page's net-sentiment lines ran a day or more past the range each side of the area above them."""
    buckets = bucket_starts(start, end, interval)

    def half(first: date) -> pd.Timedelta:
        return pd.Timedelta(days=((bucket_last_day(first, interval) - first).days + 1) / 2)

    return [pd.Timestamp(buckets[0]) - half(buckets[0]), pd.Timestamp(buckets[-1]) + half(buckets[-1])]


def _days_of(df: pd.DataFrame, col: str) -> tuple[date, date] | None:
    days = [as_date(d) for d in df[col] if pd.notna(d)] if col in df else []
    return (min(days), max(days)) if days else None


# the plot area of every time chart starts this far from the figure's left edge: room for the y
# title and ticks such as "1,200" or "-0.5", whose widths differ from chart to chart (plotly's own
# margin put the net-sentiment plot 10 px right of the volume plot above it)
TIME_LEFT_PX = 72


def fit_range(fig: go.Figure, span: tuple[date, date] | None, interval: str) -> go.Figure:
    """The x axis over `view_range` of `span` (first and last day), whatever the trace types, in a
    plot area starting `TIME_LEFT_PX` from the left: time charts of a page stacked one above the
    other line up day by day."""
    if span is not None:
        fig.update_xaxes(range=view_range(span[0], span[1], interval), autorange=False)
    fig.update_yaxes(automargin=False)
    fig.update_layout(margin_l=TIME_LEFT_PX)
    return fig


def date_axis(fig: go.Figure, lang: str, interval: str, days: Iterable) -> go.Figure:
    """Date ticks readable in the interface language: plotly names months in English ("Oct 19"),
    so the Chinese interface gets numeric dates ("10-05" within one year); and one bucket alone
    spans its neighbours' days (plotly would zoom into milliseconds around it). Week and month
    buckets are ticked on their own first days (a Monday, the 1st), every bucket or every k-th for
    at most `MAX_TICKS`: plotly's own ticks put "Jul 27" under the August point and Sundays under
    weeks that start on Monday."""
    distinct = sorted({pd.Timestamp(d) for d in days if pd.notna(d)})
    if lang == "zh":
        fmt = "%Y-%m" if interval == "month" else "%Y-%m-%d"
        # days of one year ticked "10-05" (the hover keeps the year): six "2025-10-05" ticks
        # did not fit a narrow chart (800 px window) and were turned on their side
        one_year = interval != "month" and len({d.year for d in distinct}) == 1
        fig.update_xaxes(tickformat="%m-%d" if one_year else fmt, hoverformat=fmt)
    if interval in ("week", "month") and len(distinct) > 1:
        step = -(-len(distinct) // MAX_TICKS)
        fig.update_xaxes(tick0=distinct[0].strftime("%Y-%m-%d"),
                         dtick=f"M{step}" if interval == "month" else step * 7 * 86_400_000)
    if len(distinct) == 1:
        one = distinct[0]
        fig.update_xaxes(range=[one - pd.Timedelta(days=1), one + pd.Timedelta(days=1)], dtick=86_400_000)
    return fig


def add_events(fig: go.Figure, events: Iterable, lang: str) -> go.Figure:
    """Dashed vertical lines and hoverable markers for `events` (objects with date, model, kind, title)."""
    events = list(events)
    if not events:
        return fig
    lines = [dict(type="line", x0=ev.date, x1=ev.date, xref="x", y0=0, y1=1, yref="paper",
                  line=dict(color=color_for("model", ev.model), width=1, dash="dot")) for ev in events]
    fig.update_layout(shapes=list(fig.layout.shapes or ()) + lines)   # one update: add_shape is slow
    field = "全行业" if lang == "zh" else "whole field"
    hover = [plot_text(f"{ev.date} · {i18n.model_name(ev.model, lang) if ev.model else field} · "
                       f"{ev.kind}: {ev.title}") for ev in events]
    fig.add_trace(go.Scatter(
        x=[ev.date for ev in events], y=[1.0] * len(events), yaxis="y9", mode="markers",
        marker=dict(symbol="triangle-down", size=11, color=[color_for("model", ev.model) for ev in events]),
        name=plot_text("事件" if lang == "zh" else "events"), hovertext=hover, hoverinfo="text",
        customdata=[""] * len(events)))
    fig.update_layout(yaxis9=dict(overlaying="y", range=[0, 1.04], visible=False, fixedrange=True))
    return fig


# --- categorical charts -------------------------------------------------------------------------

def stacked_bars(df: pd.DataFrame, *, row_dim: str, stack_dim: str, lang: str, value: str = "count",
                 percent: bool = True, title: str | None = None, x_title: str = "",
                 names: dict[str, str] | None = None) -> go.Figure:
    """Horizontal bars, one per key of `row_dim`, stacked by `stack_dim` (in % of the row if `percent`).
    A row of shares names its stories ("Vidu (n=32)"): 100% of 3 stories looks like 100% of 300."""
    fig = go.Figure()
    if df.empty:
        return _layout(fig, title=title)
    df = df.copy()
    if percent:
        total = df.groupby(row_dim)[value].transform("sum")
        df["pct"] = df[value] / total.where(total > 0) * 100
    sizes = df.groupby(row_dim)[value].sum().sort_values()
    rows = list(sizes.index)
    names_y = [plot_text(label(row_dim, r, lang, names)) + (f" (n={int(sizes[r]):,})" if percent else "")
               for r in rows]
    stacks = (list(SENTIMENT_ORDER) if stack_dim == "sentiment"
              else ordered_keys(stack_dim, df[stack_dim].dropna().unique()))
    for key in stacks:
        g = df[df[stack_dim] == key].set_index(row_dim).reindex(rows)
        fig.add_trace(go.Bar(
            y=names_y,
            x=list(g["pct" if percent else value].fillna(0)), orientation="h",
            name=plot_text(label(stack_dim, key, lang, names)), marker_color=color_for(stack_dim, key),
            customdata=[[r, key] for r in rows], text=[int(v) for v in g[value].fillna(0)],
            hovertemplate="%{y}: %{x:.1f}" + ("%" if percent else "") + " (%{text})<extra>%{fullData.name}</extra>",
            textposition="none"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=plot_text(x_title), ticksuffix="%" if percent else None)
    return _in_order(_layout(fig, title=title, height=max(HEIGHT, 28 * len(rows) + 120)))


def grouped_bars(df: pd.DataFrame, *, row_dim: str, group_dim: str, lang: str, value: str = "count",
                 title: str | None = None, x_title: str = "", names: dict[str, str] | None = None,
                 percent: bool = False) -> go.Figure:
    """Horizontal bars per key of `row_dim`, side by side per key of `group_dim` (e.g. zh beside en).

    Plotly stacks a group's horizontal bars upwards from the first trace, so the traces are added
    last key first and the legend reversed: the first key (Chinese) is the top bar of every pair
    and the first legend entry, as it is in every other chart."""
    fig = go.Figure()
    if df.empty:
        return _layout(fig, title=title)
    rows = list(df.groupby(row_dim)[value].sum().sort_values().index)
    hover = ("%{y}: %{x:.1f}%" if percent else i18n.t("hover_stories", lang)) + "<extra>%{fullData.name}</extra>"
    for key in reversed(ordered_keys(group_dim, df[group_dim].dropna().unique())):
        g = df[df[group_dim] == key].set_index(row_dim).reindex(rows)
        fig.add_trace(go.Bar(
            y=[plot_text(label(row_dim, r, lang, names)) for r in rows], x=list(g[value].fillna(0)),
            orientation="h", name=plot_text(label(group_dim, key, lang, names)),
            marker_color=color_for(group_dim, key), customdata=[[r, key] for r in rows], hovertemplate=hover))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text=plot_text(x_title), ticksuffix="%" if percent else None)
    _layout(fig, title=title, height=max(HEIGHT, 34 * len(rows) + 120))
    fig.update_layout(legend_traceorder="reversed")
    return fig


HEAT_ROW_PX = 34         # a row holds a theme's name on two lines
HEAT_TEXT_COLS = 12      # more columns than this: the counts are in the hover only (cells too narrow)
HEAT_LABEL_UNITS = 18    # a row label longer than this (`text_units`) is wrapped onto two lines


def short_name(name: str) -> str:
    """A column label of a heat map: a name's first part ("Jimeng" of "Jimeng / Seedance", "可灵" of
    "可灵 Kling"), whole in the hover: whole names turned the labels on their side at 800 px."""
    first = name.split(" / ")[0].strip() or name
    head = first.split(" ")[0]
    if head != first and head and all(text_units(ch) == 2 for ch in head):
        return head
    return first


def heatmap(df: pd.DataFrame, *, row_dim: str, col_dim: str, lang: str, value: str = "count",
            title: str | None = None, names: dict[str, str] | None = None) -> go.Figure:
    """Counts of `row_dim` x `col_dim` in cells coloured by count, readable in a narrow column (an
    800 px window leaves ~460 px): columns under short labels (`short_name`) turned at most 45°,
    long row labels on two lines, the colour scale in a thin bar under the plot, and the count in
    each cell at 12 px while there are at most `HEAT_TEXT_COLS` columns (plotly shrank it to ~7 px
    in narrow cells); the hover names both keys whole with the count."""
    fig = go.Figure()
    if df.empty:
        return _layout(fig, title=title)
    grid = df.pivot_table(index=row_dim, columns=col_dim, values=value, aggfunc="sum", fill_value=0)
    grid = grid.loc[grid.sum(axis=1).sort_values().index, grid.sum(axis=0).sort_values(ascending=False).index]
    cols = [label(col_dim, c, lang, names) for c in grid.columns]
    rows = [label(row_dim, r, lang, names) for r in grid.index]
    fig.add_trace(go.Heatmap(
        z=grid.values.tolist(), x=[plot_text(short_name(c)) for c in cols],
        y=[legend_name(r, HEAT_LABEL_UNITS) for r in rows], colorscale="Blues",
        text=[[plot_text(f"{r} × {c}") for c in cols] for r in rows],
        hovertemplate="%{text}: %{z}<extra></extra>",
        texttemplate="%{z}" if len(cols) <= HEAT_TEXT_COLS else None, textfont=dict(size=12),
        colorbar=dict(orientation="h", thickness=10, len=1, y=-0.02, yanchor="top", x=0, xanchor="left",
                      xref="paper", outlinewidth=0),
        customdata=[[[r, c] for c in grid.columns] for r in grid.index]))
    # level where the short labels fit (1400 px), else at 45° (800 px), never on their side
    fig.update_xaxes(side="top", type="category", autotickangles=[0, 45])
    fig.update_yaxes(type="category")
    _layout(fig, title=title, height=max(HEIGHT, HEAT_ROW_PX * len(grid.index) + 110))
    fig.update_layout(margin_b=40)
    return fig


def dumbbell(df: pd.DataFrame, *, dim: str, lang: str, title: str | None = None,
             names: dict[str, str] | None = None, cols: tuple[str, str] = ("zh_share", "en_share"),
             scale: float = 100.0, suffix: str = "%", x_title: str = "") -> go.Figure:
    """The zh value beside the en value per key on one scale (default: shares as fractions -> %)."""
    fig = go.Figure()
    if df.empty:
        return _layout(fig, title=title)
    zc, ec = cols
    df = df.assign(_m=df[[zc, ec]].max(axis=1)).sort_values("_m")
    ys = [plot_text(label(dim, k, lang, names)) for k in df["key"]]
    xs, yy = [], []
    for y, a, b in zip(ys, df[zc], df[ec]):
        if pd.notna(a) and pd.notna(b):
            xs += [a * scale, b * scale, None]
            yy += [y, y, None]
    fig.add_trace(go.Scatter(x=xs, y=yy, mode="lines", line=dict(color="#CCCCCC", width=3),
                             hoverinfo="skip", showlegend=False))
    for lg, col in (("zh", zc), ("en", ec)):
        fig.add_trace(go.Scatter(
            x=list(df[col] * scale), y=ys, mode="markers", name=plot_text(i18n.lang_name(lg, lang)),
            marker=dict(size=12, color=LANG_COLORS[lg]), customdata=[[k, lg] for k in df["key"]],
            hovertemplate="%{y}: %{x:.2f}" + suffix + "<extra>%{fullData.name}</extra>"))
    fig.update_xaxes(ticksuffix=suffix or None, title_text=plot_text(x_title),
                     rangemode="tozero" if suffix == "%" else "normal")
    fig.update_yaxes(type="category")
    return _layout(fig, title=title, height=max(HEIGHT, 30 * len(df) + 120))


LEAD_SYMBOLS = {"model": "circle", "theme": "diamond"}


def lead_lag(df: pd.DataFrame, *, lang: str, tz: str, title: str | None = None,
             names: dict[str, str] | None = None, span: tuple[date, date] | None = None,
             interval: str = "day") -> go.Figure:
    """One dot per spike: x its day, y how many days Chinese led (+) or English led (-).

    One legend entry per model or theme in its own colour (a dot's colour is its key's), grouped
    under "model" and "theme", which differ in shape too (circle, diamond)."""
    fig = go.Figure()
    if df.empty:
        return _layout(fig, title=title)
    for dim in sorted(df["dim"].unique()):
        for key, g in sorted(df[df["dim"] == dim].groupby("key"), key=lambda kg: -kg[1]["score"].max()):
            fig.add_trace(go.Scatter(
                x=list(g["day"]), y=list(g["lead_days"]), mode="markers",
                name=plot_text(label(dim, key, lang, names)),
                legendgroup=dim,
                marker=dict(size=[8 + min(float(s), 12) for s in g["score"]], color=color_for(dim, key),
                            symbol=LEAD_SYMBOLS.get(dim, "circle"), line=dict(width=1, color="#333333")),
                text=[plot_text(label(dim, key, lang, names))] * len(g), customdata=[[d, key] for d in g["day"]],
                hovertemplate="%{x}: %{text} %{y:+d}<extra></extra>"))
    fig.update_xaxes(title_text=plot_text(time_axis_title("day", tz, lang)), type="date")
    date_axis(fig, lang, "day", df["day"])
    fig.update_yaxes(zeroline=True, zerolinecolor="#888888",
                     title_text=plot_text("中文领先天数（负数为英文领先）" if lang == "zh"
                                          else "days Chinese led (−: English)"))
    _layout(fig, title=title)
    fit_range(fig, span or _days_of(df, "day"), interval)    # the page's time charts' range and left edge
    # a legend entry per key, in rows above the chart as every chart's: beside it, it took ~280 px
    # of an 800 px window's ~470 and left the plot ~190 px (the shape tells model from theme)
    fig.update_layout(legend_traceorder="normal", legend_groupclick="toggleitem")
    return room_for_legend(fig)


def diverging(df: pd.DataFrame, *, dim: str, lang: str, value: str = "diff_pp", title: str | None = None,
              x_title: str = "", names: dict[str, str] | None = None) -> go.Figure:
    """One bar per key: positive values lean Chinese (zh colour), negative lean English."""
    fig = go.Figure()
    if df.empty:
        return _layout(fig, title=title)
    df = df.sort_values([value, "key"], ascending=[True, False], kind="stable")   # ties: by key, top down
    fig.add_trace(go.Bar(
        x=list(df[value]), y=[plot_text(label(dim, k, lang, names)) for k in df["key"]], orientation="h",
        marker_color=[LANG_COLORS["zh"] if v >= 0 else LANG_COLORS["en"] for v in df[value]],
        customdata=list(df["key"]), showlegend=False,
        hovertemplate="%{y}: %{x:+.1f}<extra></extra>"))
    fig.update_xaxes(title_text=plot_text(x_title), zeroline=True)
    return _layout(fig, title=title, height=max(HEIGHT, 28 * len(df) + 120))


def ranked_bars(df: pd.DataFrame, *, label_col: str, value: str, color: str = "#4E79A7",
                title: str | None = None, x_title: str = "", decimals: int = 2,
                x_range: tuple[float, float] | None = None) -> go.Figure:
    """Horizontal bars of free-text labels (terms, phrases), biggest on top; hover shows the value
    with `decimals` (0 for counts of stories); equal values keep the order of `df` (its table's),
    top down. `x_range`: the value axis's span, to draw charts side by side on one scale."""
    fig = go.Figure()
    if df.empty:
        return _layout(fig, title=title)
    df = df.sort_values(value, ascending=False, kind="stable").iloc[::-1]   # plotly: first at the bottom
    fig.add_trace(go.Bar(x=list(df[value]), y=[plot_text(v) for v in df[label_col]], orientation="h",
                         marker_color=color, customdata=list(df[label_col]), showlegend=False,
                         hovertemplate="%{y}: %{x:." + str(decimals) + "f}<extra></extra>"))
    fig.update_xaxes(title_text=plot_text(x_title), range=list(x_range) if x_range else None)
    fig.update_yaxes(type="category")
    return _layout(fig, title=title, height=max(HEIGHT, 24 * len(df) + 100))


ROLLING_DAYS = 7
MIN_NET_STORIES = 10    # a net index on fewer stories than this is drawn hollow and flagged
_TONE = ["positive", "neutral", "negative", "stories"]


def smoothed_net(df: pd.DataFrame, start: date, end: date, interval: str,
                 dim: str | None = None) -> tuple[pd.DataFrame, str]:
    """The net-sentiment index as drawn and as its CSV holds it, with the counts it comes from.

    `df` has bucket, (`dim`,) positive, neutral, negative, stories (`db.queries.sentiment_index`).
    Daily net sentiment is noisy at a few stories a day: for day buckets each day has the
    trailing 7 days' summed counts "positive_7d", "neutral_7d", "negative_7d", "stories_7d" and
    "net_7d" = (positive_7d - negative_7d) / stories_7d (the daily counts stay beside them; no
    daily net, which is not drawn). Week and month buckets keep their own counts and "net".
    "few_stories" is true where the index rests on fewer than `MIN_NET_STORIES` stories (its
    window's, or its bucket's): such a point swings to +-1 on a story or two and is drawn hollow.
    Returns the frame and the column to draw ("net_7d" or "net"). Days of `df` before `start` (the
    6 days a page reads ahead, `Ctx.lead_in`) feed the first days' windows and are then left out."""
    keys = [dim] if dim else []
    if df.empty:
        value = "net_7d" if interval == "day" else "net"
        cols = (["bucket"] + keys + _TONE + ([t + "_7d" for t in _TONE] if interval == "day" else [])
                + [value, "few_stories"])
        return pd.DataFrame(columns=cols), value
    if interval != "day":
        out = df[["bucket"] + keys + _TONE].copy()
        out["net"] = (out["positive"] - out["negative"]) / out["stories"].where(out["stories"] > 0)
        out["few_stories"] = out["stories"] < MIN_NET_STORIES
        return out.reset_index(drop=True), "net"
    lead = start - timedelta(days=ROLLING_DAYS - 1)
    filled = fill_gaps(df[["bucket"] + keys + _TONE], lead, end, "day", dim, values=_TONE)
    parts = []
    for _, g in (filled.groupby(dim, sort=False) if dim else [(None, filled)]):
        g = g.sort_values("bucket").copy()
        r = g[_TONE].rolling(ROLLING_DAYS, min_periods=1).sum().astype(int)
        for col in _TONE:
            g[col + "_7d"] = r[col]
        g["net_7d"] = (r["positive"] - r["negative"]) / r["stories"].where(r["stories"] > 0)
        g["few_stories"] = r["stories"] < MIN_NET_STORIES
        parts.append(g[g["bucket"] >= start])
    return pd.concat(parts, ignore_index=True), "net_7d"


def share_over_time(counts: pd.DataFrame, totals: pd.DataFrame, dim: str, interval: str,
                    start: date | None = None, total: str = "all_stories") -> tuple[pd.DataFrame, str]:
    """Each key's share of a per-bucket total, as drawn and as its CSV holds it.

    `counts` has bucket, `dim`, count (gaps filled); `totals` bucket, count (the denominator: all
    stories for themes, every model's stories summed for share of voice). The frame has "stories"
    (the key's, as `export trends` counts them) and `total` per bucket; for day buckets, where a
    daily share at a few stories a day jumps between 0 and 100%, also "stories_7d", `total` + "_7d"
    (the trailing 7 days' sums) and "share_7d" (their ratio, %), else "share". Returns the frame and
    the column to draw. Days before `start` (read ahead for the first windows, `Ctx.lead_in`) feed
    the windows and are then left out."""
    df = counts.rename(columns={"count": "stories"})
    df = df.merge(totals.rename(columns={"count": total})[["bucket", total]], on="bucket", how="left")
    df[total] = df[total].fillna(0).astype(int)
    if interval != "day":
        df["share"] = (df["stories"] / df[total].where(df[total] > 0)).fillna(0.0) * 100
        out, value = df, "share"
    else:
        parts = []
        for _, g in df.groupby(dim, sort=False):
            g = g.sort_values("bucket").copy()
            r = g[["stories", total]].rolling(ROLLING_DAYS, min_periods=1).sum().astype(int)
            g["stories_7d"], g[total + "_7d"] = r["stories"], r[total]
            g["share_7d"] = (r["stories"] / r[total].where(r[total] > 0)).fillna(0.0) * 100
            parts.append(g)
        out = pd.concat(parts, ignore_index=True) if parts else df.assign(
            stories_7d=[], **{total + "_7d": []}, share_7d=[])
        value = "share_7d"
    if start is not None and not out.empty:
        out = out[out["bucket"].map(as_date) >= start]
    return out.reset_index(drop=True), value


def sum_by_bucket(counts: pd.DataFrame) -> pd.DataFrame:
    """bucket, count: `counts` summed over its keys (share of voice's denominator)."""
    if counts.empty:
        return pd.DataFrame(columns=["bucket", "count"])
    return counts.groupby("bucket", as_index=False)["count"].sum()


def show_top(fig: go.Figure, ranked: Sequence, n: int) -> go.Figure:
    """A chart of a dozen lines reads as spaghetti: the traces of the first `n` keys of `ranked`
    (biggest first) are drawn, the others are hidden but listed after them in the legend (one
    click shows one), each in its fixed colour whatever is shown."""
    rank = {key: i for i, key in enumerate(ranked)}
    for trace in fig.data:
        data = trace.customdata
        key = data[0] if data is not None and len(data) else None
        if key in rank:
            trace.legendrank = rank[key] + 1
            if rank[key] >= n:
                trace.visible = "legendonly"
    return fig


def net_lines(df: pd.DataFrame, *, lang: str, tz: str, interval: str, dim: str | None = None,
              title: str | None = None, events: Iterable = (), value: str = "net",
              partial: Mapping[date, object] | None = None,
              span: tuple[date, date] | None = None) -> go.Figure:
    """Net-sentiment index (-1..1) over time, one line per key of `dim` (the most covered first),
    with a zero line. Points flagged "few_stories" (`smoothed_net`) are not joined to the line:
    they are drawn as faint open circles in the key's colour, named in the hover and by a legend
    swatch, so a swing to +-1 on a story or two never reads as a move of the line."""
    few = df["few_stories"].astype(bool) if "few_stories" in df else pd.Series(False, index=df.index)
    stories = "stories_7d" if "stories_7d" in df else "stories"
    solid = df.assign(**{value: df[value].where(~few)}) if few.any() else df
    y_title = i18n.t("net_7d" if value == "net_7d" else "net_sentiment", lang)
    fig = time_chart(solid, lang=lang, tz=tz, interval=interval, dim=dim, value=value, kind="line",
                     y_title=y_title, title=title, events=events, partial=partial,
                     order_by=stories if stories in df else None, span=span)
    for trace in fig.data:     # a legend click on a key hides its open circles too
        if trace.customdata is not None and len(trace.customdata) and trace.legendgroup is None:
            trace.legendgroup = f"key:{trace.customdata[0]}"
    thin = df[few & df[value].notna()]
    if not thin.empty:
        note = i18n.t("few_stories_hover", lang, n=MIN_NET_STORIES)
        groups = [(None, thin)] if not dim else list(thin.groupby(dim, sort=True))
        for key, g in groups:
            g = g.sort_values("bucket")
            name = plot_text(label(dim, key, lang) if dim else y_title)
            fig.add_trace(go.Scatter(
                x=list(g["bucket"]), y=list(g[value]), mode="markers", name=f"{name} ({plot_text(note)})",
                marker=dict(symbol="circle-open", size=7, color=color_for(dim, key) if dim else "#4E79A7",
                            line=dict(width=1.5)),
                opacity=0.55, showlegend=False, legendgroup=f"key:{key if key is not None else ''}",
                customdata=[key if key is not None else ""] * len(g)))
        fig.add_trace(go.Scatter(   # a legend entry only, like the partial swatch
            x=[None], y=[None], mode="markers", name=plot_text(i18n.t("few_stories", lang, n=MIN_NET_STORIES)),
            marker=dict(symbol="circle-open", size=9, color="#555555", line=dict(width=1.5)),
            opacity=0.55, hoverinfo="skip", customdata=[], legendgroup="few"))
    fig.update_yaxes(range=[-1.05, 1.05], zeroline=True, zerolinecolor="#888888",
                     hoverformat="+.2f")      # as the KPI card shows it ("-0.12", not "-0.1176471")
    return room_for_legend(fig)
