"""Keywords: terms rising in Chinese and in English against the previous period of the same length,
ranked by the weighted log-odds z-score with an informative Dirichlet prior (Monroe et al. 2008),
not by raw counts. The sidebar's language filter does not apply (each column is one language)."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import charts, data, drill, i18n, ui
from dashboard.state import Ctx, setup
from dashboard.params import local_date
from db import queries

TOP = 30


def shared_range(frames) -> tuple[float, float] | None:
    """One z axis for both columns: side by side, each on its own scale, a term's bar in one
    language could be drawn twice as long as the same z in the other."""
    zs = [z for df in frames if not df.empty for z in df["z"]]
    if not zs:
        return None
    low, high = min(0.0, min(zs)), max(0.0, max(zs))
    pad = (high - low) * 0.05 or 1.0
    return (low - pad if low < 0 else 0.0, high + pad)


def column(ctx: Ctx, lang: str, df, x_range=None) -> None:
    L = ctx.lang
    st.markdown(f"**{ui.md_escape(i18n.t('rising_' + lang, L))}**")
    if df.empty:
        st.info(i18n.t("no_terms", L))
        return
    step = int(df["sample_every"].max())      # > 1: a large view read every k-th story of both periods
    est = "_est" if step > 1 else ""
    z = i18n.t("z_est", L) if step > 1 else "z"
    fig = charts.ranked_bars(df, label_col="term", value="z", color=charts.LANG_COLORS[lang], x_title=z,
                             x_range=x_range)
    points = ui.chart(fig, df, key=f"kw_{lang}", lang=L, name=f"rising_terms_{lang}")   # the CSV keeps sample_every
    if step > 1:
        n = data.total(ctx.url, ctx.flt.replace(lang=(lang,)))
        st.caption(ui.md_escape(i18n.t("terms_sampled", L, n=f"{n:,}", k=step)))
    st.dataframe(df.drop(columns=["sample_every"]).rename(columns={
                     "term": i18n.t("term", L), "current": i18n.t("current" + est, L),
                     "previous": i18n.t("previous" + est, L), "z": z}),
                 hide_index=True, key=f"kw_{lang}_table", column_config={z: st.column_config.NumberColumn(format="%.2f")})
    clicked = [p.get("customdata") for p in points if p.get("customdata")]
    term = st.selectbox(i18n.t("pick_term", L), [None] + list(df["term"]), key=f"kw_{lang}_term",
                        format_func=lambda v: i18n.t("pick_none", L) if v is None else v)
    term = term or (clicked[0] if clicked else None)
    if term:   # the stories the table counted: those the tagger keyed with the term (not a text search)
        flt = ctx.flt.replace(lang=(lang,), keyword=term)
        st.caption(ui.md_escape(i18n.t("keyword_results", L, n=data.total(ctx.url, flt), term=term)
                                + ui.until_note(flt, ctx.tz, L)))
        ui.story_list(data.items(ctx.url, flt, drill.STORIES), lang=L, tz=ctx.tz, evidence=False)
        ui.explorer_link(ctx, lang=(lang,), extra={"kw": term})


def periods(ctx: Ctx) -> None:
    """Names both periods (a period not over: against the same stretch of the previous one, as
    `rising_terms` holds it), and says so when the previous one holds nothing to compare against."""
    now = queries.clock(ctx.flt)
    prev = queries.comparable_window(ctx.flt, now)
    if queries.elapsed(ctx.flt, now) is not None:
        span = i18n.t("kpi_period_partial", ctx.lang, since=ctx.start, until=ui.fmt_time(now, ctx.tz),
                      psince=local_date(prev.since, ctx.tz), puntil=ui.fmt_time(prev.until, ctx.tz))
    else:
        span = i18n.t("kpi_period", ctx.lang, since=ctx.start, until=ctx.end, psince=local_date(prev.since, ctx.tz),
                      puntil=local_date(prev.until - timedelta(microseconds=1), ctx.tz))
    st.caption(i18n.t("rising_terms", ctx.lang) + " — " + span)
    if data.total(ctx.url, prev.replace(lang=())) == 0:
        # a filter or search that matches nothing anywhere is not cured by a later date range
        both = ctx.flt.replace(since=prev.since)
        st.info(i18n.t("no_previous" if data.total(ctx.url, both.replace(lang=())) else "no_match_either", ctx.lang))


ctx = setup("keywords")
with ui.db_guard(ctx.lang):
    periods(ctx)
    frames = data.rising_terms(ctx.url, ctx.flt, ("zh", "en"), TOP)   # both columns in one pass
    scale = shared_range((frames["zh"], frames["en"]))
    if scale:
        st.caption(i18n.t("kw_one_scale", ctx.lang))
    left, right = ui.pair("keywords")   # stacked when the page is narrow: each table whole
    with left:
        column(ctx, "zh", frames["zh"], scale)
    with right:
        column(ctx, "en", frames["en"], scale)
