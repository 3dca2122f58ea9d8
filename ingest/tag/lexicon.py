"""Lexicons as data: loading the TOML/txt files under ingest/tag/data and compiling phrase matchers.

Every tagger matches phrases on `Doc.norm` through a `Matcher`: all phrases of one lexicon in one
regex, built as a character trie so a position costs one branch per distinct next character.

Phrase syntax (in every lexicon file):
- a space or hyphen inside a phrase also matches "", " ", "-" or "_" ("gen-3 alpha" ~ "gen3alpha");
- a phrase starting/ending with a Latin letter or digit matches at word boundaries only;
- a trailing `*` drops the right word boundary ("layoff*" matches "layoffs");
- a phrase starting with `re:` is a raw regular expression (used sparingly: numbers and units).

User aliases: set the environment variable AIGCWATCH_ALIASES to a TOML file shaped like
data/models.toml; its lists are appended to the built-in ones (new model ids are allowed).
The file takes part in `data_hash()`, so TAGGER_VERSION changes when it does.
"""
from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

DATA_DIR = Path(__file__).resolve().parent / "data"
ALIASES_ENV = "AIGCWATCH_ALIASES"

_SEP_CHARS = " -_"
_SEP_RE = r"[\s\-_]?"
_KEY_DROP = re.compile(r"[\s\-_]+")
_WORD = re.compile(r"[a-z0-9]")
_STARTS_WITH_DIGIT = re.compile(r"^\\d")
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_CJK = re.compile(r"[\u3400-\u9fff]")


def data_file(name: str) -> Path:
    return DATA_DIR / name


@lru_cache(maxsize=None)
def load_toml(name: str) -> dict[str, Any]:
    with open(data_file(name), "rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=None)
def load_words(name: str) -> frozenset[str]:
    """A txt word list: entries separated by white space, `#` starts a comment."""
    out: set[str] = set()
    for line in data_file(name).read_text(encoding="utf-8").splitlines():
        out.update(line.split("#", 1)[0].lower().split())
    return frozenset(out)


def _user_alias_path() -> Path | None:
    value = os.environ.get(ALIASES_ENV, "").strip()
    return Path(value).expanduser() if value else None


@lru_cache(maxsize=None)
def _user_aliases(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    from aigcwatch.errors import ConfigError

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"cannot read user alias file: {e.strerror}", file=path) from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"invalid TOML: {e}", file=path) from e


def model_table() -> dict[str, dict[str, Any]]:
    """data/models.toml merged with the user alias file (lists appended, scalars overridden)."""
    user_path = _user_alias_path()
    return _merged_models(str(user_path) if user_path else None)


@lru_cache(maxsize=4)
def _merged_models(user_path: str | None) -> dict[str, dict[str, Any]]:
    table = {k: dict(v) for k, v in load_toml("models.toml").items()}
    for model_id, spec in _user_aliases(user_path).items():
        base = table.setdefault(model_id, {})
        for key, value in spec.items():
            if isinstance(value, list):
                base[key] = list(base.get(key, [])) + [str(v) for v in value]
            else:
                base[key] = value
    return table


def data_hash() -> str:
    """Short hash of every lexicon file (and the user alias file): part of TAGGER_VERSION."""
    h = hashlib.sha256()
    for path in sorted(DATA_DIR.glob("*")):
        if path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    user = _user_alias_path()
    if user and user.is_file():
        h.update(user.read_bytes())
    return h.hexdigest()[:10]


def register_jieba_words(jieba: Any) -> None:
    """Make jieba keep model names (可灵, 即梦, 通义万相...) and domain terms as single words."""
    words: set[str] = set(load_words("jieba_words.txt"))
    for spec in model_table().values():
        for alias in list(spec.get("aliases", [])) + list(spec.get("ambiguous", [])):
            if _CJK.search(alias) and " " not in alias:
                words.add(alias.lower())
    for word in sorted(words):
        jieba.add_word(word, freq=20000)


# --------------------------------------------------------------------------- phrase matching

@lru_cache(maxsize=65536)
def phrase_key(text: str) -> str:
    """Canonical form under which a phrase and its matches are looked up."""
    return _KEY_DROP.sub("", text.lower()).rstrip("*")


def _tokens(phrase: str) -> list[str]:
    """Regex pieces of a phrase: escaped characters, optional separators, optional spaces at
    Han/Latin transitions."""
    out: list[str] = []
    prev = ""
    for ch in phrase:
        if ch in _SEP_CHARS:
            if out and out[-1] != _SEP_RE:
                out.append(_SEP_RE)
            prev = ""
            continue
        if prev and (bool(_CJK.match(prev)) != bool(_CJK.match(ch))) and out[-1] != _SEP_RE:
            out.append(r"\s?")
        out.append(re.escape(ch))
        prev = ch
    return out


class _Node:
    __slots__ = ("children", "end", "boundary")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.end = False
        self.boundary = True


def _emit(node: _Node) -> str:
    alts = [tok + _emit(child) for tok, child in sorted(node.children.items(), key=lambda kv: kv[0])]
    if node.end:
        alts.append(r"(?![a-z0-9])" if node.boundary else "")
    if len(alts) == 1:
        return alts[0]
    return "(?:" + "|".join(alts) + ")"


@dataclass(slots=True)
class Match:
    start: int
    end: int
    text: str
    payloads: tuple[Any, ...]


class Matcher:
    """All phrases of a lexicon in two regexes (Latin-initial, other); each phrase carries one or
    more payloads. Matches of the two regexes may overlap; each regex's own are disjoint and
    prefer the longest phrase."""

    def __init__(self, entries: Iterable[tuple[str, Any]]) -> None:
        self._payloads: dict[str, list[Any]] = {}
        raw: list[tuple[str, Any]] = []
        # Two tries: phrases starting with a Latin letter/digit and the others. Each regex then
        # starts with a small set of first characters that the engine skips through fast (one
        # mixed trie is several times slower). Left word boundaries of Latin phrases are checked
        # on each match instead of by a lookbehind, which would defeat that optimisation.
        roots = (_Node(), _Node())
        for phrase, payload in entries:
            phrase = phrase.strip().lower()
            if not phrase:
                continue
            if phrase.startswith("re:"):
                raw.append((phrase[3:], payload))
                continue
            wildcard = phrase.endswith("*")
            body = phrase.rstrip("*").strip()
            key = phrase_key(body)
            if not key:
                continue
            self._payloads.setdefault(key, []).append(payload)
            node = roots[0] if body[0] in _WORD_CHARS else roots[1]
            for tok in _tokens(body):
                node = node.children.setdefault(tok, _Node())
            node.end = True
            node.boundary = node.boundary and bool(_WORD.match(body[-1])) and not wildcard
        self._regexes = tuple(re.compile(_emit(root)) for root in roots if root.children)
        # Raw regexes. A leading \b is dropped and checked on each match instead (as for the
        # tries), so each regex keeps a fast first-character scan; those that start with a digit
        # share one pass behind a cheap (?=\d) guard, the others run one by one.
        self._raw_payloads = {f"r{i}": payload for i, (_, payload) in enumerate(raw)}
        stripped = [(f"r{i}", rx[2:] if rx.startswith("\\b") else rx, rx.startswith("\\b"))
                    for i, (rx, _) in enumerate(raw)]
        self._raw_bounded = {name for name, _, bounded in stripped if bounded}
        numeric = [(name, rx) for name, rx, _ in stripped if _STARTS_WITH_DIGIT.match(rx)]
        others = [(name, rx) for name, rx, _ in stripped if not _STARTS_WITH_DIGIT.match(rx)]
        raw_regexes: list[tuple[re.Pattern[str], str | None]] = [
            (re.compile(rx), name) for name, rx in others]
        if numeric:
            raw_regexes.append((re.compile(
                r"(?=\d)(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in numeric) + ")"), None))
        self._raw = tuple(raw_regexes)

    def finditer(self, text: str) -> Iterator[Match]:
        for regex in self._regexes:
            for m in regex.finditer(text):
                start = m.start()
                found = m.group()
                if start and found[0] in _WORD_CHARS and text[start - 1] in _WORD_CHARS:
                    continue
                payloads = self._payloads.get(phrase_key(found))
                if payloads:
                    yield Match(start, m.end(), found, tuple(payloads))
        for regex, name in self._raw:
            for m in regex.finditer(text):
                start = m.start()
                found = m.group()
                key = name or m.lastgroup
                if (start and key in self._raw_bounded and found[:1] in _WORD_CHARS
                        and text[start - 1] in _WORD_CHARS):
                    continue
                yield Match(start, m.end(), found, (self._raw_payloads[key],))

    def search(self, text: str) -> bool:
        return next(self.finditer(text), None) is not None

    @property
    def patterns(self) -> tuple[str, ...]:
        return tuple(r.pattern for r in self._regexes)


def word_matcher(words: Iterable[str], payload: Any = True) -> Matcher:
    return Matcher((w, payload) for w in words)
