"""Lexicons as data: loading the TOML/txt files under ingest/tag/data and compiling phrase matchers.

Every tagger matches phrases on `Doc.norm` through a `Matcher`: all phrases of one lexicon in
Aho-Corasick automata (ahocorasick_rs), so a text is searched in one linear pass whatever the
number of phrases. The automata search the text's matching form, in which separators are one
space and word boundaries are marked by a character, so "leftmost-longest" already honours them.

Phrase syntax (in every lexicon file):
- a space or hyphen inside a phrase also matches "", " ", "-" or "_" ("gen-3 alpha" ~ "gen3alpha");
- a phrase starting/ending with a Latin letter or digit matches at word boundaries only;
- a trailing `*` drops the right word boundary ("layoff*" matches "layoffs");
- a phrase starting with `re:` is a raw regular expression (used sparingly: numbers and units).

User aliases: set the environment variable AIGCWATCH_ALIASES to a TOML file shaped like
data/models.toml; its lists are appended to the built-in ones (new model ids are allowed). A name
it lists under `aliases` or `ambiguous` is taken out of the shipped name lists first, so the
user's line decides (a shipped ambiguous name made unambiguous, or given to another model id).
The file takes part in `data_hash()`, so TAGGER_VERSION changes when it does.
"""
from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_left
import tomllib
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable, Iterator

from ahocorasick_rs import MATCHKIND_LEFTMOST_LONGEST, AhoCorasick

DATA_DIR = Path(__file__).resolve().parent / "data"
ALIASES_ENV = "AIGCWATCH_ALIASES"

_SEP_CHARS = " -_"
_KEY_DROP = re.compile(r"[\s\-_]+")
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
            table = tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"cannot read user alias file: {e.strerror}", file=path) from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"invalid TOML: {e}", file=path) from e
    for model_id, spec in table.items():
        if not isinstance(spec, dict):
            raise ConfigError(f"[{model_id}] must be a table (e.g. aliases = [...]), "
                              f"got {type(spec).__name__}", file=path)
        for key, value in spec.items():
            problem = _alias_value_problem(key, value)
            if problem:
                raise ConfigError(f"[{model_id}] {key}: {problem}", file=path)
    return table


# the keys of a models.toml table and what each holds (a list of phrases unless named here)
_ALIAS_LIST_KEYS = ("aliases", "ambiguous", "context", "collisions", "image_too", "words",
                    "soft_collisions")
_ALIAS_NEEDS = ("ai", "video", "context")


def _alias_value_problem(key: str, value: Any) -> str | None:
    """Why a user alias table's value cannot be used (None: it can). The tagger reads these
    values for every item, so a wrong type would fail each item instead of the command."""
    if key in _ALIAS_LIST_KEYS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f'must be a list of strings (e.g. {key} = ["name"]), got {value!r}'
    elif key == "needs":
        if value not in _ALIAS_NEEDS:
            return f"must be one of {', '.join(repr(n) for n in _ALIAS_NEEDS)}, got {value!r}"
    elif key == "window":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"must be a whole number of characters, got {value!r}"
    elif key == "local_only":
        if not isinstance(value, bool):
            return f"must be true or false, got {value!r}"
    elif key == "id":
        if not isinstance(value, str) or not value.strip():
            return f"must be a model id (a string), got {value!r}"
    else:
        return f"unknown key (one of {', '.join(_ALIAS_LIST_KEYS + ('needs', 'window', 'local_only', 'id'))})"
    return None


def _user_phrase(phrase: str) -> str:
    """A user's phrase in the form the shipped lexicons are written in (the matching form of
    Doc.norm: lower-case, full-width folded, Simplified), so "可靈影片" or "ＺＥＴＡ" match as
    they would in the text; a raw regex ("re:...") is left as written."""
    if phrase.strip().lower().startswith("re:"):
        return phrase
    from ingest.tag.doc import normalize

    return normalize(phrase)


def model_table() -> dict[str, dict[str, Any]]:
    """data/models.toml merged with the user alias file (lists appended, scalars overridden)."""
    user_path = _user_alias_path()
    return _merged_models(str(user_path) if user_path else None)


_NAME_LISTS = ("aliases", "ambiguous")


def name_key(phrase: str) -> str | None:
    """The key a name phrase is matched under (see Matcher), in the matching form of Doc.norm
    (lower-case, full-width folded, Simplified): "Kling", "KLING" and "可靈" key as their model's
    names do. None for a raw regex ("re:..."), which names nothing. db.names keys the values
    people type into filters by this same rule."""
    phrase = _user_phrase(phrase).strip().lower()
    return None if phrase.startswith("re:") else phrase_key(phrase.rstrip("*").strip())


@lru_cache(maxsize=4)
def _merged_models(user_path: str | None) -> dict[str, dict[str, Any]]:
    table = {k: dict(v) for k, v in load_toml("models.toml").items()}
    user = _user_aliases(user_path)
    # A name the user's file lists (as an alias or an ambiguous name) is theirs: it leaves the
    # shipped lists, where the matcher would read the shipped entry first and ignore the user's
    # (a shipped ambiguous "海螺" made a user's `[hailuo] aliases = ["海螺"]` a silent no-op).
    mine = {name_key(_user_phrase(v)) for spec in user.values()
            for key in _NAME_LISTS for v in spec.get(key, [])} - {None}
    if mine:
        for spec in table.values():
            for key in _NAME_LISTS:
                if key in spec:
                    spec[key] = [p for p in spec[key] if name_key(p) not in mine]
    for model_id, spec in user.items():
        base = table.setdefault(model_id, {})
        for key, value in spec.items():
            if isinstance(value, list):
                base[key] = list(base.get(key, [])) + [_user_phrase(v) for v in value]
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


_MARK = "\x02"                             # a word boundary in the matching form
_SEPARATOR = re.compile(r"[\s\-_\x02]")   # what a phrase's separator matches (and stray marks)
_EDGE = re.compile(r"\b", re.ASCII)       # after _SEPARATOR: the edges of [a-z0-9] runs
# the same for ASCII text, faster there: only what is not already a space is replaced, and
# joining the pieces of split() puts a mark on both sides of every run
_ASCII_SEPARATOR = re.compile(r"[^\S ]|[\-_\x02]")
_ASCII_RUN = re.compile(r"([A-Za-z0-9]+)")


def matching_form(text: str) -> str:
    """The text as the phrase automata see it: every white space, hyphen or underscore becomes
    one space, and a mark stands at both edges of every run of ASCII letters and digits.
    "Sora 2-pro" -> "\x02sora\x02 \x022\x02 \x02pro\x02" (for lower-case text)."""
    if text.isascii():
        return _MARK.join(_ASCII_RUN.split(_ASCII_SEPARATOR.sub(" ", text)))
    return _EDGE.sub(_MARK, _SEPARATOR.sub(" ", text))


_FORMS: dict[str, str] = {}      # text -> matching form: the taggers scan each text several times
_FORMS_KEPT = 8                  # (and a short word now and then between, see models._person_name)


_MARKS: dict[str, list[int]] = {}   # form -> positions of its marks (same lifetime as _FORMS)
_MARK_RE = re.compile(_MARK)


def _form_of(text: str) -> str:
    form = _FORMS.get(text)
    if form is None:
        form = matching_form(text)
        if len(_FORMS) >= _FORMS_KEPT:
            _FORMS.clear()
            _MARKS.clear()
        _FORMS[text] = form
    return form


def _marks_of(form: str) -> list[int]:
    """Positions of the marks in a matching form (cached with the form)."""
    marks = _MARKS.get(form)
    if marks is None:
        marks = _MARKS[form] = [m.start() for m in _MARK_RE.finditer(form)]
    return marks


def _ascii_gate(strings: Iterable[str], most: int = 6) -> frozenset[str] | None:
    """The ASCII characters the strings start with, when few: a pure-ASCII text holding none of
    them cannot contain any of the strings. None: too many to be worth the test."""
    firsts = {s[0] for s in strings if s and s[0].isascii()}
    return frozenset(firsts) if len(firsts) <= most else None


def _variants(phrase: str) -> list[str]:
    """Every spelling of a phrase that `matching_form` may turn into a match: each separator of
    the phrase may be absent or one space, and so may a space where Han and Latin meet."""
    pieces = [""]
    prev = ""
    pending = False          # a separator (or a Han/Latin transition) before the next character
    for ch in phrase:
        if ch in _SEP_CHARS:
            pending = bool(pieces[0])         # not before the first character
            prev = ""
            continue
        if prev and bool(_CJK.match(prev)) != bool(_CJK.match(ch)):
            pending = True
        if pending:
            pieces = [p + sep for p in pieces for sep in ("", " ")]
            pending = False
        pieces = [p + ch for p in pieces]
        prev = ch
    return pieces


# One match as `Matcher.scan` returns it: (start, end, text as found, phrase key, payloads).
Hit = tuple[int, int, str, str, tuple[Any, ...]]

_DIGIT = re.compile(r"\d")
_MAX_PREFIXES = 64          # literal prefixes kept per raw regex (more: scan it always)
_MAX_CLASS = 16             # a character class of more characters ends a prefix


def _prefix_walk(items: Any) -> tuple[set[str], bool]:
    """(strings, complete) for the parsed regex `items`: every match starts with one of the
    strings; `complete`: the strings are the whole matches. Zero-width items are skipped."""
    from re import _constants as c   # the parser's own opcodes (same module as _parser)

    found = {""}
    for op, av in items:
        complete = True
        if op is c.LITERAL:
            options = {chr(av)}
        elif op is c.IN:
            chars = _class_chars(av, c)
            if chars is None:
                return found, False
            options = chars
        elif op is c.BRANCH:
            options = set()
            for alt in av[1]:
                sub, whole = _prefix_walk(list(alt))
                options |= sub
                complete = complete and whole
        elif op is c.SUBPATTERN:
            _, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return found, False
            options, complete = _prefix_walk(list(sub))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            options, _ = _prefix_walk(list(av[2]))     # the first repetition's start
            complete = False
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue                                   # zero width: constrains nothing here
        else:
            return found, False
        grown = {f + o for f in found for o in options}
        if len(grown) > _MAX_PREFIXES:
            return found, False
        found = grown
        if not complete:
            return found, False
    return found, True


def _class_chars(av: Any, c: Any) -> set[str] | None:
    out: set[str] = set()
    for kind, value in av:
        if kind is c.LITERAL:
            out.add(chr(value))
        elif kind is c.RANGE and value[1] - value[0] < _MAX_CLASS:
            out.update(chr(i) for i in range(value[0], value[1] + 1))
        else:
            return None
    return out if len(out) <= _MAX_CLASS else None


def regex_prefixes(pattern: str) -> frozenset[str] | None:
    """Literal strings one of which every match of `pattern` starts with; None when unknown
    (a match may start anywhere, or the pattern has flags). Only an optimisation, so any
    trouble with the parser (a private module) means "unknown"."""
    try:
        from re import _parser

        parsed = _parser.parse(pattern)
        if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
            return None
        found, _ = _prefix_walk(list(parsed))
    except Exception:   # noqa: BLE001
        return None
    return frozenset(found) if found and "" not in found else None


_MAX_REQUIRED = 3           # literal sets kept per raw regex besides its prefixes


def _selective(literal: str) -> bool:
    """Rare enough to be worth looking for: 3+ ASCII characters, or 2+ with a Han one."""
    return len(literal) >= 3 or (len(literal) == 2 and not literal.isascii())


def regex_requirements(pattern: str) -> tuple[frozenset[str], ...]:
    """Sets of literal strings such that every match of `pattern` contains one string of each
    set: its prefixes, and the prefixes of the rest of the pattern from later top-level items
    on (only selective ones). () when nothing is known."""
    first = regex_prefixes(pattern)
    out: list[frozenset[str]] = [first] if first else []
    try:
        from re import _constants as c
        from re import _parser

        parsed = _parser.parse(pattern)
        if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):
            return ()
        items = list(parsed)
        later: list[frozenset[str]] = []
        for k in range(1, len(items)):
            # from each item that does not continue a run of literals (those sets would be
            # implied by the run's own)
            if items[k][0] in (c.AT, c.ASSERT, c.ASSERT_NOT) or items[k - 1][0] is c.LITERAL:
                continue
            found, _ = _prefix_walk(items[k:])
            if found and all(map(_selective, found)):
                later.append(frozenset(found))
    except Exception:   # noqa: BLE001  (see regex_prefixes)
        return tuple(out)
    later.sort(key=lambda strings: -min(map(len, strings)))     # the most selective first
    for strings in later:
        if len(out) > _MAX_REQUIRED:
            break
        if strings not in out:
            out.append(strings)
    return tuple(out)


class _Scan:
    """One compiled regex of a matcher and how to run it.

    `required`: sets of literal strings; every match contains one string of each set, so a text
    missing all strings of one set needs no scan (empty: always scanned). `digit_led`: every
    match starts with a
    digit, so only digit positions are tried (the regex's own (?=\d) guard costs a call at every
    position). `raw` names the payload of a single regex (None: the named group that matched).
    """

    __slots__ = ("regex", "required", "digit_led", "raw")

    def __init__(self, regex: re.Pattern[str], required: tuple[frozenset[str], ...],
                 digit_led: bool = False, raw: str | None = None) -> None:
        self.regex = regex
        self.required = required
        self.digit_led = digit_led
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
    """All phrases of a lexicon, each with one or more payloads, plus its raw regexes.

    Phrases are searched by two Aho-Corasick automata (phrases starting with a Latin letter or
    digit, and the others) over the matching form of the text (`matching_form`), where word
    boundaries are characters; so one pass per automaton finds the leftmost-longest phrases that
    respect their boundaries. Matches of the two automata may overlap; each one's own are
    disjoint. Raw regexes run one by one (or, when they start with a digit, in one shared pass).
    """

    def __init__(self, entries: Iterable[tuple[str, Any]]) -> None:
        payloads: dict[str, list[Any]] = {}
        raw: list[tuple[str, Any]] = []
        forms: tuple[dict[str, str], dict[str, str]] = ({}, {})   # per side: form -> phrase key
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
            side = forms[0 if body[0] in _WORD_CHARS else 1]
            for variant in _variants(body):
                form = matching_form(variant)
                if wildcard and form.endswith(_MARK):
                    form = form[:-1]          # no right boundary
                side[form] = key
        by_key = {key: tuple(values) for key, values in payloads.items()}
        self._automata = tuple(
            (AhoCorasick(list(side), matchkind=MATCHKIND_LEFTMOST_LONGEST),
             tuple((key, by_key[key]) for key in side.values()),
             _ascii_gate(side))
            for side in forms if side)
        scans: list[_Scan] = []
        # Raw regexes. A leading \b is dropped and checked on each match instead, so each regex
        # keeps a fast first-character scan; those that start with a digit share one pass that
        # tries digit positions only, the others run one by one, and only on a text that holds
        # the literals their matches must contain (all looked for in one pass).
        self._raw_payloads = {f"r{i}": payload for i, (_, payload) in enumerate(raw)}
        stripped = [(f"r{i}", rx[2:] if rx.startswith("\\b") else rx, rx.startswith("\\b"))
                    for i, (rx, _) in enumerate(raw)]
        self._raw_bounded = {name for name, _, bounded in stripped if bounded}
        numeric = [(name, rx) for name, rx, _ in stripped if _STARTS_WITH_DIGIT.match(rx)]
        others = [(name, rx) for name, rx, _ in stripped if not _STARTS_WITH_DIGIT.match(rx)]
        for name, rx in others:
            scans.append(_Scan(re.compile(rx), regex_requirements(rx), raw=name))
        if numeric:
            scans.append(_Scan(
                re.compile(r"(?=\d)(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in numeric) + ")"),
                (), digit_led=True))
        self._scans = tuple(scans)
        self._always = tuple(scan for scan in scans if not scan.required)
        literals: dict[str, int] = {}           # required literal -> its id
        for scan in scans:
            for strings in scan.required:
                for literal in strings:
                    literals.setdefault(literal, len(literals))
        # per scan: the id sets it needs (one id of each), or None (always scanned)
        self._needs = tuple(tuple(frozenset(literals[x] for x in strings) for strings in scan.required)
                            or None for scan in scans)
        self._prefilter = AhoCorasick(list(literals)) if literals else None
        self._prefilter_gate = _ascii_gate(literals)

    def scan(self, text: str) -> list[Hit]:
        """Every match in `text` as (start, end, text, phrase key, payloads): each automaton's in
        text order, then each raw regex's (the order `finditer` yields)."""
        out: list[Hit] = []
        ascii_text = text.isascii()
        if self._automata:
            form = _form_of(text)
            marks = _marks_of(form)
            for automaton, entries, gate in self._automata:
                if ascii_text and gate is not None and not any(c in form for c in gate):
                    continue
                found_at = automaton.find_matches_as_indexes(form)
                if not marks:             # the form is the text, position for position
                    for index, first, last in found_at:
                        key, found = entries[index]
                        out.append((first, last, text[first:last], key, found))
                    continue
                for index, start, end in found_at:   # a form position less the marks before it
                    first = start - bisect_left(marks, start)
                    last = end - bisect_left(marks, end)
                    key, found = entries[index]
                    out.append((first, last, text[first:last], key, found))
        scans = self._always
        gate = self._prefilter_gate
        if self._prefilter is not None and not (
                gate is not None and ascii_text and not any(c in text for c in gate)):
            found = self._prefilter.find_matches_as_indexes(text, overlapping=True)
            if found:
                present = set(map(itemgetter(0), found))
                scans = []
                for scan, needs in zip(self._scans, self._needs):
                    if needs is not None:
                        for ids in needs:
                            if ids.isdisjoint(present):
                                break
                        else:
                            scans.append(scan)
                    else:
                        scans.append(scan)
        raw_bounded = self._raw_bounded
        for scan in scans:
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

    def search(self, text: str) -> bool:
        return bool(self.scan(text))
