"""A digest's focus: the models, themes, sources, category and search it is counted within
(`aigcwatch digest --model kling -q "..."`), named for readers and keyed for the delivery log.

The focus is read from the digest's `ItemFilter` (its window and language are not part of it). Its
key is a stable string of the canonical values ("" for the market-wide digest): the same focus
typed another way (`Kling` or `可灵`, extra spaces in the search) has the same key, so the log
skips a recipient already served with it, and keeps two focuses apart. Names are plain text; the
search is user input, which each format escapes as it does feed text.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from hashlib import sha256

from db.filters import ItemFilter

KEY_MAX = 200               # the delivery log's focus column (db.models.Delivery.focus) holds this many
FIELDS = (("model", "model"), ("theme", "theme"), ("source_id", "source"), ("category", "category"))
_HASHED = re.compile(r"#[0-9a-f]{16}$")     # the end of a key cut to KEY_MAX

# key -> (zh, en)
WORDS: dict[str, tuple[str, str]] = {
    "focus": ("范围：", "Focus: "),
    "model": ("模型", "model"),
    "theme": ("议题", "theme"),
    "source": ("来源", "source"),
    "category": ("类型", "category"),
    "search": ("搜索", "search"),
}


def _word(key: str, lang: str) -> str:
    return WORDS[key][0 if lang == "zh" else 1]


def focused(flt: ItemFilter) -> bool:
    return bool(flt.q or any(getattr(flt, f) for f, _ in FIELDS))


def focus_key(flt: ItemFilter) -> str:
    """"model=kling,sora; q=sora OR 可灵" ("" for none): values sorted, the search last and
    whitespace-normalised (ItemFilter does both). A key longer than `KEY_MAX` keeps its start and
    ends in a hash of the whole."""
    parts = [f"{word}={','.join(getattr(flt, f))}" for f, word in FIELDS if getattr(flt, f)]
    if flt.q:
        parts.append(f"q={flt.q}")
    key = "; ".join(parts)
    if len(key) <= KEY_MAX:
        return key
    digest = sha256(key.encode("utf-8")).hexdigest()[:16]
    return key[: KEY_MAX - len(digest) - 1] + "#" + digest


def filter_of_key(key: str) -> tuple[ItemFilter, bool] | None:
    """The focus a logged `key` was made of (`focus_key` read back) and whether the key was cut to
    `KEY_MAX` (the filter then holds what the key's start names, its last value perhaps cut
    short); None for a string not of `focus_key`'s form."""
    cut = len(key) == KEY_MAX and _HASHED.search(key) is not None
    rest = key[: -17] if cut else key
    fields = {word: f for f, word in FIELDS}
    values: dict[str, tuple[str, ...]] = {}
    q = ""
    while rest:
        if rest.startswith("q="):                # the search is last and may hold "; " and "="
            q = rest[2:]
            break
        part, _, rest = rest.partition("; ")
        word, eq, listed = part.partition("=")
        if not eq or fields.get(word) is None or fields[word] in values:
            if cut and not rest:                 # the cut fell inside this part: drop it
                break
            return None
        values[fields[word]] = tuple(v for v in listed.split(",") if v)
    return ItemFilter(**values, q=q), cut


def focus_reading(key: str, lang: str, sources: Mapping[str, str] | None = None) -> str:
    """A logged focus key as the subject names the focus ("Kling / Sora, Jobs"; "" for the
    market-wide digest; a source by its name in `sources`, id -> name); a cut key's reading ends in
    "…", a string not of `focus_key`'s form is returned as it is. Plain text: the search is user
    input, escaped by whatever shows it."""
    parsed = filter_of_key(key) if key else None
    if parsed is None:
        return key
    flt, cut = parsed
    return focus_short(flt, lang, sources) + ("…" if cut else "")


def focus_facts(flt: ItemFilter) -> dict:
    """The generic push's `focus` object (every field present; all empty for the market-wide
    digest)."""
    return {"key": focus_key(flt), **{word: list(getattr(flt, f)) for f, word in FIELDS},
            "search": flt.q}


def _names(flt: ItemFilter, f: str, lang: str, sources: Mapping[str, str] | None) -> list[str]:
    """The values of field `f` as readers know them: a source by its name in `sources` (id -> name,
    from the sources table: plain text, cleaned to one line, escaped by whatever shows it), an id
    not there as itself."""
    from dashboard.i18n import category_name, model_name, theme_name
    from report.render import clean

    if f == "source_id":
        return [clean(sources.get(v), 80) or v if sources else v for v in flt.source_id]
    named = {"model": model_name, "theme": theme_name, "category": category_name}.get(f)
    return [named(v, lang) if named else v for v in getattr(flt, f)]


def _quoted(q: str) -> str:
    from report.render import clean

    return f"“{clean(q, 120)}”"


def _any(names: list[str], lang: str) -> str:
    """Values of one kind, any of which a story may hold: "Jimeng / Seedance or Kling" (joined with
    "/" they read as three models, since names hold "/" themselves)."""
    return (" 或 " if lang == "zh" else " or ").join(names)


def focus_line(flt: ItemFilter, lang: str, sources: Mapping[str, str] | None = None) -> str:
    """"Focus: model Kling; search “sora OR 可灵”" / "范围：模型 可灵 Kling；搜索 “sora OR 可灵”"
    ("" for none); several values of one kind read "Kling or Sora" (`_any`); a source reads as its
    name in `sources` (id -> name)."""
    if not focused(flt):
        return ""
    parts = [f"{_word(word, lang)} {_any(_names(flt, f, lang, sources), lang)}"
             for f, word in FIELDS if getattr(flt, f)]
    if flt.q:
        parts.append(f"{_word('search', lang)} {_quoted(flt.q)}")
    return _word("focus", lang) + ("；" if lang == "zh" else "; ").join(parts)


def focus_short(flt: ItemFilter, lang: str, sources: Mapping[str, str] | None = None) -> str:
    """The focus in a subject: its names, then the search ("Kling, “sora OR 可灵”"; "" for none).
    Values of one kind are any of them and read "Kling or Sora", as in `focus_line`; kinds apart
    all hold ("Kling or Sora, Jobs")."""
    names = [_any(_names(flt, f, lang, sources), lang) for f, _ in FIELDS if getattr(flt, f)]
    if flt.q:
        names.append(_quoted(flt.q))
    return ("、" if lang == "zh" else ", ").join(names)
