"""Keywords are phrases of the item's text: never two words glued across punctuation, never a
word cut at an accented letter."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.tag.doc import make_doc
from ingest.tag.engine import tag_doc
from ingest.tag.keywords import keywords

DATA = Path(__file__).resolve().parent / "data"
LABELLED = ("devset_en.jsonl", "devset_zh.jsonl", "devset_hard.jsonl", "holdout.jsonl")


def folded(text: str) -> str:
    """The tagger's matching form with white space collapsed, where evidence is looked for."""
    return " ".join(text.split())


def test_a_bigram_never_spans_punctuation():
    doc = make_doc("Veo 3: images, audio, video",
                   "Veo 3 makes images, audio and video. Images, audio; images. Audio again.", "en")
    found = keywords(doc)
    assert "images audio" not in found
    assert {"images", "audio"} <= set(found)


def test_filler_words_are_no_keywords():
    # Before: the Keywords page's English column ranked "actually", "top", "tested" and "held" as
    # rising terms beside the models and topics they were said of.
    doc = make_doc("Tested: Runway Gen-4 actually holds a face",
                   "We actually tested Runway Gen-4 on top of our usual prompts. Faces held; hands "
                   "actually melted. The top clips were tested again and held up. Basically good.", "en")
    found = set(keywords(doc))
    assert not found & {"actually", "top", "tested", "held", "basically"}, found
    assert {"runway", "faces"} & found, found


def test_a_bigram_of_words_parted_by_spaces_is_kept():
    doc = make_doc("William Hill and Sora", "William Hill posts a Sora video. William Hill again.", "en")
    assert "william hill" in keywords(doc)


def test_an_accented_word_is_one_keyword():
    doc = make_doc("Pokémon Sora", "A Pokémon clip. Pokémon fans, Pokémon cards.", "en")
    found = keywords(doc)
    assert "pokémon" in found
    assert not {"pok", "mon", "pok mon"} & set(found)


def _labelled():
    for name in LABELLED:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            yield item["id"], item.get("title") or "", item.get("text") or "", item.get("lang")


def test_keywords_and_sentiment_evidence_of_the_labelled_sets_occur_in_their_texts():
    missing = []
    for item_id, title, text, lang in _labelled():
        doc = make_doc(title, text, lang)
        tags = tag_doc(doc)
        hay = folded(doc.norm)
        phrases = [("keyword", p) for p in tags.keywords]
        phrases += [(kind, p) for kind in ("sentiment", "relevance", *tags.models)
                    for p in tags.evidence.get(kind, ())]
        missing += [(item_id, kind, p) for kind, p in phrases if folded(p) not in hay]
    assert missing == []


@pytest.mark.parametrize("title,text", [("", "Pokémon"), ("Café, bar", "")])
def test_keywords_of_short_accented_items(title, text):
    doc = make_doc(title, text, "en")
    assert all(folded(k) in folded(doc.norm) for k in keywords(doc))


@pytest.mark.parametrize("lang, title, text, dates", [
    ("en", "Monday: Sora 2 opens in Japan",
     "On Monday OpenAI opened Sora 2 in Japan. By Tuesday the Sora 2 app topped the charts; in "
     "October it reached Korea, and on Friday Sora 2 cameos went viral. Monday again: Sora 2 cameos.",
     {"monday", "tuesday", "october", "friday"}),
    ("zh", "周一可灵上线新功能",
     "周一快手可灵上线新功能。星期二可灵用户激增，周末可灵再次刷屏，上午可灵服务器一度排队，下午可灵恢复。",
     {"周一", "星期二", "周末", "上午", "下午"}),
])
def test_day_and_month_names_are_no_keywords(lang, title, text, dates):
    # Before: "monday" stood among the demo's rising English terms: a date, not a topic.
    found = set(keywords(make_doc(title, text, lang)))
    assert not found & dates, found
    assert {"sora", "可灵"} & found, found
