"""Train the learned sentiment layer (``data/sentiment_model.json``) and choose it by cross-validation.

    python -m ingest.tag.sentiment_train [--write] [--folds 5] [--repeats 4]

Needs the dev extra (scikit-learn) and the audit set's git-ignored texts
(``python -m ingest.tag.audit fill``). An item's features include its themes as the engine finds
them: refit this layer after the theme layer or its cues change. Training data, relevant items
only (an item that is not about AI video has no tone toward it: the engine labels it neutral):
- the audit set's **tune** part (real coverage; the test part is never read here) but its round
  ``CHECK_ROUND`` (a natural sample kept out of training: the refit's figure on it is printed
  beside the shipped layer's, and a refit that does worse there is not written);
- the synthetic dev set (``tests/data/devset_*.jsonl``), weight ``dev_weight`` (0 leaves it out);
- with --public, the public 3-class sets in ``../shared/corpus/sentiment`` (tweets, financial news
  sentences, Chinese stock-forum posts), weight ``public_weight``.

Model choice: repeated stratified k-fold over the tune part; each fold trains on the other folds
plus the outside data and predicts the held fold. The candidate settings (regularisation C, word
features on/off, outside weights, minimum document frequency of a word, class weighting) are
ranked by pooled macro-F1 over the tune part; the best one is refit on all of it and written.
The held-out set (``tests/data/holdout.jsonl``) is never trained on; its figure is printed.
Library code: returns figures; only ``main`` prints.
"""
from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

from ingest.tag.doc import make_doc
from ingest.tag.linear import dumps
from ingest.tag.sentiment import walk
from ingest.tag.sentiment_eval import accuracy_macro_f1
from ingest.tag.sentiment_model import MODEL_FILE, features
from ingest.tag.audit import CHECK_ROUND   # the audit round kept out of training: a fresh check
from ingest.tag.trainer import (NO_TEXTS, arg_parser, bootstrap_fits, mean_linear, on_check, rank,
                                repeated_cv, split_check, tune_texts)

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "ingest" / "tag" / "data"
CLASSES = ("negative", "neutral", "positive")
BAGS = 15      # bootstrap fits averaged when the bagged setting is tried
PUBLIC_3CLASS = ("tweeteval_sentiment_test.jsonl", "financial_phrasebank_allagree.jsonl",
                 "finfe_zh_stock_forum.jsonl")


@dataclass(frozen=True)
class Example:
    id: str
    lang: str
    label: str
    feats: dict[str, float]
    source: str                # tune | dev | public


@dataclass(frozen=True)
class Setting:
    c: float = 1.0
    words: bool = True
    min_df: int = 2
    dev_weight: float = 0.5
    public_weight: float = 0.0
    balanced: bool = True
    terms: bool = False        # lexicon-term features (which terms fired)
    word_scale: float = 1.0    # value of a word feature (smaller: more strongly regularised)
    masses: bool = True        # the loaded masses per length beside the score and balance
    bags: int = 0              # >0: the mean of this many fits on bootstrap samples of the tune part

    def describe(self) -> str:
        return (f"C={self.c:g} words={'on' if self.words else 'off'}x{self.word_scale:g} "
                f"terms={'on' if self.terms else 'off'} masses={'on' if self.masses else 'off'} "
                f"min_df={self.min_df} "
                f"dev={self.dev_weight:g} public={self.public_weight:g} "
                f"class_weight={'balanced' if self.balanced else 'none'}"
                + (f" bags={self.bags}" if self.bags else ""))


def example(item: dict[str, Any], source: str) -> Example:
    """An item's features, its themes as the tagger finds them (as at run time, not the gold ones)."""
    from ingest.tag.engine import tag_doc

    doc = make_doc(item.get("title", "") or "", item.get("text", "") or "", item.get("lang"))
    score, hits, news = walk(doc)
    return Example(str(item.get("id", "")), "zh" if doc.lang == "zh" else "en", item["sentiment"],
                   features(doc, score, hits, news, themes=tag_doc(doc).themes), source)


def load_sources(public: bool = True, public_limit: int = 600,
                 check_round: int | None = CHECK_ROUND, records: list[dict[str, Any]] | None = None,
                 texts: dict[str, dict[str, str]] | None = None) -> dict[str, list[Example]]:
    """tune (audit tune part less the items of `check_round`), check (those: never trained on,
    their figure printed for the refit and the shipped layer), dev (dev set), public (public
    3-class sets, a seeded sample) and holdout (for its figure only): relevant items with a
    sentiment label. The audit test part is never loaded here. `records` and `texts`: the audit
    set's (default: its files)."""
    from ingest.tag.audit import labelled_items, load_records
    from ingest.tag.evaluate import load_items
    from ingest.tag.sentiment_eval import load_jsonl, sentiment_root

    def relevant(items: Iterable[dict]) -> list[dict]:
        return [i for i in items if i.get("relevant") and i.get("sentiment") in CLASSES]

    records = load_records() if records is None else records
    tune, check = split_check(relevant(labelled_items("tune", records, texts)), records, check_round)
    out = {
        "tune": [example(i, "tune") for i in tune],
        "check": [example(i, "check") for i in check],
        "dev": [example(i, "dev") for i in relevant(load_items())],
        "holdout": [example(i, "holdout") for i in relevant(
            load_items(str(REPO_ROOT / "tests" / "data" / "holdout.jsonl")))],
        "public": [],
    }
    root = sentiment_root()
    if public and root.is_dir():
        rng = random.Random(7)
        for name in PUBLIC_3CLASS:
            path = root / name
            if not path.is_file():
                continue
            rows = load_jsonl(path)
            rng.shuffle(rows)
            for i, row in enumerate(rows[:public_limit]):
                out["public"].append(example({"id": f"{name}:{i}", "title": "", "text": row["text"],
                                              "lang": row.get("lang"), "sentiment": row["label"]},
                                             "public"))
    return out


def _vocab(train: Sequence[Example], min_df: int) -> set[str]:
    df = Counter(k for ex in train if ex.source != "public" for k in ex.feats if k.startswith("t:"))
    topical = topical_words()
    return {k for k, n in df.items() if n >= min_df and k[2:] not in topical
            and not any(c.isdigit() for c in k)}


@lru_cache(maxsize=1)
def topical_words() -> frozenset[str]:
    """Words that say what an item is about, not how it feels: model names and aliases, theme and
    relevance cue phrases, stop words. Left out of the word features, so that a model name or
    "发布" (release) cannot stand in for a tone that merely co-occurred with it in training."""
    from ingest.tag.lexicon import load_toml, load_words, model_table

    out: set[str] = set(load_words("stopwords_zh.txt")) | set(load_words("stopwords_en.txt"))
    for spec in model_table().values():
        for key in ("aliases", "ambiguous", "context"):
            out.update(a.lower() for a in spec.get(key, []))
    themes = load_toml("themes.toml")
    for spec in themes.values():
        if isinstance(spec, dict):
            for key in ("strong", "weak", "paired"):
                out.update(c.lower().rstrip("*") for c in spec.get(key, []) if not c.startswith("re:"))
    signals = load_toml("signals.toml")
    for section in signals.values():
        for value in section.values():
            if isinstance(value, list):
                out.update(c.lower().rstrip("*") for c in value if not c.startswith("re:"))
    return frozenset(out)


def _rows(examples: Sequence[Example], setting: Setting, vocab: set[str]) -> list[dict[str, float]]:
    rows = []
    for ex in examples:
        row = {}
        for k, v in ex.feats.items():
            if k.startswith("t:"):
                if setting.words and k in vocab:
                    row[k] = setting.word_scale
            elif k.startswith("h:"):
                if setting.terms:
                    row[k] = v
            elif not setting.masses and (k.endswith(":pos") or k.endswith(":neg")):
                continue
            else:
                row[k] = v
        rows.append(row)
    return rows


def fit(train: Sequence[Example], setting: Setting):
    """A fitted (vectorizer, classifier, vocab) on `train` under `setting`; with `setting.bags`,
    the mean of that many fits, each on a bootstrap sample of the tune items plus the outside data
    whole (trainer.mean_linear: still one linear model)."""
    if setting.bags:
        fits = bootstrap_fits(train, lambda sample: _fit_one(sample, setting), setting.bags,
                              resampled=lambda ex: ex.source == "tune")
        vec, clf = mean_linear([(v, c) for v, c, _ in fits])
        return vec, clf, set().union(*(vocab for _, _, vocab in fits))
    return _fit_one(train, setting)


def _fit_one(train: Sequence[Example], setting: Setting):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    weight = {"tune": 1.0, "dev": setting.dev_weight, "public": setting.public_weight}
    train = [ex for ex in train if weight.get(ex.source, 0.0) > 0]
    vocab = _vocab(train, setting.min_df) if setting.words else set()
    vec = DictVectorizer()
    x = vec.fit_transform(_rows(train, setting, vocab))
    y = [ex.label for ex in train]
    w = [weight[ex.source] for ex in train]
    if setting.balanced:      # balance the classes within the weighted sample
        mass = Counter()
        for label, wt in zip(y, w):
            mass[label] += wt
        total = sum(mass.values())
        w = [wt * total / (len(mass) * mass[label]) for label, wt in zip(y, w)]
    clf = LogisticRegression(C=setting.c, max_iter=1000, tol=1e-3)
    clf.fit(x, y, sample_weight=w)
    return vec, clf, vocab


def predict(model, examples: Sequence[Example], setting: Setting) -> list[str]:
    vec, clf, vocab = model
    return list(clf.predict(vec.transform(_rows(examples, setting, vocab))))


def macro_f1(gold, pred) -> float:
    return accuracy_macro_f1(gold, pred, CLASSES)[1]


def cross_validate(sources: dict[str, list[Example]], setting: Setting, folds: int = 5,
                   repeats: int = 4) -> float:
    """Pooled macro-F1 over the tune part, averaged over `repeats` stratified k-fold splits."""
    tune = sources["tune"]
    y = [ex.label for ex in tune]
    return repeated_cv(tune, sources["dev"] + sources["public"], lambda train: fit(train, setting),
                       lambda model, examples: predict(model, examples, setting),
                       lambda pred: macro_f1(y, pred), folds, repeats, strata=y)


def grid(public: bool = False) -> list[Setting]:
    """The settings compared. Earlier runs over a wider grid (C 0.1-10, min_df 1-3, no class
    weighting, lexicon-term features, word features scaled down, the public sets at weight 0.1)
    ranked these ahead: word features on (0.72-0.76 vs 0.62-0.70 off), public sets left out (they
    help neither tone on AI video nor its neutral class)."""
    out = [Setting(c=c, words=True, dev_weight=d) for c, d in itertools.product((1.0, 3.0),
                                                                              (0.0, 0.3, 1.0))]
    if public:
        out += [Setting(c=c, words=True, dev_weight=1.0, public_weight=0.1) for c in (0.3, 1.0)]
    return out


def to_json(model, setting: Setting, note: dict[str, Any]) -> dict[str, Any]:
    from ingest.tag.linear import to_dict

    vec, clf, _ = model
    names = list(vec.feature_names_)
    coef = [list(row) for row in clf.coef_]
    if setting.words and setting.word_scale != 1.0:     # the runtime gives a word the value 1
        for j, name in enumerate(names):
            if name.startswith("t:"):
                for row in coef:
                    row[j] *= setting.word_scale
    return to_dict([str(c) for c in clf.classes_], clf.intercept_, names, coef,
                   words=setting.words, terms=setting.terms, setting=setting.describe(),
                   trained_on=note)


def themes_fingerprint() -> str:
    """A short hash of what decides the themes the layer is trained on (the theme layer's data
    file and the theme cues); written beside the weights, and a test checks that the shipped
    sentiment layer's matches the shipped theme files: refit sentiment after either changes."""
    import hashlib

    from ingest.tag.themes import THEME_MODEL

    h = hashlib.sha256()
    for name in (THEME_MODEL, "themes.toml"):
        h.update(name.encode() + b"\0" + (DATA_DIR / name).read_bytes().replace(b"\r\n", b"\n"))
    return h.hexdigest()[:16]


def shipped_on(examples: Sequence[Example]) -> float | None:
    """Macro-F1 on `examples` (audit tune items) of the layer now in data/, as the lexicon walk and
    the layer label them; None without one."""
    from ingest.tag.engine import tag_doc
    from ingest.tag.sentiment import analyze

    if not (DATA_DIR / MODEL_FILE).exists():
        return None
    docs = [make_doc(*t) for t in tune_texts([e.id for e in examples])]
    pred = [analyze(doc, themes=tag_doc(doc).themes).label for doc in docs]
    return macro_f1([e.label for e in examples], pred)


def main(argv: list[str] | None = None) -> int:
    ap = arg_parser("sentiment", MODEL_FILE,
                    f" unless it does worse than the shipped layer on the check round (round {CHECK_ROUND}, never trained on)")
    ap.add_argument("--public", action="store_true",
                    help="also try the public 3-class sets in ../shared/corpus/sentiment as training data")
    ap.add_argument("--bags", type=int, default=BAGS,
                    help=f"also try the best setting as the mean of this many bootstrap fits "
                         f"(default {BAGS}; 0: do not)")
    args = ap.parse_args(argv)
    sources = load_sources(public=args.public)
    if not sources["tune"]:
        print(NO_TEXTS)
        return 2
    print("items:", {k: len(v) for k, v in sources.items()})
    settings = grid(public=args.public)
    ranked = rank(settings, lambda s: cross_validate(sources, s, args.folds, args.repeats),
                  lambda cv, s: print(f"cv macro-F1 {cv:.3f}  {s.describe()}", flush=True))
    print("best five:")
    for cv, setting in ranked[:5]:
        print(f"  {cv:.3f}  {setting.describe()}")
    best_cv, best = ranked[0]
    if args.bags:      # the best setting, bagged: kept when its cross-validated figure is higher
        bagged = replace(best, bags=args.bags)
        cv = cross_validate(sources, bagged, args.folds, args.repeats)
        print(f"cv macro-F1 {cv:.3f}  {bagged.describe()}", flush=True)
        if cv > best_cv:
            best_cv, best = cv, bagged
    print(f"chosen: {best_cv:.3f}  {best.describe()}")
    model = fit(sources["tune"] + sources["dev"] + sources["public"], best)
    for part in ("holdout", "dev", "check"):
        items = sources[part]
        if items:
            pred = predict(model, items, best)
            print(f"{part} (relevant items, refit model): macro-F1 "
                  f"{macro_f1([e.label for e in items], pred):.3f} on {len(items)}")
    refused = on_check(sources["check"], lambda items: macro_f1([e.label for e in items], predict(model, items, best)),
                       shipped_on, "macro-F1", say=print)
    if args.write and refused:
        print(refused)
    elif args.write:
        note = {k: len(v) for k, v in sources.items() if k in ("tune", "dev", "public")}
        note["cv_macro_f1"] = round(best_cv, 3)
        note["themes_from"] = themes_fingerprint()
        path = DATA_DIR / MODEL_FILE
        path.write_text(dumps(to_json(model, best, note)), encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
