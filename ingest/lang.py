"""Language detection (zh / en / other) and Traditional->Simplified folding. Pure and fast."""
from __future__ import annotations

import re
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z][a-z']+|[A-Za-z]+")
_OTHER_SCRIPT = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f]")
_NON_ASCII_LATIN = re.compile(r"[\u00c0-\u024f]")

# Frequent English function words; a Latin-script text is English when enough of its words are these.
_EN_STOP = frozenset(
    "the a an and or of to in on for with is are was were be been it its this that these those "
    "by from at as but not have has had will would can could should may might do does did "
    "you your we our they their he she his her i my me us them what which who how when where "
    "than then there here about into over after before new just more most also if so no yes "
    "all any some one two up out".split()
)
# Frequent function words of other Latin-script languages (German, Portuguese, Spanish, French, ...).
_OTHER_STOP = frozenset(
    "der die das und ist nicht ein eine mit von den dem des auf für sich auch wird "
    "o os as um uma do da dos das em no na nos nas para com não por mais foi são ao "
    "el la los las y en del al es por con una se lo como más pero sus le "
    "le les et est dans une pour pas sur qui par au avec ce sont du ou "
    "il di che è per della non gli".split()
)


def detect_lang(text: str) -> str:
    """Return 'zh', 'en' or 'other' from the text itself.

    Chinese: a meaningful share of Han characters and no Japanese kana / Korean Hangul dominance.
    Traditional Chinese counts as zh. English: Latin words with enough English function words.
    """
    if not text:
        return "other"
    sample = text[:4000]
    han = len(_CJK.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    words = _LATIN_WORD.findall(sample)
    if han and han >= 4 * (kana + hangul) and (kana + hangul) < 20:
        # Chinese text with English terms mixed in is still Chinese when Han chars carry it.
        if han >= 10 or han * 2 >= len(words):
            return "zh"
    if kana + hangul > han // 4 and (kana + hangul) >= 2:
        return "other"
    if _OTHER_SCRIPT.search(sample) and len(_OTHER_SCRIPT.findall(sample)) > len(words):
        return "other"
    if not words:
        return "zh" if han else "other"
    lower = [w.lower() for w in words]
    en_hits = sum(1 for w in lower if w in _EN_STOP)
    other_hits = sum(1 for w in lower if w in _OTHER_STOP)
    accented = len(_NON_ASCII_LATIN.findall(sample))
    if other_hits > en_hits * 1.2 or (accented > max(3, len(words) // 8) and other_hits >= en_hits):
        return "other"
    if en_hits or len(words) <= 12:
        return "en"
    return "other"


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Fold Traditional Chinese to Simplified (for matching and dedup; never for display)."""
    if not text or not _CJK.search(text):
        return text
    return _converter().convert(text)
