"""The tokenised document every tagger reads. Segment once per item; everything else reuses it."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from ingest.lang import detect_lang, to_simplified

_EN_TOKEN = re.compile(r"[a-z0-9]+(?:[-'.][a-z0-9]+)*")
_SENT_SPLIT = re.compile(r"(?<=[。！？!?；;])|(?<=[.!?])\s+|\n+")
_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

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
    return to_simplified(text.translate(_FULLWIDTH)).lower()


@dataclass(frozen=True, slots=True)
class Doc:
    title: str
    text: str
    lang: str                      # zh | en | other
    norm: str                      # normalize(title + "\n" + text)
    tokens: tuple[str, ...]        # zh: jieba tokens of norm; en/other: word tokens of norm
    sentences: tuple[str, ...]     # sentences of the original (title first)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_SPLIT.split(text) if s and s.strip()]


def make_doc(title: str, text: str, lang: str | None = None) -> Doc:
    title = title or ""
    text = text or ""
    full = f"{title}\n{text}" if text else title
    if lang not in ("zh", "en", "other"):
        lang = detect_lang(full)
    norm = normalize(full)
    if lang == "zh":
        tokens = tuple(t for t in jieba_tokenizer().lcut(norm) if t.strip())
    else:
        tokens = tuple(_EN_TOKEN.findall(norm))
    return Doc(title=title, text=text, lang=lang, norm=norm, tokens=tokens,
               sentences=tuple(split_sentences(full)))
