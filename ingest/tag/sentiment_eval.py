"""Measure the sentiment tagger against public labelled sets, the project dev set and baselines.

Baselines, computed in the same run on the same items:
- VADER (vaderSentiment) for English: compound score; the package's own cut-offs (|c| < 0.05 is
  neutral) give the 3-class label.
- SnowNLP for Chinese (dev-only dependency, imported lazily): ``2 * p(positive) - 1``; a neutral
  band of |s| <= 0.2 (p in [0.4, 0.6]). SnowNLP runs ~30 docs/s, so it scores a deterministic
  sample: the first ``snownlp_limit`` items of each file (the files are pre-shuffled with seed 42).

Figures per set: "pol" = accuracy / macro-F1 over the items whose gold label is positive or negative,
with the polarity forced from the sign of the score (score 0 counts as a miss); "3c" = accuracy /
macro-F1 of the 3-way label (macro over the gold classes present, a predicted class the set does not
have counts as a miss). Pure functions; nothing prints.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.tag.doc import make_doc
from ingest.tag.sentiment import DEFAULT_PARAMS, Params, analyze, label_for

REPO_ROOT = Path(__file__).resolve().parents[2]
DEVSET_DIR = REPO_ROOT / "tests" / "data"
SNOWNLP_LIMIT = 300
VADER_NEUTRAL = 0.05
SNOWNLP_NEUTRAL = 0.2

Scorer = Callable[[Sequence[dict]], list[float]]


def shared_root() -> Path:
    """The shared folder: $AIGCWATCH_SHARED, else ../shared next to the repository."""
    env = os.environ.get("AIGCWATCH_SHARED")
    return Path(env) if env else REPO_ROOT.parent / "shared"


def sentiment_root() -> Path:
    return shared_root() / "corpus" / "sentiment"


def load_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    rows: list[dict] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    return rows


# ---------------------------------------------------------------- metrics

def accuracy_macro_f1(gold: Sequence[str], pred: Sequence[str],
                      classes: Iterable[str] | None = None) -> tuple[float, float]:
    """Accuracy and macro-F1 averaged over `classes` (default: the gold classes present)."""
    if not gold:
        return 0.0, 0.0
    cls = sorted(set(classes) if classes is not None else set(gold))
    acc = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    f1s = []
    for c in cls:
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        fp = sum(g != c and p == c for g, p in zip(gold, pred))
        fn = sum(g == c and p != c for g, p in zip(gold, pred))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return acc, sum(f1s) / len(f1s)


def polarity(score: float) -> str:
    return "positive" if score > 0 else "negative" if score < 0 else "neutral"


def band_label(score: float, band: float) -> str:
    return "positive" if score > band else "negative" if score < -band else "neutral"


@dataclass(frozen=True)
class Figures:
    n: int
    pol_acc: float | None
    pol_f1: float | None
    acc3: float
    f1_3: float
    docs_per_s: float


def figures(gold: Sequence[str], scores: Sequence[float], labels: Sequence[str],
            seconds: float) -> Figures:
    polar = [(g, polarity(s)) for g, s in zip(gold, scores) if g != "neutral"]
    pol_acc = pol_f1 = None
    if polar:
        pol_acc, pol_f1 = accuracy_macro_f1([g for g, _ in polar], [p for _, p in polar],
                                            ("positive", "negative"))
    acc3, f13 = accuracy_macro_f1(gold, labels)
    return Figures(len(gold), pol_acc, pol_f1, acc3, f13, len(gold) / seconds if seconds else 0.0)


# ---------------------------------------------------------------- scorers

def ours_scores(rows: Sequence[dict], params: Params = DEFAULT_PARAMS) -> list[float]:
    """Our engine (document built with make_doc, as the tagger does)."""
    return [analyze(make_doc(r.get("title", ""), r.get("text", ""), r.get("lang")), params).score
            for r in rows]


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_scores(rows: Sequence[dict]) -> list[float]:
    """VADER compound score of title + text."""
    sia = _vader()
    return [sia.polarity_scores(_full_text(r))["compound"] for r in rows]


def snownlp_available() -> bool:
    try:
        import snownlp  # noqa: F401
    except ImportError:
        return False
    return True


def snownlp_scores(rows: Sequence[dict]) -> list[float]:
    """SnowNLP's Bayes sentiment mapped to [-1, 1]: 2p - 1 (raises ImportError if missing)."""
    from snownlp import SnowNLP

    out = []
    for r in rows:
        text = _full_text(r)
        out.append(2.0 * SnowNLP(text).sentiments - 1.0 if text.strip() else 0.0)
    return out


def baseline_scores(name: str, rows: Sequence[dict]) -> list[float]:
    """Scores of a named baseline ('vader' | 'snownlp' | 'ours') on rows with text/title."""
    if name == "vader":
        return vader_scores(rows)
    if name == "snownlp":
        return snownlp_scores(rows)
    if name == "ours":
        return ours_scores(rows)
    raise ValueError(f"unknown baseline {name!r}")


def baseline_band(name: str) -> float:
    return {"vader": VADER_NEUTRAL, "snownlp": SNOWNLP_NEUTRAL}.get(name, DEFAULT_PARAMS.threshold)


def _full_text(r: dict) -> str:
    title, text = r.get("title") or "", r.get("text") or ""
    return f"{title}\n{text}" if title and text else title or text


def run_method(name: str, rows: Sequence[dict], params: Params = DEFAULT_PARAMS) -> Figures:
    gold = [r["sentiment"] if "sentiment" in r else r["label"] for r in rows]
    t0 = time.perf_counter()
    if name == "ours":
        scores = ours_scores(rows, params)
        labels = [label_for(s, params) for s in scores]
    else:
        scores = baseline_scores(name, rows)
        labels = [band_label(s, baseline_band(name)) for s in scores]
    return figures(gold, scores, labels, time.perf_counter() - t0)


# ---------------------------------------------------------------- tables

def _fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def format_table(rows: list[tuple[str, str, Figures]]) -> str:
    head = f"{'set':<34} {'method':<16} {'n':>5} {'pol acc':>7} {'pol F1':>7} {'3c acc':>7} {'3c F1':>7} {'docs/s':>8}"
    lines = [head, "-" * len(head)]
    for set_name, method, f in rows:
        lines.append(f"{set_name:<34} {method:<16} {f.n:>5} {_fmt(f.pol_acc):>7} {_fmt(f.pol_f1):>7}"
                     f" {f.acc3:>7.3f} {f.f1_3:>7.3f} {f.docs_per_s:>8.0f}")
    return "\n".join(lines)


def compare_public_sets(root: Path | None = None, *, limit: int | None = None,
                        snownlp_limit: int = SNOWNLP_LIMIT,
                        params: Params = DEFAULT_PARAMS) -> str:
    """A printable table: our engine vs VADER (en sets) and SnowNLP (zh sets) on every public set.

    `limit` caps the items read per set (all methods); SnowNLP additionally scores only the first
    `snownlp_limit` items, and our engine is also reported on that same sample for a like-for-like row.
    """
    root = Path(root) if root is not None else sentiment_root()
    if not root.is_dir():
        return f"public sentiment sets not found at {root}"
    files = sorted(root.glob("*.jsonl"))
    if not files:
        return f"no *.jsonl sets in {root}"
    have_snow = snownlp_available()
    out: list[tuple[str, str, Figures]] = []
    notes: list[str] = []
    for path in files:
        rows = load_jsonl(path, limit)
        if not rows:
            continue
        name, lang = path.stem, rows[0].get("lang", "en")
        out.append((name, "ours", run_method("ours", rows, params)))
        if lang == "en":
            out.append((name, "vader", run_method("vader", rows)))
        elif have_snow:
            sample = rows[:snownlp_limit]
            tag = f"@{len(sample)}"
            out.append((name, f"ours{tag}", run_method("ours", sample, params)))
            out.append((name, f"snownlp{tag}", run_method("snownlp", sample)))
    if not have_snow:
        notes.append("SnowNLP not installed: zh baseline skipped.")
    else:
        notes.append(f"SnowNLP (and the ours@N row beside it) scored the first {snownlp_limit} "
                     "items of each zh set (files are pre-shuffled, seed 42).")
    notes.append(f"Bands: ours -{params.neg_threshold}<=score<={params.threshold}, VADER |compound|<{VADER_NEUTRAL}, "
                 f"SnowNLP |2p-1|<={SNOWNLP_NEUTRAL} -> neutral. pol = sign forced, on non-neutral gold.")
    return format_table(out) + "\n" + "\n".join(notes)


def devset_rows(directory: Path | None = None, *, relevant_only: bool = True) -> dict[str, list[dict]]:
    """The project dev set halves {'zh': [...], 'en': [...]}, relevant items only by default."""
    directory = Path(directory) if directory is not None else DEVSET_DIR
    out: dict[str, list[dict]] = {}
    for lang in ("zh", "en"):
        path = directory / f"devset_{lang}.jsonl"
        if path.is_file():
            rows = [r for r in load_jsonl(path)
                    if r.get("sentiment") and (r.get("relevant") or not relevant_only)]
            out[lang] = rows
    return out


def compare_devset(directory: Path | None = None, *, params: Params = DEFAULT_PARAMS,
                   baselines: bool = True) -> str:
    """Our engine vs VADER (en) and SnowNLP (zh) on the relevant dev-set items."""
    halves = devset_rows(directory)
    if not halves:
        return "dev set not found"
    out: list[tuple[str, str, Figures]] = []
    for lang, rows in halves.items():
        if not rows:
            continue
        out.append((f"devset_{lang}", "ours", run_method("ours", rows, params)))
        if baselines:
            if lang == "en":
                out.append((f"devset_{lang}", "vader", run_method("vader", rows)))
            elif snownlp_available():
                out.append((f"devset_{lang}", "snownlp", run_method("snownlp", rows)))
    both = [r for rows in halves.values() for r in rows]
    if both:
        out.append(("devset_all", "ours", run_method("ours", both, params)))
    return format_table(out)
