"""`python -m ingest.tag.audit fetch`: the audit set's pages fetched again (here from a loopback
server), each excerpt rebuilt from its page and kept only when its hashes verify."""
import json

import pytest

from ingest.tag import audit, audit_fetch
from ingest.tag.audit import canonical, fingerprint
from tests.support.scripted_server import Reply, scripted_server

EN_PAGE = """<html><head><title>Kling 2.1 review</title><style>p{color:red}</style></head><body>
<nav><a href="/">Home</a> | <a href="/login">Login</a></nav>
<article><h1>Kling 2.1 is out</h1>
<p>Kling 2.1 launched today, the company said. It generates 1080p clips at 30 fps and pricing
starts at 35 credits a clip, which puts it under Runway's Gen-4 for short work.</p>
<p>&ldquo;Creators love it,&rdquo; one user wrote, though hands still melt in fast motion.</p>
<p>Longer shots remain hard for every model we tried this month, and the queue was slow.</p>
</article><footer>Copyright 2025 Example Media. All rights reserved.</footer></body></html>"""
EN_EXCERPT = ("Kling 2.1 is out\nKling 2.1 launched today, the company said.\n"
              "“Creators love it,” one user wrote, though hands still melt in fast motion.")

# GBK-encoded, no charset declared; the excerpt holds the picture caption, which the main-text
# extractor may drop but the page's whole text keeps
ZH_PAGE = """<html><body><div class="main"><h1>可灵发布新版本</h1>
<p>快手旗下的可灵今天发布了新版本，生成的视频最长可达两分钟。</p>
<figure><figcaption>图：可灵生成的城市夜景</figcaption></figure>
<p>不少影视从业者认为，这会改变短剧的制作方式，但人物一致性仍是难题。</p>
<p>业内人士表示，价格仍然偏高，中小团队需要谨慎评估投入产出。</p></div></body></html>"""
ZH_EXCERPT = "快手旗下的可灵今天发布了新版本，生成的视频最长可达两分钟。图：可灵生成的城市夜景"


def _record(rid, url, text, *, split="test", titled=False):
    return {"id": rid, "url": url, "lang": "en", "kind": "news", "split": split, "titled": titled,
            "relevant": True, "models": ["kling"], "themes": [], "sentiment": "neutral",
            "spam": False, **fingerprint(text)}


@pytest.fixture
def audit_files(tmp_path, monkeypatch):
    paths = {"set": tmp_path / "audit.jsonl", "texts": tmp_path / "texts.jsonl",
             "pages": tmp_path / "pages.jsonl"}
    monkeypatch.setattr(audit, "AUDIT_FILE", paths["set"])
    monkeypatch.setattr(audit, "TEXTS_FILE", paths["texts"])
    monkeypatch.setattr(audit_fetch, "PAGES_FILE", paths["pages"])
    return paths


def _write_set(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


def _texts(path):
    return {d["id"]: d for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_fetch_rebuilds_verified_excerpts_and_names_what_it_could_not(audit_files, capsys):
    with scripted_server() as srv:
        srv.route("/en", Reply(200, body=EN_PAGE.encode(), content_type="text/html; charset=utf-8"))
        srv.route("/zh", Reply(200, body=ZH_PAGE.encode("gbk"), content_type="text/html"))
        srv.route("/moved", Reply(200, body=EN_PAGE.replace("launched", "shipped").encode(),
                                  content_type="text/html"))
        records = [_record("en1", srv.url("/en"), EN_EXCERPT, titled=True),
                   _record("zh1", srv.url("/zh"), ZH_EXCERPT, split="tune"),
                   _record("en2", srv.url("/moved"), EN_EXCERPT, titled=True),
                   _record("en3", srv.url("/gone"), EN_EXCERPT)]
        _write_set(audit_files["set"], records)
        assert audit.main(["fetch", "--interval", "0", "--timeout", "5"]) == 0
    out = capsys.readouterr().out
    texts = _texts(audit_files["texts"])
    assert set(texts) == {"en1", "zh1"}
    assert texts["en1"]["title"] == "Kling 2.1 is out"
    assert texts["en1"]["title"] + "\n" + texts["en1"]["text"] == canonical(EN_EXCERPT)
    assert texts["zh1"] == {"id": "zh1", "title": "", "text": canonical(ZH_EXCERPT)}
    assert f"failed: {records[3]['url']}: " in out and "404" in out
    assert "1 excerpt not found on a page that was fetched" in out and "en2" in out
    assert "2 texts rebuilt (2 exact, 0 letters-only)" in out
    # the pages' texts are kept, so `fill` rebuilds the same texts without the network
    pages = [json.loads(line) for line in audit_files["pages"].read_text("utf-8").splitlines()]
    assert {p["url"] for p in pages} == {records[0]["url"], records[1]["url"], records[2]["url"]}
    assert all("<" not in p["text"] for p in pages)
    audit_files["texts"].unlink()
    assert audit.main(["fill", "--from", str(audit_files["pages"])]) == 0
    assert _texts(audit_files["texts"]) == texts


def test_a_second_fetch_asks_only_for_the_missing_texts_and_keeps_the_rest(audit_files, capsys):
    with scripted_server() as srv:
        srv.route("/en", Reply(200, body=EN_PAGE.encode(), content_type="text/html"))
        records = [_record("en1", srv.url("/en"), EN_EXCERPT, titled=True),
                   _record("zh1", srv.url("/zh"), ZH_EXCERPT)]
        _write_set(audit_files["set"], records)
        common = ["fetch", "--interval", "0", "--timeout", "5"]
        # the zh page answers 503 to every try of the first run (the fetcher retries twice)
        srv.route("/zh", Reply(503))
        audit.main(common)
        assert set(_texts(audit_files["texts"])) == {"en1"}
        srv.route("/zh", Reply(200, body=ZH_PAGE.encode("gbk"), content_type="text/html"))
        srv.reset_stats()
        audit.main(common)
        assert not srv.requests("/en") and len(srv.requests("/zh")) == 1
        assert set(_texts(audit_files["texts"])) == {"en1", "zh1"}
        srv.reset_stats()
        assert audit.main(common) == 0
        assert not srv.all_requests()
    assert "nothing to fetch" in capsys.readouterr().out


def test_fill_keeps_the_texts_filled_before(audit_files, tmp_path):
    records = [_record("en1", "https://a.example/1", EN_EXCERPT, titled=True),
               _record("zh1", "https://b.example/2", ZH_EXCERPT)]
    _write_set(audit_files["set"], records)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(json.dumps({"url": "https://a.example/1", "text": EN_EXCERPT}) + "\n", "utf-8")
    second.write_text(json.dumps({"url": "https://b.example/2", "text": ZH_EXCERPT},
                                 ensure_ascii=False) + "\n", "utf-8")
    assert audit.main(["fill", "--from", str(first)]) == 0
    assert audit.main(["fill", "--from", str(second)]) == 0
    assert set(_texts(audit_files["texts"])) == {"en1", "zh1"}


def test_a_broken_source_line_is_named_and_nothing_is_written(audit_files, tmp_path, capsys):
    _write_set(audit_files["set"], [_record("en1", "https://a.example/1", EN_EXCERPT)])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://a.example/1"}\n', "utf-8")
    assert audit.main(["fill", "--from", str(bad)]) == 2
    assert capsys.readouterr().out.strip().startswith(f"error: {bad}: line 1: not a {{url, text}}")
    assert not audit_files["texts"].exists()


def test_fill_finds_a_page_whose_address_comes_back_percent_encoded(audit_files, tmp_path):
    # Before: the stored-page search returned "https://b.example/%E6%96%B0%E9%97%BB/2" for the
    # set's "https://b.example/新闻/2", and fill matched addresses exactly, so it found nothing.
    _write_set(audit_files["set"], [_record("zh1", "https://b.example/新闻/2", ZH_EXCERPT)])
    src = tmp_path / "found.jsonl"
    src.write_text(json.dumps({"url": "https://b.example/%E6%96%B0%E9%97%BB/2",
                               "text": "导航 首页\n" + ZH_EXCERPT + "\n相关阅读"}) + "\n", "utf-8")
    assert audit.main(["fill", "--from", str(src)]) == 0
    assert _texts(audit_files["texts"])["zh1"]["text"] == canonical(ZH_EXCERPT)


def test_missing_lists_the_absent_texts_of_a_part_with_their_known_queries(audit_files, tmp_path,
                                                                         monkeypatch, capsys):
    monkeypatch.setattr(audit, "QUERIES_FILE", tmp_path / "queries.jsonl")
    (tmp_path / "queries.jsonl").write_text(
        json.dumps({"id": "zh1", "query": "可灵 新版本 两分钟"}, ensure_ascii=False) + "\n", "utf-8")
    _write_set(audit_files["set"], [_record("en1", "https://a.example/1", EN_EXCERPT, titled=True),
                                    _record("zh1", "https://b.example/2", ZH_EXCERPT),
                                    _record("en2", "https://c.example/3", EN_EXCERPT, split="tune")])
    src = tmp_path / "found.jsonl"
    src.write_text(json.dumps({"url": "https://a.example/1", "text": EN_EXCERPT}) + "\n", "utf-8")
    assert audit.main(["fill", "--from", str(src)]) == 0
    capsys.readouterr()
    assert audit.main(["missing"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line) for line in out.splitlines()] == [
        {"id": "zh1", "url": "https://b.example/2", "lang": "en", "split": "test", "query": "可灵 新版本 两分钟"}]
    assert err.strip() == "1 of 2 test texts missing (1 with a known query)"
    assert audit.main(["missing", "--part", "all"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["zh1", "en2"]
