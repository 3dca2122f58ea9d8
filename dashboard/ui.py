"""Shared page pieces: charts with their CSV, KPI cards, the database guard, and feed text shown safely.

Feed text (titles, summaries, authors, URLs, evidence, terms) is untrusted. It reaches the page only
as escaped Markdown text (`md_escape`), as cells of `st.dataframe`, or HTML-escaped inside our own
`<mark>` spans (`highlight_html`, shown with `st.html`). Only http(s) URLs become links.
"""
from __future__ import annotations

import html
import io
import re
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from aigcwatch.errors import DatabaseError
from dashboard import i18n
from ingest.tag import reasons
from db.buckets import as_date, bucket_last_day, local_day
from db.queries import STORIES
from report.render import safe_link

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^\"'])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- text and links -----------------------------------------------------------------------------

def md_escape(text: object) -> str:
    """`text` as literal Markdown: every character Markdown or Streamlit could interpret is escaped,
    and line breaks become spaces."""
    flat = " ".join(str(text if text is not None else "").split())
    return _MD_SPECIAL.sub(r"\\\1", flat)


def safe_url(url: object) -> str | None:
    """`url` when it is an absolute http(s) URL with a real host and no spaces or control
    characters, else None: the digest's rule (`report.render.safe_link`), so a page and a mail
    never disagree on which links they render."""
    return safe_link(url) if isinstance(url, str) else None


def link_md(label: object, url: object, lang: str) -> str:
    """Markdown for a link to `url` labelled `label`, or plain text naming the refused URL."""
    target = safe_url(url)
    if target is None:
        if not url:
            return md_escape(label)
        return f"{md_escape(label)} ({i18n.t('no_link', lang)}{md_escape(url)})"
    escaped = quote(target, safe=":/?#@!$&'*+,;=%~-._")
    escaped = escaped.replace("(", "%28").replace(")", "%29").replace("'", "%27")
    return f"[{md_escape(label)}]({escaped})"


SEARCH_MARK = '<mark style="background:#cfe6ff">'   # a search term's hit (evidence: plain <mark>)


def highlight_html(text: str, phrases: Iterable[str], search: Iterable[str] = ()) -> str:
    """`text` HTML-escaped, with each occurrence of a phrase inside our own <mark>, and of a
    `search` term (the view's search, what made the story match) inside a blue one.

    The tagger gives its evidence in the form it matched (lower-case, Simplified, full-width
    folded: "可灵ai" for "可靈AI") or as a sentence with its white space collapsed, cut at 120
    characters with "…"; so phrases are found in that same folded form of the text (any case,
    either script, any run of white space for a space, a cut sentence by its start; a space the
    search may find or not, `db.spacing`, either way), and the original characters are marked.
    A search term is marked where the search finds it: at the edges of words (`db.wordedge`;
    "wan" not inside "want"), unless a `*` opens an edge."""
    from db import wordedge

    evidence = {k: _loose(k) for k in map(_mark_key, phrases) if k}
    searched = {}
    for term in search:
        edges = wordedge.edges(term)
        key = _mark_key(edges.core)
        if key and key not in evidence:
            searched[key] = wordedge.bounded(_loose(key), edges.left, edges.right)
    keys = sorted(evidence.keys() | searched.keys(), key=len, reverse=True)
    if not keys or not text:
        return html.escape(text)
    folded, starts = _folded(text)
    pattern = re.compile("|".join(f"({evidence.get(k) or searched[k]})" for k in keys))
    out, pos = [], 0
    for m in pattern.finditer(folded):
        start, end = starts[m.start()], starts[m.end()]
        if start < pos:
            continue
        mark = "<mark>" if keys[m.lastindex - 1] in evidence else SEARCH_MARK
        out.append(html.escape(text[pos:start]))
        out.append(f"{mark}{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _loose(key: str) -> str:
    """A regular expression for a key in the folded text (one space for each run of white space)
    with its spacing loose as the search's (`db.spacing`): "可灵 ai" marks "可灵AI" too."""
    from db import spacing

    pieces, required = spacing.split(key)
    return re.escape(pieces[0]) + "".join((" " if needed else " ?") + re.escape(piece)
                                          for piece, needed in zip(pieces[1:], required))


def _mark_key(phrase: str | None) -> str:
    """A phrase in the folded form of `_folded` (a cut sentence without its "…")."""
    from ingest.tag.doc import normalize

    if not phrase:
        return ""
    return " ".join(normalize(phrase).removesuffix("…").split())


def _folded(text: str) -> tuple[str, list[int]]:
    """The text folded as the tagger reads it (ingest.tag.doc.normalize), each run of white
    space one space, and for each folded character the offset of the original one it came
    from (one more entry: the text's length)."""
    from ingest.tag.doc import normalize

    whole = normalize(text)
    pieces = whole if len(whole) == len(text) else [normalize(ch) for ch in text]
    chars: list[str] = []
    starts: list[int] = []
    for i, piece in enumerate(pieces):
        if text[i].isspace():
            if i and text[i - 1].isspace():
                continue          # the run's space is already there
            chars.append(" ")
            starts.append(i)
            continue
        for ch in piece:
            chars.append(ch)
            starts.append(i)
    starts.append(len(text))
    return "".join(chars), starts


def fmt_time(value: datetime | None, tz: str) -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def zoned(name: str, tz: str) -> str:
    """A column of local times named with its zone: "time (Asia/Shanghai)"."""
    return f"{name} ({tz})"


def as_of_time(as_of: datetime, tz: str) -> str:
    """The time a day not over is counted until ("as_of"), in the view's zone, to the minute:
    the "until HH:MM" of every spike line and table (the day is shown beside it)."""
    return as_of.astimezone(ZoneInfo(tz)).strftime("%H:%M")


def until_note(flt, tz: str, lang: str) -> str:
    """" (until HH:MM)" after a count of `flt` while its window is not over (its "as_of" inside
    it: stories dated later are neither counted nor listed), else ""."""
    a = flt.as_of
    if a is None or flt.since is None or flt.until is None or not flt.since <= a < flt.until:
        return ""
    return i18n.t("until_note", lang, at=as_of_time(a, tz))


def as_of_cell(as_of: datetime | None, tz: str) -> str | None:
    """A spike's "as_of" (a day not over: counted until then) in the view's zone, to the minute;
    None for a whole day. The "as_of" column of every spike CSV."""
    return None if as_of is None else fmt_time(as_of, tz)


# --- database guard and onboarding --------------------------------------------------------------

def db_error(lang: str, err: DatabaseError) -> None:
    st.error(i18n.t("db_error", lang, reason=err.one_line()) + "  \n" + i18n.t("db_error_hint", lang))


def guarded(lang: str, fn: Callable, *args, **kwargs):
    """`fn(*args)`; a DatabaseError shows one clear message and stops the page."""
    try:
        return fn(*args, **kwargs)
    except DatabaseError as e:
        db_error(lang, e)
        st.stop()


@contextmanager
def db_guard(lang: str):
    """Around a page body: a DatabaseError shows one clear message and stops the page."""
    try:
        yield
    except DatabaseError as e:
        db_error(lang, e)
        st.stop()


def onboarding(lang: str, url: str, facets: dict | None) -> None:
    from db.engine import safe_url as hide_password

    st.title(i18n.t("app_title", lang))
    st.info(i18n.t("empty_title", lang))
    st.markdown(i18n.t("empty_body", lang, url=hide_password(url)))


# --- charts, CSV, KPIs --------------------------------------------------------------------------

def csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV in the exports' form (`report.formats`): UTF-8 with a BOM (Excel opens
    Chinese correctly), CRLF, booleans `true`/`false`; text cells that a spreadsheet would run as
    a formula get a leading apostrophe."""
    def neutral(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        return "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v

    safe = df.copy()
    for col in safe.columns:
        if pd.api.types.is_bool_dtype(safe[col]) or safe[col].dtype == object \
                or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(neutral)
    buf = io.StringIO()
    safe.to_csv(buf, index=False, lineterminator="\r\n")
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Cut:
    """A time chart's buckets that hold only part of their period (`db.queries.partial_buckets`:
    first day -> the days it covers), and `as_of`: the instant the view's counts stop at (the
    filter's "as_of", None when its window is over), which the chart's counts used too."""

    buckets: Mapping[date, tuple[date, date]]
    interval: str
    tz: str
    as_of: datetime | None = None

    def as_of_cell(self, first) -> str | None:
        """The "as_of" cell of bucket `first` in the chart's CSV: the view's "as_of" (local, to the
        minute, as every spike CSV has it) for a partial bucket not over by then, else None."""
        first = as_date(first)
        if self.as_of is None or first not in self.buckets:
            return None
        return as_of_cell(self.as_of, self.tz) if bucket_last_day(first, self.interval) >= self.today else None

    @property
    def today(self) -> date | None:
        return None if self.as_of is None else local_day(self.as_of, self.tz)

    @property
    def until(self) -> dict[date, str]:
        """The bucket holding `as_of`'s day -> its "HH:MM" (the one time the note names)."""
        day = self.today
        return {first: as_of_time(self.as_of, self.tz) for first, (lo, hi) in self.buckets.items()
                if day is not None and lo <= day <= hi}


def chart(fig, df: pd.DataFrame, *, key: str, lang: str, name: str | None = None,
          cut: Cut | None = None) -> list[dict]:
    """The figure, a CSV download of exactly `df` (the chart's data), and the selected points.
    A time chart given its `cut` (`Ctx.cut`) says under it which buckets are partial and until
    when one not over is counted, and its CSV carries "partial" and "as_of" columns."""
    event = st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points", "box", "lasso"),
                            theme=None, config={"displaylogo": False})
    df = stories_named(df)
    if cut is not None and "bucket" in df:
        df = df.assign(partial=[as_date(b) in cut.buckets for b in df["bucket"]],
                       as_of=[cut.as_of_cell(b) for b in df["bucket"]])
        note = partial_note(cut.buckets, cut.interval, lang, until=cut.until)
        if note:
            st.caption(md_escape(note))
    st.download_button(i18n.t("download_csv", lang), data=csv_bytes(df), file_name=f"{name or key}.csv",
                       mime="text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/download:")
    try:
        return list(event.selection.points)
    except AttributeError:
        return []


def stories_named(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with its count of stories (`db.queries`' "count") named as `export trends` names
    it (`db.queries.STORIES`), for a CSV a user reads beside an export's."""
    if "count" not in df.columns:
        return df
    if STORIES in df.columns:
        raise ValueError(f"a frame with both 'count' and '{STORIES}': {list(df.columns)}")
    return df.rename(columns={"count": STORIES})


def partial_note(partial: Mapping, interval: str, lang: str, until: Mapping[date, str] | None = None) -> str | None:
    """The note under a time chart naming its partial buckets and the days each holds; the one
    not over (in `until`, `Cut.until`) says until when it is counted."""
    if not partial:
        return None
    until = until or {}

    def span(first, lo, hi) -> str:
        days = str(lo) if lo == hi else f"{lo} – {hi}"
        text = days if interval == "day" else i18n.t("partial_span", lang, period=i18n.t("every_" + interval, lang),
                                                     first=first, days=days)
        if first in until:
            text += ("，" if lang == "zh" else ", ") + i18n.t("partial_open", lang, at=until[first])
        return text

    items = sorted(partial.items())
    parts = [span(first, lo, hi) for first, (lo, hi) in items]
    if len(parts) > 4:   # a range running into the future: every bucket to come is partial
        keep = [0, 1] + [i for i, (first, _) in enumerate(items) if first in until and 1 < i < len(parts) - 1]
        parts = [parts[i] for i in keep] + [f"… ({len(parts) - len(keep) - 1})"] + parts[-1:]
    spans = ("；" if lang == "zh" else "; ").join(parts)
    return i18n.t("partial_note", lang, period=i18n.t("every_" + interval, lang), spans=spans)


# Streamlit cuts a metric's value and label to one line with an ellipsis: a top rising theme or
# model read "Crea…" at an 800 px window, "Jimeng / Seed…" at 1400 px, its label "Top rising th…".
# Wrapped instead, between words only: `keep-all` keeps a CJK word whole ("影视与创作" broke as
# "影视与创" / "作" at 800 px), and a name (`kpi(..., name=)`) is drawn in a size that follows its
# card's width (container units: 1.6rem in a wide card, down to 0.95rem in a narrow one) so that its
# longest word fits; a word is broken only when it is wider than the card even then.
_KPI_TEXT = ", ".join(f'[data-testid="stMetric{part}"] {el}' for part in ("Value", "Label") for el in ("div", "p"))
KPI_NAME_SIZE = "clamp(0.95rem, 11.5cqi, 1.6rem)"
KPI_WRAP = (f"<style>{_KPI_TEXT} {{white-space: normal; text-overflow: clip; word-break: keep-all;"
            " overflow-wrap: anywhere}"
            '[class*="st-key-kpi_name_"] {container-type: inline-size}'
            f'[class*="st-key-kpi_name_"] [data-testid="stMetricValue"] {{font-size: {KPI_NAME_SIZE};'
            " line-height: 1.25}"
            "</style>")


def kpi_wrap() -> None:
    """KPI values wrap instead of being cut (once per page, before its `kpi` cards)."""
    st.html(KPI_WRAP)


# Two charts side by side in half-width columns leave each ~230 px at an 800 px window (beside the
# sidebar): long category labels were cut and a bar chart got a plot of ~50 px. A pair made with
# `pair` stacks its two columns whenever its own width (not the window's: the sidebar may be open
# or closed) is below PAIR_MIN_PX, so each chart gets the whole width.
PAIR_MIN_PX = 760


def pair(key: str):
    """Two columns that stack, one above the other, when their container is narrower than
    PAIR_MIN_PX (a CSS container query on a keyed container)."""
    box = st.container(key=f"pair_{key}")
    sel = f".st-key-pair_{key}"
    box.html(f"<style>{sel} {{container-type: inline-size}}"
             f"@container (max-width: {PAIR_MIN_PX - 1}px) {{"
             f'{sel} [data-testid="stHorizontalBlock"] {{flex-direction: column; flex-wrap: nowrap}}'
             f'{sel} [data-testid="stColumn"] {{width: 100% !important; flex: 1 1 auto !important;'
             f" min-width: 100% !important}}}}</style>")
    return box.columns(2)


def kpi(col, label: str, value: str, delta: str | None = None, *, help: str | None = None,
        inverse: bool = False, name: str | None = None) -> None:
    """A KPI card. A change that rounds to nothing ("+0.00", "-0.0 pp") is shown as "±0.00" in
    grey with no arrow: Streamlit reads the sign of the text, so "+0.00" came with a green rise.
    `name`: the value is a name (a theme, a model), drawn smaller so that it fits (`kpi_wrap`)."""
    if name:
        col = col.container(key=f"kpi_name_{name}")
    if delta is not None and no_change(delta):
        col.metric(label, value, "±" + delta.lstrip("+-"), delta_color="off", delta_arrow="off",
                   help=help, border=True)
        return
    col.metric(label, value, delta, delta_color="inverse" if inverse else "normal", help=help, border=True)


def no_change(delta: str) -> bool:
    """True when a formatted change shows no non-zero digit ("+0.00", "-0.0 pp", "+0%")."""
    return not any(ch in "123456789" for ch in delta)


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def signed(value: float | None, fmt: str = "+.2f", suffix: str = "") -> str | None:
    return None if value is None else f"{value:{fmt}}{suffix}"


# --- stories ------------------------------------------------------------------------------------

def story_meta(row: dict, lang: str, tz: str) -> str:
    when = fmt_time(row.get("published_at"), tz)
    if row.get("date_is_fallback") and when:        # never pass a fetch time for a publication date
        when = i18n.t("undated", lang, time=when)
    parts = [row.get("source_name") or row.get("source_id") or "", when,
             i18n.lang_name(row.get("lang"), lang), i18n.sentiment_name(row.get("sentiment"), lang)]
    models = ", ".join(i18n.model_name(m, lang) for m in _ids(row.get("models")))
    themes = ", ".join(i18n.theme_name(t, lang) for t in _ids(row.get("themes")))
    parts += [p for p in (models, themes) if p]
    if row.get("copies"):
        parts.append(f"{i18n.t('col_copies', lang)} {_count(row.get('copies'))}")
    return " · ".join(md_escape(p) for p in parts if p)


def _ids(values) -> list[str]:
    out = []
    for v in values or ():
        out.append(v.get("model") or v.get("theme") if isinstance(v, dict) else v)
    return [v for v in out if v]


def _count(value) -> int:
    return len(value) if isinstance(value, (list, tuple)) else int(value or 0)


def quoted(entries: list[str] | None, lang: str) -> str:
    """Evidence as Markdown, escaped: each quote of the text in 「」, then the tagger's reasons
    (not in the text: "title/body mismatch", "3 models") in italics after a label that says so;
    "—" when none."""
    quotes, why = reasons.split(entries)
    out = " · ".join(f"「{md_escape(p)}」" for p in quotes)
    if why:
        out += (" · " if out else "") + f"*{md_escape(i18n.t('tagger_reasons', lang))}\\: " \
            + "; ".join(md_escape(i18n.reason_name(r, lang)) for r in why) + "*"
    return out or "—"


def story_list(rows: list[dict], *, lang: str, tz: str, evidence: bool = True) -> None:
    """Each story: its linked title, source, time, tags and (when present) its evidence phrases."""
    for row in rows:
        with st.container(border=True):
            st.markdown("**" + link_md(row.get("title") or "—", row.get("url"), lang) + "**")
            st.caption(story_meta(row, lang, tz))
            phrases = row.get("evidence") or []
            if evidence and phrases:
                st.markdown(f"{md_escape(i18n.t('evidence', lang))}\\: " + quoted(phrases, lang))


def items_frame(rows: list[dict], lang: str, tz: str) -> pd.DataFrame:
    """Items as table rows; links only for http(s) URLs."""
    return pd.DataFrame([{
        "id": r["id"], i18n.t("col_time", lang): fmt_time(r.get("published_at"), tz),
        i18n.t("col_title", lang): r.get("title") or "",
        i18n.t("col_source", lang): r.get("source_name") or r.get("source_id"),
        i18n.t("col_lang", lang): i18n.lang_name(r.get("lang"), lang),   # as every other page names it
        i18n.t("col_sentiment", lang): i18n.sentiment_name(r.get("sentiment"), lang),
        i18n.t("col_models", lang): ", ".join(i18n.model_name(m, lang) for m in _ids(r.get("models"))),
        i18n.t("col_themes", lang): ", ".join(i18n.theme_name(t, lang) for t in _ids(r.get("themes"))),
        i18n.t("col_copies", lang): _count(r.get("copies")),
        i18n.t("col_link", lang): safe_url(r.get("url")),
    } for r in rows])


# The Explorer's table at a laptop's width (1400 px, ~940 px of table beside the sidebar): the tags
# come right after the title, and the title (cut with "…", whole in the story view) is capped, so
# time, title, language, sentiment and models are all in view; source and the rest scroll.
ITEM_COLUMNS = ("col_time", "col_title", "col_lang", "col_sentiment", "col_models", "col_themes",
                "col_source", "col_copies", "col_link")
ITEM_WIDTHS = {"col_title": 360, "col_lang": 70, "col_sentiment": 80, "col_models": 160, "col_themes": 180,
               "col_source": 180, "col_copies": 60, "col_link": 50}


def items_table(lang: str) -> dict:
    """`st.dataframe` arguments for `items_frame`: its columns' order, widths and the link column
    (the id column hidden)."""
    config: dict = {"id": None}
    for key, width in ITEM_WIDTHS.items():
        name = i18n.t(key, lang)
        config[name] = (st.column_config.LinkColumn(name, display_text="↗", width=width) if key == "col_link"
                        else st.column_config.Column(name, width=width))
    return {"column_order": [i18n.t(k, lang) for k in ITEM_COLUMNS], "column_config": config}


STORIES_CSV_MAX = 10_000    # stories in the Explorer table's CSV; more: `aigcwatch export items`


def stories_download(total: int, lang: str, cap: int = STORIES_CSV_MAX) -> tuple[int, str]:
    """How many of the `total` matching stories the Explorer table's CSV holds (every one, up to
    `cap`) and its button's label, which says how many (and, when cut, how to get them all)."""
    n = min(total, cap)
    if n == total:
        return n, i18n.t("download_stories", lang, n=f"{n:,}")
    return n, i18n.t("download_stories_cut", lang, n=f"{n:,}", total=f"{total:,}")


def explorer_link(ctx, label: str | None = None, extra: dict[str, str] | None = None, **overrides) -> None:
    """A link that opens the Explorer on this view narrowed by `overrides` (View fields) and the
    Explorer's own parameters `extra`."""
    st.markdown(f"[{md_escape(label or i18n.t('open_explorer', ctx.lang))} ↗]"
                f"({ctx.href('explorer', extra=extra, **overrides)})")
