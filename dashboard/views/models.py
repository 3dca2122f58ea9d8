"""Models: share of voice over time, sentiment by model (mix and net index over time), and Chinese
against English stories per model."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, data, drill, i18n, ui
from dashboard.params import SOV_MODES
from dashboard.state import Ctx, page_widget, setup
from db.queries import STORIES

TOP_NET = 6   # models drawn on the net-sentiment chart (the most covered)


def share_of_voice(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("sov", L))
    mode = page_widget(ctx, st.radio, i18n.t("sov_mode", L), "sov", options=list(SOV_MODES),
                       horizontal=True, format_func=lambda v: i18n.t("mode_" + v, L))    # sov= in the URL
    flt = ctx.lead_in()      # day buckets: from 6 days before the range, for the first 7-day windows
    # every model's stories, so that a model picked in the filter keeps its share among them all
    every = charts.fill_gaps(data.counts(ctx.url, flt.replace(model=()), ("model",), ctx.interval, ctx.tz, _tally=tally),
                             ctx.lead_start, ctx.end, ctx.interval, "model")
    lead = every[every["model"].isin(ctx.flt.model)] if ctx.flt.model else every
    raw = lead[lead["bucket"].map(charts.as_date) >= ctx.start] if not lead.empty else lead
    if mode == "share":
        # a model's stories over every model's stories (a story naming two counts for both): the
        # stack is 100% (less the models the filter leaves out); by day the trailing 7 days' sums,
        # as the Themes page reads its share
        df, value = charts.share_over_time(lead, charts.sum_by_bucket(every), "model", ctx.interval,
                                           start=ctx.start, total="all_models")
        fig = charts.time_chart(df, lang=L, tz=ctx.tz, interval=ctx.interval, dim="model", kind="area",
                                value=value, percent=True, events=ctx.events,
                                y_title=i18n.t("sov_7d" if value == "share_7d" else "share", L),
                                partial=ctx.partial,
                                span=ctx.span)
    else:     # stories a bucket, stacked bars: the counts `export trends --group model` gives
        df = ui.stories_named(raw)
        fig = charts.time_chart(df, lang=L, tz=ctx.tz, interval=ctx.interval, dim="model", kind="bar",
                                value=STORIES, events=ctx.events, y_title=i18n.t("stories", L),
                                partial=ctx.partial,
                                span=ctx.span)
    points = ui.chart(fig, df, key="mo_sov", lang=L, name="share_of_voice" if mode == "share" else "model_stories",
                      cut=ctx.cut)
    drill.selection(ctx, points, ("bucket", "model"), key="mo_sov")
    drill.box(ctx, key="mo_sov_drill", dims=("bucket", "model"),
              options={"bucket": drill.periods(ctx), "model": _models(raw)})


def _models(df) -> list[str]:
    if df.empty:
        return []
    return list(df.groupby("model")["count"].sum().sort_values(ascending=False, kind="stable").index)


def sentiment(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("sent_by_model", L))
    df = data.counts(ctx.url, ctx.flt, ("model", "sentiment"), _tally=tally)
    fig = charts.stacked_bars(df, row_dim="model", stack_dim="sentiment", lang=L,
                              x_title=i18n.t("share", L))
    points = ui.chart(fig, df, key="mo_sent", lang=L, name="sentiment_by_model")
    drill.selection(ctx, points, ("model", "sentiment"), key="mo_sent")
    drill.box(ctx, key="mo_sent_drill", dims=("model", "sentiment"),
              options={"model": _models(df), "sentiment": ("positive", "neutral", "negative")})

    covered = _models(df)
    top = covered[:len(ctx.flt.model) or TOP_NET]     # every model picked in the filter is drawn
    if not top:
        return
    idx = data.sentiment_index(ctx.url, ctx.lead_in(ctx.flt.replace(model=tuple(top))), ctx.interval, ctx.tz,
                               "model", _tally=tally)
    idx = idx[idx["key"].isin(top)].rename(columns={"key": "model"})   # empty frames keep their columns
    drill.net_chart(ctx, idx, "model", key="mo_net", name="net_sentiment_by_model", title=True)
    if len(covered) > len(top):
        st.caption(i18n.t("net_top", L, n=len(top), rest=len(covered) - len(top)))


def languages(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("lang_by_model", L))
    df = data.counts(ctx.url, ctx.flt, ("model", "lang"), _tally=tally)
    if not df.empty:
        df = df[df["lang"].isin(["zh", "en"])]
    fig = charts.grouped_bars(df, row_dim="model", group_dim="lang", lang=L, x_title=i18n.t("stories", L))
    points = ui.chart(fig, df, key="mo_lang", lang=L, name="zh_en_by_model")
    drill.selection(ctx, points, ("model", "lang"), key="mo_lang")
    drill.box(ctx, key="mo_lang_drill", dims=("model", "lang"), options={"model": _models(df), "lang": ("zh", "en")})


ctx = setup("models")
with ui.db_guard(ctx.lang):
    # a search: its stories (from the index's lead-in days on) matched once for every count
    tally = (data.search_tally(ctx.url, ctx.lead_in(), ctx.tz, spikes=False, previous=False)
             if ctx.flt.q else None)
    if data.total(ctx.url, ctx.flt, _tally=tally) == 0:     # no empty chart, CSV or drill-down
        st.info(i18n.t("no_match", ctx.lang))
    else:
        share_of_voice(ctx, tally)
        sentiment(ctx, tally)
        languages(ctx, tally)
