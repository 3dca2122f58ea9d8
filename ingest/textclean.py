"""HTML -> plain text, and single-line cleaning for titles and authors. Pure, regex-based, fast.

Feed text arrives as HTML fragments of every quality: CDATA remnants, entities (also
double-escaped ones such as ``&amp;lt;``), inline scripts, zero-width characters and the
ideographic spaces Chinese editors indent paragraphs with. These functions turn it into
plain text that keeps paragraph breaks and nothing else.
"""
from __future__ import annotations

import html
import re
import unicodedata

# Elements whose content is never text a reader sees.
_DROP_ELEMENTS = re.compile(
    r"<(script|style|noscript|iframe|template|svg|object|head|title)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
# Paragraph-level elements: their start and end both break the line, so paragraphs end up
# separated by one blank line. List items, rows and <br> start a line; table cells a space.
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|h[1-6]|blockquote|pre|table|thead|tbody|ul|ol|dl|section|article|header|"
    r"footer|aside|nav|figure|hr|address|details|summary|main)\b[^>]*>",
    re.IGNORECASE,
)
_LINE_TAG = re.compile(r"<(?:li|tr|dt|dd|figcaption|/?br)\b[^>]*>", re.IGNORECASE)
_CELL_TAG = re.compile(r"<(?:td|th)\b[^>]*>", re.IGNORECASE)
# Any other tag, declaration or processing instruction. A bare "<" followed by a space or a
# digit is text ("a < b", "<3"), not a tag.
_ANY_TAG = re.compile(r"</?[A-Za-z][^>]*>|<![^>]*>|<\?[^>]*>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Escaped markup with no real markup around it: the whole fragment was escaped once too often.
_ESCAPED_MARKUP = re.compile(r"&lt;/?(?:p|div|br|a|img|span|strong|b|i|em|ul|li|h[1-6])\b", re.IGNORECASE)

# Zero-width and invisible format characters (soft hyphen, ZW space/joiners, word joiner, BOM).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff]")
# Control characters that are no text and that neither splitlines() nor split() treat as spaces
# (NUL from a broken CMS: PostgreSQL refuses it in a text column).
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f]")
_ANY_SPACE = re.compile(r"\s+")

# Decorations aggregators prepend to titles: stars, sparkles, fire, pins ... and the spaces
# or separators after them ("⭐⭐⭐ ", "🔥| ").
_TITLE_DECOR = re.compile(
    r"^(?:[\u2b50\u2605\u2606\u2728\u2600-\u27bf\U0001F300-\U0001FAFF\ufe0f\u200d]+[\s|｜:：\-–—]*)+"
)


def html_to_text(fragment: str | None) -> str:
    """Plain text from an HTML fragment (or from plain text: then only entities and spaces change).

    Drops script/style/noscript/iframe content and comments; block elements become line breaks;
    every other tag is removed; entities are decoded, twice when the feed escaped them twice;
    whitespace is folded (one space, at most one blank line); zero-width and control characters
    are removed; the result is NFC.
    """
    if not fragment:
        return ""
    s = fragment
    if "<" in s:
        s = _COMMENT.sub("", s)
        if "<![" in s:
            s = _CDATA.sub("", s)
        s = _DROP_ELEMENTS.sub("", s)
        s = _BLOCK_TAG.sub("\n", s)
        s = _LINE_TAG.sub("\n", s)
        s = _CELL_TAG.sub(" ", s)
        s = _ANY_TAG.sub("", s)
    elif "&lt;" in s and _ESCAPED_MARKUP.search(s):
        # Markup escaped as text: unescape once and treat it as the HTML it was meant to be.
        return html_to_text(html.unescape(s))
    if "&" in s:
        s = html.unescape(s)
        if "&" in s and _ENTITY.search(s):
            s = html.unescape(s)   # double-escaped: "&amp;lt;" -> "&lt;" -> "<"
    return _fold(s)


def _fold(s: str) -> str:
    """Invisible and control characters out; each line's whitespace runs to one space; at most one
    blank line."""
    if not s.isascii():
        s = _INVISIBLE.sub("", s)
    s = without_controls(s)
    lines: list[str] = []
    blank = False
    for line in s.splitlines():       # also splits on \r, \x0b, \x0c, \x85, U+2028/2029
        line = " ".join(line.split())  # str.split() knows NBSP, U+3000 and the other spaces
        if line:
            if blank and lines:
                lines.append("")
            lines.append(line)
            blank = False
        else:
            blank = True
    out = "\n".join(lines)
    if not out.isascii() and not unicodedata.is_normalized("NFC", out):
        out = unicodedata.normalize("NFC", out)
    return out


def without_controls(s: str) -> str:
    """`s` without the control characters that are no text (NUL, backspace, escape ...); tab,
    line breaks and the separators that split() reads as spaces stay."""
    return _CONTROL.sub("", s) if _CONTROL.search(s) else s


def clean_line(fragment: str | None) -> str:
    """One line of plain text (titles, authors): html_to_text, then all whitespace to one space."""
    text = html_to_text(fragment)
    return _ANY_SPACE.sub(" ", text).strip() if text else ""


def strip_decoration(title: str) -> str:
    """Remove leading emoji/star decoration aggregators add ("⭐⭐ 标题" -> "标题")."""
    if not title or title[0].isascii():
        return title
    return _TITLE_DECOR.sub("", title).strip()


def clean_title(fragment: str | None) -> str:
    """A display title: clean single line without aggregator decoration."""
    return strip_decoration(clean_line(fragment))


_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.;；])\s|\n")


def first_sentence(text: str, max_chars: int = 80) -> str:
    """The first sentence of plain text, cut at max_chars (on a space for Latin text)."""
    text = text.strip()
    if not text:
        return ""
    m = _SENTENCE_END.search(text, 1)
    head = (text[: m.start()] if m else text).strip()
    if len(head) <= max_chars:
        return head
    cut = head[:max_chars]
    space = cut.rfind(" ")
    return (cut[:space] if space > max_chars // 2 else cut).rstrip() + "…"


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(value):
    """`value` (a str, or lists and dicts of them as JSON decodes) with every lone UTF-16
    surrogate replaced by U+FFFD. JSON's "\\ud83d" escapes are valid JSON but no character: a
    post cut in the middle of an emoji holds one, and it cannot be encoded as UTF-8 (tagging,
    signatures and the database all encode). Pairs were already joined by the JSON decoder."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value) if not value.isascii() else value
    if isinstance(value, list):
        return [without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    return value
