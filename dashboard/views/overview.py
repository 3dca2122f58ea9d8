"""Overview: KPIs against the previous period, volume by language, the net-sentiment index, and the
spike alerts with the stories and evidence phrases behind each."""
from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data, drill, i18n, ui
from dashboard.params import local_date
from dashboard.state import Ctx, setup
from db import stats, trends

SPIKES_SHOWN = 12


def kpis(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    k = data.period_kpis(ctx.url, ctx.flt, ctx.tz, _tally=tally)
    if k.get("partial"):   # not over yet: against the previous period as far in as this one is
        st.caption(i18n.t("kpi_period_partial", L, since=ctx.start, until=ui.fmt_time(ctx.flt.as_of, ctx.tz),
                          psince=_day(k.get("prev_since"), ctx.tz),
                          puntil=ui.fmt_time(k.get("prev_until"), ctx.tz)))
    else:
        st.caption(i18n.t("kpi_period", L, since=ctx.start, until=ctx.end,
                          psince=_day(k.get("prev_since"), ctx.tz), puntil=_day(k.get("prev_until"), ctx.tz, end=True)))
    ui.kpi_wrap()
    cols = st.columns(3) + st.columns(3)
    cur, prev = k["stories"]["current"], k["stories"]["previous"]
    ui.kpi(cols[0], i18n.t("kpi_stories", L), f"{cur:,}",
           f"{(cur - prev) / prev:+.0%}" if prev else None, help=i18n.t("vs_previous", L) + f": {prev:,}")
    for col, lg in ((cols[1], "zh"), (cols[2], "en")):
        share = k["share"].get(lg) or {}
        c, p = share.get("current"), share.get("previous")
        ui.kpi(col, i18n.t(f"kpi_{lg}_share", L), ui.pct(c),
               ui.signed(None if c is None or p is None else (c - p) * 100, "+.1f", " pp"),
               help=i18n.t("vs_previous", L) + f": {ui.pct(p)}")
    net = k["net_sentiment"]
    c, p = net.get("current"), net.get("previous")
    ui.kpi(cols[3], i18n.t("kpi_net", L), ui.signed(c) or "—",
           ui.signed(None if c is None or p is None else c - p), help=i18n.t("vs_previous", L) + f": {ui.signed(p) or '—'}")
    for col, field, dim in ((cols[4], "rising_theme", "theme"), (cols[5], "rising_model", "model")):
        r = k.get(field)
        ui.kpi(col, i18n.t(f"kpi_{field}", L), i18n.key_name(dim, r["key"], L) if r else "—",
               f"{r['change']:+,}" if r else None,
               help=(f"{r['previous']:,} → {r['current']:,}" if r else None), name=field)


def _day(value, tz: str, end: bool = False):
    """The local day of an instant (`end`: of an exclusive end instant, i.e. the day before)."""
    if value is None:
        return "—"
    day = local_date(value, tz)
    return day - timedelta(days=1) if end else day


def volume(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("volume_by_lang", L))
    raw = data.counts(ctx.url, ctx.flt, ("lang",), ctx.interval, ctx.tz, _tally=tally)
    df = charts.fill_gaps(raw, ctx.start, ctx.end, ctx.interval, "lang")
    # a line per language, not a stack: each line is that language's own count, so the two read
    # against each other (stacked, the English line was drawn at Chinese + English)
    fig = charts.time_chart(df, lang=L, tz=ctx.tz, interval=ctx.interval, dim="lang", kind="line",
                            y_title=i18n.t("stories", L), events=ctx.events, partial=ctx.partial,
                            span=ctx.span)
    points = ui.chart(fig, df, key="ov_volume", lang=L, name="volume_by_language", cut=ctx.cut)
    drill.selection(ctx, points, ("bucket", "lang"), key="ov_volume")
    drill.box(ctx, key="ov_volume_drill", dims=("bucket", "lang"),
              options={"bucket": drill.periods(ctx), "lang": sorted(df["lang"].unique()) if not df.empty else []})


def net_sentiment(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("net_over_time", L))
    flt = ctx.lead_in()      # day buckets: the 6 days before the range feed the first 7-day windows
    overall = data.sentiment_index(ctx.url, flt, ctx.interval, ctx.tz, _tally=tally)
    by_lang = data.sentiment_index(ctx.url, flt, ctx.interval, ctx.tz, "lang", _tally=tally)
    frames = [overall.assign(key="all")] if not overall.empty else []
    if not by_lang.empty:
        frames.append(by_lang[by_lang["key"].isin(["zh", "en"])])
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["bucket", "key", "positive", "neutral", "negative", "stories", "net"])
    df = df.rename(columns={"key": "lang"})[["bucket", "lang", "positive", "neutral", "negative", "stories", "net"]]
    drill.net_chart(ctx, df, "lang", key="ov_net", name="net_sentiment")


def spikes(ctx: Ctx, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("spikes", L))
    st.caption(i18n.t("spikes_help", L, window=trends.SPIKE_WINDOW, threshold=stats.SPIKE_THRESHOLD))
    rows = data.spikes(ctx.url, ctx.flt, ctx.tz, _tally=tally)
    if not rows:
        st.info(i18n.t("no_spikes", L))
        return
    table = pd.DataFrame([{
        "day": r["day"], "dim": r["dim"], "key": r["key"], "count": r["count"],
        "baseline": r["baseline"], "score": r["score"], "zh": (r.get("by_lang") or {}).get("zh", 0),
        "en": (r.get("by_lang") or {}).get("en", 0), "leader": r.get("leader"), "lead": r.get("lead"),
        "lag_days": r.get("lag_days"),
        "partial": r.get("as_of") is not None, "as_of": ui.as_of_cell(r.get("as_of"), ctx.tz),
    } for r in rows])
    table["lag_days"] = table["lag_days"].astype("Int64")    # days, not 1.0 (a missing one upcast it)
    st.download_button(i18n.t("download_csv", L), ui.csv_bytes(ui.stories_named(table)), file_name="spikes.csv",
                       mime="text/csv", key="ov_spikes_csv", on_click="ignore", icon=":material/download:")
    if len(rows) > SPIKES_SHOWN:        # never let the expanded ones pass for all there are
        st.caption(i18n.t("spikes_more", L, shown=SPIKES_SHOWN, n=len(rows)))
    for i, r in enumerate(rows[:SPIKES_SHOWN]):
        by_lang = r.get("by_lang") or {}
        title = i18n.t("spike_line", L, day=r["day"], name=i18n.key_name(r["dim"], r["key"], L),
                       count=r["count"], baseline=float(r["baseline"]), score=float(r["score"]),
                       zh=by_lang.get("zh", 0), en=by_lang.get("en", 0))
        if r.get("as_of") is not None:     # counted until now, against the same hours of the days before
            title += " · " + i18n.t("spike_so_far", L, at=ui.as_of_time(r["as_of"], ctx.tz))
        with st.expander(title, expanded=i == 0):
            st.caption(_leader_text(r, L))
            stories = data.spike_stories(ctx.url, ctx.flt, r["dim"], r["key"], r["day"], ctx.tz,
                                         as_of=r.get("as_of"))
            ui.story_list(stories, lang=L, tz=ctx.tz)
            ui.explorer_link(ctx, **{drill.VIEW_FIELD[r["dim"]]: (r["key"],)}, start=r["day"], end=r["day"])


def _leader_text(r: dict, L: str) -> str:
    onset = r.get("onset") or {}
    who = i18n.lead_name(r.get("lead"), L)
    lag = r.get("lag_days")
    return (f"{i18n.t('onset_zh', L)}: {onset.get('zh') or '—'} · {i18n.t('onset_en', L)}: "
            f"{onset.get('en') or '—'} · {i18n.t('leader', L)}: {who}"
            + (f" · {i18n.t('lag_days', L)}: {lag}" if lag is not None else ""))


ctx = setup("overview")
with ui.db_guard(ctx.lang):
    # a search: its stories matched once for every count below (the rollups hold no text)
    tally = data.search_tally(ctx.url, ctx.flt, ctx.tz) if ctx.flt.q else None
    empty = data.total(ctx.url, ctx.flt, _tally=tally) == 0
    if empty:
        st.info(i18n.t("no_match", ctx.lang))
    kpis(ctx, tally)
    if not empty:       # no empty chart, CSV or drill-down for nothing (as the Explorer)
        volume(ctx, tally)
        net_sentiment(ctx, tally)
    spikes(ctx, tally)
