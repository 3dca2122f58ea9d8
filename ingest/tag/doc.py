"""The tokenised document every tagger reads. Segment once per item; everything else reuses it.

`norm` is the matching form (lower-case, full-width folded, Simplified). Sentences are split on
`norm` and kept as character spans, so a cue found by a regex over `norm` maps to its sentence with
one bisect; `sentences` keeps the original wording for display and for the sentiment tagger.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, compress
from operator import itemgetter

from ingest.lang import _CJK as _HAN   # the test to_simplified applies
from ingest.lang import detect_lang, to_simplified
from ingest.tag import segment

# A word of Latin script (accented letters and combining marks included: "pokémon" is one word,
# not "pok" and "mon"), and whether only spaces part it from the next word (a phrase of two words
# never spans punctuation: "images, audio" holds no "images audio").
_LATIN = "0-9a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f\u0300-\u036f"
_EN_TOKEN = re.compile(rf"([{_LATIN}]+(?:[-'.][{_LATIN}]+)*)([ \t\u00a0]+(?=[{_LATIN}]))?")
_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;])|(?<=[.!?])\s+|\n+")
# A sentence ends after 。！？!?；; or a newline, or after .!? followed by white space.
_SENT_END = re.compile(r"[。！？!?；;]+[”’\"'）)]*|[.](?=\s)|\n+")
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_FULLWIDTH_CHARS = {chr(k): chr(v) for k, v in _FULLWIDTH.items()}
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")

_jieba_lock = threading.Lock()
_jieba_ready = False


def jieba_tokenizer():
    """The process-wide jieba tokenizer, initialised once (user dictionary of model names is loaded
    by ingest.tag.lexicon when it exists)."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(60)
                jieba.initialize()
                try:
                    from ingest.tag import lexicon  # noqa: F401  (registers user words)

                    lexicon.register_jieba_words(jieba)
                except (ImportError, AttributeError):
                    pass
                _jieba_ready = True
    return jieba


def normalize(text: str) -> str:
    """Lower-case, full-width folded, Simplified. Used for matching only."""
    return to_simplified(_fold_fullwidth(text)).lower()


def _fold_fullwidth(text: str) -> str:
    """text.translate(_FULLWIDTH), faster: str.translate looks every character of a CJK text up
    in the dict, while a text holds few distinct full-width characters (，。！)."""
    if text.isascii():
        return text
    found = _FULLWIDTH_RE.findall(text)
    for ch in set(found):
        text = text.replace(ch, _FULLWIDTH_CHARS[ch])
    return text


@dataclass(frozen=True, slots=True)
class Doc:
    title: str
    text: str
    lang: str                      # zh | en | other
    norm: str                      # normalize(title + "\n" + text)
    tokens: tuple[str, ...]        # zh: jieba tokens of norm; en/other: word tokens of norm
    sentences: tuple[str, ...]     # sentences of the original (title first)
    spans: tuple[tuple[int, int], ...] = ()   # sentence spans in `norm` (title first)
    title_sentences: int = 0       # how many of `spans` belong to the title
    aligned: bool = False          # True: `norm` has the length of the original, spans slice both
    starts: tuple[int, ...] = ()   # start offsets of `spans` (for bisect)
    token_ends: tuple[int, ...] = ()   # zh: end offset in `norm` of each of `tokens` (for bisect)
    joined: tuple[bool, ...] = ()   # en/other: tokens[k] and tokens[k + 1] are parted by spaces only

    @property
    def full(self) -> str:
        return f"{self.title}\n{self.text}" if self.text else self.title

    def sentence_at(self, pos: int) -> int:
        """Index into `spans` of the sentence holding character `pos` of `norm` (-1 if none)."""
        i = bisect_right(self.starts, pos) - 1
        return i if i >= 0 and pos < self.spans[i][1] else -1

    def in_title(self, sentence_index: int) -> bool:
        return 0 <= sentence_index < self.title_sentences

    def snippet(self, start: int, end: int, limit: int = 120) -> str:
        """Original wording of norm[start:end] when aligned (else the normalised form), shortened."""
        source = self.full if self.aligned else self.norm
        out = " ".join(source[start:end].split())
        return out if len(out) <= limit else out[: limit - 1] + "…"

    def sentence_text(self, index: int, limit: int = 120) -> str:
        start, end = self.spans[index]
        return self.snippet(start, end, limit)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip()]


def sentence_spans(norm: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the non-blank sentences of `norm`."""
    spans: list[tuple[int, int]] = []
    start = 0
    ends = [m.end() for m in _SENT_END.finditer(norm)]
    ends.append(len(norm))
    for end in ends:
        if start < end and not norm[start].isspace() and not norm[end - 1].isspace():
            spans.append((start, end))        # nothing to strip (most sentences)
        else:
            _add_span(norm, start, end, spans)
        start = end
    return tuple(spans)


def _add_span(norm: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    # the span without its leading and trailing white space (str.strip's white space is
    # str.isspace's), if anything is left
    piece = norm[start:end]
    left = len(piece) - len(piece.lstrip())
    if left == len(piece):
        return
    spans.append((start + left, end - (len(piece) - len(piece.rstrip()))))


def _title_length(title: str, norm: str) -> int:
    """len(normalize(title)), where norm = normalize(title + "\n" + text).

    Normalising works character by character, except the Traditional->Simplified folding, which
    also maps phrases; none holds a newline and nothing maps to one. So when the title has no
    newline and is folded on its own too (it holds a Han character, as the whole does), its
    normalised form ends at the first newline of `norm` and needs no second folding.
    """
    if "\n" not in title and _HAN.search(title):
        return norm.index("\n")
    return len(normalize(title))


def make_doc(title: str, text: str, lang: str | None = None) -> Doc:
    title = title or ""
    text = text or ""
    full = f"{title}\n{text}" if text else title
    if lang not in ("zh", "en", "other"):
        lang = detect_lang(full)
    norm = normalize(full)
    if lang == "zh":
        jieba_tokenizer()       # jieba's dictionary, with the lexicon's user words
        raw = segment.lcut(norm)        # the pieces of norm, white space included
        kept = tuple(map(str.strip, raw))
        tokens = tuple(compress(raw, kept))
        token_ends = tuple(compress(accumulate(map(len, raw)), kept))
        joined: tuple[bool, ...] = ()
    else:
        found = _EN_TOKEN.findall(norm)
        tokens = tuple(map(itemgetter(0), found))
        joined = tuple(map(bool, map(itemgetter(1), found)))
        token_ends = ()
    spans = sentence_spans(norm)
    title_end = _title_length(title, norm) if text else len(norm)
    starts = tuple(s for s, _ in spans)
    title_sentences = bisect_left(starts, title_end)
    aligned = len(norm) == len(full)
    sentences = tuple(full[s:e] for s, e in spans) if aligned else tuple(split_sentences(full))
    return Doc(title=title, text=text, lang=lang, norm=norm, tokens=tokens, sentences=sentences,
               spans=spans, title_sentences=title_sentences, aligned=aligned, starts=starts,
               token_ends=token_ends, joined=joined)
