"""Tagging speed benchmark: zh docs/s, segmentation ratio, en docs/s.

Generates deterministic items (seeded, from a built-in vocabulary), warms every dictionary, then
times `ingest.tag.engine.tag` over them; for zh it also times bare `jieba.lcut` over the same
texts: ratio = time(jieba) / time(tag). A ratio >= 0.6 means everything besides segmentation
costs less than the segmentation itself.

The tagger segments with `ingest.tag.segment.lcut` (jieba's words, word for word, computed about
twice as fast), so the bench also times that alone and prints the tagger's own overhead beside the
ratio: time(segment) / time(tag), the share of tagging time spent segmenting.

Timing: the items are taken in chunks of --chunk; each chunk is timed --repeat times, bare jieba
and the tagger alternating, and the fastest run of each chunk counts. Slow spells of a shared
machine (which last seconds and hit whichever measurement runs then) so fall out of both figures
alike; the median over all runs is printed beside them.

    python bench/tagging.py --n 10000
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Domain words (model names, theme cues) and everyday words; items draw ~1 domain word in 4,
# about the density of real coverage.
ZH_DOMAIN = (
    "可灵 即梦 Sora 视频生成 模型 发布 用户 创作者 短剧 广告 导演 画面 镜头 物理 世界模型 算力 显卡 融资 估值 "
    "版权 训练数据 深度伪造 监管 标识 内测 会员 开源 分辨率 1080P 10秒 对比 竞争 国产 海外 效果 提示词 "
    "人物 动作 自然 稳定 翻车 抽卡 手指 成本 降低 行业 影视 公司 平台 抖音 快手 字节 阿里 腾讯"
).split()
ZH_COMMON = (
    "今天 我们 他们 已经 非常 可以 还是 但是 因为 所以 如果 这个 那个 一个 没有 认为 表示 指出 目前 未来 "
    "时间 城市 学生 老师 朋友 工作 生活 问题 方面 发展 经济 社会 文化 历史 天气 周末 早上 晚上 家里 "
    "孩子 父母 电话 消息 新闻 记者 采访 会议 计划 准备 开始 结束 继续 希望 觉得 知道 看到 听到 "
    "非常 比较 特别 一直 一起 马上 终于 突然 慢慢 认真 简单 复杂 重要 主要 普通 特殊 明显 清楚 "
    "地方 房子 道路 汽车 火车 飞机 商店 医院 学校 公园 餐厅 超市 市场 价格 数量 质量 速度 距离"
).split()
EN_DOMAIN = (
    "sora veo kling runway video generation model release users creators film studio director "
    "physics world model gpu compute funding valuation copyright training data deepfake regulation "
    "label beta waitlist pricing open source resolution 1080p seconds comparison rival race "
    "hands fingers glitch cost industry company platform"
).split()
EN_COMMON = (
    "the a of and to in is that for on with it as was at by this from they have are be has but not "
    "more said new its can will about people time year day city school family friend work life "
    "week morning evening house road car train store market price number quality speed distance "
    "government report meeting plan start end continue hope think know see hear very quite often "
    "together soon finally suddenly slowly simple complex important main common special clear"
).split()
ZH_PUNCT = "，，，。！？、"


def _words(rnd: random.Random, domain: list[str], common: list[str], k: int) -> list[str]:
    return [rnd.choice(domain) if rnd.random() < 0.25 else rnd.choice(common) for _ in range(k)]


def make_items(n: int, lang: str, seed: int = 42) -> list[tuple[str, str]]:
    rnd = random.Random(seed)
    items = []
    for _ in range(n):
        if lang == "zh":
            title = "".join(_words(rnd, ZH_DOMAIN, ZH_COMMON, 8))
            parts: list[str] = []
            while sum(len(p) for p in parts) < 600:
                parts.append("".join(_words(rnd, ZH_DOMAIN, ZH_COMMON, rnd.randint(4, 9)))
                             + rnd.choice(ZH_PUNCT))
            items.append((title, "".join(parts)))
        else:
            title = " ".join(_words(rnd, EN_DOMAIN, EN_COMMON, 8)).capitalize()
            sentences = [" ".join(_words(rnd, EN_DOMAIN, EN_COMMON, rnd.randint(10, 20))).capitalize()
                         + "." for _ in range(8)]
            items.append((title, " ".join(sentences)))
    return items


def _timed(fn, chunk) -> float:
    t0 = time.perf_counter()
    fn(chunk)
    return time.perf_counter() - t0


def measure(fns: dict[str, object], items: list, chunk: int, repeat: int
            ) -> dict[str, tuple[float, float]]:
    """name -> (sum over chunks of the fastest run, sum over chunks of the median run), seconds.
    Every repeat runs each function (which takes a list of items) on the chunk in turn."""
    fastest = {name: 0.0 for name in fns}
    median = {name: 0.0 for name in fns}
    for lo in range(0, len(items), chunk):
        part = items[lo:lo + chunk]
        runs: dict[str, list[float]] = {name: [] for name in fns}
        for _ in range(max(1, repeat)):
            for name, fn in fns.items():
                runs[name].append(_timed(fn, part))
        for name, times in runs.items():
            fastest[name] += min(times)
            median[name] += statistics.median(times)
    return {name: (fastest[name], median[name]) for name in fns}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="items per language (default 10000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timing runs per chunk; the fastest counts (default 5)")
    parser.add_argument("--chunk", type=int, default=250, help="items per timed chunk (default 250)")
    args = parser.parse_args(argv)

    from ingest.tag.doc import jieba_tokenizer
    from ingest.tag.engine import TAGGER_VERSION, tag, tag_batch, warm_up
    from ingest.tag.segment import lcut as segment_lcut

    warm_up()
    jieba = jieba_tokenizer()
    zh = [(title, text, f"{title}\n{text}") for title, text in make_items(args.n, "zh", args.seed)]
    en = make_items(args.n, "en", args.seed)

    def each(fn):
        return lambda part: [fn(*item) for item in part]

    zh_times = measure({"jieba": lambda part: [jieba.lcut(full) for _, _, full in part],
                        "segment": lambda part: [segment_lcut(full) for _, _, full in part],
                        "tag": each(lambda title, text, _: tag(title, text, "zh")),
                        "batch": lambda part: tag_batch([(t, x, "zh") for t, x, _ in part])},
                       zh, args.chunk, args.repeat)
    en_times = measure({"tag": each(lambda title, text: tag(title, text, "en")),
                        "batch": lambda part: tag_batch([(t, x, "en") for t, x in part])},
                       en, args.chunk, args.repeat)

    n = args.n
    t_jieba, m_jieba = zh_times["jieba"]
    print(f"tagger {TAGGER_VERSION}, {n} items per language, chunks of {args.chunk}, "
          f"fastest of {args.repeat} runs per chunk (median run in brackets)")
    print(f"zh: avg {sum(len(a) + len(b) for a, b, _ in zh) / n:.0f} chars; "
          f"bare jieba.lcut {n / t_jieba:.1f} docs/s ({n / m_jieba:.1f})")
    t_seg, m_seg = zh_times["segment"]
    print(f"    ingest.tag.segment.lcut (same words) {n / t_seg:.1f} docs/s ({n / m_seg:.1f}), "
          f"{t_jieba / t_seg:.2f}x jieba")
    for name, label in (("batch", "tag_batch (ingest, retag, CLI)"), ("tag", "tag() item by item")):
        t_zh, m_zh = zh_times[name]
        t_en, m_en = en_times[name]
        print(f"{label}:")
        print(f"  zh: {n / t_zh:8.1f} docs/s ({n / m_zh:.1f}); jieba-only/tag time ratio "
              f"{t_jieba / t_zh:.2f} ({m_jieba / m_zh:.2f})   (target >= 0.6); "
              f"segmenting is {t_seg / t_zh:.0%} of tagging time")
        print(f"  en: {n / t_en:8.1f} docs/s ({n / m_en:.1f})   (target >= 1000)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
