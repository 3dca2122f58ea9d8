"""Chinese word segmentation: the words of jieba.lcut (accurate mode, HMM on), computed faster.

jieba spends most of its time on two passes over every block of Han text: `get_DAG` (which
dictionary words start at each character) and `calc` (the most probable route through them, a max
over generator-built tuples with a log() per candidate). This module walks each block once,
backwards, finding the words that start at a character and scoring them in the same loop, with
each word's log probability remembered after its first use. The arithmetic is jieba's own, term for
term ((log(freq) - log(total)) + best route after the word; the longer word wins a tie), so the
route is the same; runs of single characters go to jieba's HMM (`finalseg`) exactly as jieba hands
them over. Dictionary, user words (ingest.tag.lexicon registers the model names) and the block and
skip patterns are jieba's; `tests/test_tag_segment.py` checks the output word for word against
jieba.lcut.
"""
from __future__ import annotations

from math import log
from typing import Any

_LOGP: dict[str, float] = {}           # word -> log(freq) - log(total), for the current dictionary
_state: list[Any] = [None, None]       # (FREQ object, total) the memo belongs to


def _logp(tokenizer: Any) -> dict[str, float]:
    """The memo of word log probabilities, emptied when the dictionary changed (a word added)."""
    freq, total = tokenizer.FREQ, tokenizer.total
    if _state[0] is not freq or _state[1] != total:
        _LOGP.clear()
        _state[0], _state[1] = freq, total
    return _LOGP


def lcut(text: str) -> list[str]:
    """jieba.lcut(text) (cut_all=False, HMM=True): the same list of words."""
    import jieba

    tokenizer = jieba.dt
    tokenizer.check_initialized()
    re_han, re_skip = jieba.re_han_default, jieba.re_skip_default
    out: list[str] = []
    for block in re_han.split(text):
        if not block:
            continue
        if re_han.match(block):
            _cut_block(block, tokenizer, out)
        else:
            for piece in re_skip.split(block):
                if re_skip.match(piece):
                    out.append(piece)
                else:
                    out.extend(piece)
    return out


def _cut_block(sentence: str, tokenizer: Any, out: list[str]) -> None:
    from jieba import finalseg

    freq = tokenizer.FREQ
    logp = _logp(tokenizer)
    logtotal = log(tokenizer.total)
    n = len(sentence)
    best_value = [0.0] * (n + 1)         # route[k][0] in jieba: best log probability from k on
    best_end = list(range(n + 1))        # route[k][1]: the last character of the word taken at k
    for k in range(n - 1, -1, -1):
        value = end = None
        i = k
        frag = sentence[k]
        while i < n and frag in freq:
            if freq[frag]:
                lp = logp.get(frag)
                if lp is None:
                    lp = logp[frag] = log(freq[frag]) - logtotal
                v = lp + best_value[i + 1]
                if value is None or v >= value:     # max((v, i)): a tie goes to the later end
                    value, end = v, i
            i += 1
            frag = sentence[k:i + 1]
        if value is None:                # no dictionary word starts here: the character alone
            char = sentence[k]
            lp = log(freq.get(char) or 1) - logtotal
            value, end = lp + best_value[k + 1], k
        best_value[k] = value
        best_end[k] = end
    x = 0
    buf = ""
    append = out.append
    while x < n:
        y = best_end[x] + 1
        if y - x == 1:
            buf += sentence[x]
        else:
            if buf:
                _flush(buf, freq, finalseg, out)
                buf = ""
            append(sentence[x:y])
        x = y
    if buf:
        _flush(buf, freq, finalseg, out)


def _flush(buf: str, freq: dict[str, int], finalseg: Any, out: list[str]) -> None:
    """A run of single characters, as jieba's __cut_DAG emits it."""
    if len(buf) == 1:
        out.append(buf)
    elif not freq.get(buf):
        out.extend(finalseg.cut(buf))
    else:
        out.extend(buf)
