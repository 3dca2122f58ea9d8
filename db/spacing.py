"""Where a search term's spacing is loose: the text may space a phrase otherwise than the query does.

A term splits into pieces, written as they are, at its gaps:
- white space in the term is a gap: the text has any run of white space there (spaces, a line
  break, a tab, a full-width or no-break space; `"world model"` finds "world\\nmodel"), or none
  when the gap is beside a Chinese (or other wide East Asian) character or between a letter and
  a digit ("可灵 AI" finds "可灵AI", "发布 会" "发布会", "Sora 2" "Sora2");
- where the term has no white space, a Chinese character next to a letter or a digit, or a letter
  then a digit, is a gap too: the text may have white space there or not ("可灵AI" finds
  "可灵 AI", "Sora2" "Sora 2"). Chinese characters written together stay together ("视频生成"),
  and so do a digit then a letter ("4K").
Two Latin words stay two ("world model" is not "worldmodel"), and a hyphen, a dot or another mark
is written as it is ("gen-4" is not "gen 4"). `db.filters` matches a term with gaps by `regex`.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

from db import textfold


@lru_cache(maxsize=1)
def whitespace() -> str:
    """Every character Python counts as white space (str.split's rule, which the query's own
    spacing follows), spelt out, so both backends mean the same class whatever their locale."""
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


def _kind(ch: str) -> str:
    """'digit', 'wide' (a letter of Chinese, Japanese or Korean script), 'letter' or 'other'."""
    if ch.isdigit():
        return "digit"
    if ch.isalpha():
        return "wide" if unicodedata.east_asian_width(ch) == "W" else "letter"
    return "other"


def _loose(left: str, right: str) -> bool:
    """Whether the text may have white space or none between `left` and `right` where the term
    has none."""
    a, b = _kind(left), _kind(right)
    if "other" in (a, b):
        return False
    return a != b and ("wide" in (a, b) or (a, b) == ("letter", "digit"))


def _optional(left: str, right: str) -> bool:
    """Whether the text may leave out white space the term has between `left` and `right`."""
    a, b = _kind(left), _kind(right)
    return "wide" in (a, b) or {a, b} == {"letter", "digit"}


def split(term: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """The pieces of `term` and, between each two, whether the text needs white space there
    (True) or may have it or not (False). A term without gaps is one piece."""
    pieces: list[str] = []
    required: list[bool] = []
    current = ""
    spaced = False                  # white space since the last character
    for ch in term:
        if ch.isspace():
            spaced = bool(current) or spaced
            continue
        if current and spaced:
            pieces.append(current)
            required.append(not _optional(current[-1], ch))
            current = ""
        elif current and _loose(current[-1], ch):
            pieces.append(current)
            required.append(False)
            current = ""
        current += ch
        spaced = False
    if current:
        pieces.append(current)
    return tuple(pieces), tuple(required)


def loose(term: str) -> bool:
    """Whether `term` has a gap (else it is matched as written, as a plain substring)."""
    return len(split(term)[0]) > 1


def written(term: str) -> tuple[str, ...]:
    """The usual ways to write `term`, each a match of it: as it is, then with every loose gap
    closed ("AI漫剧" for "AI 漫剧") and with one space at every gap ("Sora 2" for "Sora2")."""
    pieces, required = split(term)
    out = [term]
    for loose_as in ("", " "):
        form = pieces[0] + "".join((" " if needed else loose_as) + piece
                                   for piece, needed in zip(pieces[1:], required))
        if form not in out:
            out.append(form)
    return tuple(out)


def regex(term: str) -> str:
    """A regular expression (PostgreSQL's `~` and Python's `re` read it alike) matching `term`
    with its gaps, each piece in any case by `db.textfold`'s rule for the whole term."""
    pieces, required = split(term)
    ascii_term = not textfold.needs_fold(term)
    out = [textfold.pg_regex(pieces[0], ascii_term=ascii_term)]
    for piece, needed in zip(pieces[1:], required):
        out.append(f"[{whitespace()}]" + ("+" if needed else "*"))
        out.append(textfold.pg_regex(piece, ascii_term=ascii_term))
    return "".join(out)


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


MATCH_SQL = "aw_match"     # the SQLite function: aw_match(regex, text, ...) -> 0/1


def match(pattern: str, *texts: str | None) -> int:
    """The SQLite function: 1 when one of `texts` holds a match of `pattern` (from `regex`)."""
    found = _compiled(pattern).search
    return int(any(text is not None and found(text) is not None for text in texts))


def register_sqlite(dbapi_conn) -> None:
    """Make `aw_match` available on a sqlite3 connection."""
    dbapi_conn.create_function(MATCH_SQL, -1, match, deterministic=True)


__all__ = ["MATCH_SQL", "loose", "match", "regex", "register_sqlite", "split", "whitespace", "written"]
