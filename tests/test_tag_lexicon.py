"""Phrase matching (ingest.tag.lexicon.Matcher): the phrase syntax every lexicon file relies on."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ingest.tag.lexicon import Matcher, matching_form, regex_prefixes

DATA = Path(__file__).parent / "data"


def found(matcher: Matcher, text: str) -> list[tuple[str, tuple]]:
    return [(hit[2], hit[4]) for hit in matcher.scan(text)]


def test_matching_form_marks_word_edges_and_unifies_separators():
    assert matching_form("sora 2-pro") == "\x02sora\x02 \x022\x02 \x02pro\x02"
    assert matching_form("可灵ai视频") == "可灵\x02ai\x02视频"
    assert matching_form("a_b\tc\nd") == "\x02a\x02 \x02b\x02 \x02c\x02 \x02d\x02"
    assert len(matching_form("no marks here")) == len("no marks here") + 6


def test_separators_in_a_phrase_match_none_or_one_separator():
    m = Matcher([("gen-3 alpha", "runway")])
    for text in ("gen-3 alpha", "gen3alpha", "gen 3 alpha", "gen_3-alpha", "Gen3 Alpha".lower()):
        assert found(m, text) == [(text, ("runway",))], text
    assert found(m, "gen  3 alpha") == []          # two separators are not one


def test_latin_phrases_match_whole_words_only():
    m = Matcher([("ai", 1), ("pika", 2)])
    assert found(m, "said again, pikachu") == []
    assert found(m, "ai视频 and pika.") == [("ai", (1,)), ("pika", (2,))]


def test_a_discarded_mid_word_match_no_longer_hides_a_real_word():
    # "ai video" inside "thai video" is no match, and it does not swallow "video"
    m = Matcher([("ai video", "strong"), ("video", "weak")])
    assert found(m, "thai video") == [("video", ("weak",))]


def test_trailing_star_drops_the_right_boundary():
    m = Matcher([("layoff*", "jobs"), ("cut", "jobs")])
    assert found(m, "layoffs and cuts") == [("layoff", ("jobs",))]


def test_han_and_latin_may_be_joined_by_one_space():
    m = Matcher([("可灵ai", "kling")])
    assert [h[2] for h in m.scan("可灵ai 和 可灵 ai")] == ["可灵ai", "可灵 ai"]


def test_the_longest_phrase_at_the_leftmost_position_wins():
    m = Matcher([("ai视频", "a"), ("ai 视频生成", "b"), ("视频", "c"), ("视频生成工具", "d")])
    # Latin-initial and other phrases are searched separately: each side's own matches are
    # disjoint, the two sides' may overlap
    assert found(m, "ai视频生成工具") == [("ai视频生成", ("b",)), ("视频生成工具", ("d",))]


def test_offsets_point_into_the_original_text():
    m = Matcher([("veo 3", "veo"), ("即梦", "jimeng")])
    text = "谷歌 veo-3 与即梦, veo 3!"
    for start, end, match, key, _ in m.scan(text):
        assert text[start:end] == match
        assert key in ("veo3", "即梦")
    assert [h[2] for h in m.scan(text)] == ["veo-3", "veo 3", "即梦"]


def test_one_phrase_may_carry_several_payloads():
    m = Matcher([("deepfake", "misinformation"), ("deepfake*", "weak")])
    assert found(m, "a deepfake") == [("deepfake", ("misinformation", "weak"))]


@pytest.mark.parametrize("pattern, prefixes", [
    (r"(?:ai|aigc|人工智能)[^。]{0,15}(?:短片|广告)", {"ai", "aigc", "人工智能"}),
    (r"多(?:出|了)(?:了)?一", {"多出", "多了"}),
    (r"\$\d+", {"$"}),
    (r"[^a]b", None),
    (r"\w+ally", None),
    (r"(?i)sora", None),
])
def test_regex_prefixes_are_what_every_match_starts_with(pattern, prefixes):
    got = regex_prefixes(pattern)
    assert (set(got) if got is not None else None) == prefixes


def _texts() -> list[str]:
    from ingest.tag.doc import normalize

    out = []
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out.append(normalize(f"{item.get('title', '')}\n{item.get('text', '')}"))
    return out


def test_raw_regexes_find_what_a_plain_finditer_finds_over_the_dev_texts():
    """The literal-prefix prefilter only skips regexes that cannot match."""
    from ingest.tag import relevance, themes

    texts = _texts()
    assert len(texts) > 300
    for matcher in (relevance._lexicon().signals, themes._lexicon().cues):
        checked = 0
        for scan in matcher._scans:
            if scan.raw is None:
                continue
            payload = (matcher._raw_payloads[scan.raw],)
            for text in texts:
                hits = {(h[0], h[1]) for h in matcher.scan(text) if h[4] == payload
                        and re.fullmatch(scan.regex, h[2])}
                plain = {(m.start(), m.end()) for m in scan.regex.finditer(text)
                         if not (m.start() and scan.raw in matcher._raw_bounded
                                 and text[m.start() - 1].isascii() and text[m.start() - 1].isalnum()
                                 and m.group()[:1].isascii() and m.group()[:1].isalnum())}
                assert plain <= hits, (scan.regex.pattern, text[:80])
                checked += bool(plain)
        assert checked > 0


def test_ascii_text_still_finds_phrases_that_start_with_punctuation():
    m = Matcher([("$/month", "price"), ("会员", "price"), ("#sora", "tag")])
    assert [h[2] for h in m.scan("only $/month for #sora fans")] == ["$/month", "#sora"]
    assert [h[2] for h in m.scan("会员 $/month")] == ["会员", "$/month"]


def test_regex_requirements_name_the_literals_every_match_contains():
    from ingest.tag.lexicon import regex_requirements

    req = regex_requirements(r"(?:lost|losing)\b[^.!?]{0,30}\b(?:jobs?|clients)\b")
    assert [set(r) for r in req] == [{"lost", "losing"}, {"job", "clients"}]
    # a short Latin literal filters nothing, two Han characters do
    assert [set(r) for r in regex_requirements(r"(?:ai|aigc)[^。]{0,9}(?:短剧|ad)")] == [{"ai", "aigc"}]
    assert [set(r) for r in regex_requirements(r"(?:ai|aigc)[^。]{0,9}(?:短剧|剧集)")] == \
        [{"ai", "aigc"}, {"短剧", "剧集"}]
    assert regex_requirements(r"[^a]b") == ()
