"""What a search asks for: the query syntax of the search box, `-q/--search` and `q=`, parsed
without I/O (`db.filters` turns the clauses into SQL on both backends).

- Words and "quoted phrases" must all occur, in the title or the text (AND), in any case and in
  Simplified or Traditional spelling. A phrase keeps its inner spaces: `"world model"` is that
  phrase, `world model` two words anywhere.
- `OR` (upper case) or `|` between two of them: either will do. It binds before AND, as in web
  search: `sora OR 可灵 翻车` is (sora or 可灵) and 翻车.
- A leading `-` excludes: `-游戏`, `-"kingdom hearts"`.
- Chinese quotes work as "...": “世界模型”, 「世界模型」; a quote left open runs to the end.

Anything else is a literal term: `gen-4`, `c++`, `50%`, lower-case `or`. An `OR` with nothing to
join on either side, or beside an excluded term, joins nothing and is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

QUOTES = {'"': '"', "“": "”", "「": "」", "＂": "＂"}   # opening -> closing
OR_WORDS = ("OR", "|", "｜")


@dataclass(frozen=True)
class Clause:
    terms: tuple[str, ...]      # any of them occurs (a single term: it occurs)
    exclude: bool = False       # none of them occurs


@dataclass(frozen=True)
class _Token:
    text: str
    exclude: bool = False
    joins: bool = False         # an OR


def _tokens(q: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(q)
    while i < n:
        if q[i].isspace():
            i += 1
            continue
        exclude = q[i] == "-" and i + 1 < n and not q[i + 1].isspace()
        if exclude:
            i += 1
        if q[i] in QUOTES:
            close = q.find(QUOTES[q[i]], i + 1)
            end = n if close < 0 else close
            phrase = " ".join(q[i + 1:end].split())
            i = end + 1
            if phrase:
                out.append(_Token(phrase, exclude))
            continue
        start = i
        while i < n and not q[i].isspace():
            i += 1
        word = q[start:i]
        if word == "-":                 # a dash alone excludes nothing and finds nothing useful
            continue
        out.append(_Token(word, exclude=True) if exclude else _Token(word, joins=word in OR_WORDS))
    return out


def parse(q: str) -> tuple[Clause, ...]:
    """The clauses of a query, all of which must hold (see the module docstring)."""
    clauses: list[Clause] = []
    pending_or = False
    for tok in _tokens(q or ""):
        if tok.joins:
            pending_or = bool(clauses) and not clauses[-1].exclude
            continue
        if pending_or and not tok.exclude:
            last = clauses[-1]
            if tok.text not in last.terms:
                clauses[-1] = Clause(last.terms + (tok.text,))
        else:
            clauses.append(Clause((tok.text,), tok.exclude))
        pending_or = False
    unique: list[Clause] = []
    for c in clauses:
        if c not in unique:
            unique.append(c)
    return tuple(unique)


def literal(text: str) -> str:
    """A query that asks for every whitespace-separated word of `text` as it is: a word that
    would read as syntax (`OR`, `-x`, a quote) is quoted (the Themes page searches an evidence
    phrase, `-level sound`, this way)."""
    words = []
    for word in text.split():
        if word in OR_WORDS or word.startswith("-") or any(c in QUOTES or c in QUOTES.values()
                                                           for c in word):
            word = f'"{word}"' if '"' not in word else f"「{word}」"
        words.append(word)
    return " ".join(words)


__all__ = ["Clause", "OR_WORDS", "QUOTES", "literal", "parse"]
