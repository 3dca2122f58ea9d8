"""The tagger on real captured feeds (../shared/corpus/feeds): general tech news, developer
blogs, shopping deals, book reviews, Reddit and Hacker News items, zh and en. None of the 637
entries is about AI video generation (checked by reading every entry that names a video model or
speaks of video generation: one InfoQ piece on OpenAI's desktop "super app" names Sora twice,
in passing), and none is a betting or SEO page: a real-coverage check of false positives, beside
the audit set's distractors."""
from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from ingest.normalize import clean_text
from ingest.tag import engine
from ingest.textclean import clean_title

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "feeds"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/feeds absent")


def _entries() -> list[tuple[str, str, str]]:
    """(file, title, text) of every entry, cleaned as ingest cleans them."""
    out = []
    for path in sorted(CORPUS.glob("*.xml")):
        for e in feedparser.parse(path.read_bytes()).entries:
            text = e["content"][0].get("value", "") if e.get("content") else e.get("summary", "")
            out.append((path.name, clean_title(e.get("title", "")), clean_text(text or "")))
    return out


def test_no_entry_of_the_real_feeds_is_called_about_ai_video_or_spam():
    entries = _entries()
    assert len(entries) >= 600
    tags = engine.tag_batch([(title, text, None) for _, title, text in entries])
    wrong = [(f, title[:60], t.relevant, t.spam) for (f, title, _), t in zip(entries, tags)
             if isinstance(t, Exception) or t.relevant or t.spam]
    assert wrong == []


def test_a_long_piece_naming_sora_in_passing_is_not_about_ai_video():
    passing = [(title, text) for f, title, text in _entries()
               if f.startswith("zh-infoq") and "Sora" in text]
    assert len(passing) == 1
    title, text = passing[0]
    assert len(text) > 2000 and text.count("Sora") == 2
    assert engine.tag(title, text).relevant is False
