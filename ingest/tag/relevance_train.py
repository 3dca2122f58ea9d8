"""Train the learned relevance layer (``data/relevance_model.json``); choose it by cross-validation.

    python -m ingest.tag.relevance_train [--write] [--folds 5] [--repeats 4]

Needs the dev extra (scikit-learn) and the audit set's git-ignored texts. The lexicons and the
per-sentence signals stay as they are; the layer replaces the fixed score threshold (calibrated on
synthetic text) with a logistic regression over ``relevance.decision_features``: the rule's score
and verdict, how many sentences of each kind a document holds, and (setting ``words``) the
document's words seen in at least ``min_df`` tune documents, which tell an AI-video piece from a
film-VFX, voice-cloning or image-model piece that shares its video words.

Training data: every item of the audit **tune** part (the test part is never read here) but those
of round ``CHECK_ROUND`` (a natural sample kept out of training: the refit's figure on it is
printed beside the shipped layer's, and a refit that does worse there is not written), and of
the dev set (weight ``dev_weight``; 0 leaves it out). Model choice: repeated stratified k-fold over the tune items,
each fold trained on the other folds plus the dev set, ranked by pooled relevance macro-F1; the
rule (fixed threshold) is printed beside it, and the layer is written only when it does better.
"""
from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ingest.tag import relevance as _relevance
from ingest.tag.audit import CHECK_ROUND   # the audit round kept out of training: a fresh check
from ingest.tag.doc import make_doc
from ingest.tag.engine import signals_and_models
from ingest.tag.linear import dumps, to_dict
from ingest.tag.sentiment_eval import accuracy_macro_f1
from ingest.tag.trainer import (NO_TEXTS, arg_parser, on_check, rank, repeated_cv, split_check,
                                tune_texts, vocabulary)
from ingest.tag.words import is_word, tokens

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "ingest" / "tag" / "data"


@dataclass(frozen=True)
class Item:
    id: str
    gold: bool
    feats: dict[str, float]
    rule: bool                       # the fixed threshold's verdict, as relevance.decide gives it
    source: str
    words: frozenset[str] = frozenset()
    grounded: bool = True            # relevance.grounded: the layer may tag it
    counts: dict[str, int] = field(default_factory=dict, compare=False)   # word -> times in the text


@dataclass(frozen=True)
class Setting:
    c: float = 1.0
    dev_weight: float = 1.0
    words: bool = False          # the document's words beside the rule's figures
    min_df: int = 3              # a word counts when this many tune documents hold it
    log_counts: bool = False     # a word's value: log(1 + times in the text), else 1
    cross_title: bool = False    # each word also once more, apart by whether the title holds video
    cut: float = 0.5             # the probability of "relevant" the layer needs

    def describe(self) -> str:
        return (f"C={self.c:g} dev={self.dev_weight:g} words={'on' if self.words else 'off'} "
                f"min_df={self.min_df} counts={'log' if self.log_counts else 'binary'} "
                f"cross_title={'on' if self.cross_title else 'off'} cut={self.cut:g}")


def item(raw: dict[str, Any], source: str) -> Item:
    """An item's decision features, computed the way the engine computes them."""
    doc = make_doc(raw.get("title", "") or "", raw.get("text", "") or "", raw.get("lang"))
    signals, found = signals_and_models(doc)
    sc = _relevance.scored(doc, signals, found)
    grounded = _relevance.grounded(sc, doc.norm)
    counts = Counter(t for t in tokens(doc) if is_word(t))
    return Item(str(raw.get("id")), bool(raw.get("relevant")),
                _relevance.decision_features(doc, signals, found, sc), sc.rule and grounded, source,
                frozenset(counts), grounded, dict(counts))


def load_sources(check_round: int | None = CHECK_ROUND, records: list[dict[str, Any]] | None = None,
                 texts: dict[str, dict[str, str]] | None = None) -> dict[str, list[Item]]:
    """tune (the audit tune part less the items of `check_round`), check (those items: never
    trained on, their figure printed for the refit and the shipped layer), dev and holdout.
    `records` and `texts`: the audit set's (default: its files)."""
    from ingest.tag.audit import labelled_items, load_records
    from ingest.tag.evaluate import load_items

    records = load_records() if records is None else records
    tune, check = split_check(labelled_items("tune", records, texts), records, check_round)
    return {
        "tune": [item(i, "tune") for i in tune],
        "check": [item(i, "check") for i in check],
        "dev": [item(i, "dev") for i in load_items()],
        "holdout": [item(i, "holdout") for i in load_items(
            str(REPO_ROOT / "tests" / "data" / "holdout.jsonl"))],
    }


def _row(it: Item, vocab: set[str], setting: Setting) -> dict[str, float]:
    """The item's features: the rule's figures, and its words (see relevance.word_margin)."""
    if not vocab:
        return it.feats
    row = dict(it.feats)
    cross = (_relevance.CROSSED_WORDS[it.feats.get("all:title", 0.0) > 0]
             if setting.cross_title else "")
    for w in it.words & vocab:
        value = math.log1p(it.counts.get(w, 1)) if setting.log_counts else 1.0
        row["t:" + w] = value
        if cross:
            row[cross + w] = value
    return row


def fit(train: Sequence[Item], setting: Setting):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vocab: set[str] = set()
    if setting.words:
        vocab = vocabulary((it.words for it in train if it.source == "tune"), setting.min_df)
    rows, y, w = [], [], []
    for it in train:
        weight = 1.0 if it.source == "tune" else setting.dev_weight
        if weight > 0:
            rows.append(_row(it, vocab, setting))
            y.append("relevant" if it.gold else "not_relevant")
            w.append(weight)
    vec = DictVectorizer()
    clf = LogisticRegression(C=setting.c, max_iter=2000, class_weight="balanced")
    clf.fit(vec.fit_transform(rows), y, sample_weight=w)
    return vec, clf, vocab, setting


def predict(model, items: Sequence[Item]) -> list[bool]:
    vec, clf, vocab, setting = model
    k = list(clf.classes_).index("relevant")
    p = clf.predict_proba(vec.transform([_row(i, vocab, setting) for i in items]))[:, k]
    return [bool(q >= setting.cut) and i.grounded for i, q in zip(items, p)]   # as relevance.decide


def model_data(model, **meta: Any) -> dict[str, Any]:
    """A fitted layer as its JSON form (ingest.tag.linear), the two classes scored as "relevant"'s
    margin: the logit less the logit of the cut, so that the margin is >= 0 exactly when the
    probability reaches the cut."""
    vec, clf, _, setting = model
    data = to_dict([str(c) for c in clf.classes_], clf.intercept_, vec.feature_names_,
                   [[0.0] * len(vec.feature_names_), list(clf.coef_[0])],
                   setting=setting.describe(), words=setting.words,
                   log_counts=setting.log_counts, cross_title=setting.cross_title, **meta)
    cut_logit = math.log(setting.cut / (1.0 - setting.cut))
    data["bias"] = [0.0, round(float(clf.intercept_[0]) - cut_logit, 5)]
    return data


def macro_f1(gold, pred) -> float:
    return accuracy_macro_f1(gold, pred, (True, False))[1]


def cross_validate(sources: dict[str, list[Item]], setting: Setting, folds: int = 5,
                   repeats: int = 4) -> float:
    """Pooled relevance macro-F1 over the tune part, averaged over stratified k-fold splits."""
    tune = sources["tune"]
    gold = [i.gold for i in tune]
    return repeated_cv(tune, sources["dev"], lambda train: fit(train, setting), predict,
                       lambda pred: macro_f1(gold, pred), folds, repeats, strata=gold)


def shipped_on(items: Sequence[Item]) -> float | None:
    """Macro-F1 on `items` (audit tune items) of the layer now in data/, as the engine tags them;
    None without one."""
    from ingest.tag.engine import tag

    if not (DATA_DIR / _relevance.RELEVANCE_MODEL).exists():
        return None
    pred = [tag(*t).relevant for t in tune_texts([i.id for i in items])]
    return macro_f1([i.gold for i in items], pred)


def main(argv: list[str] | None = None) -> int:
    args = arg_parser("relevance", _relevance.RELEVANCE_MODEL,
                      f" when it beats the fixed threshold and does no worse than the shipped layer on the check round (round {CHECK_ROUND}, never trained on)").parse_args(argv)
    sources = load_sources()
    if not sources["tune"]:
        print(NO_TEXTS)
        return 2
    print("items:", {k: len(v) for k, v in sources.items()})
    rule = {}
    for part, items in sources.items():
        if not items:
            continue
        rule[part] = macro_f1([i.gold for i in items], [i.rule for i in items])
        print(f"rule (fixed threshold) on {part}: macro-F1 {rule[part]:.3f}")
    settings = [Setting(c, d, words) for c, d, words in
                itertools.product((0.1, 0.3, 1.0), (0.0, 0.3, 1.0), (False, True))]
    # the words as log counts, apart by whether the title holds video, and a lower cut: at the
    # dev weight the plain grid prefers
    settings += [Setting(c, 0.3, True, 3, log, cross, cut) for c, log, cross, cut in
                 itertools.product((0.1, 0.3, 1.0), (False, True), (False, True), (0.4, 0.5))
                 if (log, cross, cut) != (False, False, 0.5)]
    ranked = rank(settings, lambda s: cross_validate(sources, s, args.folds, args.repeats),
                  lambda cv, s: print(f"cv macro-F1 {cv:.3f}  {s.describe()}", flush=True))
    cv, best = ranked[0]
    print(f"best: {cv:.3f}  {best.describe()}  (rule on tune {rule['tune']:.3f})")
    model = fit(sources["tune"] + sources["dev"], best)
    for part in ("holdout", "dev", "check"):
        items = sources[part]
        if items:
            print(f"refit model on {part}: macro-F1 {macro_f1([i.gold for i in items], predict(model, items)):.3f}")
    refused = on_check(sources["check"], lambda items: macro_f1([i.gold for i in items], predict(model, items)),
                       shipped_on, "macro-F1", say=print)
    path = DATA_DIR / _relevance.RELEVANCE_MODEL
    if args.write and refused:
        print(refused)
    elif args.write and cv > rule["tune"]:
        data = model_data(model, trained_on={
            "tune": len(sources["tune"]), "dev": len(sources["dev"]), "cv_macro_f1": round(cv, 3),
            "rule_tune": round(rule["tune"], 3)})
        path.write_text(dumps(data), encoding="utf-8")
        print(f"wrote {path}")
    elif args.write:
        print("the rule is as good on the tune part: no model written")
        if path.exists():
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
