"""ingest.tag.segment gives jieba.lcut's words, word for word (it is only a faster walk of the
same dictionary): on real and synthetic Chinese, mixed scripts, odd white space, and after a word
is added to the dictionary."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ingest.tag import segment
from ingest.tag.doc import jieba_tokenizer, normalize

DATA = Path(__file__).parent / "data"
EDGE = ["", " ", "\n\n\t", "一", "的的的的的", "abc DEF 123", "Sora 2 & Veo-3.1 #AI 50% off!",
        "可灵AI发布2.1版本！！", "2025年12月19日，首届香港国际AI艺术节\r\n快手可灵AI携手图灵奖得主",
        "王小明和李雷在北京大学读书", "即梦AI、海螺AI、Vidu、PixVerse拍我AI都在卷视频生成",
        "ＡＩ视频　全角空格", "😀表情和emoji🎬混排", "……——《》“”「」"]


def _dev_texts() -> list[str]:
    out = []
    for path in sorted(DATA.glob("*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(item, dict) and item.get("lang") == "zh":
                    out.append(f"{item.get('title', '')}\n{item.get('text', '')}")
    return out


def _random_texts(n: int, seed: int = 5) -> list[str]:
    """Word salad from a vocabulary with dictionary words, unknown names and Latin runs, which
    sends runs of single characters to the HMM as often as real text does."""
    rnd = random.Random(seed)
    vocab = ("视频 生成 模型 可灵 即梦 发布 导演 影视 特效 失业 版权 算力 显卡 市场 估值 翻车 物理 "
             "世界 模拟器 周鑫雨 陈丹 魏佳 郑林 冯骥 鲍德熹 的 了 是 在 和 也 就 都 而 及 与 "
             "Sora Veo3 1080P 10秒 4K AI 。 ， ！ ？ 、 \n").split(" ")
    return ["".join(rnd.choice(vocab) for _ in range(rnd.randint(1, 300))) for _ in range(n)]


def test_the_same_words_as_jieba_on_real_and_synthetic_text():
    jieba = jieba_tokenizer()
    texts = EDGE + _dev_texts() + _random_texts(400)
    assert len(texts) > 400
    for text in texts + [normalize(t) for t in texts]:
        assert segment.lcut(text) == jieba.lcut(text), text[:60]


def test_a_word_added_to_the_dictionary_is_seen_at_once():
    jieba = jieba_tokenizer()
    text = "测试用的新词蓝鲸视界今天上线了"
    before = segment.lcut(text)
    assert before == jieba.lcut(text)
    jieba.add_word("蓝鲸视界", freq=50_000)
    try:
        assert "蓝鲸视界" in segment.lcut(text)
        assert segment.lcut(text) == jieba.lcut(text)
    finally:
        jieba.del_word("蓝鲸视界")
    assert segment.lcut(text) == jieba.lcut(text) == before


@pytest.mark.parametrize("path", sorted(Path(__file__).resolve().parents[2].joinpath(
    "shared", "corpus", "feeds").glob("*"))[:40] or [None])
def test_the_same_words_as_jieba_on_captured_feeds(path):
    if path is None:
        pytest.skip("../shared/corpus/feeds is absent")
    text = path.read_bytes().decode("utf-8", errors="replace")[:30_000]
    assert segment.lcut(text) == jieba_tokenizer().lcut(text)
