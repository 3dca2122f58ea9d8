"""Train the learned theme layer (``data/theme_model.json``) and choose it by cross-validation.

    python -m ingest.tag.theme_train [--write] [--folds 5] [--repeats 4]

Needs the dev extra (scikit-learn) and the audit set's git-ignored texts. The layer decides, for
each theme that has at least one cue in a document, whether the theme is present: one logistic
regression per theme over ``themes.per_theme_features`` -- how far the theme's cues go toward its
thresholds, how many and how spread, the language -- and, optionally, the document's words (those
seen in at least ``min_df`` training documents), which carry what the cue lexicon misses (a film-
industry piece told through 导演 and 剧组, a launch told through "rolled out to Plus users"), and
the words of the sentences holding that theme's cues (``themes.cue_words``: 翻车 beside 手指 is a
flaw, beside 股价 it is not). The lexicons still decide which themes are candidates (no cue, no
theme, and the evidence is always a cue); the layer replaces the fixed thresholds, which were
calibrated on synthetic text.

Training data: relevant items of the audit **tune** part (the test part is never read here) but
those of round ``CHECK_ROUND`` (a natural sample kept out of training: the refit's figure on it is
printed beside the shipped layer's, and a refit that does worse there is not written), and of
the dev set (weight ``dev_weight``; 0 leaves it out). Model choice: repeated k-fold over the tune items, each
fold trained on the other folds plus the dev set; settings ranked by pooled micro-F1 of themes
over the tune items (a gold theme with no cue at all stays a miss). The held-out set is never
trained on. Library code returns figures; only ``main`` prints.
"""
from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Sequence

from ingest.tag import spam as _spam
from ingest.tag import themes as _themes
from ingest.tag.doc import make_doc
from ingest.tag.engine import model_counts, signals_and_models
from ingest.tag.linear import dumps
from ingest.tag.audit import CHECK_ROUND   # the audit round kept out of training: a fresh check
from ingest.tag.trainer import (NO_TEXTS, arg_parser, on_check, rank, repeated_cv, split_check,
                                tune_texts, vocabulary)
from ingest.tag.words import word_set

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "ingest" / "tag" / "data"


@dataclass(frozen=True)
class Doc:
    id: str
    gold: frozenset[str]
    candidates: dict[str, dict[str, float]]    # theme with a cue -> its cue features
    words: frozenset[str]
    by_rule: frozenset[str]
    source: str
    local: dict[str, frozenset[str]] = field(default_factory=dict)   # theme -> themes.cue_words


SHRINK = 0.5                                              # see own_cuts
CUT_GRID = tuple(round(0.15 + 0.05 * k, 2) for k in range(10))   # 0.15 .. 0.60


@dataclass(frozen=True)
class Setting:
    c: float = 0.3
    dev_weight: float = 1.0
    cut: float = 0.35                        # P(present) needed
    words: bool = True
    min_df: int = 3
    local: bool = False                      # the words of each theme's cue sentences too

    def describe(self) -> str:
        return (f"C={self.c:g} dev={self.dev_weight:g} cut={self.cut:g} "
                f"words={'on' if self.words else 'off'} min_df={self.min_df} "
                f"local={'on' if self.local else 'off'}")

    @classmethod
    def parse(cls, text: str) -> "Setting":
        """The setting `describe` wrote ("C=0.1 dev=1 cut=0.35 words=on min_df=3 local=on");
        a field it does not name keeps its default."""
        fields = dict(part.split("=", 1) for part in text.split())
        unknown = fields.keys() - {"C", "dev", "cut", "words", "min_df", "local"}
        if unknown:
            raise ValueError(f"theme setting {text!r}: unknown field(s) {', '.join(sorted(unknown))}")
        default = cls()
        return cls(c=float(fields.get("C", default.c)),
                   dev_weight=float(fields.get("dev", default.dev_weight)),
                   cut=float(fields.get("cut", default.cut)),
                   words=fields.get("words", "on" if default.words else "off") == "on",
                   min_df=int(fields.get("min_df", default.min_df)),
                   local=fields.get("local", "on" if default.local else "off") == "on")


def theme_doc(item: dict[str, Any], source: str) -> Doc:
    """An item's theme candidates, computed the way the engine computes them."""
    doc = make_doc(item.get("title", "") or "", item.get("text", "") or "", item.get("lang"))
    _, found = signals_and_models(doc)
    st, cues, _ = _themes.stats(doc, model_counts(doc, found), skip_title=_spam.detect(doc).spam)
    lang = "zh" if doc.lang == "zh" else "en"
    n = len(doc.spans)
    words = word_set(doc)
    return Doc(str(item.get("id")), frozenset(item.get("themes", [])),
               {t: _themes.per_theme_features(s, lang, n) for t, s in st.items()}, words,
               frozenset(t for t, s in st.items() if s.by_rule), source,
               {t: _themes.cue_words(doc, cues[t]) for t in st})


def load_sources(check_round: int | None = CHECK_ROUND, records: list[dict[str, Any]] | None = None,
                 texts: dict[str, dict[str, str]] | None = None) -> dict[str, list[Doc]]:
    """Relevant items: tune (the audit tune part less the items of `check_round`), check (those:
    never trained on, their figure printed for the refit and the shipped layer), dev and holdout.
    `records` and `texts`: the audit set's (default: its files)."""
    from ingest.tag.audit import labelled_items, load_records
    from ingest.tag.evaluate import load_items

    def rel(items):
        return [i for i in items if i.get("relevant")]

    records = load_records() if records is None else records
    tune, check = split_check(rel(labelled_items("tune", records, texts)), records, check_round)
    return {
        "tune": [theme_doc(i, "tune") for i in tune],
        "check": [theme_doc(i, "check") for i in check],
        "dev": [theme_doc(i, "dev") for i in rel(load_items())],
        "holdout": [theme_doc(i, "holdout") for i in rel(
            load_items(str(REPO_ROOT / "tests" / "data" / "holdout.jsonl")))],
    }


class Vocab(NamedTuple):
    words: set[str]        # document words kept ("t:")
    local: set[str]        # cue-sentence words kept ("l:")


def _vocab(train: Sequence[Doc], setting: Setting) -> Vocab:
    tune = [d for d in train if d.source == "tune"]
    words = vocabulary((d.words for d in tune), setting.min_df) if setting.words else set()
    local = (vocabulary((frozenset().union(*d.local.values()) for d in tune), setting.min_df)
             if setting.local else set())
    return Vocab(words, local)


def _row(d: Doc, theme: str, vocab: Vocab) -> dict[str, float]:
    row = dict(d.candidates[theme])
    for w in d.words & vocab.words:
        row["t:" + w] = 1.0
    for w in d.local.get(theme, frozenset()) & vocab.local:
        row["l:" + w] = 1.0
    return row


def fit(train: Sequence[Doc], setting: Setting):
    """Per theme: (vectorizer, classifier), or None when the training data has too few examples."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    train = [d for d in train if d.source == "tune" or setting.dev_weight > 0]
    vocab = _vocab(train, setting)
    out = {}
    for theme in _themes.THEMES:
        rows, y, w = [], [], []
        for d in train:
            if theme in d.candidates:
                rows.append(_row(d, theme, vocab))
                y.append(theme in d.gold)
                w.append(1.0 if d.source == "tune" else setting.dev_weight)
        if len(set(y)) < 2:
            out[theme] = None
            continue
        vec = DictVectorizer()
        clf = LogisticRegression(C=setting.c, max_iter=3000)
        clf.fit(vec.fit_transform(rows), y, sample_weight=w)
        out[theme] = (vec, clf)
    return out, vocab


def probabilities(model, docs: Sequence[Doc]) -> list[dict[str, float]]:
    """Per document: P(present) of each theme it has a cue for (and a fitted layer)."""
    per_theme, vocab = model
    out: list[dict[str, float]] = [{} for _ in docs]
    for theme, fitted in per_theme.items():
        idx = [i for i, d in enumerate(docs) if theme in d.candidates]
        if fitted is None or not idx:
            continue
        vec, clf = fitted
        k = list(clf.classes_).index(True)
        p = clf.predict_proba(vec.transform([_row(docs[i], theme, vocab) for i in idx]))[:, k]
        for i, q in zip(idx, p):
            out[i][theme] = float(q)
    return out


def present(probs: Sequence[dict[str, float]], cut: float,
            cuts: dict[str, float] | None = None) -> list[frozenset[str]]:
    """The themes whose probability reaches their cut (`cuts`, else the common `cut`)."""
    cuts = cuts or {}
    return [frozenset(t for t, q in p.items() if q >= cuts.get(t, cut)) for p in probs]


def predict(model, docs: Sequence[Doc], setting: Setting,
            cuts: dict[str, float] | None = None) -> list[frozenset[str]]:
    return present(probabilities(model, docs), setting.cut, cuts)


def theme_f1(theme: str, gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]]) -> float:
    tp = sum(1 for g, p in zip(gold, pred) if theme in g and theme in p)
    wrong = sum(1 for g, p in zip(gold, pred) if (theme in g) != (theme in p))
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def own_cuts(gold: Sequence[frozenset[str]], probs: Sequence[dict[str, float]],
             common: float) -> dict[str, float]:
    """Per theme: the cut of CUT_GRID with the best F1 for that theme over `probs` (ties: the one
    nearest `common`), moved SHRINK of the way back to `common` (a theme with few examples
    would otherwise follow their noise)."""
    out = {}
    for theme in _themes.THEMES:
        best = max(CUT_GRID, key=lambda c: (theme_f1(theme, gold, present(probs, 1.0, {theme: c})),
                                             -abs(c - common)))
        out[theme] = round(SHRINK * common + (1 - SHRINK) * best, 3)
    return out


def oof_probabilities(tune: Sequence[Doc], outside: Sequence[Doc], setting: Setting, folds: int,
                      seed: int) -> list[dict[str, float]]:
    """Out-of-fold probabilities of every tune document (one k-fold split)."""
    from sklearn.model_selection import KFold

    out: list[dict[str, float]] = [{} for _ in tune]
    for train_idx, test_idx in KFold(folds, shuffle=True, random_state=seed).split(tune):
        model = fit([tune[i] for i in train_idx] + list(outside), setting)
        for i, p in zip(test_idx, probabilities(model, [tune[i] for i in test_idx])):
            out[i] = p
    return out


def lowest_theme_f1(gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]]) -> float:
    return min(theme_f1(t, gold, pred) for t in _themes.THEMES if sum(t in g for g in gold) >= 5)


def nested_cuts_cv(sources: dict[str, list[Doc]], setting: Setting, folds: int = 5,
                   repeats: int = 2) -> dict[str, tuple[float, float]]:
    """Nested CV of the two ways to cut: {"common" | "own": (micro-F1, lowest theme F1)} over
    the tune part. In each outer fold the own cuts are chosen on the other folds' out-of-fold
    probabilities, then applied to the held-out fold."""
    from sklearn.model_selection import KFold

    tune, dev = sources["tune"], sources["dev"]
    gold = [d.gold for d in tune]
    scores: dict[str, list[tuple[float, float]]] = {"common": [], "own": []}
    for r in range(repeats):
        pred = {k: [frozenset()] * len(tune) for k in scores}
        for train_idx, test_idx in KFold(folds, shuffle=True, random_state=r).split(tune):
            inner = [tune[i] for i in train_idx]
            cuts = own_cuts([d.gold for d in inner], oof_probabilities(inner, dev, setting, folds, 100 + r),
                            setting.cut)
            probs = probabilities(fit(inner + dev, setting), [tune[i] for i in test_idx])
            for key, chosen in (("common", None), ("own", cuts)):
                for i, p in zip(test_idx, present(probs, setting.cut, chosen)):
                    pred[key][i] = p
        for key in scores:
            scores[key].append((micro_f1(gold, pred[key]), lowest_theme_f1(gold, pred[key])))
    return {k: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v)) for k, v in scores.items()}


def micro_f1(gold: Sequence[frozenset[str]], pred: Sequence[frozenset[str]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred))
    fp = sum(len(p - g) for g, p in zip(gold, pred))
    fn = sum(len(g - p) for g, p in zip(gold, pred))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def cross_validate(sources: dict[str, list[Doc]], setting: Setting, folds: int = 5,
                   repeats: int = 4) -> float:
    """Pooled theme micro-F1 over the tune part, averaged over k-fold splits."""
    tune = sources["tune"]
    gold = [d.gold for d in tune]
    return repeated_cv(tune, sources["dev"], lambda train: fit(train, setting),
                       lambda model, docs: predict(model, docs, setting),
                       lambda pred: micro_f1(gold, pred), folds, repeats)


def grid() -> list[Setting]:
    """Document words always on and the dev set always in: in the previous stop's full grid,
    words off lost 0.03-0.04 of CV micro-F1 at every setting and dev weight 0 lost 0.003-0.004.
    With or without each theme's cue-sentence words."""
    return [Setting(c, d, cut, True, 3, local) for c, d, cut, local in itertools.product(
        (0.1, 0.3, 1.0), (0.3, 1.0), (0.3, 0.35, 0.4), (True, False))]


def to_json(model, setting: Setting, note: dict[str, Any],
            cuts: dict[str, float] | None = None) -> dict[str, Any]:
    """One logit column per theme, shifted by logit(its cut: `cuts`, else the setting's), so
    "column > 0" applies the chosen cut; word weights under 0.005 in every column are left out."""
    from ingest.tag.linear import to_dict

    per_theme, _ = model
    themes = list(_themes.THEMES)
    cuts = cuts or {}
    names: dict[str, list[float]] = {}
    bias = []
    for k, theme in enumerate(themes):
        fitted = per_theme.get(theme)
        if fitted is None:                  # never present: a very negative bias
            bias.append(-50.0)
            continue
        vec, clf = fitted
        sign = 1.0 if list(clf.classes_).index(True) == 1 else -1.0
        cut = cuts.get(theme, setting.cut)
        bias.append(sign * float(clf.intercept_[0]) - math.log(cut / (1.0 - cut)))
        for name, c in zip(vec.feature_names_, clf.coef_[0]):
            names.setdefault(name, [0.0] * len(themes))[k] = sign * float(c)
    names = {n: row for n, row in names.items()
             if not n.startswith(("t:", "l:")) or max(abs(v) for v in row) >= 0.005}
    order = sorted(names)
    coef = [[names[n][k] for n in order] for k in range(len(themes))]
    return to_dict(themes, bias, order, coef, per_theme=True, setting=setting.describe(),
                   trained_on=note, **({"cuts": cuts} if cuts else {}))


def shipped_on(docs: Sequence[Doc]) -> float | None:
    """Micro-F1 on `docs` (audit tune items) of the layer now in data/, as the engine tags them;
    None without one."""
    from ingest.tag.engine import tag

    if not (DATA_DIR / _themes.THEME_MODEL).exists():
        return None
    pred = [frozenset(tag(*t).themes) for t in tune_texts([d.id for d in docs])]
    return micro_f1([d.gold for d in docs], pred)


def main(argv: list[str] | None = None) -> int:
    ap = arg_parser("theme", _themes.THEME_MODEL,
                    f" unless it does worse than the shipped layer on the check round (round {CHECK_ROUND}, never trained on)")
    ap.add_argument("--shipped", action="store_true",
                    help="skip the grid: refit with the setting of the shipped theme_model.json "
                         "(after a lexicon edit; the cuts are chosen again by nested CV)")
    args = ap.parse_args(argv)
    sources = load_sources()
    if not sources["tune"]:
        print(NO_TEXTS)
        return 2
    print("relevant items:", {k: len(v) for k, v in sources.items()})
    for part in ("tune", "holdout", "dev"):
        docs = sources[part]
        print(f"rule (fixed thresholds) on {part}: micro-F1 "
              f"{micro_f1([d.gold for d in docs], [d.by_rule for d in docs]):.3f}")
    settings = grid()
    if args.shipped:
        shipped = json.loads((DATA_DIR / _themes.THEME_MODEL).read_text(encoding="utf-8"))
        settings = [Setting.parse(shipped["setting"])]
    ranked = rank(settings, lambda s: cross_validate(sources, s, args.folds, args.repeats),
                  lambda cv, s: print(f"cv micro-F1 {cv:.3f}  {s.describe()}", flush=True))
    best = ranked[0][1]
    print(f"best: {ranked[0][0]:.3f}  {best.describe()}")
    # One cut for every theme, or each theme its own (shrunk to the common one): decided by
    # nested CV, on micro-F1, a tie (within 0.002) going to the higher lowest-theme F1.
    nested = nested_cuts_cv(sources, best, args.folds)
    for key, (micro, low) in nested.items():
        print(f"nested cv, {key} cuts: micro-F1 {micro:.3f}, lowest theme F1 {low:.3f}")
    (c_micro, c_low), (o_micro, o_low) = nested["common"], nested["own"]
    cuts = None
    if o_micro > c_micro + 0.002 or (o_micro >= c_micro - 0.002 and o_low > c_low):
        tune = sources["tune"]
        probs = [p for r in range(args.repeats)
                 for p in oof_probabilities(tune, sources["dev"], best, args.folds, r)]
        cuts = own_cuts([d.gold for d in tune] * args.repeats, probs, best.cut)
        print("own cuts:", " ".join(f"{t}={c:g}" for t, c in cuts.items()))
    model = fit(sources["tune"] + sources["dev"], best)
    for part in ("holdout", "dev", "check"):
        docs = sources[part]
        if docs:
            print(f"refit model on {part}: micro-F1 "
                  f"{micro_f1([d.gold for d in docs], predict(model, docs, best, cuts)):.3f}")
    refused = on_check(sources["check"], lambda docs: micro_f1([d.gold for d in docs], predict(model, docs, best, cuts)),
                       shipped_on, "micro-F1", say=print)
    if args.write and refused:
        print(refused)
    elif args.write:
        note = {"tune": len(sources["tune"]), "dev": len(sources["dev"]),
                "cv_micro_f1": round(ranked[0][0], 3),
                "nested_cv": {k: [round(a, 3), round(b, 3)] for k, (a, b) in nested.items()}}
        path = DATA_DIR / _themes.THEME_MODEL
        path.write_text(dumps(to_json(model, best, note, cuts)), encoding="utf-8")
        print(f"wrote {path}")
        print("the sentiment layer weighs these themes: refit it too "
              "(python -m ingest.tag.sentiment_train --write)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
