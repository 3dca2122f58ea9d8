"""Item filters in one place: every read query (lists, counts, trends, exports) applies the same ones.

An `ItemFilter` is frozen and hashable (its multi-valued fields are tuples), so the dashboard can
key its cache on it and the digest and exports can pass the very same object to `db.queries`.
"""
from __future__ import annotations

import re
import unicodedata

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Select, and_, exists, literal, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.orm import aliased

from db import models as m
from db import search_syntax, spacing, textfold, wordedge

MULTI = ("lang", "model", "theme", "sentiment", "source_id", "category")
_LIKE_ESCAPE = "\\"
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def _as_tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(sorted({str(v) for v in value if v not in (None, "")}))


@dataclass(frozen=True, slots=True)
class ItemFilter:
    since: datetime | None = None       # published_at >= since (tz-aware)
    until: datetime | None = None       # published_at < until
    lang: tuple[str, ...] = ()          # any of
    model: tuple[str, ...] = ()         # the item names any of these models
    theme: tuple[str, ...] = ()         # the item has any of these themes
    sentiment: tuple[str, ...] = ()
    source_id: tuple[str, ...] = ()
    category: tuple[str, ...] = ()      # news | social (the source's category)
    q: str = ""                         # a search (db.search_syntax): its terms occur in title or text
    keyword: str = ""                   # a stored keyword of the story (the tagger's, exactly)
    include_spam: bool = False
    include_irrelevant: bool = False    # items tagged relevant=False; untagged (NULL) always count
    include_copies: bool = False        # near-duplicate members of a story cluster (not stories)
    as_of: datetime | None = None       # a window not over counted until then: published_at < as_of

    def __post_init__(self) -> None:
        for name in MULTI:   # accept a str or any iterable; store a sorted tuple (stable cache key)
            object.__setattr__(self, name, _as_tuple(getattr(self, name)))
        # control characters separate terms like white space: no stored text holds one (ingest
        # drops them), and PostgreSQL refuses a NUL in any query text
        object.__setattr__(self, "q", " ".join(_CONTROLS.sub(" ", self.q or "").split()))
        for name in ("since", "until", "as_of"):
            value = getattr(self, name)
            if value is not None and (value.tzinfo is None or value.utcoffset() is None):
                raise ValueError(f"ItemFilter.{name} must be tz-aware, got {value!r}")
        if self.as_of is not None and self.until is not None and self.as_of >= self.until:
            # a window over by then: nothing to cut (one filter, one cache key, one rollup plan)
            object.__setattr__(self, "as_of", None)

    def replace(self, **changes) -> ItemFilter:
        return replace(self, **changes)

    def as_dict(self) -> dict:
        """The filter as plain values (for the method notes of exports and digests)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else (
                list(value) if isinstance(value, tuple) else value)
        return out

    def search(self) -> search_syntax.Node | None:
        """What `q` asks for (db.search_syntax: words, "phrases", OR, brackets, -exclusions)."""
        return search_syntax.parse(self.q) if self.q else None

    def apply(self, stmt: Select) -> Select:
        """`stmt` (which selects from items) narrowed by these filters."""
        it = m.Item
        if self.since is not None:
            stmt = stmt.where(it.published_at >= self.since)
        if self.until is not None:
            stmt = stmt.where(it.published_at < self.until)
        if self.as_of is not None:
            stmt = stmt.where(it.published_at < self.as_of)
        if self.lang:
            stmt = stmt.where(it.lang.in_(self.lang))
        if self.sentiment:
            stmt = stmt.where(it.sentiment.in_(self.sentiment))
        if self.source_id:
            stmt = stmt.where(it.source_id.in_(self.source_id))
        if self.category:
            stmt = stmt.where(it.source_id.in_(
                select(m.Source.id).where(m.Source.category.in_(self.category))))
        # EXISTS, not IN (subquery): each candidate story is one primary-key seek, so a narrow
        # window (a spike's day, a page of the newest stories) never reads a model's whole list.
        # Aliased, so a statement that itself joins item_models/item_themes (counts by model)
        # keeps its own rows: the EXISTS correlates to items only.
        if self.model:
            im = aliased(m.ItemModel)
            stmt = stmt.where(exists().where(im.item_id == it.id, im.model.in_(self.model)))
        if self.theme:
            ith = aliased(m.ItemTheme)
            stmt = stmt.where(exists().where(ith.item_id == it.id, ith.theme.in_(self.theme)))
        searched = self.search()
        if searched is not None:
            stmt = stmt.where(_search_clause(searched))
        if self.keyword:   # what the rising terms count (db.trends.term_counts), not a text search
            stmt = stmt.where(_HasKeyword(self.keyword))
        if not self.include_spam:
            stmt = stmt.where(it.spam.is_(False))
        if not self.include_irrelevant:
            stmt = stmt.where(it.relevant.is_not(False))
        if not self.include_copies:   # a story counts once: its cluster's canonical item
            stmt = stmt.where(it.cluster_id.is_(None))
        return stmt


class _Contains(ColumnElement):
    """One of `columns` contains `term` in any case and width, by `db.textfold`'s rule on both
    backends: on SQLite LIKE for a term whose only cased letters are ASCII (SQLite's LIKE already
    ignores ASCII case; lower() on every row would cost 2-4x), and the registered `aw_match` for
    the stories the column `wide` (`items.fullwidth`) says hold full-width letters or digits (LIKE
    misses "ＳＯＲＡ"; a test per row of its own would cost 5-10x on long texts); the registered `aw_contains` (one call for all the columns) for any other term;
    on PostgreSQL strpos() for a term of characters without a case or a full-width form (Chinese)
    and else a regular expression with the case and width variants spelt out (ILIKE would fold by
    the database's locale)."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, columns: tuple, term: str, wide=None):
        self.columns, self.term, self.wide = columns, term, wide


@compiles(_Contains)
def _contains_sqlite(element, compiler, **kw):
    columns = [compiler.process(c, **kw) for c in element.columns]
    if textfold.needs_fold(element.term):
        term = compiler.process(literal(textfold.fold(element.term)), **kw)
        return _gated(element.term, columns, f"{textfold.CONTAINS_SQL}({term}, {', '.join(columns)})",
                      compiler, **kw)
    like, wide = _like_and_wide(element, columns, compiler, **kw)
    if not wide:
        return like
    matched = _matched(textfold.pg_regex(element.term), columns, compiler, **kw)
    return f"(CASE WHEN {like} THEN 1 WHEN {wide} THEN {matched} ELSE 0 END)"


def _like_and_wide(element, columns: list[str], compiler, **kw) -> tuple[str, str]:
    """For a `_Contains` term under the rule for ASCII-cased terms: SQL for a row LIKE finds it in,
    and for a row that may hold it with full-width letters or digits ("" when none can)."""
    like = "(" + " OR ".join(_like(c, element.term, compiler, **kw) for c in columns) + ")"
    return like, _wide(element, compiler, **kw)


def _wide(element, compiler, **kw) -> str:
    """For a term under the rule for ASCII-cased terms: SQL true for the stories that may hold
    it with full-width letters or digits, where LIKE cannot find it (`items.fullwidth`: few do),
    "" for a term without an ASCII letter or digit (or a clause without that column)."""
    if element.wide is None or not textfold.wide_forms(element.term):
        return ""
    return compiler.process(element.wide, **kw)


def _matched(regex: str, columns: list[str], compiler, **kw) -> str:
    """The registered `aw_match` (`db.spacing`): one of `columns` holds a match of `regex`."""
    pattern = compiler.process(literal(regex), **kw)
    return f"{spacing.MATCH_SQL}({pattern}, {', '.join(columns)})"


def _gated(term: str, columns: list[str], check: str, compiler, **kw) -> str:
    """`check` (a Python function's call) only for the rows holding a form of the first cased
    non-ASCII letter of `term`: instr() runs in C, so the others are never folded in Python (2-3x
    faster over 1M rows). A CASE, as the clause is a value here (SQLAlchemy compares it with 1),
    where AND evaluates both."""
    forms = [compiler.process(literal(f), **kw) for f in textfold.first_letter_forms(term)]
    cheap = " OR ".join(f"instr({c}, {f}) > 0" for c in columns for f in forms)
    return f"(CASE WHEN {cheap} THEN {check} ELSE 0 END)"


def _like(column: str, text: str, compiler, **kw) -> str:
    """`column` LIKE '%text%' with the wildcards of `text` literal (ASCII letters in any case)."""
    pattern = "%" + (text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
                     .replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_")) + "%"
    return f"{column} LIKE {compiler.process(literal(pattern), **kw)} ESCAPE '{_LIKE_ESCAPE}'"


@compiles(_Contains, "postgresql")
def _contains_pg(element, compiler, **kw):
    if textfold.caseless(element.term):   # strpos: 1.5-2x faster than a regular expression
        term = compiler.process(literal(element.term), **kw)
        return "(" + " OR ".join(f"strpos({compiler.process(c, **kw)}, {term}) > 0"
                                 for c in element.columns) + ")"
    return _pg_matches(element.columns, textfold.pg_regex(element.term), compiler, **kw)


def _pg_matches(columns, regex: str, compiler, **kw) -> str:
    """One of `columns` matches the regular expression `regex` (PostgreSQL's `~`)."""
    pattern = compiler.process(literal(regex), **kw)
    return "(" + " OR ".join(f"{compiler.process(c, **kw)} ~ {pattern}" for c in columns) + ")"


class _Spaced(ColumnElement):
    """One of `columns` holds `term` with its spacing loose (`db.spacing`: "可灵 AI" or "可灵AI",
    "world\nmodel"), in any case and width by `db.textfold`'s rule. PostgreSQL tests the regular
    expression of `spacing.regex`; SQLite calls the registered `aw_match` with it only for the
    rows that hold every piece of the term but none of its usual forms (LIKE, in C, tests both
    first), and for those holding full-width letters or digits (`wide`, as `_Contains`)."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, columns: tuple, term: str, wide=None):
        self.columns, self.term, self.wide = columns, term, wide


@compiles(_Spaced)
def _spaced_sqlite(element, compiler, **kw):
    columns = [compiler.process(c, **kw) for c in element.columns]
    matched = _matched(spacing.regex(element.term), columns, compiler, **kw)
    if textfold.needs_fold(element.term):
        return _gated(element.term, columns, matched, compiler, **kw)
    # LIKE folds ASCII letters only, as the rule for such a term does: a row without its longest
    # piece cannot match (most rows stop there) unless it holds full-width letters or digits, a
    # row with the term written as usual (`spacing.written`) does, and one without any other
    # piece cannot (unless, again, full-width); the rest (a line break, two spaces, "Ｓｏｒａ ２")
    # are the regular expression's
    def holds(text: str) -> str:
        return "(" + " OR ".join(_like(c, text, compiler, **kw) for c in columns) + ")"

    wide = _wide(element, compiler, **kw)
    first, *rest = sorted(set(spacing.split(element.term)[0]), key=lambda p: -len(p.encode()))
    usual = " OR ".join(map(holds, spacing.written(element.term)))
    lacking = " AND ".join(map(holds, rest))
    if lacking and wide:
        lacking = f"({lacking}) OR {wide}"
    others = f"WHEN NOT ({lacking}) THEN 0 " if lacking else ""
    elsewise = f"WHEN {wide} THEN {matched} " if wide else ""
    return (f"(CASE WHEN {holds(first)} THEN (CASE WHEN {usual} THEN 1 {others}"
            f"ELSE {matched} END) {elsewise}ELSE 0 END)")


@compiles(_Spaced, "postgresql")
def _spaced_pg(element, compiler, **kw):
    return _pg_matches(element.columns, spacing.regex(element.term), compiler, **kw)


class _HasKeyword(ColumnElement):
    """The story's stored keywords (a JSON array) hold `term` exactly: an EXISTS over the array's
    elements, per dialect (SQLite's json_each, PostgreSQL's json_array_elements_text)."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, term: str):
        self.term = term


@compiles(_HasKeyword)
def _has_keyword_sqlite(element, compiler, **kw):
    column = compiler.process(m.Item.keywords, **kw)
    term = compiler.process(literal(element.term), **kw)
    return f"EXISTS (SELECT 1 FROM json_each({column}) AS kw WHERE kw.value = {term})"


@compiles(_HasKeyword, "postgresql")
def _has_keyword_pg(element, compiler, **kw):
    column = compiler.process(m.Item.keywords, **kw)
    term = compiler.process(literal(element.term), **kw)
    return f"EXISTS (SELECT 1 FROM json_array_elements_text({column}) AS kw(value) WHERE kw.value = {term})"


def _search_clause(node: search_syntax.Node):
    """A search expression as SQL: its terms (`_term_clause`) under AND, OR and NOT."""
    if isinstance(node, search_syntax.Term):
        return _term_clause(node.text)
    if isinstance(node, search_syntax.Not):
        return not_(_search_clause(node.part))
    parts = [_search_clause(p) for p in node.parts]
    return and_(*parts) if isinstance(node, search_syntax.All) else or_(*parts)


def _term_clause(term: str):
    """Title or text contains `term` in any case, in its Simplified or Traditional spelling, with
    its spacing loose where `db.spacing` says so, at the edges of words where `db.wordedge` says
    so (a `*` at an end of the term opens that edge)."""
    columns = (m.Item.title, m.Item.text)
    edges = wordedge.edges(term)
    clauses = []
    for variant in _spellings(edges.core):
        found = (_Spaced if spacing.loose(variant) else _Contains)(columns, variant, m.Item.fullwidth)
        clauses.append(_AtEdges(found, edges.left, edges.right) if edges.bounded else found)
    return or_(*clauses) if len(clauses) > 1 else clauses[0]


class _AtEdges(ColumnElement):
    """A match of `found` (a `_Contains` or `_Spaced` clause of a term) that meets the word edges
    of `db.wordedge`: PostgreSQL tests the bounded regular expression alone; SQLite first the
    clause (LIKE, in C, where it can) and calls `aw_match` only for the rows holding the term."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, found, left: str | None, right: str | None):
        self.found, self.left, self.right = found, left, right

    def regex(self) -> str:
        term = self.found.term
        core = spacing.regex(term) if isinstance(self.found, _Spaced) else textfold.pg_regex(term)
        return wordedge.bounded(core, self.left, self.right)


@compiles(_AtEdges)
def _at_edges_sqlite(element, compiler, **kw):
    found = element.found
    columns = [compiler.process(c, **kw) for c in found.columns]
    if isinstance(found, _Contains) and not textfold.needs_fold(found.term):
        # LIKE or full-width (as `_Contains`), then the edges: each row reaches Python once
        like, wide = _like_and_wide(found, columns, compiler, **kw)
        held = f"({like} OR {wide})" if wide else like
    else:
        held = compiler.process(found, **kw)
    return f"(CASE WHEN {held} THEN {_matched(element.regex(), columns, compiler, **kw)} ELSE 0 END)"


@compiles(_AtEdges, "postgresql")
def _at_edges_pg(element, compiler, **kw):
    return _pg_matches(element.found.columns, element.regex(), compiler, **kw)


def _spellings(term: str) -> list[str]:
    """The term (its full-width letters and digits as ASCII: the same matches by `db.textfold`'s
    rule, by the faster path), plus its Simplified and Traditional forms when it
    has Chinese characters, and its NFKC form (a query typed with a Chinese input method:
    "ＳＯＲＡ" finds "Sora", "①" "1")."""
    if term.isascii():
        return [term]
    from ingest.lang import to_simplified

    out = [textfold.narrow(term)]
    folded = unicodedata.normalize("NFKC", term)
    for variant in (folded, to_simplified(folded), _to_traditional(folded)):
        if variant and variant not in out:
            out.append(variant)
    return out


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _to_traditional(text: str) -> str:
    return _s2t().convert(text)


# The days a user may ask for (dashboard URLs, the CLI's dates): a year like 0001 or 9999 is a
# typo, and its local-day window would overflow Python's dates.
YEARS = range(1900, 3000)


def day_window(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """Local calendar days `start`..`end` (inclusive) in zone `tz` as tz-aware [since, until).

    The instants carry zone `tz` (not UTC), so stepping back by their difference moves by whole
    local calendar days, DST days included (`db.trends.previous_window` relies on this)."""
    if end < start:
        raise ValueError(f"day window ends ({end}) before it starts ({start})")
    zone = ZoneInfo(tz)
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    return since, until
