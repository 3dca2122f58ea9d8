"""zh / en gap: each theme's and model's share of its own language's coverage, Chinese beside English
on one scale; the divergence per key and overall (Jensen-Shannon); tone per language; and, per spike,
which language reacted first. The sidebar's language filter does not apply here (both are compared)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, drill, i18n, ui
from dashboard.state import Ctx, setup

LANGS = ("zh", "en")


def gap(ctx: Ctx, flt, dim: str, tally=None) -> pd.DataFrame:
    L = ctx.lang
    st.subheader(i18n.t(f"gap_{dim}", L))
    df = data.language_gap(ctx.url, flt, dim, _tally=tally)
    left, right = ui.pair(f"gap_{dim}")   # stacked when the page is narrow
    with left:
        fig = charts.dumbbell(df, dim=dim, lang=L)
        points = ui.chart(fig, df, key=f"gap_{dim}", lang=L, name=f"gap_{dim}")
    with right:
        div = df.dropna(subset=["diff_pp"]) if not df.empty else df
        fig = charts.diverging(div, dim=dim, lang=L, x_title=i18n.t("divergence", L))
        points += ui.chart(fig, div, key=f"gap_{dim}_div", lang=L, name=f"divergence_{dim}")
    drill.selection(ctx, [p for p in points if isinstance(p.get("customdata"), (list, tuple))],
                    (dim, "lang"), key=f"gap_{dim}")
    drill.selection(ctx, [dict(p, customdata=[p["customdata"]]) for p in points
                          if isinstance(p.get("customdata"), str)], (dim,), key=f"gap_{dim}_d")
    keys = list(df["key"]) if not df.empty else []
    drill.box(ctx, key=f"gap_{dim}_drill", dims=(dim, "lang"), options={dim: keys, "lang": LANGS})
    return df


def tone(ctx: Ctx, flt, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("tone_by_lang", L))
    idx = data.sentiment_index(ctx.url, ctx.lead_in(flt), ctx.interval, ctx.tz, "lang", _tally=tally)
    idx = idx[idx["key"].isin(LANGS)].rename(columns={"key": "lang"})   # empty frames keep their columns
    drill.net_chart(ctx, idx, "lang", key="gap_tone", name="tone_by_language")

    st.markdown(f"**{ui.md_escape(i18n.t('tone_theme_lang', L))}**")
    cells = data.counts(ctx.url, flt, ("theme", "lang", "sentiment"), _tally=tally)
    net = _net_by(cells, "theme")
    fig = charts.dumbbell(net, dim="theme", lang=L, cols=("zh_net", "en_net"), scale=1.0, suffix="",
                          x_title=i18n.t("net_sentiment", L))
    fig.update_xaxes(range=[-1.05, 1.05], zeroline=True)
    points = ui.chart(fig, net, key="gap_tone_theme", lang=L, name="net_sentiment_theme_language")
    drill.selection(ctx, points, ("theme", "lang"), key="gap_tone_theme")


def _net_by(cells: pd.DataFrame, dim: str) -> pd.DataFrame:
    """Net sentiment per (key, language) from story counts: (positive - negative) / stories."""
    cols = ["key", "zh_stories", "en_stories", "zh_net", "en_net"]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    wide = cells.pivot_table(index=[dim, "lang"], columns="sentiment", values="count", aggfunc="sum",
                             fill_value=0)
    for s in ("positive", "neutral", "negative"):
        if s not in wide.columns:
            wide[s] = 0
    wide["stories"] = wide[["positive", "neutral", "negative"]].sum(axis=1)
    wide["net"] = (wide["positive"] - wide["negative"]) / wide["stories"].where(wide["stories"] > 0)
    out = []
    for key in wide.index.get_level_values(0).unique():
        row = {"key": key}
        for lg in LANGS:
            has = (key, lg) in wide.index
            row[f"{lg}_stories"] = int(wide.loc[(key, lg), "stories"]) if has else 0
            row[f"{lg}_net"] = float(wide.loc[(key, lg), "net"]) if has else None
        out.append(row)
    return pd.DataFrame(out, columns=cols)


def lead_lag(ctx: Ctx, flt, tally=None) -> None:
    L = ctx.lang
    st.subheader(i18n.t("lead_lag", L))
    rows = data.spikes(ctx.url, flt, ctx.tz, _tally=tally)
    df = pd.DataFrame([{
        "day": r["day"], "dim": r["dim"], "key": r["key"], "count": r["count"], "score": r["score"],
        "zh": (r.get("by_lang") or {}).get("zh", 0), "en": (r.get("by_lang") or {}).get("en", 0),
        "onset_zh": (r.get("onset") or {}).get("zh"), "onset_en": (r.get("onset") or {}).get("en"),
        "leader": r.get("leader"), "lead": r.get("lead"), "lag_days": r.get("lag_days"),
        "lead_days": _lead_days(r.get("leader"), r.get("lag_days")),
        # a day not over: its count runs until "as_of" (against the same hours of the days before)
        "partial": r.get("as_of") is not None, "as_of": ui.as_of_cell(r.get("as_of"), ctx.tz),
    } for r in rows], columns=["day", "dim", "key", "count", "score", "zh", "en", "onset_zh",
                               "onset_en", "leader", "lead", "lag_days", "lead_days", "partial", "as_of"])
    if df.empty:
        st.info(i18n.t("no_spikes", L))
        return
    led = df["lead"].value_counts()
    one = sum(int(n) for kind, n in led.items() if "_only" in str(kind))
    st.caption(i18n.t("lead_summary", L, n=len(df), zh=int(led.get("zh_first", 0)),
                      en=int(led.get("en_first", 0)), same=int(led.get("same_day", 0)), one=one))
    shown = df.dropna(subset=["lead_days"])
    fig = charts.lead_lag(shown, lang=L, tz=ctx.tz, span=ctx.span, interval=ctx.interval)
    points = ui.chart(fig, shown, key="gap_lead", lang=L, name="spike_lead_lag")
    for p in points[:3]:
        day, key = (p.get("customdata") or [None, None])[:2]
        dim = shown.loc[shown["key"] == key, "dim"].iloc[0] if key in set(shown["key"]) else None
        if dim:
            drill.show(ctx, ("day", dim), (day, key), key=f"gap_lead_{key}_{day}")
    until = [None if r.get("as_of") is None else ui.as_of_time(r["as_of"], ctx.tz) for r in rows]
    table = df.assign(day=[_day(d, at, L) for d, at in zip(df["day"], until)],
                      name=[i18n.key_name(d, k, L) for d, k in zip(df["dim"], df["key"])],
                      leader=[i18n.lead_name(v, L) for v in df["lead"]],
                      # no onset in a language (no story there before the spike): "—", not "None"
                      onset_zh=[_or_dash(v) for v in df["onset_zh"]], onset_en=[_or_dash(v) for v in df["onset_en"]],
                      lag_days=[_or_dash(v) for v in df["lag_days"]])
    st.dataframe(table[["day", "name", "count", "zh", "en", "onset_zh", "onset_en", "leader", "lag_days"]].rename(
        columns={"day": i18n.t("every_day", L), "name": i18n.t("col_spike_key", L), "count": i18n.t("stories", L),
                 "zh": i18n.lang_name("zh", L), "en": i18n.lang_name("en", L),
                 "onset_zh": i18n.t("onset_zh", L), "onset_en": i18n.t("onset_en", L),
                 "leader": i18n.t("leader", L), "lag_days": i18n.t("lag_days", L)}),
        hide_index=True, key="gap_lead_table")
    for at in sorted({a for a in until if a is not None}):
        st.caption(ui.md_escape(i18n.t("spike_so_far", L, at=at)))


def _day(day, until: str | None, L: str) -> str:
    """The table's day; a day not over says its count runs until then (`ui.as_of_time`), as the
    Overview's spike line does."""
    return f"{day} ({i18n.t('so_far_until', L, at=until)})" if until else str(day)


def _or_dash(value) -> str:
    return "—" if value is None or pd.isna(value) else str(int(value) if isinstance(value, float) else value)


def _lead_days(leader: str | None, lag: int | None) -> int | None:
    if leader == "same":
        return 0
    if leader in LANGS and lag is not None:
        return lag if leader == "zh" else -lag
    return None


ctx = setup("gap")
st.caption(i18n.t("gap_intro", ctx.lang))
with ui.db_guard(ctx.lang):
    both = ctx.flt.replace(lang=())
    # a search: its stories (from the spikes' history on) matched once for every count
    tally = data.search_tally(ctx.url, both, ctx.tz, previous=False) if both.q else None
    if data.total(ctx.url, both, _tally=tally) == 0:       # no empty chart, CSV or drill-down
        st.info(i18n.t("no_match", ctx.lang))
    else:
        themes = data.language_gap(ctx.url, both, "theme", _tally=tally)
        models = data.language_gap(ctx.url, both, "model", _tally=tally)
        c1, c2 = st.columns(2)
        for col, key, df in ((c1, "js_theme", themes), (c2, "js_model", models)):
            js = data.js_divergence(df)
            ui.kpi(col, i18n.t(key, ctx.lang), "—" if js is None else f"{js:.3f}", help=i18n.t("js_help", ctx.lang))
        by_lang = data.counts(ctx.url, both, ("lang",), _tally=tally)
        held = set(by_lang.loc[by_lang["count"] > 0, "lang"]) if not by_lang.empty else set()
        for lg in ("zh", "en"):     # one language only: its mix has nothing to be compared with
            if held and lg not in held:
                st.info(i18n.t("gap_one_language", ctx.lang, missing=i18n.lang_name(lg, ctx.lang)))
        gap(ctx, both, "theme", tally)
        gap(ctx, both, "model", tally)
        tone(ctx, both, tally)
        lead_lag(ctx, both, tally)
