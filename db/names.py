"""Model and theme filter values as people type them -> the tagger's canonical ids.

`--model Kling`, `--model 可灵`, `model=Seedance` in a dashboard URL: each names a model the tagger
knows under another spelling. The CLI exports and the dashboard's URL parameters both pass their
values through `canonical_ids`, so `Kling`, `KLING`, `可灵` and `可靈` all filter on `kling`, and
`Seedance` and `即梦` on `jimeng`. A model is known by its id and every name of the tagger's model
lexicon (`ingest/tag/data/models.toml`, with the user's `AIGCWATCH_ALIASES`), read here, never
changed; a theme by its id (`creative-industry`, `Creative Industry` fold to `creative_industry`).
Matching folds case, full width and Traditional script, and spaces, hyphens and underscores, as
the tagger's own name matching does. A value that names nothing known is returned as given, so
the caller's "no stored story has it (known: ...)" warning still names it.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

KINDS = ("model", "theme")


def _key(value: str) -> str:
    from ingest.tag.lexicon import name_key

    return name_key(value) or ""


@lru_cache(maxsize=4)
def _model_names(table_id: int) -> dict[str, str]:
    from ingest.tag.lexicon import model_table

    table = model_table()
    names: dict[str, str] = {}
    for table_key, spec in table.items():          # ids first: an id always means its model
        model_id = str(spec.get("id", table_key))
        names.setdefault(_key(model_id), model_id)
    for table_key, spec in table.items():
        model_id = str(spec.get("id", table_key))
        for name in list(spec.get("aliases", [])) + list(spec.get("ambiguous", [])):
            key = _key(str(name))                   # "" for a raw regex: no name
            if key:
                names.setdefault(key, model_id)
    return names


@lru_cache(maxsize=1)
def _theme_names() -> dict[str, str]:
    from ingest.tag.lexicon import load_toml

    return {_key(theme_id): theme_id for theme_id in load_toml("themes.toml")}


def _names(kind: str) -> dict[str, str]:
    if kind == "model":
        from ingest.tag.lexicon import model_table

        return _model_names(id(model_table()))
    if kind == "theme":
        return _theme_names()
    raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")


def canonical_id(kind: str, value: str) -> str | None:
    """The canonical model or theme id `value` names, or None when it names none."""
    key = _key(value)
    return _names(kind).get(key) if key else None


def canonical_ids(kind: str, values: Iterable[str]) -> tuple[str, ...]:
    """Each value as its canonical id (a value naming nothing known as given, stripped), in order,
    once each."""
    out: list[str] = []
    for value in values:
        value = value.strip()
        if value:
            out.append(canonical_id(kind, value) or value)
    return tuple(dict.fromkeys(out))
