"""Search in any letter case and width with the same answer on SQLite and PostgreSQL, whatever the locale.

PostgreSQL's ILIKE folds case by the database's locale (every letter in a UTF-8 locale, ASCII only
in the C locale) and SQLite's LIKE folds ASCII only, so "ÉCLAIR", "ΟΔΟΣ", "ＳＯＲＡ" or "СОРА" found
different stories on the two backends. Here the rule is ours:

- a full-width Latin letter or digit (ＳＯＲＡ, Ｋｌｉｎｇ２: what a Chinese input method types,
  U+FF10..FF19, FF21..FF3A, FF41..FF5A) counts as its ASCII one, in the text as in the term:
  `narrow` (full-width marks such as （ or ， stay themselves: Chinese text is full of them);
- a term whose only letters with a case are ASCII ("sora", "可灵AI") matches them in either case
  and either width: on SQLite LIKE, then `aw_match` with `pg_regex` for the few stories holding
  a full-width letter or digit (`items.fullwidth`, stored by ingest: `has_wide`); on PostgreSQL a
  regular expression of `[sSｓＳ][oOｏＯ]...` classes, as fast as ILIKE;
- any other term matches where `fold(text)` contains `fold(term)`: each letter by its lower case,
  one character for one (the final sigma as σ; İ, whose lower case is two characters, only
  itself; a full-width letter or digit as its ASCII one). SQLite runs `fold` as the function
  `aw_contains` (registered on every connection by `db.engine`); PostgreSQL a regular expression
  whose classes are every character of the same fold.
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from functools import lru_cache

CONTAINS_SQL = "aw_contains"     # the SQLite function: aw_contains(folded_term, text, ...) -> 0/1
_DOTTED_I = "\u0130"             # İ: lower() makes it i + combining dot, two characters
_SPECIAL = set("\\^$.|?*+()[]{}-")
_WIDE_OFFSET = 0xFF01 - 0x21     # full-width ０, Ａ, ａ are ASCII 0, A, a moved up by this
_NARROW = {ord(c) + _WIDE_OFFSET: ord(c) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}
WIDE_CLASS = "[０-９Ａ-Ｚａ-ｚ]"   # every full-width letter and digit, as a regular expression or a GLOB class
_HAS_WIDE = re.compile(WIDE_CLASS)


def has_wide(text: str | None) -> bool:
    """Whether `text` holds a full-width Latin letter or digit (what `items.fullwidth` stores)."""
    return bool(text) and _HAS_WIDE.search(text) is not None


def narrow(text: str) -> str:
    """`text` with each full-width Latin letter or digit as its ASCII one (NFKC's rule for them;
    nothing else changes)."""
    return text.translate(_NARROW) if _HAS_WIDE.search(text) else text


def wide(ch: str) -> str:
    """The full-width form of an ASCII letter or digit ("s" -> "ｓ"), or "" for anything else."""
    return chr(ord(ch) + _WIDE_OFFSET) if len(ch) == 1 and ch.isascii() and ch.isalnum() else ""


def fold(text: str) -> str:
    """`text` with each letter in lower case, one character for one (ς as σ, İ kept, a
    full-width form as its ASCII character)."""
    return _lower(narrow(text))


def _lower(text: str) -> str:
    if _DOTTED_I in text:
        return _DOTTED_I.join(part.lower() for part in text.split(_DOTTED_I)).replace("ς", "σ")
    return text.lower().replace("ς", "σ")


def contains(folded_term: str, *texts: str | None) -> int:
    """The SQLite function: 1 when one of `texts` holds the (already folded) term in any case.
    One call for the title and the text of a row: the call, not the fold, is most of its cost."""
    return int(any(text is not None and folded_term in fold(text) for text in texts))


def needs_fold(term: str) -> bool:
    """Whether `term` takes the folded path: it has a non-ASCII letter with a case. Any other term
    (ASCII, or Chinese with ASCII letters) is matched as LIKE does, fast: its only letters with a
    case are ASCII."""
    return any(not c.isascii() and (c.lower() != c or c.upper() != c) for c in term)


def first_letter_forms(term: str) -> tuple[str, ...]:
    """Every character that folds as the first non-ASCII letter with a case of `term` does (`É`:
    É and é; `σ`: Σ, σ and ς), or () for a term without one. A text holding the term in any case
    holds one of them (fold maps one character to one): a test SQLite makes in C before it calls
    `aw_contains`, so rows without any of them (most, for a term in another script) are never
    folded in Python."""
    for ch in term:
        if not ch.isascii() and (ch.lower() != ch or ch.upper() != ch):
            return tuple(sorted(_same_fold().get(fold(ch), ()) or {ch}))
    return ()


@lru_cache(maxsize=1)
def _same_fold() -> dict[str, frozenset[str]]:
    """fold value -> every character with that fold (only folds shared by two or more)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        f = _lower(chr(_NARROW.get(code, code)))     # fold(ch), without a search per character
        if f != ch:
            groups[f].update((ch, f))
    return {f: frozenset(chars) for f, chars in groups.items()}


def _variants(ch: str, ascii_term: bool) -> set[str]:
    if ascii_term:   # only ASCII letters have a case here (a full-width one is its ASCII one)
        ch = narrow(ch)
        forms = {ch.lower(), ch.upper()} if ch.isascii() and ch.isalpha() else {ch}
        return forms | {w for w in map(wide, forms) if w}
    return set(_same_fold().get(fold(ch), ())) or {ch}


def wide_forms(term: str) -> tuple[str, ...]:
    """Every full-width character that the rule for ASCII-cased terms matches for a character of
    `term` ("So" -> Ｏ, Ｓ, ｏ, ｓ): a text matching `term` without any of them holds it in ASCII,
    as LIKE finds it. () for a term without a letter or digit of ASCII."""
    return tuple(sorted({v for ch in term for v in _variants(ch, True) if narrow(v) != v}))


def _literal(ch: str) -> str:
    return "\\" + ch if ch in _SPECIAL else ch


def caseless(term: str) -> bool:
    """Whether `term` has no letter with a case and no digit (Chinese, marks): every text holding
    it in any case and width holds it as written, so a plain substring test matches it by the
    rule above."""
    ascii_term = not needs_fold(term)
    return all(len(_variants(ch, ascii_term)) == 1 for ch in term)


def pg_regex(term: str, *, ascii_term: bool | None = None) -> str:
    """A PostgreSQL regular expression (for `~`) matching `term` by the rule above, with every
    case variant spelt out, so the server's locale plays no part. `ascii_term`: whether the rule
    for ASCII-cased terms applies (default: as `term` asks; a piece of a longer term, as it does)."""
    if ascii_term is None:
        ascii_term = not needs_fold(term)
    out = []
    for ch in term:
        chars = _variants(ch, ascii_term)
        out.append(_literal(ch) if len(chars) == 1
                   else "[" + "".join(_literal(c) for c in sorted(chars)) + "]")
    return "".join(out)


def register_sqlite(dbapi_conn) -> None:
    """Make `aw_contains` available on a sqlite3 connection."""
    dbapi_conn.create_function(CONTAINS_SQL, -1, contains, deterministic=True)


__all__ = ["CONTAINS_SQL", "WIDE_CLASS", "caseless", "contains", "first_letter_forms", "fold", "has_wide", "narrow",
           "needs_fold", "pg_regex", "register_sqlite", "wide", "wide_forms"]
