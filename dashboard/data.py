"""Cached loaders over `db.queries`: the dashboard's only way to the database.

Each loader takes the database URL first (so caches of different databases never mix), opens a
session on a cached engine, calls one read-side function and returns plain rows or a DataFrame.
Results are cached for `TTL` seconds. Loaders never touch `st.session_state`. A database error of
any kind comes out as `aigcwatch.errors.DatabaseError` (URL without password, one-line reason).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from aigcwatch.errors import DatabaseError
from db import engine as dbe
from db import queries
from db.filters import ItemFilter

TTL = 300   # seconds a query result is reused; ingest runs every 30 min or so


def database_url() -> str:
    """`$AIGCWATCH_DATABASE_URL`, else the default SQLite file (as the CLI resolves it)."""
    return dbe.database_url()


@st.cache_resource(show_spinner=False)
def engine(url: str) -> Engine:
    return dbe.make_engine(url)


def _run(url: str, fn: Callable, *args, **kwargs):
    """`fn(session, *args, **kwargs)` in a fresh session; any database failure -> DatabaseError."""
    eng = engine(url)
    try:
        with dbe.session_factory(eng)() as session:
            return fn(session, *args, **kwargs)
    except SQLAlchemyError as e:
        reason = " ".join(str(getattr(e, "orig", None) or e).split())[:300]
        raise DatabaseError(dbe.safe_url(url), f"query failed: {reason}") from e


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=columns)
    return df


@st.cache_data(ttl=TTL, show_spinner=False)
def facets(url: str) -> dict | None:
    """Sources, models, themes, languages and time span of the data; None when the schema is missing."""
    try:
        if not inspect(engine(url)).has_table("items"):
            return None
    except SQLAlchemyError as e:
        raise DatabaseError(dbe.safe_url(url), " ".join(str(e).split())[:300]) from e
    return _run(url, queries.facets)


# A loader's `_tally` (db.tally, from `search_tally`) is left out of its cache key: it changes how
# a search's numbers are counted (once for the whole view), not what they are.

@st.cache_data(ttl=TTL, show_spinner=False)
def search_tally(url: str, flt: ItemFilter, tz: str, spikes: bool = True, previous: bool = True,
                 pairs: bool = False, evidence: str | None = None, evidence_since=None):
    """The stories a search matches, counted once for every count of the view (None without one;
    `spikes`, `previous`: the view also reads the spikes' history, the previous period; `pairs`:
    it counts by theme and model; `evidence`: it lists that dim's evidence phrases, of the stories
    from `evidence_since` on)."""
    return _run(url, queries.view_tally, flt, tz=tz, spikes=spikes, previous=previous, pairs=pairs,
                evidence=evidence, evidence_since=evidence_since)


@st.cache_data(ttl=TTL, show_spinner=False)
def counts(url: str, flt: ItemFilter, by: tuple[str, ...] = (), bucket: str | None = None,
           tz: str = "UTC", _tally=None) -> pd.DataFrame:
    """Stories per bucket and per value of each dim of `by` (columns: [bucket], *by, count)."""
    rows = _run(url, queries.counts, flt, by=by, bucket=bucket, tz=tz, tally=_tally)
    return _frame(rows, (["bucket"] if bucket else []) + list(by) + ["count"])


def total(url: str, flt: ItemFilter, _tally=None) -> int:
    df = counts(url, flt, _tally=_tally)
    return int(df["count"].sum()) if not df.empty else 0


@st.cache_data(ttl=TTL, show_spinner=False)
def sentiment_index(url: str, flt: ItemFilter, bucket: str | None = "day", tz: str = "UTC",
                    by: str | None = None, _tally=None) -> pd.DataFrame:
    rows = _run(url, queries.sentiment_index, flt, bucket=bucket, tz=tz, by=by, tally=_tally)
    cols = (["bucket"] if bucket else []) + (["key"] if by else []) + [
        "positive", "neutral", "negative", "stories", "net"]
    return _frame(rows, cols)


@st.cache_data(ttl=TTL, show_spinner=False)
def period_kpis(url: str, flt: ItemFilter, tz: str, _tally=None) -> dict:
    return _run(url, queries.period_kpis, flt, tz=tz, tally=_tally)


@st.cache_data(ttl=TTL, show_spinner=False)
def spikes(url: str, flt: ItemFilter, tz: str, dims: tuple[str, ...] = ("model", "theme"),
           _tally=None) -> list[dict]:
    return _run(url, queries.spikes, flt, tz=tz, dims=dims, tally=_tally)


@st.cache_data(ttl=TTL, show_spinner=False)
def spike_stories(url: str, flt: ItemFilter, dim: str, key: str, day: date, tz: str,
                  limit: int = 10, as_of: datetime | None = None) -> list[dict]:
    return _run(url, queries.spike_stories, flt, dim=dim, key=key, day=day, tz=tz, limit=limit,
                as_of=as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def language_gap(url: str, flt: ItemFilter, dim: str, _tally=None) -> pd.DataFrame:
    rows = _run(url, queries.language_gap, flt, dim=dim, tally=_tally)
    return _frame(rows, ["key", "zh", "en", "zh_share", "en_share", "diff_pp", "log_ratio"])


def js_divergence(gap: pd.DataFrame) -> float | None:
    """None: a language has no stories with a key in the view (nothing to compare)."""
    return queries.js_divergence(gap.to_dict("records")) if not gap.empty else None


@st.cache_data(ttl=TTL, show_spinner=False)
def rising_terms(url: str, flt: ItemFilter, langs: tuple[str, ...] = ("zh", "en"),
                 top: int = 30) -> dict[str, pd.DataFrame]:
    """Each language's rising terms (one pass over the stories per period for all of them)."""
    rows = _run(url, queries.rising_terms_by_lang, flt, langs=langs, top=top)
    return {lang: _frame(rows[lang], ["term", "current", "previous", "z", "sample_every"]) for lang in langs}


@st.cache_data(ttl=TTL, show_spinner=False)
def evidence_top(url: str, flt: ItemFilter, dim: str, per_key: int = 10, _tally=None) -> pd.DataFrame:
    rows = _run(url, queries.evidence_top, flt, dim=dim, per_key=per_key, tally=_tally)
    return _frame(rows, ["key", "phrase", "count"])


@st.cache_data(ttl=TTL, show_spinner=False)
def items(url: str, flt: ItemFilter, limit: int = 50, offset: int = 0, order: str = "new") -> list[dict]:
    return _run(url, queries.items, flt, limit=limit, offset=offset, order=order)


def items_uncached(url: str, flt: ItemFilter, limit: int, order: str = "new") -> list[dict]:
    """`items` without the cache: a download's rows (thousands, asked for once, on a click)."""
    return _run(url, queries.items, flt, limit=limit, offset=0, order=order)


@st.cache_data(ttl=TTL, show_spinner=False)
def item_detail(url: str, item_id: int) -> dict | None:
    return _run(url, queries.item_detail, item_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def source_stats(url: str, flt: ItemFilter, tz: str) -> list[dict]:
    return _run(url, queries.source_stats, flt, tz=tz)


@st.cache_data(ttl=TTL, show_spinner=False)
def latest_runs(url: str, n: int = 20) -> list[dict]:
    return _run(url, queries.latest_runs, n)


@st.cache_data(ttl=TTL, show_spinner=False)
def latest_deliveries(url: str, n: int = 50) -> list[dict]:
    return _run(url, queries.latest_deliveries, n)
