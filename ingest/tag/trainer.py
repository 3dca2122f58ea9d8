"""What the trainers of the learned layers share (relevance, themes, sentiment): their command
line, repeated k-fold cross-validation over the audit tune part, and ranking the settings.

Each trainer supplies how to fit and predict for one setting and how to score a full set of
out-of-fold predictions; the outside data (the dev set, public sets) joins every training fold and
is never predicted. Library code: returns figures; the trainers' `main` prints.
"""
from __future__ import annotations

import argparse
from collections import Counter
from typing import Any, Callable, Iterable, Sequence, TypeVar

S = TypeVar("S")

NO_TEXTS = "error: no audit tune texts; run python -m ingest.tag.audit fill first"


def arg_parser(layer: str, model_file: str, when: str = "") -> argparse.ArgumentParser:
    """`python -m ingest.tag.<layer>_train [--folds] [--repeats] [--write]`."""
    ap = argparse.ArgumentParser(prog=f"python -m ingest.tag.{layer}_train",
                                 description=f"Choose the learned {layer} layer by cross-validation "
                                             f"on the audit tune part; --write saves it{when}.")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--write", action="store_true", help=f"write data/{model_file}")
    return ap


def repeated_cv(tune: Sequence[Any], outside: Iterable[Any],
                fit: Callable[[list[Any]], Any],
                predict: Callable[[Any, list[Any]], Sequence[Any]],
                score: Callable[[list[Any]], float],
                folds: int = 5, repeats: int = 4, strata: Sequence[Any] | None = None) -> float:
    """Mean over `repeats` shuffled k-fold splits (seeds 0, 1, ...; stratified by `strata` when
    given) of score(out-of-fold predictions of every tune item, in tune order)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    outside = list(outside)
    scores = []
    for r in range(repeats):
        pred: list[Any] = [None] * len(tune)
        splitter = (StratifiedKFold if strata is not None else KFold)(
            n_splits=folds, shuffle=True, random_state=r)
        for train_idx, test_idx in splitter.split(tune, strata):
            model = fit([tune[i] for i in train_idx] + outside)
            for i, p in zip(test_idx, predict(model, [tune[i] for i in test_idx])):
                pred[i] = p
        scores.append(score(pred))
    return sum(scores) / len(scores)


def rank(settings: Iterable[S], cv: Callable[[S], float],
         seen: Callable[[float, S], None] = lambda score, setting: None) -> list[tuple[float, S]]:
    """(cross-validated score, setting), best first; `seen` hears each score as it comes."""
    ranked = []
    for setting in settings:
        score = cv(setting)
        seen(score, setting)
        ranked.append((score, setting))
    ranked.sort(key=lambda t: -t[0])
    return ranked


def split_check(items: Sequence[dict[str, Any]], records: Sequence[dict[str, Any]],
                check_round: int | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Audit tune items as (training items, check items): the check items are those of round
    `check_round` (audit.CHECK_ROUND, a natural sample never trained on: its figure decides whether
    a refit replaces the shipped layer); None keeps every item for training."""
    held = {r["id"] for r in records if check_round is not None and r.get("round") == check_round}
    return ([i for i in items if i["id"] not in held], [i for i in items if i["id"] in held])


def tune_texts(ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """(title, text, lang) of the audit tune items `ids`, in order: what a shipped layer is scored
    on when the trainer compares it with a refit on the check round."""
    from ingest.tag.audit import labelled_items

    raw = {i["id"]: i for i in labelled_items("tune")}
    return [(raw[i]["title"], raw[i]["text"], raw[i]["lang"]) for i in ids]


def refit_verdict(refit: float, shipped: float | None) -> str | None:
    """Why a refit is not written (it scores below the shipped layer on the check round), or None."""
    if shipped is not None and refit < shipped:
        return (f"the refit does worse than the shipped layer on the check round ({refit:.3f} < "
                f"{shipped:.3f}): not written")
    return None


def on_check(check: Sequence[Any], refit_score: Callable[[Sequence[Any]], float],
             shipped_score: Callable[[Sequence[Any]], float | None], measure: str,
             say: Callable[[str], Any] = lambda line: None) -> str | None:
    """The check round's say on a refit: why it is not written (it does worse there than the
    shipped layer), or None (no check round, no shipped layer, or no worse). `say` hears the
    shipped layer's figure ("shipped layer on check: macro-F1 0.883")."""
    shipped = shipped_score(check) if check else None
    if shipped is None:
        return None
    say(f"shipped layer on check: {measure} {shipped:.3f}")
    return refit_verdict(refit_score(check), shipped)


def vocabulary(word_sets: Iterable[Iterable[str]], min_df: int) -> set[str]:
    """The words held by at least `min_df` of the documents (each document's set of words)."""
    df = Counter(w for words in word_sets for w in words)
    return {w for w, n in df.items() if n >= min_df}


def bootstrap_fits(train: Sequence[Any], fit_one: Callable[[list[Any]], Any], bags: int,
                   resampled: Callable[[Any], bool] = lambda item: True, seed: int = 0) -> list[Any]:
    """`fit_one` on each of `bags` bootstrap samples (seeded): the items `resampled` says drawn with
    replacement, as many as there are, and the other items (outside data) joined whole."""
    import random

    rng = random.Random(seed)
    pool = [i for i in train if resampled(i)]
    rest = [i for i in train if not resampled(i)]
    return [fit_one([rng.choice(pool) for _ in pool] + rest) for _ in range(bags)]


def mean_linear(models: Sequence[tuple[Any, Any]]) -> tuple[Any, Any]:
    """One (DictVectorizer, LogisticRegression) whose weights and biases are the means of those of
    `models` (a feature a model lacks weighs 0 there). Its scores are the means of theirs, so it
    labels as the bagged ensemble votes by mean score, and ships as one small linear model."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    classes = models[0][1].classes_
    if any(list(clf.classes_) != list(classes) for _, clf in models):
        raise ValueError("mean_linear: the models were fitted on different classes")
    vec = DictVectorizer()
    vec.fit([{name: 1.0 for v, _clf in models for name in v.feature_names_}])
    index = vec.vocabulary_
    coef = np.zeros((models[0][1].coef_.shape[0], len(index)))
    intercept = np.zeros(models[0][1].intercept_.shape)
    for v, clf in models:
        cols = [index[name] for name in v.feature_names_]
        coef[:, cols] += clf.coef_
        intercept += clf.intercept_
    clf = LogisticRegression()
    clf.classes_ = np.array(classes)
    clf.coef_ = coef / len(models)
    clf.intercept_ = intercept / len(models)
    clf.n_features_in_ = len(index)
    return vec, clf
