"""What a search asks for: the query syntax of the search box, `-q/--search` and `q=`, parsed
without I/O into a small expression (`db.filters` turns it into SQL on both backends).

- Words and "quoted phrases" must all occur, in the title or the text (AND), in any case and in
  Simplified or Traditional spelling; one that starts or ends with a letter or a digit as a whole
  word there (`db.wordedge`: "wan" is not "want"), unless a `*` at that end opens it ("model*"). A phrase keeps its inner spaces: `"world model"` is that
  phrase (with any white space between its words in the text, `db.spacing`), `world model` two
  words anywhere. `AND` may be written; it changes nothing.
- `OR` (upper case) or `|` between two of them: either will do. It binds before AND, as in web
  search: `sora OR 可灵 翻车` is (sora or 可灵) and 翻车.
- Parentheses group: `(sora OR 可灵) (翻车 OR 穿帮)`, `(a b) OR c`.
- A leading `-` (or `NOT`) excludes: `-游戏`, `-"kingdom hearts"`, `-(游戏 OR 动漫)`.
- Chinese quotes and brackets work as "..." and ( ): “世界模型”, 「世界模型」, （…）. A quote or a
  bracket left open runs to the end.

Anything else is a literal term: `gen-4`, `c++`, `50%`, `版本(2.1)` (a bracket inside a word), lower-
case `or`. An operator with nothing to apply to is dropped; a query of operators alone is read
literally (`OR` looks for "or", `(` for a bracket).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

QUOTES = {'"': '"', "“": "”", "「": "」", "＂": "＂"}   # opening -> closing
OPEN, CLOSE = ("(", "（"), (")", "）")
OR_WORDS = ("OR", "|", "｜")
AND_WORDS = ("AND",)
NOT_WORDS = ("NOT",)


@dataclass(frozen=True)
class Term:
    text: str                   # occurs in the title or the text


@dataclass(frozen=True)
class All:
    parts: tuple[Node, ...]     # every part holds


@dataclass(frozen=True)
class Any:
    parts: tuple[Node, ...]     # one part holds at least


@dataclass(frozen=True)
class Not:
    part: Node                  # the part does not hold


Node = Union[Term, All, Any, Not]


def _tokens(q: str) -> list[tuple[str, str]]:
    """(kind, text): kind is word, phrase, not, or, and, open or close."""
    out: list[tuple[str, str]] = []
    depth = 0
    i, n = 0, len(q)
    while i < n:
        if q[i].isspace():
            i += 1
            continue
        if q[i] == "-" and i + 1 < n and not q[i + 1].isspace():
            out.append(("not", "-"))
            i += 1
            continue
        if q[i] in OPEN:
            out.append(("open", q[i]))
            depth += 1
            i += 1
            continue
        if q[i] in QUOTES:
            close = q.find(QUOTES[q[i]], i + 1)
            end = n if close < 0 else close
            phrase = " ".join(q[i + 1:end].split())
            i = end + 1
            if phrase:
                out.append(("phrase", phrase))
            continue
        start = i
        while i < n and not q[i].isspace():
            i += 1
        word = q[start:i]
        closes = 0                      # brackets that close open groups at the word's end
        while word and word[-1] in CLOSE and closes < depth:
            word, closes = word[:-1], closes + 1
        if word in OR_WORDS:
            out.append(("or", word))
        elif word in AND_WORDS:
            out.append(("and", word))
        elif word in NOT_WORDS:
            out.append(("not", word))
        elif word and word != "-" and not all(c in CLOSE for c in word):   # a lone dash or bracket
            out.append(("word", word))
        out.extend([("close", ")")] * closes)
        depth -= closes
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def all_of(self, nested: bool) -> Node | None:
        parts: list[Node] = []
        while (kind := self.peek()) is not None:
            if kind == "close":
                self.pos += 1
                if nested:
                    break
                continue                # a stray closing bracket
            if kind in ("or", "and"):
                self.pos += 1           # AND is the default; an OR with nothing before it
                continue
            part = self.any_of()
            if part is not None:
                parts.append(part)
        return _join(All, parts)

    def any_of(self) -> Node | None:
        parts = [self.unary()]
        while self.peek() == "or":
            self.pos += 1
            if self.peek() in (None, "close", "or", "and"):
                break
            parts.append(self.unary())
        return _join(Any, [p for p in parts if p is not None])

    def unary(self) -> Node | None:
        kind, text = self.tokens[self.pos]
        self.pos += 1
        if kind == "not":
            if self.peek() in (None, "close", "or", "and"):
                return None
            inner = self.unary()
            return None if inner is None else (inner.part if isinstance(inner, Not) else Not(inner))
        if kind == "open":
            return self.all_of(nested=True)
        return Term(text)               # a word or a phrase


def _join(kind, parts: list[Node]) -> Node | None:
    """`kind`(parts) flattened (a part of the same kind gives its own parts), without repeats;
    one part alone is itself; none is None."""
    flat: list[Node] = []
    for p in parts:
        for q in (p.parts if isinstance(p, kind) else (p,)):
            if q not in flat:
                flat.append(q)
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def parse(q: str) -> Node | None:
    """The expression a query asks for (see the module docstring); None when it asks nothing.
    A query of operators alone (`(`, `OR`, `-`, `NOT`) is read literally, its words as terms: it
    asked for something, and counting every story for it would hide that nothing was read."""
    tokens = _tokens(q or "")
    node = _Parser(tokens).all_of(nested=False) if tokens else None
    if node is None:
        quotes = set(QUOTES) | set(QUOTES.values())
        node = _join(All, [Term(w) for w in (q or "").split() if not set(w) <= quotes])
    return node


def terms(node: Node | None, *, wanted: bool = True) -> list[str]:
    """The terms that make a story match (`wanted`), or those that exclude it: each once, in order."""
    out: list[str] = []

    def walk(n: Node, positive: bool) -> None:
        if isinstance(n, Term):
            if positive == wanted and n.text not in out:
                out.append(n.text)
        elif isinstance(n, Not):
            walk(n.part, not positive)
        else:
            for p in n.parts:
                walk(p, positive)

    if node is not None:
        walk(node, True)
    return out


def plain(node: Node | None) -> bool:
    """True when the query is words that must all occur (no OR, phrase, bracket or exclusion)."""
    parts = node.parts if isinstance(node, All) else (() if node is None else (node,))
    return all(isinstance(p, Term) and " " not in p.text for p in parts)


def literal(text: str) -> str:
    """A query that asks for every whitespace-separated word of `text` as it is: a word that
    would read as syntax (`OR`, `-x`, a bracket at its edge, a quote) is quoted (the Themes page
    searches an evidence phrase, `-level sound`, this way)."""
    words = []
    for word in text.split():
        if (word in OR_WORDS + AND_WORDS + NOT_WORDS or word.startswith(("-", *OPEN))
                or word.endswith(CLOSE)
                or any(c in QUOTES or c in QUOTES.values() for c in word)):
            word = f'"{word}"' if '"' not in word else f"「{word}」"
        words.append(word)
    return " ".join(words)


def phrase(text: str) -> str:
    """A query that asks for `text` as one phrase (its words in that order; the spacing is loose,
    `db.spacing`), quoted with the first of QUOTES whose closing mark it does not hold; when it
    holds every one, `literal` (each word apart). "" for a text without words."""
    words = " ".join(text.split())
    for opening, closing in QUOTES.items():
        if closing not in words:
            return f"{opening}{words}{closing}" if words else ""
    return literal(words)


__all__ = ["All", "Any", "Node", "Not", "OR_WORDS", "QUOTES", "Term", "literal", "parse", "phrase", "plain",
           "terms"]
