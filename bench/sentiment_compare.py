"""Sentiment: compare candidate approaches, sweep the neutral band, measure speed.

    python -m bench.sentiment_compare            # everything (about 2 minutes, SnowNLP is slow)
    python -m bench.sentiment_compare --fast     # skip the public sets and SnowNLP

Candidates: (a) VADER for en, (b) SnowNLP for zh, (c) our lexicon alone, (d) our lexicon + VADER's
lexicon as a fallback for en words we do not list (all words at 0.6, or only strong ones |v|>=2).
"""
from __future__ import annotations

import itertools
import statistics
import sys
import time
from dataclasses import replace

from ingest.tag.doc import make_doc
from ingest.tag.sentiment import DEFAULT_PARAMS, Params, analyze, label_for
from ingest.tag.sentiment_eval import (Figures, accuracy_macro_f1, compare_public_sets, devset_rows,
                                       format_table, load_jsonl, run_method, sentiment_root,
                                       snownlp_available)

VARIANTS: dict[str, Params] = {
    "c lexicon only": replace(DEFAULT_PARAMS, fallback_weight=0.0),
    "d +VADER all": replace(DEFAULT_PARAMS, fallback_weight=0.6, fallback_min=0.0),
    "d +VADER |v|>=2": DEFAULT_PARAMS,
}


def variants_table() -> str:
    halves = devset_rows()
    rows: list[tuple[str, str, Figures]] = []
    for lang, items in halves.items():
        for name, params in VARIANTS.items():
            if lang == "zh" and name != "c lexicon only":
                continue  # the fallback is English-only
            rows.append((f"devset_{lang}", name, run_method("ours", items, params)))
        if lang == "en":
            rows.append((f"devset_{lang}", "a VADER", run_method("vader", items)))
        elif snownlp_available():
            rows.append((f"devset_{lang}", "b SnowNLP", run_method("snownlp", items)))
    for name, params in VARIANTS.items():
        both = [r for items in halves.values() for r in items]
        rows.append(("devset_all", name, run_method("ours", both, params)))
    return format_table(rows)


def sweep_table(params: Params = DEFAULT_PARAMS) -> str:
    """Macro-F1 (3-class) and predicted-neutral share per symmetric threshold, then per (pos, neg)."""
    halves = devset_rows()
    scores = {lang: [analyze(make_doc(r.get("title", ""), r["text"], r["lang"]), params).score
                     for r in items] for lang, items in halves.items()}
    gold = {lang: [r["sentiment"] for r in items] for lang, items in halves.items()}
    lines = ["threshold  " + "  ".join(f"{lang} F1  {lang} neu%" for lang in halves) + "  mean F1"]
    for th in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        p = replace(params, threshold=th, neg_threshold=th)
        cells, f1s = [], []
        for lang in halves:
            pred = [label_for(s, p) for s in scores[lang]]
            f1 = accuracy_macro_f1(gold[lang], pred)[1]
            f1s.append(f1)
            cells.append(f"{f1:6.3f}  {100 * pred.count('neutral') / len(pred):7.0f}")
        lines.append(f"{th:9.2f}  " + "  ".join(cells) + f"  {statistics.mean(f1s):7.3f}")
    lines.append("asymmetric (pos, neg)")
    for tp, tn in ((0.25, 0.1), (0.25, 0.15), (0.25, 0.2), (0.3, 0.15), (0.2, 0.15)):
        p = replace(params, threshold=tp, neg_threshold=tn)
        cells, f1s = [], []
        for lang in halves:
            pred = [label_for(s, p) for s in scores[lang]]
            f1 = accuracy_macro_f1(gold[lang], pred)[1]
            f1s.append(f1)
            cells.append(f"{f1:6.3f}  {100 * pred.count('neutral') / len(pred):7.0f}")
        lines.append(f"{tp:.2f}/{tn:.2f}  " + "  ".join(cells) + f"  {statistics.mean(f1s):7.3f}")
    for lang in halves:
        lines.append(f"gold neutral share {lang}: {100 * gold[lang].count('neutral') / len(gold[lang]):.0f}%")
    return "\n".join(lines)


def split_half_table() -> str:
    """Choose the article/post constants and the band on even-numbered items, test on odd, and back.

    Grid: news_damp x quote_news x policy_news x (pos, neg) band; ties go to the setting nearest the
    defaults. "test at default" is the shipped defaults on the same test half.
    """
    halves = devset_rows()
    items = [r for rs in halves.values() for r in rs]
    docs = [make_doc(r.get("title", ""), r["text"], r["lang"]) for r in items]
    gold = [r["sentiment"] for r in items]
    grid = {"news_damp": (0.0, 0.15, 0.25, 0.35), "quote_news": (0.4, 0.6, 1.0),
            "policy_news": (0.3, 0.5, 1.0)}
    bands = [(a, b) for a in (0.2, 0.25, 0.3) for b in (0.1, 0.15, 0.2)]
    keys = [*grid, "threshold", "neg_threshold"]
    default = tuple(getattr(DEFAULT_PARAMS, k) for k in keys)
    labels: dict[tuple[float, ...], list[str]] = {}
    for combo in itertools.product(*grid.values()):
        p = replace(DEFAULT_PARAMS, **dict(zip(grid, combo)))
        scores = [analyze(d, p).score for d in docs]
        for band in bands:
            pb = replace(p, threshold=band[0], neg_threshold=band[1])
            labels[(*combo, *band)] = [label_for(s, pb) for s in scores]
    labels.setdefault(default, [analyze(d).label for d in docs])

    def f1(idx: list[int], key: tuple[float, ...]) -> float:
        return accuracy_macro_f1([gold[i] for i in idx], [labels[key][i] for i in idx],
                                 ("positive", "neutral", "negative"))[1]

    lines = ["fold       chosen " + "/".join(keys) + "   train F1  test F1  test F1 at default"]
    for fold, name in ((0, "even->odd"), (1, "odd->even")):
        train = [i for i in range(len(items)) if i % 2 == fold]
        test = [i for i in range(len(items)) if i % 2 != fold]
        best = max(labels, key=lambda k: (f1(train, k), -sum(abs(a - b) for a, b in zip(k, default))))
        lines.append(f"{name:<10} {'/'.join(f'{v:g}' for v in best):<28} {f1(train, best):8.3f}"
                     f"  {f1(test, best):7.3f}  {f1(test, default):19.3f}")
    return "\n".join(lines)


def speed_table(n: int = 1000) -> str:
    """docs/s: make_doc alone vs make_doc + analyze, on public-set texts (one core)."""
    root = sentiment_root()
    sets = {"en": root / "tweeteval_sentiment_test.jsonl", "zh": root / "chnsenticorp_htl_all.jsonl"}
    lines = ["lang  docs  avg chars  make_doc/s  +analyze/s  analyze/s  analyze share of make_doc"]
    for lang, path in sets.items():
        if not path.is_file():
            continue
        texts = [r["text"] for r in load_jsonl(path, n)]
        if lang == "en":  # English news is long: also time 10x-concatenated texts
            texts = [" ".join(texts[i:i + 10]) for i in range(0, len(texts), 10)] * 10
        make_doc("", texts[0], lang)
        t0 = time.perf_counter()
        docs = [make_doc("", t, lang) for t in texts]
        t1 = time.perf_counter()
        for d in docs:
            analyze(d)
        t2 = time.perf_counter()
        avg = sum(map(len, texts)) / len(texts)
        lines.append(f"{lang:4}  {len(texts):4d}  {avg:9.0f}  {len(texts) / (t1 - t0):10.0f}"
                     f"  {len(texts) / (t2 - t0):10.0f}  {len(texts) / (t2 - t1):9.0f}"
                     f"  {100 * (t2 - t1) / (t1 - t0):5.0f}%")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    fast = "--fast" in argv
    print("== dev set (relevant items): candidates\n" + variants_table())
    print("\n== neutral band sweep (default params otherwise)\n" + sweep_table())
    print("\n== split-half check of the threshold\n" + split_half_table())
    print("\n== speed\n" + speed_table())
    if not fast:
        print("\n== public sets\n" + compare_public_sets())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
