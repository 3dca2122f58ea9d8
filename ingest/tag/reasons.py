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

_REASONS = re.compile("|".join((
    r"\d+ models",                                   # themes: a sentence naming that many models
    r"title/body mismatch",                          # spam
    r"pinyin after characters",
    r"website-building keyword list",
    r"source line naming a spam site \(.+\)",
    r"casino bonus offer line",
    r"garbled latin \(础滨 for AI\)",
    r"keyword in search-query form \(.+\)",
)))


def is_reason(entry: str) -> bool:
    """True when `entry` is one of the tagger's reasons (not a span of the item's text)."""
    return bool(entry) and _REASONS.fullmatch(entry) is not None


def split(entries: Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(quotes, reasons) of an evidence list, each in its stored order; empty entries dropped."""
    quotes: list[str] = []
    reasons: list[str] = []
    for e in entries or ():
        if e:
            (reasons if is_reason(e) else quotes).append(e)
    return quotes, reasons
