"""Explorer: search (Chinese or English), the sidebar filters, the matching stories over time, a
table of them, and one story in full: its tags with their evidence highlighted in the text, why
the tagger called it relevant or not, its tone and spam (each with the tagger's evidence), its
syndicated copies and a link to the original (http(s) only). Opens pre-filtered from links such as
?model=kling&day=2025-06-01, and on one story with ?item=ID; ?kw=TERM keeps the stories keyed with
the term (the Keywords page's link: the stories its table counts)."""
from __future__ import annotations

import math
from dataclasses import replace
from functools import partial

import streamlit as st

from dashboard import charts, data, drill, i18n, params, ui
from dashboard.state import Ctx, page_widget, setup, warn_bad_param
from db import search_syntax
from ingest.tag import reasons

PAGE_SIZE = 50
_PICK, _IDS = "ex_item", "ex_ids"
COPY_WIDTHS = {"col_source": 150, "seen_at": 115, "reason": 130, "col_link": 45}


def over_time(ctx: Ctx) -> None:
    L = ctx.lang
    st.subheader(i18n.t("matching_over_time", L))
    raw = data.counts(ctx.url, ctx.flt, ("lang",), ctx.interval, ctx.tz)
    df = charts.fill_gaps(raw, ctx.start, ctx.end, ctx.interval, "lang")
    fig = charts.time_chart(df, lang=L, tz=ctx.tz, interval=ctx.interval, dim="lang", kind="bar",
                            y_title=i18n.t("stories", L), events=ctx.events, partial=ctx.partial,
                            span=ctx.span)
    points = ui.chart(fig, df, key="ex_time", lang=L, name="matching_stories", cut=ctx.cut)
    drill.selection(ctx, points, ("bucket", "lang"), key="ex_time")


def _picked_row() -> None:
    rows = st.session_state.get("ex_table", {}).get("selection", {}).get("rows", [])
    ids = st.session_state.get(_IDS, [])
    if rows and rows[0] < len(ids):
        st.session_state[_PICK] = ids[rows[0]]


def _picked_box() -> None:
    if st.session_state.get("ex_box") is not None:
        st.session_state[_PICK] = st.session_state["ex_box"]


def table(ctx: Ctx, total: int) -> None:
    L = ctx.lang
    pages = max(1, math.ceil(total / PAGE_SIZE))
    order = page_widget(ctx, st.radio, i18n.t("sort_by", L), "sort", options=list(params.SORTS),
                        horizontal=True, format_func=lambda v: i18n.t("sort_" + v, L))   # sort= in the URL
    page = st.number_input(i18n.t("page_no", L), min_value=1, max_value=pages, value=1, step=1, key="ex_page")
    rows = data.items(ctx.url, ctx.flt, PAGE_SIZE, (int(page) - 1) * PAGE_SIZE, order)
    st.session_state[_IDS] = [r["id"] for r in rows]
    frame = ui.items_frame(rows, L, ctx.tz)
    st.dataframe(frame, hide_index=True, key="ex_table", on_select=_picked_row, selection_mode="single-row",
                 **ui.items_table(L))
    # every matching story (the count above), not the page shown: made when clicked
    n, label = ui.stories_download(total, L)
    st.download_button(label, partial(stories_csv, ctx.url, ctx.flt, order, n, L, ctx.tz),
                       file_name="stories.csv", mime="text/csv", key="ex_csv", on_click="ignore",
                       icon=":material/download:")
    titles = {r["id"]: " ".join((r.get("title") or "").split())[:90] for r in rows}
    st.selectbox(i18n.t("open_item", L), [None] + list(titles), key="ex_box", on_change=_picked_box,
                 format_func=lambda v: i18n.t("pick_none", L) if v is None else f"#{v} {titles.get(v, '')}")


def stories_csv(url: str, flt, order: str, limit: int, lang: str, tz: str) -> bytes:
    """The table's CSV: the first `limit` matching stories in `order`, in the table's columns;
    the time column names its zone (the page says it beside the table; a file read alone must)."""
    frame = ui.items_frame(data.items_uncached(url, flt, limit, order), lang, tz)
    return ui.csv_bytes(frame.rename(columns={i18n.t("col_time", lang): ui.zoned(i18n.t("col_time", lang), tz)}))


def _item_from_url(lang: str) -> int | None:
    raw = st.query_params.get("item")
    try:
        return int(raw) if raw else None
    except ValueError:
        warn_bad_param("item", raw, "why_not_an_id", lang)
        return None


def decisions(d: dict, lang: str) -> list[tuple[str, list[str] | None]]:
    """(label, evidence) for the story's relevance, tone and spam decisions, as the tagger stored
    them (evidence None: tagged before it was stored). Untagged stories have none; spam shows only
    when the story is spam or the tagger gave spam evidence."""
    if d.get("relevant") is None and d.get("sentiment") is None:
        return []
    out = [(i18n.t("why_relevant" if d.get("relevant") else "why_irrelevant", lang),
            d.get("relevance_evidence"))]
    if d.get("sentiment") is not None:
        score = d.get("sentiment_score")     # the evidence explains the score (see TAXONOMY)
        out.append((i18n.t("why_sentiment", lang, label=i18n.sentiment_name(d["sentiment"], lang),
                           score="—" if score is None else f"{score:+.2f}"),
                    d.get("sentiment_evidence")))
    if d.get("spam") or d.get("spam_evidence"):
        out.append((i18n.t("why_spam_tag", lang), d.get("spam_evidence")))
    return out


def item_view(ctx: Ctx, item_id: int) -> None:
    L = ctx.lang
    d = data.item_detail(ctx.url, item_id)
    st.subheader(i18n.t("item_view", L))
    if d is None:
        st.warning(i18n.t("item_missing", L, id=item_id))
        return
    with st.container(border=True):
        phrases = [p for field in ("models", "themes") for tag in d.get(field) or []
                   for p in reasons.split(tag.get("evidence"))[0]]     # quotes only: reasons are not in the text
        # the search's own terms (what made the story match) in blue, beside the tagger's evidence
        hits = search_syntax.terms(ctx.flt.search())
        # the title is marked too: much evidence is in it (a model named only there, a heading)
        st.html(f'<h4 style="margin:0">{ui.highlight_html(d.get("title") or "—", phrases, hits)}</h4>')
        st.caption(ui.story_meta(d, L, ctx.tz))
        st.markdown(ui.link_md(i18n.t("original", L), d.get("url"), L) if d.get("url") else "—")
        for dim, field in (("model", "models"), ("theme", "themes")):
            for tag in d.get(field) or []:
                st.markdown(f"**{ui.md_escape(i18n.key_name(dim, tag.get(dim), L))}** — "
                            f"{ui.quoted(tag.get('evidence') or [], L)}")
        for label, ev in decisions(d, L):
            shown = ui.quoted(ev, L) if ev is not None else ui.md_escape(i18n.t("evidence_unrecorded", L))
            st.markdown(f"**{ui.md_escape(label)}** — {shown}")
        body = ui.highlight_html(d.get("text") or "", phrases, hits)
        st.html(f'<div style="white-space:pre-wrap;line-height:1.7">{body}</div>')
        if hits:
            st.caption(i18n.t("marks_legend", L))
        if d.get("keywords"):
            st.caption(ui.md_escape(i18n.t("keywords", L)) + "\\: " + " · ".join(ui.md_escape(k) for k in d["keywords"]))
    copies = d.get("copies") or []
    if copies:
        st.markdown(f"**{ui.md_escape(i18n.t('copies', L))}** ({len(copies)})")
        # who carried it, when, why and where first, the title (long) last: at an 800 px window
        # the first four are in view, the title scrolls
        name = {k: i18n.t(k, L) for k in ("col_source", "seen_at", "reason", "col_link", "col_title")}
        st.dataframe([{name["col_source"]: c.get("source_name") or c.get("source_id"),
                       name["seen_at"]: ui.fmt_time(c.get("seen_at"), ctx.tz),
                       name["reason"]: i18n.copy_reason_name(c.get("reason"), L),
                       name["col_link"]: ui.safe_url(c.get("url")),
                       name["col_title"]: c.get("title")} for c in copies],
                     hide_index=True, key="ex_copies",
                     column_config={name[k]: st.column_config.Column(name[k], width=w)
                                    for k, w in COPY_WIDTHS.items()}
                     | {name["col_link"]: st.column_config.LinkColumn(name["col_link"], display_text="↗",
                                                                      width=COPY_WIDTHS["col_link"])})


def _keyword_from_url() -> str:
    """kw=TERM (a link from the Keywords page): only the stories keyed with the term."""
    return params.search_text(st.query_params.get("kw"))


ctx = setup("explorer", search_in_sidebar=False, own=("kw", "item"))
keyword = _keyword_from_url()
if keyword:
    every_story = ctx.href("explorer")          # the view without kw=
    ctx = replace(ctx, flt=ctx.flt.replace(keyword=keyword), own=(("kw", keyword),))
    st.caption(ui.md_escape(i18n.t("keyword_only", ctx.lang, term=keyword))
               + f" · [{ui.md_escape(i18n.t('keyword_drop', ctx.lang))}]({every_story})")
with ui.db_guard(ctx.lang):
    n = data.total(ctx.url, ctx.flt)
    reading = i18n.search_reading(ctx.flt.search(), ctx.lang)
    st.caption(i18n.t("results", ctx.lang, n=f"{n:,}") + ui.until_note(ctx.flt, ctx.tz, ctx.lang)
               + (f" · {ui.md_escape(reading)}" if reading else ""))
    if n:
        over_time(ctx)
        table(ctx, n)
    else:               # no empty chart, table, pager or download: what to do instead
        st.info(i18n.t("no_matches", ctx.lang))
    chosen = st.session_state.get(_PICK) or _item_from_url(ctx.lang)
    if chosen is not None:
        if st.query_params.get("item") != str(chosen):
            st.query_params["item"] = str(chosen)
        item_view(ctx, int(chosen))
