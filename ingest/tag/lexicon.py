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


# One match as `Matcher.scan` returns it: (start, end, text as found, phrase key, payloads).
Hit = tuple[int, int, str, str, tuple[Any, ...]]

_DIGIT = re.compile(r"\d")
_ASCII_DIGITS = frozenset("0123456789")
_FOUND_CACHE = 50_000      # distinct match texts remembered per matcher


def _ascii_firsts(items: Any) -> frozenset[str] | None:
    """ASCII characters a match of the parsed regex `items` may start with; None when unknown
    (or when the regex may match the empty string)."""
    from re import _constants as c   # the parser's own opcodes (same module as _parser)

    if not items:
        return None
    op, av = items[0]
    if op is c.LITERAL:
        return frozenset({chr(av)}) if av < 128 else frozenset()
    if op is c.IN:
        out: set[str] = set()
        for kind, value in av:
            if kind is c.LITERAL:
                if value < 128:
                    out.add(chr(value))
            elif kind is c.RANGE:
                out.update(chr(i) for i in range(value[0], min(value[1], 127) + 1))
            elif kind is c.CATEGORY and value is c.CATEGORY_DIGIT:
                out.update(_ASCII_DIGITS)
            else:
                return None
        return frozenset(out)
    if op is c.BRANCH:
        union: set[str] = set()
        for alt in av[1]:
            firsts = _ascii_firsts(alt)
            if firsts is None:
                return None
            union |= firsts
        return frozenset(union)
    if op is c.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        return None if add_flags or del_flags else _ascii_firsts(list(sub))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, sub = av
        return _ascii_firsts(list(sub)) if low >= 1 else None
    if op is c.ASSERT and av[0] == 1:           # a lookahead: its first character is the match's
        return _ascii_firsts(list(av[1]))
    return None


def _regex_ascii_firsts(pattern: str) -> frozenset[str] | None:
    """See `_ascii_firsts`; only an optimisation, so any parser trouble means "unknown"."""
    try:
        from re import _parser

        return _ascii_firsts(list(_parser.parse(pattern)))
    except Exception:   # noqa: BLE001  (private module: a change there must not break matching)
        return None


class _Scan:
    """One compiled regex of a matcher and how to run it.

    `ascii_firsts`: the ASCII characters a match can start with (None: unknown), so a pure-ASCII
    text holding none of them needs no scan. `digit_led`: every match starts with a
    digit, so only digit positions are tried (the regex's own (?=\d) guard costs a call at every
    position). `trie`: payloads come from the phrase table, else `raw` names the payload(s).
    """

    __slots__ = ("regex", "ascii_firsts", "digit_led", "trie", "raw")

    def __init__(self, regex: re.Pattern[str], ascii_firsts: frozenset[str] | None,
                 digit_led: bool = False, trie: bool = True, raw: str | None = None) -> None:
        self.regex = regex
        self.ascii_firsts = ascii_firsts
        self.digit_led = digit_led
        self.trie = trie
        self.raw = raw

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        if not self.digit_led:
            return self.regex.finditer(text)
        return self._digit_matches(text)

    def _digit_matches(self, text: str) -> Iterator[re.Match[str]]:
        # Same matches as regex.finditer(text): positions that are no digit cannot match, and
        # a match (never empty) resumes the scan at its end.
        match = self.regex.match
        digit = _DIGIT.search
        pos = 0
        while True:
            d = digit(text, pos)
            if d is None:
                return
            m = match(text, d.start())
            if m is None:
                pos = d.start() + 1
            else:
                yield m
                pos = m.end()


class Matcher:
    """All phrases of a lexicon in two regexes (Latin-initial, other); each phrase carries one or
    more payloads. Matches of the two regexes may overlap; each regex's own are disjoint and
    prefer the longest phrase."""

    def __init__(self, entries: Iterable[tuple[str, Any]]) -> None:
        payloads: dict[str, list[Any]] = {}
        raw: list[tuple[str, Any]] = []
        # Two tries: phrases starting with a Latin letter/digit and the others. Each regex then
        # starts with a small set of first characters that the engine skips through fast (one
        # mixed trie is several times slower). Left word boundaries of Latin phrases are checked
        # on each match instead of by a lookbehind, which would defeat that optimisation.
        roots = (_Node(), _Node())
        firsts: tuple[set[str], set[str]] = (set(), set())
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
            payloads.setdefault(key, []).append(payload)
            side = 0 if body[0] in _WORD_CHARS else 1
            firsts[side].add(body[0])
            node = roots[side]
            for tok in _tokens(body):
                node = node.children.setdefault(tok, _Node())
            node.end = True
            node.boundary = node.boundary and bool(_WORD.match(body[-1])) and not wildcard
        self._payloads = {key: tuple(values) for key, values in payloads.items()}
        self._regexes = tuple(re.compile(_emit(root)) for root in roots if root.children)
        scans = [_Scan(regex, frozenset(c for c in first if c.isascii()))
                 for regex, first in zip(self._regexes,
                                         [f for f, root in zip(firsts, roots) if root.children])]
        # Raw regexes. A leading \b is dropped and checked on each match instead (as for the
        # tries), so each regex keeps a fast first-character scan; those that start with a digit
        # share one pass that tries digit positions only, the others run one by one.
        self._raw_payloads = {f"r{i}": payload for i, (_, payload) in enumerate(raw)}
        stripped = [(f"r{i}", rx[2:] if rx.startswith("\\b") else rx, rx.startswith("\\b"))
                    for i, (rx, _) in enumerate(raw)]
        self._raw_bounded = {name for name, _, bounded in stripped if bounded}
        numeric = [(name, rx) for name, rx, _ in stripped if _STARTS_WITH_DIGIT.match(rx)]
        others = [(name, rx) for name, rx, _ in stripped if not _STARTS_WITH_DIGIT.match(rx)]
        for name, rx in others:
            scans.append(_Scan(re.compile(rx), _regex_ascii_firsts(rx), trie=False, raw=name))
        if numeric:
            scans.append(_Scan(
                re.compile(r"(?=\d)(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in numeric) + ")"),
                None, digit_led=True, trie=False))
        self._scans = tuple(scans)
        # for a pure-ASCII text: the scans that may match, each with the characters to look for
        # first (empty: no cheap test)
        self._ascii_scans = tuple((scan, scan.ascii_firsts if len(scan.ascii_firsts or ()) <= 4
                                   else frozenset()) for scan in scans
                                  if scan.ascii_firsts is None or scan.ascii_firsts)
        # match text as found -> (phrase key, payloads or None); most texts repeat across documents
        self._found: dict[str, tuple[str, tuple[Any, ...] | None]] = {}

    def _lookup(self, found: str) -> tuple[str, tuple[Any, ...] | None]:
        entry = self._found.get(found)
        if entry is None:
            key = phrase_key(found)
            entry = (key, self._payloads.get(key) or None)
            if len(self._found) < _FOUND_CACHE:
                self._found[found] = entry
        return entry

    def scan(self, text: str) -> list[Hit]:
        """Every match in `text` as (start, end, text, phrase key, payloads): the tries' first,
        then each raw regex's (the order `finditer` yields)."""
        out: list[Hit] = []
        found_get = self._found.get
        if text.isascii():
            scans = [scan for scan, need in self._ascii_scans
                     if not need or any(ch in text for ch in need)]
        else:
            scans = self._scans
        for scan in scans:
            if scan.trie:
                for m in scan.regex.finditer(text):
                    start = m.start()
                    found = m.group()
                    if start and found[0] in _WORD_CHARS and text[start - 1] in _WORD_CHARS:
                        continue
                    entry = found_get(found) or self._lookup(found)
                    if entry[1]:
                        out.append((start, m.end(), found, entry[0], entry[1]))
                continue
            raw_bounded = self._raw_bounded
            for m in scan.matches(text):
                start = m.start()
                found = m.group()
                name = scan.raw or m.lastgroup
                if (start and name in raw_bounded and found[:1] in _WORD_CHARS
                        and text[start - 1] in _WORD_CHARS):
                    continue
                out.append((start, m.end(), found, phrase_key(found),
                            (self._raw_payloads[name],)))
        return out

    def finditer(self, text: str) -> Iterator[Match]:
        for start, end, found, _, payloads in self.scan(text):
            yield Match(start, end, found, payloads)

    def search(self, text: str) -> bool:
        return bool(self.scan(text))

    @property
    def patterns(self) -> tuple[str, ...]:
        return tuple(r.pattern for r in self._regexes)


def word_matcher(words: Iterable[str], payload: Any = True) -> Matcher:
    return Matcher((w, payload) for w in words)
