"""Evidence entries that are the tagger's reasons, told apart from quotes of the text."""
from __future__ import annotations

import pytest

from ingest.tag import reasons
from ingest.tag.doc import normalize
from ingest.tag.engine import tag

FILM = ("AI视频正在冲击电影行业。多位导演表示，用可灵、即梦生成镜头后，特效和分镜的成本大幅下降，"
        "一些影视从业者担心片酬被压低。电影圈对AI短片的态度正在从抵触转向尝试。")
CASES = [
    ("星耀手机版网页登录", FILM, "zh"),                                     # title/body mismatch
    ("", "LuckyReels\nSPINORA\n500 FREE SPINS + 250%\nHow AI video models are changing ads\n"
         "Brands now brief a video model instead of a film crew. Runway and Veo clips are cut "
         "into ads within a day, and agencies are rethinking their rates.", "en"),  # casino offer line
    ("Sora, Veo, Kling and Runway compared",
     "We put Sora, Veo, Kling, Runway and Pika side by side: Kling won on motion, Veo on sound. "
     "The race between the video models is tight.", "en"),               # "N models" theme cue
    ("可灵、即梦、海螺、Vidu 横评", "可灵、即梦、海螺和Vidu四款AI视频模型同台比拼，可灵的画面最稳。", "zh"),
]


@pytest.mark.parametrize("title,text,lang", CASES)
def test_every_evidence_entry_is_a_quote_of_the_text_or_a_recognised_reason(title, text, lang):
    """What the real tagger stores: an entry not found in the text (both folded; a sentence may be
    cut with "…"; a lexicon phrase may be matched across spaces, "freespins") must be a reason."""
    tags = tag(title, text, lang)
    folded = "".join(normalize(f"{title}\n{text}").split())
    entries = [e for ev in tags.evidence.values() for e in ev]
    assert entries
    for e in entries:
        if reasons.is_reason(e):
            assert "".join(e.split()) not in folded
        else:
            assert "".join(normalize(e.rstrip("…"))[:40].split()) in folded, e


def test_the_cases_hold_both_kinds():
    reasons_seen = {e for case in CASES for ev in tag(*case).evidence.values() for e in ev
                    if reasons.is_reason(e)}
    assert "title/body mismatch" in reasons_seen
    assert "casino bonus offer line" in reasons_seen
    assert any(e.endswith(" models") for e in reasons_seen)


def test_every_reason_the_tagger_writes_is_recognised():
    for e in ("title/body mismatch", "pinyin after characters", "website-building keyword list",
              "source line naming a spam site (www.x.com)", "casino bonus offer line",
              "garbled latin (础滨 for AI)", "keyword in search-query form (sora 2 ai)", "3 models",
              "12 models"):
        assert reasons.is_reason(e), e


def test_phrases_are_not_reasons_even_near_a_reason():
    for e in ("股票配资", "casino bonus", "world models", "models", "3 models are out", "mismatch",
              "title/body mismatch!", "", "sora 2"):
        assert not reasons.is_reason(e), e


def test_split_keeps_order_and_reads_null_and_empty_lists():
    assert reasons.split(["a", "title/body mismatch", "b", "", "3 models"]) == (
        ["a", "b"], ["title/body mismatch", "3 models"])
    assert reasons.split(None) == ([], [])
    assert reasons.split([]) == ([], [])


def test_each_reason_has_one_wording_per_language_beside_its_pattern():
    """Before: the Chinese names lived in dashboard.i18n, a second list a new reason could miss."""
    import re

    samples = {"(\\d+) models": "4 models", "\\((.+)\\)": "(x.example)"}
    for pattern, zh, en in reasons.REASONS:
        entry = pattern.pattern
        for regex, sample in samples.items():
            entry = entry.replace(regex, sample)
        entry = entry.replace("\\", "")
        assert reasons.is_reason(entry), entry
        assert reasons.wording(entry, "en") == entry
        assert re.search(r"[\u4e00-\u9fff]", reasons.wording(entry, "zh").replace("础滨", "")), zh
        assert reasons.wording(entry, "zh") != entry
    assert reasons.wording("sora 2", "zh") == "sora 2"
