"""Where a search term must meet the edges of words: "wan" finds Wan 2.2, not "want".

A term that starts or ends with a letter of an alphabet (Latin, Greek, Cyrillic; full-width Latin
too) or with a digit matches only where the text does not run on past it in the same kind:
- a letter edge: no such letter beside it ("art" is not in "start" or "artists"); a digit or a
  Chinese character may touch it ("sora" finds "Sora2", "ai" finds "可灵AI视频");
- a digit edge: no digit beside it ("Sora 2" is not "Sora 20"); a letter may touch it.
Chinese characters have no word edges: a Chinese term is found anywhere, as before, and so is a
term in a script without spaces between words, or one that starts or ends with a mark ("c++").

A `*` at either end of a term opens that edge: `model*` finds "models", `*wan*` any text holding
"wan". A `*` alone, or inside a term, is itself.

`db.filters` matches a bounded term with `bounded(regex, ...)` (PostgreSQL's `~`, Python's `re`
for SQLite's `aw_match`: both read the look-behind and look-ahead alike); the dashboard's
highlighter marks the same places.
"""
from __future__ import annotations

import re
from typing import NamedTuple

WILDCARD = "*"
# letters of the alphabets whose words are spaced, spelt out so that both backends mean the same
# class whatever their locale: ASCII, Latin-1 and Latin Extended, IPA, Greek, Cyrillic, Latin
# Extended Additional, full-width Latin
LETTERS = ("A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02af\u0370-\u03ff"
           "\u0400-\u052f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a")
DIGITS = "0-9\uff10-\uff19"
_LETTER, _DIGIT = "letter", "digit"
_IS_LETTER, _IS_DIGIT = re.compile(f"[{LETTERS}]"), re.compile(f"[{DIGITS}]")


def kind(ch: str) -> str | None:
    """"letter", "digit" or None (no word edge: a Chinese character, a mark, another script)."""
    if _IS_LETTER.fullmatch(ch):
        return _LETTER
    if _IS_DIGIT.fullmatch(ch):
        return _DIGIT
    return None


class Edges(NamedTuple):
    core: str               # the term without its wildcards
    left: str | None        # the kind the text must not have right before a match, or None
    right: str | None       # the kind the text must not have right after a match, or None

    @property
    def bounded(self) -> bool:
        return bool(self.left or self.right)


def edges(term: str) -> Edges:
    """The term's core and the word edges a match of it must meet."""
    open_left = open_right = False
    core = term
    if len(core) > 1 and core.startswith(WILDCARD):
        core, open_left = core[1:], True
    if len(core) > 1 and core.endswith(WILDCARD):
        core, open_right = core[:-1], True
    if not core.strip():
        return Edges(term, None, None)
    return Edges(core, None if open_left else kind(core[0]), None if open_right else kind(core[-1]))


def _class(edge: str) -> str:
    return LETTERS if edge == _LETTER else DIGITS


def bounded(regex: str, left: str | None, right: str | None) -> str:
    """`regex` (a match of the core) that meets the given edges."""
    before = f"(?<![{_class(left)}])" if left else ""
    after = f"(?![{_class(right)}])" if right else ""
    return f"{before}(?:{regex}){after}" if before or after else regex


__all__ = ["DIGITS", "Edges", "LETTERS", "WILDCARD", "bounded", "edges", "kind"]
