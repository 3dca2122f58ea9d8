"""db.search_syntax: what a search asks for (words, "phrases", OR, -exclusions), parsed purely."""
from __future__ import annotations

import pytest

from db.search_syntax import Clause, parse


def any_of(*terms: str) -> Clause:
    return Clause(terms)


def none_of(*terms: str) -> Clause:
    return Clause(terms, exclude=True)


@pytest.mark.parametrize("query, clauses", [
    ("可灵 翻车", (any_of("可灵"), any_of("翻车"))),
    ("sora OR 可灵 翻车", (any_of("sora", "可灵"), any_of("翻车"))),
    ("sora OR kling OR veo", (any_of("sora", "kling", "veo"),)),
    ("a | b ｜ c", (any_of("a", "b", "c"),)),
    ('"world model" -游戏', (any_of("world model"), none_of("游戏"))),
    ('-"kingdom hearts" sora', (none_of("kingdom hearts"), any_of("sora"))),
    ("“世界模型”  「AI   视频」", (any_of("世界模型"), any_of("AI 视频"))),
    ('"open ended', (any_of("open ended"),)),               # a quote left open runs to the end
    ("gen-4 c++ or 50%", (any_of("gen-4"), any_of("c++"), any_of("or"), any_of("50%"))),
    ("sora sora", (any_of("sora"),)),
    ("sora OR sora", (any_of("sora"),)),
])
def test_a_query_reads_as_clauses_that_must_all_hold(query, clauses):
    assert parse(query) == clauses


@pytest.mark.parametrize("query, clauses", [
    ("OR sora OR", (any_of("sora"),)),                       # nothing to join on one side
    ("a OR -b", (any_of("a"), none_of("b"))),                # an exclusion joins nothing
    ("-a OR b", (none_of("a"), any_of("b"))),
    ("- sora -", (any_of("sora"),)),                         # a dash alone is dropped
    ('"" sora “”', (any_of("sora"),)),                       # empty phrases too
    ("", ()),
    ("OR", ()),
])
def test_a_stray_operator_joins_nothing_and_is_no_term(query, clauses):
    assert parse(query) == clauses


def test_literal_asks_for_every_word_as_written_whatever_syntax_it_holds():
    import random

    from db.search_syntax import literal

    rng = random.Random(5)
    pieces = ["sora", "-level", "OR", "|", '"', "“", "」", "a-b", "可灵", "-", "x\"y", "「z」", "c++"]
    for _ in range(2000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        words = list(dict.fromkeys(text.split()))
        assert parse(literal(text)) == tuple(any_of(w) for w in words), text
