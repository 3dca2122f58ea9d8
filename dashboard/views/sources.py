"""Sources: health per source (last success, last error class, items per day, not-modified and
failure rates over recent runs), the recent ingest runs, items per day per source, and the digest
delivery log."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, drill, i18n, ui
from dashboard.state import Ctx, setup
from report.focus import focus_reading

RUNS = 20
DELIVERIES = 50
# Per delivery column shown, in order: 938 in all, the width inside the table's border at a 1400 px
# window. The status follows the date and period, so an 800 px window (about 466 px of table) shows
# whether each went out; the period is wide enough for the longest alert, a follow-up on the
# longest theme ("alert: Deepfakes / misinformation, level 2", "预警：深度伪造与虚假信息（第 2 级）").
# The focus (as the subject names it, "all coverage" for the market-wide digest), the channel, the
# recipient and the error are cut to their columns (whole in the cell's overlay and the CSV).
DELIVERY_WIDTHS = {"col_digest_date": 84, "col_period": 256, "col_status": 85, "col_focus": 130,
                   "col_channel": 70, "col_recipient": 115, "col_last_attempt": 116, "col_error": 82}
# Pixels per health column shown: 915 in all, inside the 938 px within the table's border beside the
# sidebar at a 1400 px window (measured in Chromium). At an 800 px window (about 464 px of table)
# the health, the source and the error class ("no new items lately (stale)" the longest) are read
# without scrolling sideways: the source takes what that leaves, every demo name but "Demo HN
# comments: video models" and "演示·通讯社（仅摘要，正文取自网页）" whole (those in the cell's overlay and the
# CSV). The health is wide enough for "● never ok" and "● 从未成功", the language for "undetermined"
# and the type for its header "news / social"; the language and type come last. The not-modified
# (304) rate, a politeness figure rather than a health one, is in the CSV.
HEALTH_WIDTHS = {"col_health": 88, "col_source": 211, "last_error": 170, "last_ok": 116, "items_per_day": 70,
                 "failure_rate": 62, "col_lang": 101, "col_category": 97}
# The runs table's columns in view first, in order (the rest follow in the log's order): when, how it
# went, how many sources failed of how many, so an 800 px window shows them; the run's id and the
# tagger version last.
RUN_FIRST = ("started_at", "status", "failed", "sources", "fetched", "new")
RUN_LAST = ("id", "tagger_version")

# A status is a word after a plain "●" in the status's colour: the coloured emoji dots (🟢 🔴) drew
# as empty boxes in a browser without a colour-emoji font (Debian's Chromium, most servers).
MARK = "●"
HEALTH_COLORS = {"paused": "#6B6B6B", "failing": "#C62828", "warning": "#A86400", "ok": "#1E7B34",
                 "never_ok": "#6B6B6B"}
# The health table's order: sources in trouble first (about ten rows are in view), each status in id order.
HEALTH_ORDER = ("failing", "warning", "never_ok", "ok", "paused")
DELIVERY_COLORS = {"sent": HEALTH_COLORS["ok"], "failed": HEALTH_COLORS["failing"]}


def marked(word: str) -> str:
    """A status cell: the dot, then the status in words."""
    return f"{MARK} {word}"


def colored(df: pd.DataFrame, column: str, colors: list[str]):
    """`df` as a Styler whose `column` has each row's text in `colors` (one per row)."""
    css = pd.DataFrame("", index=df.index, columns=df.columns)
    css[column] = [f"color: {c}" for c in colors]
    return df.style.apply(lambda _: css, axis=None)


def _status(row: dict) -> str:
    """The source's health, a key of HEALTH_COLORS (in words: health_<key>)."""
    if not row.get("enabled", True):
        return "paused"
    if row.get("last_status") == "failed" or (row.get("consecutive_failures") or 0) > 0:
        return "failing"
    if row.get("last_error_class"):   # a warning on success (stale)
        return "warning"
    return "ok" if row.get("last_ok_at") else "never_ok"


def health(ctx: Ctx) -> None:
    L = ctx.lang
    st.subheader(i18n.t("health", L))
    st.caption(i18n.t("health_filters", L))
    rows = sorted(data.source_stats(ctx.url, ctx.flt, ctx.tz),
                  key=lambda r: (HEALTH_ORDER.index(_status(r)), r["id"]))
    t = lambda k: i18n.t(k, L)  # noqa: E731
    df = pd.DataFrame([{
        t("col_health"): marked(t("health_" + _status(r))), "id": r["id"], t("col_source"): r.get("name"),
        t("col_lang"): i18n.lang_name(r.get("lang"), L), t("col_category"): i18n.category_name(r.get("category"), L),
        t("last_ok"): ui.fmt_time(r.get("last_ok_at"), ctx.tz),
        t("last_status"): i18n.status_name(r.get("last_status"), L),
        t("last_error"): i18n.error_class_name(r.get("last_error_class"), L), t("col_last_error_text"): r.get("last_error") or "",
        t("items_per_day"): r.get("items_per_day"), t("items_in_range"): r.get("items_in_range"),
        t("not_modified"): r.get("not_modified_rate"), t("failure_rate"): r.get("failure_rate"),
        t("col_runs"): r.get("runs"),
    } for r in rows])
    # In view at a 1400 px window (940 px beside the sidebar): the columns health is read from. The
    # id, the last status (the dot says it), the error's own text, the range's count and the run
    # count are in the CSV.
    col = lambda k, **kw: st.column_config.Column(width=HEALTH_WIDTHS[k], **kw)  # noqa: E731
    # a rate of no runs (a source just added) is a dash, not glide-data-grid's "None"
    st.dataframe(colored(df, t("col_health"), [HEALTH_COLORS[_status(r)] for r in rows]), hide_index=True,
                 key="so_health", placeholder="—", column_order=[t(k) for k in HEALTH_WIDTHS],
                 column_config={**{t(k): col(k) for k in ("col_health", "col_source", "col_lang", "col_category",
                                                          "last_ok", "last_error")},
                                t("items_per_day"): st.column_config.NumberColumn(
                                    format="%.2f", width=HEALTH_WIDTHS["items_per_day"]),
                                t("failure_rate"): st.column_config.NumberColumn(
                                    t("failure_rate_short"), help=t("failure_rate"), format="percent",
                                    width=HEALTH_WIDTHS["failure_rate"])})
    csv = df.assign(**{t("col_health"): [t("health_" + _status(r)) for r in rows]})   # the word, no dot
    st.download_button(t("download_csv"), ui.csv_bytes(csv), file_name="source_health.csv", mime="text/csv",
                       key="so_health_csv", on_click="ignore", icon=":material/download:")


def runs(ctx: Ctx) -> None:
    L = ctx.lang
    st.subheader(i18n.t("runs", L))
    st.caption(i18n.t("runs_unfiltered", L))
    rows = data.latest_runs(ctx.url, RUNS)
    if not rows:
        st.info(i18n.t("no_runs", L))
        return
    df = pd.DataFrame(rows)
    for col in ("started_at", "finished_at"):
        if col in df:
            df[col] = [ui.fmt_time(v if pd.notna(v) else None, ctx.tz) for v in df[col]]
    if "status" in df:
        df["status"] = [i18n.status_name(v, L) for v in df["status"]]
    # in view beside the sidebar at 1400 px (all 14 took ~980 of 940 px and hid "failed"); the
    # finish time, minutes after the start, is in the CSV
    shown = [c for c in RUN_FIRST if c in df] + [c for c in df.columns if c not in (*RUN_FIRST, *RUN_LAST,
                                                                                      "finished_at")]
    shown += [c for c in RUN_LAST if c in df]       # the CSV keeps the log's order
    df = df.rename(columns=lambda c: i18n.run_column_name(c, L))   # headers in the interface language
    st.dataframe(df, hide_index=True, key="so_runs", column_order=[i18n.run_column_name(c, L) for c in shown])
    st.download_button(i18n.t("download_csv", L), ui.csv_bytes(df), file_name="ingest_runs.csv",
                       mime="text/csv", key="so_runs_csv", on_click="ignore", icon=":material/download:")


def period_text(r: dict, L: str) -> str:
    """A log row's period in the page's language; a spike alert's names its spike ("alert: Kling")
    and a follow-up its level ("alert: Kling, still rising (level 1)")."""
    if r.get("spike"):
        dim, key = r["spike"].split(":", 1)
        named = i18n.model_name(key, L) if dim == "model" else i18n.theme_name(key, L)
        if r.get("level"):
            named += i18n.t("alert_level", L, level=r["level"])
        return i18n.t("every_alert", L, spike=named)
    return i18n.t(f"every_{r['period']}", L)


def deliveries(ctx: Ctx) -> None:
    L = ctx.lang
    t = lambda k: i18n.t(k, L)  # noqa: E731
    st.subheader(t("deliveries"))
    st.caption(t("deliveries_unfiltered"))
    rows = data.latest_deliveries(ctx.url, DELIVERIES)
    if not rows:
        st.info(t("no_deliveries"))
        return
    df = pd.DataFrame([{
        t("col_digest_date"): r["digest_date"], t("col_period"): period_text(r, L),
        t("col_status"): marked(i18n.status_name(r["status"], L)),
        t("col_focus"): focus_reading(r["focus"], L, ctx.source_names) or t("focus_all"), t("col_channel"): r["channel"].removeprefix("webhook:"),
        t("col_recipient"): r["recipient"], t("col_attempts"): r["attempts"],
        t("col_last_attempt"): ui.fmt_time(r["last_attempt_at"], ctx.tz),
        t("col_sent_at"): ui.fmt_time(r["sent_at"], ctx.tz) if r["sent_at"] and r["status"] == "sent" else "",
        t("col_error"): r["error"] or "",
    } for r in rows])
    # in view beside the sidebar at 1400 px (a long error widened it to ~1,340 px): the error is cut
    # to its column (whole in the CSV and in the cell's overlay); the attempts and the sent time (the
    # last attempt of a sent digest) are in the CSV
    colors = [DELIVERY_COLORS.get(r["status"], HEALTH_COLORS["paused"]) for r in rows]
    st.dataframe(colored(df, t("col_status"), colors), hide_index=True, key="so_deliveries",
                 column_order=[t(k) for k in DELIVERY_WIDTHS],
                 column_config={t(k): st.column_config.Column(width=w, help=t("col_period_help") if k == "col_period"
                                                              else None) for k, w in DELIVERY_WIDTHS.items()})
    words = df.assign(**{t("col_status"): [i18n.status_name(r["status"], L) for r in rows],   # no dot
                         t("col_channel"): [r["channel"] for r in rows]})   # as logged
    st.download_button(t("download_csv"), ui.csv_bytes(words), file_name="deliveries.csv",
                       mime="text/csv", key="so_deliveries_csv", on_click="ignore",
                       icon=":material/download:")


def per_day(ctx: Ctx) -> None:
    L = ctx.lang
    st.subheader(i18n.t("items_by_source", L, period=i18n.t(f"every_{ctx.interval}", L)))
    raw = data.counts(ctx.url, ctx.flt, ("source",), ctx.interval, ctx.tz)
    df = charts.fill_gaps(raw, ctx.start, ctx.end, ctx.interval, "source")
    fig = charts.time_chart(df, lang=L, tz=ctx.tz, interval=ctx.interval, dim="source", kind="bar",
                            y_title=i18n.t("stories", L), names=ctx.source_names, partial=ctx.partial,
                            colors=charts.key_colors(ctx.source_names),
                            span=ctx.span)
    points = ui.chart(fig, df, key="so_days", lang=L, name="items_per_source", cut=ctx.cut)
    drill.selection(ctx, points, ("bucket", "source"), key="so_days")
    order = list(raw.groupby("source")["count"].sum().sort_values(ascending=False).index) if not raw.empty else []
    drill.box(ctx, key="so_days_drill", dims=("bucket", "source"),
              options={"bucket": drill.periods(ctx), "source": order})


ctx = setup("sources")
with ui.db_guard(ctx.lang):
    health(ctx)
    runs(ctx)
    per_day(ctx)
    deliveries(ctx)
