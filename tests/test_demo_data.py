"""The generated demo corpus: deterministic, parseable, and shaped like the real discourse."""
from __future__ import annotations

import re
import statistics
import time
import tomllib
import urllib.request
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path

import feedparser
import pytest

from aigcwatch.demo_data import (DEFAULT_END, DEFAULT_START, DEMO_NOTE, HOSTILE_STRINGS, DemoFeed,
                                 build_demo_feeds, demo_sources_toml, main)
from aigcwatch.localserver import serve_directory

BEIJING = timezone(timedelta(hours=8))
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[DemoFeed], dict[str, dict]]:
    out = tmp_path_factory.mktemp("demo")
    feeds = build_demo_feeds(out)
    parsed = {f.source_id: feedparser.parse((out / f.filename).read_bytes()) for f in feeds}
    return out, feeds, parsed


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _when(raw: str | None) -> datetime | None:
    """The four date styles the demo writes, read the way the ingest path should read them."""
    if not raw:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"):
        try:
            return datetime.strptime(raw, fmt).replace(tzinfo=BEIJING)
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        return parsedate_to_datetime(raw)


def test_deterministic_bytes(tmp_path: Path) -> None:
    a = build_demo_feeds(tmp_path / "a")
    b = build_demo_feeds(tmp_path / "b")
    assert a == b
    for f in a:
        assert (tmp_path / "a" / f.filename).read_bytes() == (tmp_path / "b" / f.filename).read_bytes()
    c = build_demo_feeds(tmp_path / "c", seed=7)
    assert any((tmp_path / "a" / f.filename).read_bytes() != (tmp_path / "c" / f.filename).read_bytes()
               for f in c)


def test_fast(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    build_demo_feeds(tmp_path)
    assert time.perf_counter() - t0 < 4  # ~0.5 s on a laptop; generous for slow CI


def test_feed_table(corpus) -> None:
    out, feeds, _ = corpus
    assert 12 <= len(feeds) <= 16
    assert len({f.source_id for f in feeds}) == len(feeds)
    assert sorted(p.name for p in out.iterdir()) == sorted(f.filename for f in feeds)
    assert {(f.lang, f.category) for f in feeds} == {("zh", "news"), ("zh", "social"),
                                                     ("en", "news"), ("en", "social")}
    assert [f.source_id for f in feeds if f.broken] == ["demo-broken"]
    assert any(f.topical for f in feeds) and not all(f.topical for f in feeds)
    assert all(f.kind == "rss" and "charset=" in f.content_type for f in feeds)
    assert 1500 <= sum(f.entry_count for f in feeds) <= 2500


def test_every_feed_parses_with_expected_counts(corpus) -> None:
    out, feeds, parsed = corpus
    for f in feeds:
        raw = (out / f.filename).read_bytes()
        assert DEMO_NOTE.encode("gbk" if "GBK" in f.content_type else "utf-8") in raw, f.filename
        d = parsed[f.source_id]
        if f.broken:
            assert d.bozo and not d.entries
            continue
        assert not d.bozo, (f.filename, d.get("bozo_exception"))
        assert len(d.entries) == f.entry_count > 50, f.filename
        assert d.feed.get("subtitle") == DEMO_NOTE


def test_formats_mix(corpus) -> None:
    _, feeds, parsed = corpus
    versions = Counter(parsed[f.source_id].version for f in feeds if not f.broken)
    assert versions["rss20"] >= 5 and versions["atom10"] >= 2 and versions["rss10"] == 1


def test_gbk_feed_is_gbk_and_readable(corpus) -> None:
    out, feeds, parsed = corpus
    [gbk] = [f for f in feeds if "GBK" in f.content_type]
    raw = (out / gbk.filename).read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="GBK"?>')
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    d = parsed[gbk.source_id]
    assert d.encoding.lower() == "gbk"
    assert d.feed.title == gbk.name
    assert all(CJK.search(e.title) for e in d.entries)
    assert any("视频" in e.summary for e in d.entries)


def test_both_languages_and_all_themes_present(corpus) -> None:
    _, feeds, parsed = corpus
    zh = sum(len(parsed[f.source_id].entries) for f in feeds if f.lang == "zh")
    en = sum(len(parsed[f.source_id].entries) for f in feeds if f.lang == "en")
    assert zh > 700 and en > 600
    text = " ".join(e.title + " " + _text(e.get("summary", "")) for d in parsed.values() for e in d.entries)
    for word in ("可灵", "即梦", "海螺", "通义万相", "Sora", "Veo", "Runway", "Kling",
                 "抽卡", "翻车", "标识", "概念股", "显存", "版权", "slop", "deepfake", "VRAM",
                 "valuation", "lawsuit" if "lawsuit" in text else "sue", "world model", "previs"):
        assert word in text, word


def test_launch_spikes_and_language_differences(corpus) -> None:
    _, feeds, parsed = corpus
    weekly: Counter = Counter()
    by_lang: dict[str, Counter] = defaultdict(Counter)
    for f in feeds:
        for e in parsed[f.source_id].entries:
            when = _when(e.get("published") or e.get("updated"))
            if when:
                week = when.astimezone(timezone.utc).isocalendar()[:2]
                weekly[week] += 1
                by_lang[f.lang][week] += 1
    full = sorted(weekly)[1:-1]          # drop the partial first and last weeks
    counts = [weekly[w] for w in full]
    assert len(full) >= 24
    assert max(counts) >= 3 * statistics.median(counts)
    veo, kling, seedance, sora = (2025, 21), (2025, 23), (2025, 33), (2025, 40)
    assert by_lang["en"][veo] > by_lang["zh"][veo]
    assert by_lang["zh"][kling] > 1.5 * by_lang["en"][kling]
    assert by_lang["zh"][seedance] > 2 * by_lang["en"][seedance]
    assert by_lang["en"][sora] > by_lang["zh"][sora]


def test_syndicated_copies_share_the_body(corpus) -> None:
    _, feeds, parsed = corpus
    lang = {f.source_id: f.lang for f in feeds}
    where: dict[str, set[str]] = defaultdict(set)
    titles: dict[str, list[str]] = defaultdict(list)
    for sid, d in parsed.items():
        for e in d.entries:
            html = e.content[0].value if sid == "demo-kejiribao" else e.get("summary", "")
            body = _text(html)
            where[body].add(sid)
            titles[body].append(e.title)
    shared = {b: s for b, s in where.items() if len(s) > 1}
    zh = [b for b, s in shared.items() if all(lang[x] == "zh" for x in s)]
    en = [b for b, s in shared.items() if all(lang[x] == "en" for x in s)]
    assert len(zh) >= 40 and len(en) >= 15
    assert any(t.startswith("【快讯】") or "_演示" in t or "｜演示" in t for b in zh for t in titles[b])


def test_distinct_stories_do_not_share_a_headline(corpus) -> None:
    """Only copies of one story share its headline (give or take an outlet's tag): the title pools
    are small, so a later story with a taken headline gets one cut from its own lead."""
    _, _, parsed = corpus
    bodies: dict[str, set[str]] = defaultdict(set)
    for sid, d in parsed.items():
        if sid == "demo-weibo-search":      # its titles are the post's opening
            continue
        for e in d.entries:
            html = e.content[0].value if sid == "demo-kejiribao" else e.get("summary", "")
            if "官网" in e.title or "app下载" in e.title.lower() or "alert(" in e.title:
                continue                      # spam titles and hostile entries reuse theirs
            bodies[e.title].add(_text(html))
    shared = [t for t, b in bodies.items() if len(b) > 1]
    assert len(bodies) > 1000
    assert len(shared) <= 0.01 * len(bodies), shared[:5]


def test_feed_quirks(corpus) -> None:
    out, _, parsed = corpus
    raw = {p.stem: p.read_text(encoding="gbk" if p.stem == "demo-itzhijia" else "utf-8")
           for p in out.iterdir()}
    assert re.search(r"<pubDate>2025-\d\d-\d\d \d\d:\d\d:\d\d</pubDate>", raw["demo-chuangtou"])
    assert re.search(r"<pubDate>2025/\d{1,2}/\d{1,2} \d\d:\d\d:\d\d</pubDate>", raw["demo-kuaixun"])
    assert 'xml:base="https://circuit.demo.example/"' in raw["demo-circuit"]
    assert 'href="/2025/' in raw["demo-circuit"] and 'xml:base="https://circuit.demo.example/features/"' in raw["demo-circuit"]
    assert all(e.link.startswith("https://circuit.demo.example/") for e in parsed["demo-circuit"].entries)
    assert all("utm_source=" in e.link for e in parsed["demo-techdaily"].entries)
    assert sum(1 for e in parsed["demo-weibo-search"].entries if not e.get("link")) == 3
    # Atom entries without <link>: feedparser copies the (tag:) id into .link, still not a URL;
    # plus the one hostile entry whose link is a script URL
    no_url = [e for d in parsed.values() for e in d.entries if not e.get("link", "").startswith("https://")]
    assert len(no_url) == 6
    assert [e.link for e in no_url if e.get("link", "").startswith("javascript:")] == ["javascript:alert(1)"]
    assert not any(e.get("id") for e in parsed["demo-bilibili-up"].entries)
    assert all(e.get("id") for e in parsed["demo-kejiribao"].entries)
    undated = sum(1 for d in parsed.values() for e in d.entries if not (e.get("published") or e.get("updated")))
    assert 3 <= undated <= 40
    authors = sum(1 for d in parsed.values() for e in d.entries if e.get("author"))
    assert 0.5 < authors / sum(len(d.entries) for d in parsed.values()) < 0.95


def test_distractors_and_spam(corpus) -> None:
    _, feeds, parsed = corpus
    titles = [e.title for d in parsed.values() for e in d.entries]
    total = len(titles)
    spam = [t for t in titles if "官网" in t or "bet365" in t or "app下载" in t.lower()]
    assert 0.005 * total <= len(spam) <= 0.02 * total
    collisions = ("海螺水泥", "皮卡丘", "海螺沟", "Pikachu", "Kingdom Hearts", "runway", "Runway report",
                  "Airport", "chatbot", "文生图")
    distractors = [t for t in titles if any(c in t for c in collisions)]
    assert 0.03 * total <= len(distractors) <= 0.08 * total
    topical = [f.source_id for f in feeds if f.topical]
    assert not any(any(c in e.title for c in collisions) for sid in topical for e in parsed[sid].entries)


def test_spam_pages_copy_carried_articles_and_ones_the_demo_does_not_carry(corpus) -> None:
    """A betting title over a carried article is filed as a copy of its story; over an article of
    an outlet the demo does not carry it is an item of its own, which the spam filter shows."""
    _, _, parsed = corpus
    spam, other = [], set()
    for sid, d in parsed.items():
        for e in d.entries:
            body = _text(e.content[0].value if sid == "demo-kejiribao" else e.get("summary", ""))
            if "官网" in e.title or "官方网站" in e.title or "app下载" in e.title.lower():
                spam.append(body)
            else:
                other.add(body)
    own = [b for b in spam if b not in other]
    assert own and len(own) < len(spam)


def test_sources_toml(corpus, tmp_path: Path) -> None:
    _, feeds, _ = corpus
    text = demo_sources_toml(feeds, "http://127.0.0.1:8765/")
    data = tomllib.loads(text)
    rows = data["source"]
    assert [r["id"] for r in rows] == [f.source_id for f in feeds]
    assert rows[0]["url"] == f"http://127.0.0.1:8765/{feeds[0].filename}"
    assert set(rows[0]) == {"id", "name", "kind", "url", "lang", "category", "topical", "timezone",
                            "enabled", "stale_days"}
    assert "stale_days" not in tomllib.loads(demo_sources_toml(feeds, "http://x", stale_days=None))["source"][0]
    config = pytest.importorskip("aigcwatch.config")
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    sources = config.load_sources(path)
    assert [s.id for s in sources] == [f.source_id for f in feeds]
    assert {s.timezone for s in sources} >= {"Asia/Shanghai", "UTC"}


def test_served_over_loopback(corpus) -> None:
    out, feeds, _ = corpus
    types = {f.filename: f.content_type for f in feeds}
    with serve_directory(out, content_types=types) as base:
        with urllib.request.urlopen(f"{base}/demo-itzhijia.xml", timeout=5) as resp:
            assert resp.headers["Content-Type"] == "application/rss+xml; charset=GBK"
            d = feedparser.parse(resp.read())
        with urllib.request.urlopen(f"{base}/demo-broken.xml", timeout=5) as resp:
            assert resp.headers["Content-Type"].startswith("text/html")
    assert d.encoding.lower() == "gbk" and CJK.search(d.entries[0].title)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0 and "OUT_DIR" in capsys.readouterr().out
    assert main([str(tmp_path / "out"), "--base-url", "http://127.0.0.1:9"]) == 0
    assert (tmp_path / "out" / "demo-kejiribao.xml").exists()
    assert (tmp_path / "out" / "sources.toml").exists()
    assert "entries in 14 files" in capsys.readouterr().out


def test_hostile_entries_are_stored_as_literal_text_and_script_links_are_rejected(corpus) -> None:
    """The hostile posts go through the real parse -> normalize -> tag path: their markup survives as
    plain text in relevant items (so every page has to escape it), and a javascript: link is never
    stored."""
    from ingest.normalize import Rejected, normalize_entry
    from ingest.parse import parse_feed
    from ingest.tag.engine import tag
    from ingest.types import Item, Source

    out, feeds, _ = corpus
    fetched = datetime(2025, 11, 1, tzinfo=timezone.utc)
    kept: list[Item] = []
    rejected: list[tuple[str, str]] = []
    for f in feeds:
        if f.broken:
            continue
        src = Source(id=f.source_id, name=f.name, kind="rss", url=f"https://x.example/{f.filename}", lang=f.lang,
                     category=f.category, topical=f.topical, timezone=f.timezone, enabled=True, stale_days=14)
        for entry in parse_feed(f.source_id, (out / f.filename).read_bytes(), content_type=f.content_type).entries:
            if "alert(" not in f"{entry.title} {entry.summary} {entry.content} {entry.link}":
                continue
            item = normalize_entry(entry, src, fetched)
            if isinstance(item, Rejected):
                rejected.append((entry.link or "", item.reason))
            else:
                kept.append(item)
    assert rejected == [("javascript:alert(1)", "bad_link")]
    assert len(kept) == 3
    for hostile in HOSTILE_STRINGS:
        holders = [i for i in kept if hostile in i.title or hostile in i.text]
        assert holders, hostile
        for item in holders:
            assert tag(item.title, item.text, item.lang).relevant, item.title
            assert item.url.startswith("https://")
            assert DEFAULT_START <= item.published_at.date() <= DEFAULT_END
    assert any(i.title.startswith(HOSTILE_STRINGS[0]) for i in kept)


def test_hostile_entries_follow_the_date_range(tmp_path: Path) -> None:
    from datetime import date

    feeds = build_demo_feeds(tmp_path, start=date(2025, 6, 1), end=date(2025, 6, 2))
    raw = (tmp_path / "demo-reddit-search.xml").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    hostile = [e for e in feedparser.parse(raw).entries if "alert(" in e.title]
    assert len(hostile) == 2
    eastern = timezone(timedelta(hours=-4))   # the posts' local clock
    assert all(date(2025, 6, 1) <= datetime.fromisoformat(e.published).astimezone(eastern).date()
               <= date(2025, 6, 2) for e in hostile)
    assert sum(f.entry_count for f in feeds) >= 4


def test_distinct_stories_are_not_near_duplicates_of_each_other() -> None:
    """Distinct relevant stories (bodies that are not syndicated copies of one another) must not
    look like edited copies to the story clusters: the sentence pools are small, so each story
    carries particulars of its own. Measured as ingest.cluster judges it (candidates through the
    LSH bands, then same_story, for stories about one model within 7 days of each other)."""
    import random

    from aigcwatch.demo_data import _generate
    from ingest.cluster import same_story, signature

    stories = _generate(random.Random(42), DEFAULT_START, DEFAULT_END)
    bodies: dict[str, tuple[str, str, datetime]] = {}
    for rows in stories.values():
        for e in rows:
            if e.kind == "relevant":
                sep = "\n" if e.lang == "zh" else "\n\n"
                bodies.setdefault(sep.join(e.paragraphs), (e.title, e.model, e.when))
    sigs = {}
    for body, (title, _, _) in bodies.items():
        sig = signature(title, body)
        if sig is not None:
            sigs[body] = sig
    by_band: dict[int, list[str]] = defaultdict(list)
    for body, sig in sigs.items():
        for band in sig.bands():
            by_band[band].append(body)
    grouped = set()
    for members in by_band.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if a not in grouped or b not in grouped:
                    sa, sb = sigs[a], sigs[b]
                    (_, ma, wa), (_, mb, wb) = bodies[a], bodies[b]
                    if ma == mb and abs(wa - wb) <= timedelta(days=7) \
                            and same_story(sa.similarity(sb), sa.size, sb.size):
                        grouped.update((a, b))
    assert len(sigs) > 1500
    assert len(grouped) <= 0.02 * len(sigs), (len(grouped), len(sigs))


def test_a_headline_cut_from_a_lead_is_never_only_its_lead_in():
    # Before: "据知情人士透露", "OpenAI也承认" and "According to the technical report" stood as
    # headlines: the first clause of a lead that only says who is speaking.
    from aigcwatch.demo_data import _headline

    assert _headline("据知情人士透露，Runway正以约20亿美元估值进行新一轮融资。", "zh") == \
        "Runway正以约20亿美元估值进行新一轮融资"
    assert _headline("OpenAI也承认，模型在长镜头一致性和文字渲染上仍有明显不足。", "zh") == \
        "OpenAI也承认：模型在长镜头一致性和文字渲染上仍有明显不足"
    assert _headline("According to the technical report, the new model uses an improved 3D VAE.", "en") == \
        "The new model uses an improved 3D VAE"
    assert _headline("快手宣布可灵2.1正式上线，普通用户可在App和网页端免费体验。", "zh") == "快手宣布可灵2.1正式上线"


def test_no_demo_headline_is_a_bare_lead_in(corpus) -> None:
    _, _, parsed = corpus
    bare = [e.title for d in parsed.values() for e in d.entries
            if re.fullmatch(r"据.{2,8}透露|.{2,10}(?:也承认|表示|认为|显示)|According to [\w ]+|In [\w -]+", e.title)]
    assert not bare, bare[:5]
