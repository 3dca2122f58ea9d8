"""db.search_syntax: what a search asks for (words, "phrases", OR, brackets, -exclusions), parsed
purely into an expression."""
from __future__ import annotations

import pytest

from db.search_syntax import All, Any, Not, Term, literal, parse, phrase, plain, terms


def t(*words: str):
    return tuple(Term(w) for w in words)


@pytest.mark.parametrize("query, expected", [
    ("可灵", Term("可灵")),
    ("可灵 翻车", All(t("可灵", "翻车"))),
    ("可灵 AND 翻车", All(t("可灵", "翻车"))),
    ("sora OR 可灵 翻车", All((Any(t("sora", "可灵")), Term("翻车")))),
    ("sora OR kling OR veo", Any(t("sora", "kling", "veo"))),
    ("a | b ｜ c", Any(t("a", "b", "c"))),
    ('"world model" -游戏', All((Term("world model"), Not(Term("游戏"))))),
    ('-"kingdom hearts" sora', All((Not(Term("kingdom hearts")), Term("sora")))),
    ("“世界模型”  「AI   视频」", All(t("世界模型", "AI 视频"))),
    ('"open ended', Term("open ended")),                      # a quote left open runs to the end
    ("gen-4 c++ or 50%", All(t("gen-4", "c++", "or", "50%"))),
    ("sora sora", Term("sora")),
    ("sora OR sora", Term("sora")),
    # brackets group
    ("(sora OR 可灵) (翻车 OR 穿帮)", All((Any(t("sora", "可灵")), Any(t("翻车", "穿帮"))))),
    ("(a b) OR c", Any((All(t("a", "b")), Term("c")))),
    ("-(游戏 OR 动漫) sora", All((Not(Any(t("游戏", "动漫"))), Term("sora")))),
    ("NOT 游戏 sora", All((Not(Term("游戏")), Term("sora")))),
    ("（可灵 OR kling） 翻车", All((Any(t("可灵", "kling")), Term("翻车")))),
    ("((a))", Term("a")),
    ("(a OR b", Any(t("a", "b"))),                             # a bracket left open runs to the end
    ("版本(2.1)", Term("版本(2.1)")),                           # a bracket inside a word is a letter
    ("a)", Term("a)")),                                        # ... and one that closes no group
    ("--a", Term("a")),                                        # not not a
])
def test_a_query_reads_as_an_expression(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("OR sora OR", Term("sora")),                              # nothing to join on one side
    ("a OR -b", Any((Term("a"), Not(Term("b"))))),
    ("- sora -", Term("sora")),                                # a dash alone is dropped
    ('"" sora “”', Term("sora")),                              # empty phrases too
    ("sora NOT", Term("sora")),
    ("() sora )", Term("sora")),
    ("", None),
    ("  ", None),
    ('"" “”', None),                                           # asks for nothing
])
def test_a_stray_operator_applies_to_nothing_and_is_no_term(query, expected):
    assert parse(query) == expected


@pytest.mark.parametrize("query, expected", [
    ("OR", Term("OR")),
    ("-", Term("-")),
    ("(", Term("(")),
    ("( OR )", All((Term("("), Term("OR"), Term(")")))),
    ("NOT", Term("NOT")),
])
def test_a_query_of_operators_alone_is_read_literally_not_as_every_story(query, expected):
    # before: "(" or "OR" asked nothing, and every story counted for it with no word said
    assert parse(query) == expected


def test_terms_tells_wanted_from_excluded_and_plain_tells_plain_words():
    node = parse('(sora OR 可灵) -"kingdom hearts" -(-翻车)')
    assert terms(node) == ["sora", "可灵", "翻车"]
    assert terms(node, wanted=False) == ["kingdom hearts"]
    assert plain(parse("可灵 翻车")) and plain(parse("可灵")) and plain(None)
    assert not plain(parse('"world model"')) and not plain(parse("a OR b")) and not plain(parse("-a"))


def test_literal_asks_for_every_word_as_written_whatever_syntax_it_holds():
    import random

    rng = random.Random(5)
    pieces = ["sora", "-level", "OR", "|", '"', "“", "」", "a-b", "可灵", "-", "x\"y", "「z」", "c++",
              "(", ")", "(a", "b)", "AND", "NOT", "（c）", "版本(2.1)"]
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        words = list(dict.fromkeys(text.split()))
        expected = Term(words[0]) if len(words) == 1 else All(tuple(Term(w) for w in words))
        assert parse(literal(text)) == expected, text


def test_phrase_asks_for_the_whole_text_as_one_term_whatever_syntax_it_holds():
    # the Themes page's drill-down searches an evidence phrase itself (its spacing is loose)
    for text in ("world model", "-level sound", "sora OR 可灵", '"quoted" (aside)', "a “b” 「c」",
                 "  spaced \n out  ", "可灵ai"):
        assert parse(phrase(text)) == Term(" ".join(text.split())), text
    assert parse(phrase('"a" “b” 「c」 ＂d＂')) == parse(literal('"a" “b” 「c」 ＂d＂'))  # every quote taken
    assert phrase("") == phrase("   ") == ""
