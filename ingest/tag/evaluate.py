"""Evaluate the tagger against labelled JSONL (tests/data/devset_*.jsonl by default).

Measures (TAXONOMY.md definitions): relevance precision/recall/F1 per class and macro-F1; on
gold-relevant items, micro-F1 of models and themes plus P/R/F1 per model and per theme; sentiment
macro-F1 with a 3x3 confusion matrix; spam F1; all of it again split by language.
`extra_sections` lets callers append more text (e.g. the public sentiment-set comparison).
"""
from __future__ import annotations

import glob
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

SENTIMENTS = ("negative", "neutral", "positive")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GLOB = str(REPO_ROOT / "tests" / "data" / "devset_*.jsonl")
HOLDOUT = REPO_ROOT / "tests" / "data" / "holdout.jsonl"
# hard probes: four sets of 80 real-style items (collisions, AI-faked clips of real people that name
# no model, boundary distractors, spam titles, promotional and balanced tone), written by four
# writers who never saw the tagger's code, after the real-text audit; how each was used
PROBES = (
    ("probes_a.jsonl", "dev: rules were written from its misses"),
    ("probes_b.jsonl", "its misses' kinds and the names in their notes were read"),
    ("probes_c.jsonl", "held out for one round, then its misses were read"),
    ("probes_d.jsonl", "held out: never read"),
)


@dataclass(frozen=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else (1.0 if not (self.fp or self.fn) else 0.0)


@dataclass
class Report:
    n: int
    n_relevant: int
    relevance: dict[str, PRF]                 # "relevant" / "not_relevant"
    models: dict[str, PRF]
    themes: dict[str, PRF]
    sentiment_confusion: dict[str, dict[str, int]]   # gold -> predicted -> count
    spam: PRF
    by_lang: dict[str, "Report"] = field(default_factory=dict)
    extra_sections: list[str] = field(default_factory=list)

    @property
    def relevance_macro_f1(self) -> float:
        return sum(p.f1 for p in self.relevance.values()) / 2

    @property
    def model_micro(self) -> PRF:
        return _sum(self.models.values())

    @property
    def theme_micro(self) -> PRF:
        return _sum(self.themes.values())

    @property
    def sentiment_macro_f1(self) -> float:
        return sum(self.sentiment_prf(s).f1 for s in SENTIMENTS) / len(SENTIMENTS)

    def sentiment_prf(self, label: str) -> PRF:
        c = self.sentiment_confusion
        tp = c[label][label]
        fp = sum(c[g][label] for g in SENTIMENTS if g != label)
        fn = sum(c[label][p] for p in SENTIMENTS if p != label)
        return PRF(tp, fp, fn)


def _sum(prfs: Iterable[PRF]) -> PRF:
    tp = fp = fn = 0
    for p in prfs:
        tp, fp, fn = tp + p.tp, fp + p.fp, fn + p.fn
    return PRF(tp, fp, fn)


def _counts(pairs: Iterable[tuple[set[str], set[str]]]) -> dict[str, PRF]:
    tally: dict[str, list[int]] = {}
    for gold, pred in pairs:
        for label in gold | pred:
            t = tally.setdefault(label, [0, 0, 0])
            if label in gold and label in pred:
                t[0] += 1
            elif label in pred:
                t[1] += 1
            else:
                t[2] += 1
    return {k: PRF(*v) for k, v in sorted(tally.items())}


def _pred_of(predictions: Mapping[Any, Any] | list[Any], item: dict[str, Any], index: int) -> dict:
    pred = predictions.get(item.get("id")) if isinstance(predictions, Mapping) else predictions[index]
    if pred is None:
        raise KeyError(f"no prediction for item {item.get('id')!r}")
    if not isinstance(pred, dict):      # a Tags object
        pred = {"relevant": pred.relevant, "models": pred.models, "themes": pred.themes,
                "sentiment": pred.sentiment, "spam": pred.spam}
    return pred


def evaluate(items: list[dict[str, Any]], predictions: Mapping[Any, Any] | list[Any],
             split_lang: bool = True) -> Report:
    """Compare gold `items` with `predictions` (records or Tags, by id or in the same order)."""
    pairs = [(item, _pred_of(predictions, item, i)) for i, item in enumerate(items)]
    rel_pairs = [({"relevant" if g.get("relevant") else "not_relevant"},
                  {"relevant" if p["relevant"] else "not_relevant"}) for g, p in pairs]
    relevance = _counts(rel_pairs)
    for key in ("relevant", "not_relevant"):
        relevance.setdefault(key, PRF(0, 0, 0))
    on_topic = [(g, p) for g, p in pairs if g.get("relevant")]
    confusion = {g: {p: 0 for p in SENTIMENTS} for g in SENTIMENTS}
    for g, p in pairs:
        if g.get("sentiment") in SENTIMENTS and p.get("sentiment") in SENTIMENTS:
            confusion[g["sentiment"]][p["sentiment"]] += 1
    spam = _counts(({"spam"} if g.get("spam") else set(), {"spam"} if p.get("spam") else set())
                   for g, p in pairs).get("spam", PRF(0, 0, 0))
    report = Report(
        n=len(items),
        n_relevant=len(on_topic),
        relevance=relevance,
        models=_counts((set(g.get("models", [])), set(p["models"])) for g, p in on_topic),
        themes=_counts((set(g.get("themes", [])), set(p["themes"])) for g, p in on_topic),
        sentiment_confusion=confusion,
        spam=spam,
    )
    if split_lang:
        langs = sorted({str(g.get("lang", "?")) for g, _ in pairs})
        if len(langs) > 1:
            for lang in langs:
                sub = [(g, p) for g, p in pairs if str(g.get("lang", "?")) == lang]
                report.by_lang[lang] = evaluate([g for g, _ in sub], [p for _, p in sub], False)
    return report


def _table(title: str, rows: Mapping[str, PRF]) -> list[str]:
    out = [title, f"  {'label':<18} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for label, p in rows.items():
        out.append(f"  {label:<18} {p.precision:6.3f} {p.recall:6.3f} {p.f1:6.3f} "
                   f"{p.tp:4d} {p.fp:4d} {p.fn:4d}")
    return out


def _summary(r: Report) -> list[str]:
    return [
        f"items {r.n}, gold relevant {r.n_relevant}",
        f"relevance macro-F1 {r.relevance_macro_f1:.3f} "
        f"(relevant F1 {r.relevance['relevant'].f1:.3f}, "
        f"not relevant F1 {r.relevance['not_relevant'].f1:.3f})",
        f"model micro-F1 (relevant items) {r.model_micro.f1:.3f}",
        f"theme micro-F1 (relevant items) {r.theme_micro.f1:.3f}",
        f"sentiment macro-F1 {r.sentiment_macro_f1:.3f}",
        f"spam F1 {r.spam.f1:.3f} (tp {r.spam.tp}, fp {r.spam.fp}, fn {r.spam.fn})",
    ]


def format_report(report: Report) -> str:
    lines = ["== Summary"] + _summary(report) + [""]
    lines += _table("== Relevance", report.relevance) + [""]
    lines += _table("== Models (gold-relevant items)", report.models) + [""]
    lines += _table("== Themes (gold-relevant items)", report.themes) + [""]
    lines.append("== Sentiment confusion (rows gold, columns predicted)")
    lines.append("  " + " " * 10 + "".join(f"{p:>10}" for p in SENTIMENTS))
    for g in SENTIMENTS:
        lines.append(f"  {g:<10}" + "".join(f"{report.sentiment_confusion[g][p]:>10}"
                                            for p in SENTIMENTS))
    for lang, sub in report.by_lang.items():
        lines += ["", f"== Language {lang}"] + ["  " + s for s in _summary(sub)]
        lines.append("  sentiment confusion (rows gold, columns predicted): " + "; ".join(
            f"{g} " + "/".join(str(sub.sentiment_confusion[g][p]) for p in SENTIMENTS)
            for g in SENTIMENTS))
        weak = [f"{k} {v.f1:.2f}" for k, v in sub.themes.items() if v.f1 < 0.6]
        if weak:
            lines.append("  themes under 0.6: " + ", ".join(weak))
    for section in report.extra_sections:
        lines += ["", section.rstrip()]
    return "\n".join(lines)


def load_items(path: str | None = None) -> list[dict[str, Any]]:
    """Labelled items from a file, a glob, or the repo's dev set. Raises InputError naming the
    file and line of a bad line."""
    from aigcwatch.errors import InputError

    pattern = path or DEFAULT_GLOB
    files = sorted(glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
    if not files or not all(Path(f).is_file() for f in files):
        raise InputError(f"{pattern}: no labelled JSONL file found")
    items: list[dict[str, Any]] = []
    for name in files:
        with open(name, "rb") as f:
            for lineno, raw in enumerate(f, start=1):
                try:
                    line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                except UnicodeDecodeError as e:
                    raise InputError(f"{name}: line {lineno}: not UTF-8 ({e.reason} at byte "
                                     f"{e.start + 1})") from e
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{name}: line {lineno}: not valid JSON ({e.msg})") from e
                problem = _label_problem(item)
                if problem:
                    raise InputError(f"{name}: line {lineno}: {problem}")
                items.append(item)
    return items


def _label_problem(item: Any) -> str | None:
    """Why a labelled line cannot be scored (None: it can)."""
    if not isinstance(item, dict):
        return f"expected a JSON object, got {type(item).__name__}"
    for key in ("title", "text"):
        if not isinstance(item.get(key, ""), (str, type(None))):
            return f"field {key!r} is not a string"
    if not (item.get("title") or item.get("text")):
        return "both 'title' and 'text' are empty"
    for key in ("models", "themes"):
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"field {key!r} must be a list of strings, got {value!r}"
    if "relevant" not in item:
        return "no gold 'relevant' label (not a labelled set?)"
    return None


def predict(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from ingest.tag.jsonl import tag_records

    return tag_records([{"id": it.get("id"), "title": it.get("title", ""), "text": it.get("text", ""),
                         "lang": it.get("lang")} for it in items])


def run_eval(path: str | None = None, extra_sections: list[str] | None = None) -> str:
    items = load_items(path)
    report = evaluate(items, predict(items))
    if path is None:
        report.extra_sections.extend(holdout_section() + probe_sections() + audit_sections())
    report.extra_sections.extend(extra_sections or [])
    return format_report(report)


def holdout_section() -> list[str]:
    """The held-out set (never tuned or trained on), as an indented section; none without it."""
    if not HOLDOUT.is_file():
        return []
    items = load_items(str(HOLDOUT))
    body = format_report(evaluate(items, predict(items)))
    return [f"== Held-out set ({HOLDOUT.name}: written apart from the dev set, never trained on)\n"
            + "\n".join("  " + line for line in body.splitlines())]


def probe_sections() -> list[str]:
    """The hard probe sets (PROBES), each as an indented section; none for an absent file."""
    out = []
    for name, use in PROBES:
        path = HOLDOUT.parent / name
        if not path.is_file():
            continue
        items = load_items(str(path))
        body = format_report(evaluate(items, predict(items)))
        out.append(f"== Hard probes {name} ({use})\n" + "\n".join("  " + line for line in body.splitlines()))
    return out


def audit_sections(parts: tuple[str, ...] = ("test",), records: list[dict] | None = None,
                   texts: dict[str, dict[str, str]] | None = None) -> list[str]:
    """The real-text audit set's parts (tests/data/audit), when its git-ignored texts are present:
    the same report for each part, per language, with the sentiment confusion matrices; and the
    tune part's check round (CHECK_ROUND). `records`, `texts`: the set's (default: its files)."""
    from ingest.tag.audit import AUDIT_FILE, CHECK_ROUND, labelled_items, load_records, load_texts

    if records is None:
        if not AUDIT_FILE.is_file():
            return []
        records = load_records()
    texts = load_texts() if texts is None else texts      # read once for every section
    def section(heading: str, items: list[dict]) -> str:
        body = format_report(evaluate(items, predict(items)))
        return f"== Real-text audit set, {heading}\n" + "\n".join("  " + line for line in body.splitlines())

    out = []
    for part in parts:
        items = labelled_items(part, records, texts)
        n_part = sum(1 for r in records if r["split"] == part)
        if not items:
            out.append(f"== Real-text audit set, {part} part: texts absent "
                       f"(python -m ingest.tag.audit fetch --part {part}, or fill --from FILE)")
            continue
        out.append(section(f"{part} part ({len(items)} of {n_part} texts present)", items))
    check = [r for r in records if r.get("round") == CHECK_ROUND]
    items = labelled_items(None, check, texts)
    if items:
        out.append(section(f"round {CHECK_ROUND} of the tune part ({len(items)} of {len(check)} texts "
                           "present; a natural sample kept out of the learned layers' training, read "
                           "to decide their refits)", items))
    return out
