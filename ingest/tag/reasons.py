"""Which evidence entries are the tagger's reasons rather than quotes of the text.

Evidence lists (`item_models.evidence`, `item_themes.evidence`, `items.relevance_evidence`,
`sentiment_evidence`, `spam_evidence`) mostly hold phrases quoted from the item's text in the
tagger's folded form. A few entries are the tagger's own words for a reason: the competition
theme's "N models" (a sentence lining up that many models) and spam's "title/body mismatch" and
disguise reasons ("pinyin after characters", ...). They are stored in the same JSON lists (every
stored row, old or new, keeps that format); these patterns, one for each reason the tagger has ever
written, tell them apart where evidence is shown, so an analyst never searches the text for a
phrase that is not there.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

# Each reason the tagger has ever written: its pattern (a group holds the reason's particulars)
# and its wording in Chinese and in English ({0} is the group). The dashboard, the digest and the
# exports show a reason in the reader's language through `wording`; a new reason is added here only.
REASONS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"(\d+) models"), "一句中并列 {0} 个模型", "{0} models"),   # themes: competition
    (re.compile(r"title/body mismatch"), "标题与正文不符", "title/body mismatch"),   # spam ...
    (re.compile(r"pinyin after characters"), "汉字后缀拼音", "pinyin after characters"),
    (re.compile(r"website-building keyword list"), "建站关键词堆砌", "website-building keyword list"),
    (re.compile(r"source line naming a spam site \((.+)\)"), "来源行指向垃圾站点（{0}）",
     "source line naming a spam site ({0})"),
    (re.compile(r"casino bonus offer line"), "博彩优惠行", "casino bonus offer line"),
    (re.compile(r"garbled latin \(础滨 for AI\)"), "乱码拉丁字母（础滨 即 AI）", "garbled latin (础滨 for AI)"),
    (re.compile(r"keyword in search-query form \((.+)\)"), "搜索词形式的关键词（{0}）",
     "keyword in search-query form ({0})"),
)
_ANY = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _, _ in REASONS))


def is_reason(entry: str) -> bool:
    """True when `entry` is one of the tagger's reasons (not a span of the item's text)."""
    return bool(entry) and _ANY.fullmatch(entry) is not None


def wording(entry: str, lang: str) -> str:
    """One of the tagger's reasons in `lang` ("zh", else English); anything else as it is."""
    for pattern, zh, en in REASONS:
        m = pattern.fullmatch(entry)
        if m:
            return (zh if lang == "zh" else en).format(*m.groups())
    return entry


def split(entries: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(quotes, reasons) of an evidence list, each in its stored order; empty entries dropped."""
    quotes: list[str] = []
    reasons: list[str] = []
    for e in entries or ():
        if e:
            (reasons if is_reason(e) else quotes).append(e)
    return quotes, reasons
