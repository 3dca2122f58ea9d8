"""Train the learned theme layer (``data/theme_model.json``) and choose it by cross-validation.

    python -m ingest.tag.theme_train [--write] [--folds 5] [--repeats 4]

Needs the dev extra (scikit-learn) and the audit set's git-ignored texts. The layer decides, for
each theme that has at least one cue in a document, whether the theme is present, from
``themes.learned_features`` (how far the cues go toward the theme's thresholds, how many and how
spread): one logistic regression pooled over all themes, with a bias and threshold-ratio weights
per theme. The lexicons still decide what counts as a cue; the layer only replaces the fixed
thresholds, which were calibrated on synthetic text and ask too much of real articles.

Training data: relevant items of the audit **tune** part (the test part is never read here) and
of the dev set (weight ``dev_weight``). Model choice: repeated k-fold over the tune items, each
fold trained on the other folds plus the dev set; settings ranked by pooled micro-F1 of themes
over the tune items (a gold theme with no cue at all stays a miss). The held-out set is never
trained on. Library code returns figures; only ``main`` prints.
"""
from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ingest.tag import spam as _spam
from ingest.tag import themes as _themes
from ingest.tag.doc import make_doc
from ingest.tag.engine import model_counts, signals_and_models
from ingest.tag.linear import dumps

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "ingest" / "tag" / "data"


@dataclass(frozen=True)
class Doc:
    id: str
    gold: frozenset[str]
    candidates: dict[str, dict[str, float]]    # theme with a cue -> learned features
    by_rule: frozenset[str]
    source: str


@dataclass(frozen=True)
class Setting:
    c: float = 1.0
    dev_weight: float = 1.0
    cut: float = 0.5                         # P(present) needed

    def describe(self) -> str:
        return f"C={self.c:g} dev={self.dev_weight:g} cut={self.cut:g}"


def theme_doc(item: dict[str, Any], source: str) -> Doc:
    """An item's theme candidates, computed the way the engine computes them."""
    doc = make_doc(item.get("title", "") or "", item.get("text", "") or "", item.get("lang"))
    _, found = signals_and_models(doc)
    st, _, _ = _themes.stats(doc, model_counts(doc, found), skip_title=_spam.detect(doc).spam)
    lang = "zh" if doc.lang == "zh" else "en"
    n = len(doc.spans)
    return Doc(str(item.get("id")), frozenset(item.get("themes", [])),
               {t: _themes.learned_features(t, s, lang, n) for t, s in st.items()},
               frozenset(t for t, s in st.items() if s.by_rule), source)


def load_sources() -> dict[str, list[Doc]]:
    from ingest.tag.audit import labelled_items
    from ingest.tag.evaluate import load_items

    def rel(items):
        return [i for i in items if i.get("relevant")]

    return {
        "tune": [theme_doc(i, "tune") for i in rel(labelled_items("tune"))],
        "dev": [theme_doc(i, "dev") for i in rel(load_items())],
        "holdout": [theme_doc(i, "holdout") for i in rel(
            load_items(str(REPO_ROOT / "tests" / "data" / "holdout.jsonl")))],
    }


def fit(train: Sequence[Doc], setting: Setting):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows, y, w = [], [], []
    for d in train:
        weight = 1.0 if d.source == "tune" else setting.dev_weight
        if weight <= 0:
            continue
        for theme, feats in d.candidates.items():
            rows.append(feats)
            y.append("present" if theme in d.gold else "absent")
            w.append(weight)
    vec = DictVectorizer()
    clf = LogisticRegression(C=setting.c, max_iter=2000)
    clf.fit(vec.fit_transform(rows), y, sample_weight=w)
    return vec, clf


def predict(model, docs: Sequence[Doc], setting: Setting) -> list[frozenset[str]]:
    vec, clf = model
    present = list(clf.classes_).index("present")
    out = []
    for d in docs:
        themes = list(d.candidates)
        if not themes:
            out.append(frozenset())
            continue
        p = clf.predict_proba(vec.transform([d.candidates[t] for t in themes]))[:, present]
        out.append(frozenset(t for t, q in zip(themes, p) if q >= setting.cut))
    return out


def micro_f1(gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def cross_validate(sources: dict[str, list[Doc]], setting: Setting, folds: int = 5,
                   repeats: int = 4) -> float:
    from sklearn.model_selection import KFold

    tune = sources["tune"]
    gold = [d.gold for d in tune]
    scores = []
    for r in range(repeats):
        pred: list[frozenset[str]] = [frozenset()] * len(tune)
        for train_idx, test_idx in KFold(n_splits=folds, shuffle=True, random_state=r).split(tune):
            model = fit([tune[i] for i in train_idx] + sources["dev"], setting)
            for i, p in zip(test_idx, predict(model, [tune[i] for i in test_idx], setting)):
                pred[i] = p
        scores.append(micro_f1(gold, pred))
    return sum(scores) / len(scores)


def grid() -> list[Setting]:
    return [Setting(c, d, cut) for c, d, cut in itertools.product(
        (0.3, 1.0, 3.0), (0.3, 1.0), (0.25, 0.3, 0.35, 0.4, 0.5))]


def to_json(model, setting: Setting, note: dict[str, Any]) -> dict[str, Any]:
    """The binary model as two classes: "absent" scores 0, "present" scores the logit minus
    logit(cut), so the argmax applies the chosen cut."""
    import math

    from ingest.tag.linear import to_dict

    vec, clf = model
    sign = 1.0 if list(clf.classes_).index("present") == 1 else -1.0
    coef = [[0.0] * len(vec.feature_names_), [sign * c for c in clf.coef_[0]]]
    shift = math.log(setting.cut / (1.0 - setting.cut))
    bias = [0.0, sign * float(clf.intercept_[0]) - shift]
    return to_dict(["absent", "present"], bias, vec.feature_names_, coef,
                   setting=setting.describe(), trained_on=note)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.tag.theme_train",
                                 description="Choose the learned theme layer by cross-validation on "
                                             "the audit tune part; --write saves it.")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--write", action="store_true", help=f"write data/{_themes.THEME_MODEL}")
    args = ap.parse_args(argv)
    sources = load_sources()
    if not sources["tune"]:
        print("error: no audit tune texts; run python -m ingest.tag.audit fill first")
        return 2
    print("relevant items:", {k: len(v) for k, v in sources.items()})
    for part in ("tune", "holdout", "dev"):
        docs = sources[part]
        print(f"rule (fixed thresholds) on {part}: micro-F1 "
              f"{micro_f1([d.gold for d in docs], [d.by_rule for d in docs]):.3f}")
    ranked = []
    for setting in grid():
        cv = cross_validate(sources, setting, args.folds, args.repeats)
        ranked.append((cv, setting))
        print(f"cv micro-F1 {cv:.3f}  {setting.describe()}", flush=True)
    ranked.sort(key=lambda t: -t[0])
    best = ranked[0][1]
    print(f"best: {ranked[0][0]:.3f}  {best.describe()}")
    model = fit(sources["tune"] + sources["dev"], best)
    for part in ("holdout", "dev"):
        docs = sources[part]
        print(f"refit model on {part}: micro-F1 "
              f"{micro_f1([d.gold for d in docs], predict(model, docs, best)):.3f}")
    if args.write:
        note = {"tune": len(sources["tune"]), "dev": len(sources["dev"]),
                "cv_micro_f1": round(ranked[0][0], 3)}
        path = DATA_DIR / _themes.THEME_MODEL
        path.write_text(dumps(to_json(model, best, note)), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
