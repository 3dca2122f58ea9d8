"""Themes: theme share over time, theme x sentiment, theme x model heat map, and the evidence phrases
that most often triggered each theme."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, data, drill, i18n, ui
from dashboard.state import Ctx, page_widget, setup
from db import search_syntax

TOP_LINES = 6   # theme lines shown at first (the most covered); the others are listed in the legend


def _themes(df) -> list[str]:
    if df.empty:
        return []
    return list(df.groupby("theme")["count"].sum().sort_values(ascending=False, kind="stable").index)   # ties by name


def share(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("theme_share", L))
    flt = ctx.lead_in()      # day buckets: from 6 days before the range, for the first 7-day windows
    first = ctx.lead_start
    raw = data.counts(ctx.url, flt, ("theme",), ctx.interval, ctx.tz, _tally=tally)
    # of all stories: a theme picked in the filter keeps its share of the coverage (not 100%)
    everything = data.counts(ctx.url, flt.replace(theme=()), (), ctx.interval, ctx.tz, _tally=tally)
    totals = charts.fill_gaps(everything, first, ctx.end, ctx.interval)
    df, value = charts.share_over_time(charts.fill_gaps(raw, first, ctx.end, ctx.interval, "theme"), totals,
                                       "theme", ctx.interval, start=ctx.start)
    raw = raw[raw["bucket"].map(charts.as_date) >= ctx.start] if not raw.empty else raw
    fig = charts.time_chart(df, lang=L, tz=ctx.tz, interval=ctx.interval, dim="theme", value=value,
                            percent=True, y_title=i18n.t(value, L), events=ctx.events, partial=ctx.partial,
                            span=ctx.span)
    # a dozen lines: the view's most covered few, the rest one legend click away (all those picked)
    charts.show_top(fig, _themes(raw), len(ctx.flt.theme) or TOP_LINES)
    fig.update_yaxes(rangemode="tozero")     # shares from 0, whichever lines are shown
    points = ui.chart(fig, df, key="th_share", lang=L, name="theme_share", cut=ctx.cut)
    drill.selection(ctx, points, ("bucket", "theme"), key="th_share")
    drill.box(ctx, key="th_share_drill", dims=("bucket", "theme"),
              options={"bucket": drill.periods(ctx), "theme": _themes(raw)})


def sentiment(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("theme_sent", L))
    df = data.counts(ctx.url, ctx.flt, ("theme", "sentiment"), _tally=tally)
    fig = charts.stacked_bars(df, row_dim="theme", stack_dim="sentiment", lang=L, x_title=i18n.t("share", L))
    points = ui.chart(fig, df, key="th_sent", lang=L, name="theme_sentiment")
    drill.selection(ctx, points, ("theme", "sentiment"), key="th_sent")
    drill.box(ctx, key="th_sent_drill", dims=("theme", "sentiment"),
              options={"theme": _themes(df), "sentiment": ("positive", "neutral", "negative")})


def by_model(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("theme_model", L))
    df = data.counts(ctx.url, ctx.flt, ("theme", "model"), _tally=tally)
    fig = charts.heatmap(df, row_dim="theme", col_dim="model", lang=L)
    points = ui.chart(fig, df, key="th_model", lang=L, name="theme_model")
    drill.selection(ctx, points, ("theme", "model"), key="th_model")
    models = list(df.groupby("model")["count"].sum().sort_values(ascending=False).index) if not df.empty else []
    drill.box(ctx, key="th_model_drill", dims=("theme", "model"), options={"theme": _themes(df), "model": models})


def evidence(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("theme_evidence", L))
    df = data.evidence_top(ctx.url, ctx.flt, "theme", 10, _tally=tally)
    if df.empty:
        st.info(i18n.t("no_match", L))
        return
    order = list(df.groupby("key")["count"].sum().sort_values(ascending=False).index)
    theme = page_widget(ctx, st.selectbox, i18n.t("theme", L), "ev_theme", options=order,    # evtheme= in the URL
                        format_func=lambda v: i18n.theme_name(v, L))
    part = df[df["key"] == theme]
    step = int(part["sample_every"].max())      # > 1: a large view read every k-th story
    fig = charts.ranked_bars(part, label_col="phrase", value="count", color=charts.color_for("theme", theme),
                             x_title=i18n.t("stories_est" if step > 1 else "stories", L), decimals=0)
    points = ui.chart(fig, part.rename(columns={"key": "theme"}), key="th_ev", lang=L,   # the theme drawn
                      name="theme_evidence")
    if step > 1:
        st.caption(ui.md_escape(i18n.t("sampled", L, n=f"{data.total(ctx.url, ctx.flt, _tally=tally):,}", k=step)))
    picked = [p.get("customdata") for p in points if p.get("customdata")]
    phrase = st.selectbox(i18n.t("phrase", L), [None] + list(part["phrase"]), key="th_ev_phrase",
                          format_func=lambda v: i18n.t("pick_none", L) if v is None else v)
    phrase = phrase or (picked[0] if picked else None)
    if phrase:
        flt = ctx.flt.replace(theme=(theme,), q=_quoted(phrase))
        rows = data.items(ctx.url, flt, drill.STORIES)
        ui.story_list(rows, lang=L, tz=ctx.tz, evidence=False)
        ui.explorer_link(ctx, theme=(theme,), q=_quoted(phrase))


def _quoted(phrase: str) -> str:
    """An evidence phrase as a search for that phrase, none of it read as search syntax: the
    tagger's form of it (folded case and script, white space collapsed) is found by a phrase's
    loose spacing; a sentence cut at its length ("…") by the part it shows, its last word open
    (`*`: cut inside a word, it is not whole)."""
    if phrase.endswith("…"):
        return search_syntax.phrase(phrase.removesuffix("…").rstrip() + "*")
    return search_syntax.phrase(phrase)


ctx = setup("themes")
with ui.db_guard(ctx.lang):
    # a search: its stories (from the share's lead-in days on) matched once for every count and
    # for the evidence phrases (of the range's stories)
    tally = (data.search_tally(ctx.url, ctx.lead_in(), ctx.tz, spikes=False, previous=False, pairs=True,
                               evidence="theme", evidence_since=ctx.flt.since)
             if ctx.flt.q else None)
    if data.total(ctx.url, ctx.flt, _tally=tally) == 0:     # said once, first; no empty chart
        st.info(i18n.t("no_match", ctx.lang))
    else:
        share(ctx, tally)
        sentiment(ctx, tally)
        by_model(ctx, tally)
        evidence(ctx, tally)
