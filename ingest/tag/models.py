"""Which video-generation models a document names (canonical ids of data/models.toml).

An unambiguous alias ("Gen-3 Alpha", "可灵", "Seedance") counts wherever it appears. An ambiguous
one ("Sora", "Runway", "海螺", "Wan") counts only as the video model:
- no collision word of that model near it (fashion runway, Kingdom Hearts, 海螺水泥...), and
- not a person's name in English text ("Heidi Kling", "Sora Tanaka": a capitalised word right
  before or after that is no product or AI word), and
- a version right after the name ("Veo 4", "Kling 3.0"; not for `needs = "video"` names), or
- the model named unambiguously elsewhere in the document, or an AI/video context word near it
  (a video word for `needs = "video"`; one of the model's own context words for
  `needs = "context"`: bare "Midjourney" only near "V1", "video model", "image-to-video"...), or
  no collision word of that model anywhere in a document that has AI or video context words at
  all (not for `local_only` models).
"Near" is a character window around the mention (default 80, `window` per model).
Aliases listed in `image_too` (即梦, Runway, 通义万相, 海螺AI also name image or chat products)
count only when the document speaks of video somewhere.
Company-only mentions (OpenAI, 快手, MiniMax) never count: companies are context, not aliases;
except a company listed under `in_lists` (MiniMax for Hailuo) as an item of an enumeration of
video models ("Kling, MiniMax, Runway and Sora"), where it names the model.
Words of the other sense listed under `soft_collisions` (the pika's rock, the show's gowns) veto only
in a text with no AI word at all.
A name inside an ordinary word listed under `words` is no mention (可灵活 'flexibly', 随即梦见
'then dreamt').
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ingest.tag.doc import Doc
from ingest.tag.lexicon import Matcher, load_toml, model_table, phrase_key

DEFAULT_WINDOW = 80
_IN_LISTS = "list"      # payload kind of an `in_lists` name
# what may stand between two items of an enumeration: a comma or 、, "and", "or", "/", "&", 和...
_LIST_GAP = re.compile(r"\s*(?:(?:,|，|、|/|&)\s*(?:(?:and|or)\s+(?:even\s+)?)?|(?:and|or|和|与|及|以及)\s*"
                       r"|\s+(?:and|or)\s+(?:even\s+)?)\s*")
# a version right after a name: "4", "2.1", "v5", "q1", "turbo", "alpha"; not a year or a count
_VERSION = re.compile(r"[\s\-_]?(?:v?\d{1,2}(?:\.\d{1,2})?|q\d|turbo|alpha)(?![\w.%])(?![-/]\d)(?!\s?(?:年|月|日|个|次|%|times|years|people|days))")


@dataclass(frozen=True)
class ModelHit:
    model: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ModelResult:
    models: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]]
    hits: tuple[ModelHit, ...]              # accepted mentions, in text order
    rejected: tuple[ModelHit, ...] = ()     # ambiguous mentions refused (collision or no context)
    collided: tuple[str, ...] = field(default=())  # models refused because of a collision word


@dataclass(frozen=True)
class _Spec:
    model_id: str
    needs: str
    window: int
    local_only: bool
    image_too: frozenset[str]


@dataclass(frozen=True)
class _Lexicon:
    aliases: Matcher                  # payload: (table id, ambiguous: bool | None for `words`)
    specs: dict[str, _Spec]
    around: Matcher                   # payload: (table id | "*", "ai" | "video" | "ctx" | "coll" | "soft")
    own: Matcher | None = None        # context words of `needs = "context"` models: (table id, "ctx")


@lru_cache(maxsize=4)
def _lexicon(table_id: int) -> _Lexicon:
    table = model_table()
    entries: list[tuple[str, Any]] = []
    specs: dict[str, _Spec] = {}
    for table_id, spec in table.items():
        model_id = str(spec.get("id", table_id))   # several tables may share one canonical id
        entries += [(a, (table_id, False)) for a in _apostrophes(spec.get("aliases", []))]
        entries += [(a, (table_id, True)) for a in _apostrophes(spec.get("ambiguous", []))]
        entries += [(a, (table_id, _IN_LISTS)) for a in spec.get("in_lists", [])]
        # ordinary words that hold a name (可灵活 'flexibly'): as the longer match they hide it
        entries += [(w, (table_id, None)) for w in spec.get("words", [])]
        specs[table_id] = _Spec(
            model_id=model_id,
            needs=str(spec.get("needs", "ai")),
            window=int(spec.get("window", DEFAULT_WINDOW)),
            # a name that needs its own context words counts only where they are near it
            local_only=bool(spec.get("local_only", False)) or spec.get("needs") == "context",
            image_too=frozenset(phrase_key(a) for a in spec.get("image_too", [])),
        )
    signals = load_toml("signals.toml")["context"]
    around = [(w, ("*", "ai")) for w in signals["ai"]] + [(w, ("*", "video")) for w in signals["video"]]
    # the context words a `needs = "context"` name requires ("video feature", "视频生成") are
    # matched apart: as the longer phrase they would hide the AI/video words inside them from
    # every other model
    own: list[tuple[str, Any]] = []
    for table_id, spec in table.items():
        ctx = own if spec.get("needs") == "context" else around
        ctx += [(w, (table_id, "ctx")) for w in spec.get("context", [])]
        around += [(w, (table_id, "coll")) for w in spec.get("collisions", [])]
        around += [(w, (table_id, "soft")) for w in spec.get("soft_collisions", [])]
    return _Lexicon(Matcher(entries), specs, Matcher(around), Matcher(own) if own else None)


def _apostrophes(phrases: list[str]) -> list[str]:
    """Each phrase, and its spelling with a typographic apostrophe ("openai's sora", "openai’s
    sora"): the normalised text keeps the one it was written with."""
    return phrases + [p.replace("'", "\u2019") for p in phrases if "'" in p]


def lexicon() -> _Lexicon:
    return _lexicon(id(model_table()))


def detect(doc: Doc, video_doc: bool = False) -> ModelResult:  # noqa: C901
    """Models named in `doc` as video models. `video_doc`: the document is clearly about AI video
    (from the relevance signals), which lets a bare ambiguous name count without local context."""
    lex = lexicon()
    norm = doc.norm
    strong: dict[str, list[ModelHit]] = {}
    weak: dict[str, list[ModelHit]] = {}
    versioned: set[int] = set()     # ambiguous mentions with a version right after ("Veo 4")
    listed: list[ModelHit] = []     # `in_lists` names: the model only inside a list of models
    for start, end, text, _, payloads in _outermost(lex.aliases.scan(norm)):
        # one phrase may belong to one model only; the first payload decides
        table_id, ambiguous = payloads[0]
        if ambiguous is None:
            continue                # an ordinary word that holds the name ("可灵活", "随即梦见")
        if ambiguous == _IN_LISTS:
            listed.append(ModelHit(lex.specs[table_id].model_id, start, end, text))
            continue
        if ambiguous and lex.specs[table_id].needs == "ai":
            # only where the bare name is this product (not Midjourney V7, the image model)
            version = _VERSION.match(norm, end)
            if version:             # "Veo 4", "Kling 3.0", "Sora Turbo": a versioned name is the
                versioned.add(start)    # model, unless a collision word is near ("Runway 27")
                text = norm[start:version.end()]
        hit = ModelHit(lex.specs[table_id].model_id, start, start + len(text), text)
        (weak if ambiguous else strong).setdefault(table_id, []).append(hit)

    if not weak and not any(phrase_key(h.text) in lex.specs[m].image_too
                            for m, hits in strong.items() for h in hits):
        accepted = [h for hits in strong.values() for h in hits]
        return _result(accepted + _in_lists(listed, accepted, norm), [], set())
    spots: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for matcher in (lex.around, lex.own):           # every context/collision word
        for start, end, _, _, payloads in matcher.scan(norm) if matcher else ():
            for payload in payloads:
                spots.setdefault(payload, []).append((start, end))
    ai_pos = _Positions(spots.get(("*", "ai"), []))
    video_pos = _Positions(spots.get(("*", "video"), []))
    has_video = bool(video_pos)
    has_context = has_video or bool(ai_pos)
    accepted: list[ModelHit] = []
    rejected: list[ModelHit] = []
    for model_id, hits in list(strong.items()):
        keep = [h for h in hits if has_video or phrase_key(h.text) not in lex.specs[model_id].image_too]
        rejected += [h for h in hits if h not in keep]
        accepted += keep
        if not keep:
            del strong[model_id]
    collided: set[str] = set()
    for model_id, hits in weak.items():
        spec = lex.specs[model_id]
        # soft collisions (the pika's rock, a show's gowns) veto only in a text without AI words:
        # "a hamster video made with Pika's AI" is the model
        coll_pos = _Positions(spots.get((model_id, "coll"), [])
                              + ([] if ai_pos else spots.get((model_id, "soft"), [])))
        ctx_pos = _Positions(spots.get((model_id, "ctx"), []))
        doc_context = has_video if spec.needs == "video" else has_context
        # a surname names one person; it matters only when the model is not named unambiguously
        person = model_id not in strong and any(_person_name(doc, hit, lex) for hit in hits)
        for hit in hits:
            if not has_video and phrase_key(hit.text) in spec.image_too:
                verdict = "image"
            elif person:
                verdict = "collision"
            else:
                verdict = _judge(hit, spec, norm, model_id in strong or hit.start in versioned,
                                 bool(video_doc or doc_context), ai_pos, video_pos, coll_pos, ctx_pos)
            if verdict == "ok":
                accepted.append(hit)
            else:
                rejected.append(hit)
                if verdict == "collision":
                    collided.add(spec.model_id)

    return _result(accepted + _in_lists(listed, accepted, norm), rejected, collided)


def _in_lists(listed: list[ModelHit], accepted: list[ModelHit], norm: str) -> list[ModelHit]:
    """The `in_lists` mentions that stand in an enumeration of accepted model mentions: nothing
    but a list separator between one and an accepted mention (or another such mention) on either
    side ("Sora、HunyuanVideo、Minimax、Luma"; "Kling, MiniMax, Runway, and even Sora")."""
    if not listed or not accepted:
        return []
    starts = {h.start for h in accepted}
    ends = {h.end for h in accepted}
    out: list[ModelHit] = []
    pending = list(listed)
    grew = True
    while pending and grew:         # a name beside an accepted name may itself be a neighbour
        grew = False
        for hit in list(pending):
            if _beside(hit, starts, ends, norm):
                out.append(hit)
                pending.remove(hit)
                starts.add(hit.start)
                ends.add(hit.end)
                grew = True
    return out


def _beside(hit: ModelHit, starts: set[int], ends: set[int], norm: str) -> bool:
    """An accepted mention ends right before `hit` or starts right after it, a separator between."""
    gap = _LIST_GAP.match(norm, hit.end)
    if gap and gap.end() in starts:
        return True
    return any(end <= hit.start and _LIST_GAP.fullmatch(norm, end, hit.start) for end in ends
               if hit.start - end <= 16)


def _outermost(found: list) -> list:
    """Leftmost-longest alias matches across the matcher's passes, which may overlap ("sora 2"
    inside the "re:" alias "open-sora" of "open-sora 2.0"): the one that starts first is meant."""
    out = []
    reach = -1
    for hit in sorted(found, key=lambda h: (h[0], -h[1])):
        if hit[0] < reach:
            continue        # starts inside the previous match
        out.append(hit)
        reach = hit[1]
    return out


def _result(accepted: list[ModelHit], rejected: list[ModelHit], collided: set[str]) -> ModelResult:
    accepted.sort(key=lambda h: h.start)
    evidence: dict[str, list[str]] = {}
    for hit in accepted:
        phrases = evidence.setdefault(hit.model, [])
        text = " ".join(hit.text.split())
        if text not in phrases and len(phrases) < 5:
            phrases.append(text)
    ordered = tuple(dict.fromkeys(h.model for h in accepted))
    return ModelResult(
        models=ordered,
        evidence={k: tuple(v) for k, v in evidence.items()},
        hits=tuple(accepted),
        rejected=tuple(rejected),
        collided=tuple(sorted(collided - set(ordered))),
    )


_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Prof|Professor|Sir|Dame|CEO|Senator|Judge)\.?[ \t]+$")
_NEXT_WORD = re.compile(r"[ \t]+([A-Z][a-z]+)\b")
_PREV_WORD = re.compile(r"[a-z0-9,][ \t]+([A-Z][a-z]+)[ \t]+$")   # mid-sentence only
# capitalised words that may follow a product name without making it a person's name
_NOT_SURNAMES = frozenset(
    "app apps ai labs video videos model models turbo pro studio frames aleph references dream "
    "machine photon ray act gen flow reel cameo cameos feed is was has will can and or the".split())


def _person_name(doc: Doc, hit: ModelHit, lex: _Lexicon) -> bool:
    """English text, original case: 'Heidi Kling', 'Sora Tanaka' name people, not models.

    A capitalised word right before or after the name (no product or AI word) that shows up again
    on its own elsewhere ("... Tanaka said"), or an honorific before it ("Professor Heidi Kling").
    """
    full = doc.full
    if doc.lang != "en" or not doc.aligned or hit.start <= len(doc.title):
        return False      # titles are often Title Case: judge body mentions only
    heading = _heading(full, hit.start)   # so are headings inside the body: no surname evidence
    after = _NEXT_WORD.match(full, hit.end)
    before = _PREV_WORD.search(full, max(0, hit.start - 40), hit.start)
    for found, honorific_at in ((after, None), (before, before.start(1) if before else None)):
        if not found:
            continue
        word = found.group(1)
        if word.lower() in _NOT_SURNAMES or lex.around.search(word.lower()):
            continue
        if honorific_at is not None and _HONORIFIC.search(full, max(0, honorific_at - 16),
                                                         honorific_at):
            return True
        if heading:
            continue
        rest = full[:found.start(1)] + full[found.end(1):]
        if re.search(rf"\b{re.escape(word)}\b", rest):
            return True
    return False


_LETTER_WORD = re.compile(r"[A-Za-z]{4,}")
HEADING_MAX = 120


def _heading(full: str, at: int) -> bool:
    """The line around `at` is a Title Case heading: three or more words of four letters or more,
    every one capitalised."""
    lo = full.rfind("\n", max(0, at - HEADING_MAX), at)
    hi = full.find("\n", at, at + HEADING_MAX)
    if lo < 0 and at > HEADING_MAX or hi < 0 and len(full) - at > HEADING_MAX:
        return False      # a long line (a paragraph) is no heading
    hi = len(full) if hi < 0 else hi
    words = _LETTER_WORD.findall(full[lo + 1:hi])
    return len(words) >= 3 and all(w[0].isupper() for w in words)


class _Positions:
    """Where some phrases were found in one text, for window look-ups by bisect."""

    __slots__ = ("starts", "ends")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        found = sorted(spans)
        self.starts = [s for s, _ in found]
        self.ends = [e for _, e in found]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def any_in(self, lo: int, hi: int, skip_lo: int, skip_hi: int) -> bool:
        """A phrase inside [lo, hi) that does not overlap [skip_lo, skip_hi)."""
        i = bisect_left(self.starts, lo)
        while i < len(self.starts) and self.starts[i] < hi:
            if self.ends[i] <= hi and (self.ends[i] <= skip_lo or self.starts[i] >= skip_hi):
                return True
            i += 1
        return False


def _judge(hit: ModelHit, spec: _Spec, norm: str, named_strongly: bool, doc_context: bool,
           ai_pos: _Positions, video_pos: _Positions, coll_pos: _Positions,
           ctx_pos: _Positions) -> str:
    lo, hi = max(0, hit.start - spec.window), min(len(norm), hit.end + spec.window)
    doc_collision = bool(coll_pos)
    if coll_pos.any_in(lo, hi, hit.start, hit.end):
        return "collision"
    if named_strongly:
        return "ok"
    own_context = ctx_pos.any_in(lo, hi, hit.start, hit.end)
    video_near = video_pos.any_in(lo, hi, hit.start, hit.end)
    if spec.needs == "video":
        local = video_near
    elif spec.needs == "context":
        local = own_context
    else:
        local = own_context or video_near or ai_pos.any_in(lo, hi, hit.start, hit.end)
    if local and (not doc_collision or own_context):
        return "ok"
    if doc_context and not doc_collision and not spec.local_only:
        return "ok"
    return "collision" if doc_collision else "no_context"
