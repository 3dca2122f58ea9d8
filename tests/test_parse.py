"""ingest.parse: verified decoding and feed parsing.

Golden feeds live in tests/data/feeds as ``name.xml`` + ``name.expect.json`` (one parametrized
test runs them all through parse_feed and normalize_entry; a new bug gets a new file). Corpus
tests read the real captures in /work/shared/corpus/feeds (see its README) and skip without it.
"""
from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

import pytest

from ingest import parse
from ingest.normalize import Rejected, normalize_entry
from ingest.parse import FeedDecodeError, FeedParseError, decode_feed, han_score, parse_feed
from ingest.types import FailureClass, Item, ParsedFeed, Source

FEEDS = Path(__file__).parent / "data" / "feeds"
GOLDEN = sorted(p for p in FEEDS.iterdir() if p.suffix in (".xml", ".html"))

CORPUS = Path(os.environ.get("AIGCWATCH_CORPUS", "/work/shared/corpus/feeds"))
CORPUS_FILES = sorted(CORPUS.glob("*.xml")) if CORPUS.is_dir() else []
# Per the corpus README: the truncated Reuters capture has no recoverable entry.
CORPUS_UNPARSEABLE = {"en-reuters-malformed.xml"}
MOJIBAKE = re.compile(r"Ã|Â|â€|锟斤拷|ï¿½|Ð|[\x80-\x9f]")


def _expectation(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".expect.json").read_text("utf-8"))


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


def test_every_golden_feed_has_an_expectation_file():
    assert GOLDEN
    missing = [p.name for p in GOLDEN if not p.with_name(p.stem + ".expect.json").exists()]
    assert missing == []


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_golden_feed_parses_and_normalises_as_expected(path: Path):
    expect = _expectation(path)
    body = path.read_bytes()
    options = {"content_type": expect.get("content_type"), "base_url": expect.get("base_url")}
    if "error" in expect:
        with pytest.raises(getattr(parse, expect["error"])) as info:
            parse_feed(path.stem, body, **options)
        assert expect.get("error_contains", "") in str(info.value)
        assert info.value.source_id == path.stem
        return
    feed = parse_feed(path.stem, body, **options)
    if "encoding" in expect:
        assert feed.encoding == expect["encoding"]
    if "feed_title" in expect:
        assert feed.title == expect["feed_title"]
    if "warnings_contain" in expect:
        assert any(expect["warnings_contain"] in w for w in feed.warnings), feed.warnings
    else:
        assert feed.warnings == ()
    source = Source(id=path.stem, name=path.stem, kind="rss", url=expect.get("base_url") or "",
                    **expect.get("source", {}))
    fetched_at = datetime.fromisoformat(expect.get("fetched_at", "2024-01-01T00:00:00+00:00"))
    results = [normalize_entry(e, source, fetched_at) for e in feed.entries]
    assert len(results) == len(expect["entries"])
    for i, (got, want) in enumerate(zip(results, expect["entries"])):
        if "rejected" in want:
            assert got == Rejected(want["rejected"]), f"entry {i}"
            continue
        assert isinstance(got, Item), f"entry {i}: {got}"
        assert {k: _jsonable(getattr(got, k)) for k in want} == want, f"entry {i}"


# --- decode_feed -----------------------------------------------------------------------------

ZH = "视频生成模型正在快速发展，国内外公司都在发布新的产品。"


def _doc(text: str, decl: str | None = None) -> str:
    head = f'<?xml version="1.0" encoding="{decl}"?>' if decl else ""
    return f"{head}<rss><channel><title>{text}</title></channel></rss>"


def test_utf8_bom_wins_over_a_wrong_declaration():
    body = b"\xef\xbb\xbf" + _doc(ZH, "gb2312").encode("utf-8")
    text, encoding = decode_feed(body, None)
    assert encoding == "utf-8" and ZH in text


def test_http_charset_wins_over_the_xml_declaration():
    body = _doc(ZH, "utf-8").encode("gb18030")
    text, encoding = decode_feed(body, "application/rss+xml; charset=GBK")
    assert encoding == "gb18030" and ZH in text


def test_xml_declaration_overrides_a_latin1_http_default():
    body = _doc(ZH, "gb2312").encode("gbk")
    text, encoding = decode_feed(body, "text/xml; charset=ISO-8859-1")
    assert encoding == "gb18030" and ZH in text


def test_gb2312_declaration_decodes_gbk_only_characters_via_gb18030():
    body = _doc("朱镕基与陶喆", "GB2312").encode("gbk")
    assert decode_feed(body, None) == (_doc("朱镕基与陶喆", "GB2312"), "gb18030")


def test_utf8_bytes_declared_gbk_are_read_as_utf8():
    body = _doc(ZH, "gbk").encode("utf-8")
    text, encoding = decode_feed(body, None)
    assert encoding == "utf-8" and ZH in text


def test_big5_bytes_are_told_apart_from_gbk_by_common_characters():
    trad = "視頻生成模型正在快速發展，國內外公司都在發佈新的產品。"
    text, encoding = decode_feed(_doc(trad).encode("big5"), None)
    assert encoding == "big5hkscs" and trad in text
    text, encoding = decode_feed(_doc(ZH).encode("gbk"), None)
    assert encoding == "gb18030" and ZH in text


def test_latin1_declaration_with_utf8_bytes_is_read_as_utf8():
    body = _doc("Café – naïve", "ISO-8859-1").encode("utf-8")
    text, encoding = decode_feed(body, None)
    assert encoding == "utf-8" and "Café – naïve" in text


def test_latin1_declaration_with_plain_latin1_bytes_stays_latin1():
    body = _doc("Notícias do Tribunal", "ISO-8859-1").encode("latin-1")
    text, encoding = decode_feed(body, None)
    assert encoding == "iso-8859-1" and "Notícias do Tribunal" in text


def test_a_stray_invalid_byte_in_a_utf8_document_is_replaced_not_fatal():
    body = _doc("A long English title about video models", "utf-8").encode() + b"\xa9"
    text, encoding = decode_feed(body, None)
    assert encoding == "utf-8" and text.endswith("\ufffd")


def test_binary_garbage_raises_feed_decode_error_with_a_one_line_reason():
    body = bytes(range(128, 256)) * 64
    with pytest.raises(FeedDecodeError) as info:
        decode_feed(body, None)
    assert info.value.error_class is FailureClass.DECODE
    assert "\n" not in info.value.one_line()


def test_empty_body_raises_feed_decode_error():
    with pytest.raises(FeedDecodeError, match="empty body"):
        parse_feed("s", b"")


def test_han_score_separates_chinese_from_mojibake():
    assert han_score(ZH)[0] > 0.6
    assert han_score(ZH.encode("utf-8").decode("gb18030", "replace"))[0] < 0.2


def test_parse_feed_returns_parsed_feed_with_source_id_on_every_entry():
    body = (FEEDS / "rss1-rdf.xml").read_bytes()
    feed = parse_feed("wire", body)
    assert isinstance(feed, ParsedFeed)
    assert feed.source_id == "wire" and all(e.source_id == "wire" for e in feed.entries)
    assert feed.entries[0].updated == "2024-06-03T07:45:00-04:00"   # raw string kept


def test_parse_feed_keeps_raw_date_strings_not_feedparsers_reformatting():
    body = (FEEDS / "rss2-naive-dates-shanghai.xml").read_bytes()
    raws = [e.published for e in parse_feed("s", body).entries]
    assert raws[:2] == ["2024-06-06 16:53:42", "2024/6/29 15:07:41"]
    assert raws[3] == "2024年7月1日 09:05"


# --- real corpus -----------------------------------------------------------------------------

needs_corpus = pytest.mark.skipif(not CORPUS_FILES, reason=f"corpus not found at {CORPUS}")


def _corpus(name: str) -> bytes:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} not in corpus")
    return path.read_bytes()


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_parses_or_raises_feed_parse_error(path: Path):
    if path.name in CORPUS_UNPARSEABLE:
        with pytest.raises(FeedParseError) as info:
            parse_feed(path.stem, path.read_bytes())
        assert "no element found" in info.value.one_line()
        return
    feed = parse_feed(path.stem, path.read_bytes())
    assert feed.encoding


# zh-gb2312-declared-atom.xml has no title at all (an empty test document).
@pytest.mark.parametrize("path", [p for p in CORPUS_FILES if p.name.startswith(("zh-", "mixed-"))
                                  and p.name != "zh-gb2312-declared-atom.xml"], ids=lambda p: p.name)
def test_chinese_corpus_titles_are_han_text_without_mojibake(path: Path):
    feed = parse_feed(path.stem, path.read_bytes())
    titles = [e.title or "" for e in feed.entries if e.title] or [feed.title or ""]
    titles = [t for t in titles if t]
    assert titles
    joined = "".join(titles)
    assert re.search(r"[\u4e00-\u9fff]", joined)
    assert not MOJIBAKE.search(joined), MOJIBAKE.search(joined).group(0)
    assert joined.count("\ufffd") <= len(titles) // 20
    assert han_score(joined)[0] > 0.4


@needs_corpus
@pytest.mark.parametrize("derived, original", [
    ("zh-36kr-2016-DERIVED-gb18030.xml", "zh-36kr-2016.xml"),
    ("zh-songshuhui-2016-DERIVED-gbk-bytes-utf8-declared.xml", "zh-songshuhui-2016.xml"),
])
def test_transcoded_corpus_feed_reads_exactly_like_its_utf8_original(derived, original):
    got = parse_feed("d", _corpus(derived))
    want = parse_feed("d", _corpus(original))
    assert got.encoding == "gb18030" and want.encoding == "utf-8"
    assert [e.title for e in got.entries] == [e.title for e in want.entries]
    assert [e.summary for e in got.entries] == [e.summary for e in want.entries]


@needs_corpus
def test_undeclared_gb2312_and_big5_captures_are_sniffed():
    gb = parse_feed("gb", _corpus("zh-gb2312-undeclared.xml"))
    assert gb.encoding == "gb18030"
    assert gb.entries[0].title == "不归移民漫画系列：专业工作"
    big5 = parse_feed("big5", _corpus("zh-big5-undeclared.xml"))
    assert big5.encoding == "big5hkscs"
    assert big5.title.startswith("我希望") and big5.entries == ()


@needs_corpus
def test_gb2312_declared_atom_without_entries_is_an_empty_feed_not_an_error():
    feed = parse_feed("a", _corpus("zh-gb2312-declared-atom.xml"))
    assert feed.entries == () and feed.encoding == "gb18030"


@needs_corpus
def test_linenoise_capture_decodes_as_utf8_with_a_warning():
    feed = parse_feed("m", _corpus("mojibake-linenoise.xml"))
    assert feed.encoding == "utf-8" and feed.warnings
    assert "\u2019" in feed.entries[0].summary   # the valid UTF-8 around the stray byte survives


@needs_corpus
def test_latin1_corpus_feeds_keep_their_accents():
    feed = parse_feed("pt", _corpus("pt-inovacao-iso-8859-1.xml"))
    assert feed.encoding == "iso-8859-1"
    assert "Revolução" in feed.entries[0].title


@pytest.mark.parametrize("page", [
    b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>36kr</title></head><body><p>home<br></body></html>",
    b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><body><p>ok</p></body></html>",
    b"<!-- generated -->\n<HTML><BODY>Sora</BODY></HTML>"])
def test_a_web_page_given_as_a_feed_is_named_as_such(page):
    with pytest.raises(FeedParseError, match="an HTML page, not an RSS or Atom feed"):
        parse_feed("site", page, content_type="text/html")
