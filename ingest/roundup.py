"""Whether an entry is a roundup by its form: a daily or weekly briefing (AI早报, 日报, 周报, 晨报,
快讯合集, "AI daily", "This week in AI video", a newsletter issue) that lists several news items,
each under a heading of its own. Pure, no database.

The story index (ingest.cluster, db.clusters) finds a roundup by what it holds too: two stored
texts that share nothing, both held in it. But the index finds a text through its bands, which a
listed item (a third of the briefing's opening, say) shares with it only now and then, and a
briefing fetched before the items it lists holds only one of them when the first comes. So a
text also lists stories when its headline names a briefing (`MARKERS`) and its opening carries
at least `MIN_HEADINGS` headings (a short line without a sentence's end, followed by a longer
paragraph). Either alone is not enough: an article with subheadings is one story, and "日报" or
"daily" in a headline may be an outlet's name or a count of daily users.
"""
from __future__ import annotations

import re

from ingest.cluster import LEAD_SCAN

MIN_HEADINGS = 2
HEADING_CHARS = (6, 48)         # a Chinese heading's length in characters (a news headline)
HEADING_WORDS = (3, 16)         # an English one's, in words
BODY_FACTOR = 1.5               # the paragraph after a heading is this much longer at least

MARKERS = re.compile(
    r"早报|晚报|晨报|午报|日报|周报|周刊|月报|简报|快讯(?:合集|汇总|速览|精选)|速递|速览|合集|汇总|"
    r"一周(?:要闻|回顾|速览|热点|盘点|资讯|动态|大事)|要闻|精选|"
    r"\bai\s+daily\b|\bdaily\s+(?:brief(?:ing)?|digest|roundup|round-up|recap|news|update)s?\b|"
    r"\bweekly\s+(?:brief(?:ing)?|digest|roundup|round-up|recap|news|update)s?\b|"
    r"\bthis\s+week\s+in\b|\bweek\s+in\s+review\b|\bnewsletter\b|\bround-?up\b|\bdigest\b|"
    r"\bissue\s*#?\s*\d+\b", re.IGNORECASE)
_SENTENCE_END = tuple("。．.，,；;：:、")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_HAN = re.compile(r"[\u3400-\u9fff]")


def _is_heading(line: str, after: str) -> bool:
    if not line or line.endswith(_SENTENCE_END) or not after:
        return False
    chinese = len(_HAN.findall(line)) >= 4
    n = len(line) if chinese else len(_WORD.findall(line))
    low, high = HEADING_CHARS if chinese else HEADING_WORDS
    size_after = len(after) if chinese else len(_WORD.findall(after))
    return low <= n <= high and size_after >= BODY_FACTOR * n


def headings(text: str) -> int:
    """How many lines of the text's opening are headings: short, not ending as a sentence does,
    followed by a longer paragraph."""
    lines = [line.strip() for line in (text or "")[:LEAD_SCAN].splitlines()]
    lines = [line for line in lines if line]
    return sum(_is_heading(line, after) for line, after in zip(lines, lines[1:]))


def lists_stories(title: str, text: str) -> bool:
    """True when the entry is a roundup by its form: a briefing's headline over several headed
    news items."""
    return bool(MARKERS.search(title or "")) and headings(text) >= MIN_HEADINGS
