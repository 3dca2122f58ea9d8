"""The JSONL tagging contract and the engine's public surface."""
from __future__ import annotations

import io
import json

from ingest.tag.engine import TAGGER_VERSION, tag, tag_doc
from ingest.tag.doc import make_doc
from ingest.tag.jsonl import OUTPUT_FIELDS, tag_stream
from ingest.types import Tags

GOOD = [
    {"id": "a", "title": "OpenAI launches Sora 2", "text": "The text-to-video model has an app."},
    {"id": "b", "title": "可灵AI发布2.1版本", "text": "视频生成效果提升，支持1080P。", "lang": "zh"},
]


def run(lines: list[str]) -> tuple[list[dict], int, list[str]]:
    out = io.StringIO()
    n, errors = tag_stream(io.StringIO("".join(lines)), out)
    return [json.loads(line) for line in out.getvalue().splitlines()], n, errors


def test_output_has_every_field_with_its_type():
    records, n, errors = run([json.dumps(x, ensure_ascii=False) + "\n" for x in GOOD])
    assert n == 2 and errors == []
    for rec in records:
        assert tuple(rec) == OUTPUT_FIELDS
        assert isinstance(rec["relevant"], bool) and isinstance(rec["spam"], bool)
        assert isinstance(rec["models"], list) and isinstance(rec["themes"], list)
        assert isinstance(rec["keywords"], list) and len(rec["keywords"]) <= 8
        assert rec["sentiment"] in ("positive", "neutral", "negative")
        assert isinstance(rec["sentiment_score"], float) and -1 <= rec["sentiment_score"] <= 1
        assert all(isinstance(v, list) for v in rec["evidence"].values())
    assert [r["id"] for r in records] == ["a", "b"]
    assert records[0]["lang"] == "en" and records[1]["lang"] == "zh"
    assert "sora" in records[0]["models"] and "kling" in records[1]["models"]


def test_output_keeps_chinese_unescaped():
    out = io.StringIO()
    tag_stream(io.StringIO(json.dumps(GOOD[1], ensure_ascii=False) + "\n"), out)
    assert "可灵" in out.getvalue()


def test_bad_line_is_reported_with_its_number_and_the_rest_tagged():
    lines = [json.dumps(GOOD[0]) + "\n", "{not json\n", "\n", '["a list"]\n',
             json.dumps({"id": "c", "title": 5}) + "\n", json.dumps(GOOD[1]) + "\n"]
    records, n, errors = run(lines)
    assert n == 2 and [r["id"] for r in records] == ["a", "b"]
    assert len(errors) == 3
    assert errors[0].startswith("line 2:") and "JSON" in errors[0]
    assert errors[1].startswith("line 4:")
    assert errors[2].startswith("line 5:") and "title" in errors[2]


def test_missing_id_uses_the_line_number():
    records, _, _ = run([json.dumps({"title": "Veo 3 is here", "text": "AI video with sound."}) + "\n"])
    assert records[0]["id"] == 1


def test_tag_returns_tags_with_version():
    tags = tag("Runway Gen-4 is out", "The AI video model keeps characters consistent.")
    assert isinstance(tags, Tags) and tags.version == TAGGER_VERSION
    assert "+" in TAGGER_VERSION      # engine version + hash of the lexicon files


def test_tag_doc_equals_tag():
    doc = make_doc("Kling 2.1 review", "The AI video looks great.", "en")
    assert tag_doc(doc) == tag("Kling 2.1 review", "The AI video looks great.", "en")


def test_keywords_come_from_the_text():
    tags = tag("可灵AI发布视频生成模型", "可灵视频生成模型支持高清视频。可灵用户增长很快。", "zh")
    assert "可灵" in tags.keywords or "可灵ai" in tags.keywords
    en = tag("Sora app tops the App Store", "The Sora app lets users make AI video cameos. "
                                           "Sora app downloads keep rising.")
    assert any("sora" in k for k in en.keywords)
    assert "the" not in en.keywords


def test_empty_input_is_irrelevant_and_quiet():
    tags = tag("", "")
    assert not tags.relevant and tags.models == () and tags.themes == ()


def test_contract_evidence_is_keyed_by_the_reported_models_and_themes_only():
    from io import StringIO

    from ingest.tag.jsonl import tag_stream

    src = StringIO('{"id": "x", "title": "Sora 2 deepfakes alarm regulators", '
                   '"text": "OpenAI\'s Sora 2 video model made fake clips of politicians that spread on social '
                   'media, and regulators called for mandatory watermarks on AI-generated video."}\n')
    out = StringIO()
    tag_stream(src, out)
    import json

    rec = json.loads(out.getvalue())
    assert rec["models"] == ["sora"]
    assert set(rec["evidence"]) <= set(rec["models"]) | set(rec["themes"])
    assert all(isinstance(v, list) and v and all(isinstance(p, str) for p in v) for v in rec["evidence"].values())


def test_lines_that_are_not_utf8_or_hold_a_lone_surrogate_or_a_bom_lose_nothing_else():
    # Before: a line with "\ud800" (valid JSON) raised UnicodeEncodeError in the tagger and a line
    # of GBK bytes raised UnicodeDecodeError, both with a traceback and no output after them; a
    # UTF-8 BOM (Windows editors) made line 1 "not valid JSON".
    lines = [b"\xef\xbb\xbf" + json.dumps(GOOD[0]).encode() + b"\n",
             '{"id": "gbk", "title": "可灵AI发布", "text": "视频生成"}\n'.encode("gbk"),
             b'{"id": "cut", "title": "Sora 2 clip \\ud83d", "text": "An AI video of a cat."}\n',
             json.dumps(GOOD[1], ensure_ascii=False).encode() + b"\n"]
    out = io.StringIO()
    n, errors = tag_stream(io.BytesIO(b"".join(lines)), out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == 3 and [r["id"] for r in records] == ["a", "cut", "b"]
    assert len(errors) == 1 and errors[0].startswith("line 2: not UTF-8 (")
    assert records[1]["models"] == ["sora"]


def test_markup_is_stripped_as_ingest_strips_it_and_the_tags_are_those_of_the_clean_text():
    # Before: "<script>alert(1)</script>" gave the keywords "script" and "alert".
    item = {"id": "h", "title": "Sora <b>video</b> &amp; audio",
            "text": "<script>alert(1)</script><p>OpenAI's <i>Sora</i> video model makes clips.</p>"
                    "<style>p { color: red }</style><p>Creators&#39; clips.</p>"}
    [rec], n, errors = run([json.dumps(item) + "\n"])
    assert n == 1 and errors == []
    words = " ".join(rec["keywords"] + [p for v in rec["evidence"].values() for p in v])
    assert not {"script", "alert", "style", "color", "red", "amp", "39"} & set(words.split())
    from ingest.normalize import clean_text        # what ingest stores of the same entry
    from ingest.textclean import clean_title

    clean = tag(clean_title(item["title"]), clean_text(item["text"]))
    assert rec["keywords"] == list(clean.keywords) and rec["models"] == list(clean.models) == ["sora"]


def test_an_item_of_white_space_or_markup_only_is_an_empty_item():
    # Before: a title and text of white space were tagged (an item with no words).
    lines = [json.dumps({"id": "ws", "title": " \t ", "text": "\n\u3000 \n"}) + "\n",
             json.dumps({"id": "tags", "title": "<br>", "text": "<p> </p>"}) + "\n",
             json.dumps(GOOD[0]) + "\n"]
    records, n, errors = run(lines)
    assert n == 1 and [r["id"] for r in records] == ["a"]
    assert errors == ["line 1: both 'title' and 'text' are empty",
                      "line 2: both 'title' and 'text' are empty"]
