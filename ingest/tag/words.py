"""The words of a document as the learned layers see them (relevance, themes, sentiment).

Chinese: jieba's tokens; other languages: the sentiment walk's word tokens. Only short tokens that
start with a letter or digit and hold no digit count as words (URLs, numbers and run-on strings
are not): `word_set`, what the trainers see. At run time the layers only need the words their
shipped models weigh: `model_words` is the document's tokens met with the union of those
vocabularies (one C-level set intersection, no per-token test). The three layers ask for the same
document one after another, so the last document's `model_words` are kept (one entry, by identity).
"""
from __future__ import annotations

from functools import lru_cache

from ingest.tag.doc import Doc

WORD_MAX = 12
_DIGITS = frozenset("0123456789")
_last_known: tuple[Doc | None, frozenset[str]] = (None, frozenset())


def is_word(token: str) -> bool:
    return len(token) <= WORD_MAX and token[:1].isalnum() and _DIGITS.isdisjoint(token)


_last_tokens: tuple[Doc | None, list[str]] = (None, [])


def tokens(doc: Doc) -> list[str] | tuple[str, ...]:
    """The document's tokens; English ones are found once per document (the last one is kept)."""
    global _last_tokens
    if doc.lang == "zh":
        return doc.tokens
    last_doc, found = _last_tokens
    if last_doc is not doc:
        from ingest.tag.sentiment import _en_tokens

        found = _en_tokens(doc)
        _last_tokens = (doc, found)
    return found


def word_set(doc: Doc) -> frozenset[str]:
    """The document's distinct words (see the module docstring)."""
    return frozenset(t for t in set(tokens(doc)) if is_word(t))


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Every word a shipped learned layer weighs."""
    from ingest.tag.linear import load, word_rows
    from ingest.tag.relevance import CROSSED_WORDS, RELEVANCE_MODEL
    from ingest.tag.sentiment_model import MODEL_FILE as SENTIMENT_MODEL
    from ingest.tag.themes import THEME_MODEL

    out: set[str] = set()
    for name in (RELEVANCE_MODEL, THEME_MODEL, SENTIMENT_MODEL):
        model = load(name)
        if model is not None:
            out.update(word_rows(model))
            for prefix in CROSSED_WORDS:           # words apart by a flag (relevance)
                out.update(k[len(prefix):] for k in model.weights if k.startswith(prefix))
    return frozenset(out)


def model_words(doc: Doc) -> frozenset[str]:
    """The document's distinct words that some shipped layer weighs (a subset of word_set)."""
    global _last_known
    last_doc, words = _last_known
    if last_doc is not doc:
        words = known_words().intersection(tokens(doc))
        _last_known = (doc, words)
    return words
