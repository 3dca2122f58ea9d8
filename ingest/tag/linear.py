"""Small linear models shipped as JSON data files and applied in pure Python.

A model is classes, one bias per class and, per named feature, one weight per class; the label of a
feature dict is the class with the highest linear score. Learned layers (sentiment, themes) are
trained by dev-only scripts with scikit-learn and written with `to_dict`; nothing here needs it.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Mapping, Sequence, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, tuple[float, ...]]
    meta: Mapping[str, Any]

    def scores(self, feats: Mapping[str, float]) -> list[float]:
        out = list(self.bias)
        w = self.weights
        n = len(out)
        for name, value in feats.items():
            row = w.get(name)
            if row is not None:
                for k in range(n):
                    out[k] += row[k] * value
        return out

    def label(self, feats: Mapping[str, float]) -> str:
        s = self.scores(feats)
        return self.classes[max(range(len(s)), key=s.__getitem__)]

    def probabilities(self, feats: Mapping[str, float]) -> dict[str, float]:
        s = self.scores(feats)
        top = max(s)
        e = [math.exp(v - top) for v in s]
        total = sum(e)
        return {c: v / total for c, v in zip(self.classes, e)}


def model_from_dict(data: Mapping[str, Any], name: str = "model") -> LinearModel:
    classes = tuple(str(c) for c in data["classes"])
    weights = {str(k): tuple(float(x) for x in v) for k, v in data["weights"].items()}
    if len(data["bias"]) != len(classes) or any(len(v) != len(classes) for v in weights.values()):
        raise ValueError(f"{name}: every weight row needs one value per class {classes}")
    meta = {k: v for k, v in data.items() if k not in ("classes", "bias", "weights")}
    return LinearModel(classes, tuple(float(b) for b in data["bias"]), weights, meta)


@lru_cache(maxsize=None)
def load(name: str) -> LinearModel | None:
    """A model file under ingest/tag/data, read once; None when it is absent."""
    try:
        text = resources.files("ingest.tag").joinpath("data", name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return model_from_dict(json.loads(text), name)


_DERIVED: dict[tuple[int, str], tuple[LinearModel, Any]] = {}


def derived(model: LinearModel, name: str, build: Callable[[LinearModel], T]) -> T:
    """build(model), computed once per model object and name: the unrolled forms the taggers sum
    from instead of building feature dicts (the entry holds the model, so its id stays unique)."""
    key = (id(model), name)
    entry = _DERIVED.get(key)
    if entry is None:
        entry = _DERIVED[key] = (model, build(model))
    return entry[1]


def word_rows(model: LinearModel) -> dict[str, tuple[float, ...]]:
    """The weight rows of the model's word features ("t:" + word), by bare word."""
    return derived(model, "words", lambda m: {k[2:]: v for k, v in m.weights.items()
                                              if k.startswith("t:")})


def to_dict(classes: Sequence[str], bias: Sequence[float], names: Sequence[str],
            coef: Sequence[Sequence[float]], **meta: Any) -> dict[str, Any]:
    """A model as its JSON form: `coef[k][j]` is the weight of feature `names[j]` for class k;
    features whose weights are all ~0 are left out."""
    weights = {}
    for j, name in enumerate(names):
        row = [round(float(coef[k][j]), 5) for k in range(len(classes))]
        if any(abs(v) >= 1e-4 for v in row):
            weights[name] = row
    return {"classes": list(classes), "bias": [round(float(b), 5) for b in bias], **meta,
            "weights": dict(sorted(weights.items()))}


def dumps(data: Mapping[str, Any]) -> str:
    """The JSON form with one line per weight row (readable diffs)."""
    head = {k: v for k, v in data.items() if k != "weights"}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "weights": {']
    rows = [f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" for k, v in data["weights"].items()]
    lines.append(",\n".join(rows))
    lines.append("}}")
    return "\n".join(lines) + "\n"
