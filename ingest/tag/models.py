"""Which video-generation models a document names (canonical ids of data/models.toml).

An unambiguous alias ("Gen-3 Alpha", "可灵", "Seedance") counts wherever it appears. An ambiguous
one ("Sora", "Runway", "海螺", "Wan") counts only as the video model:
- no collision word of that model near it (fashion runway, Kingdom Hearts, 海螺水泥...), and
- the model named unambiguously elsewhere in the document, or an AI/video context word near it
  (a video word for `needs = "video"`), or no collision word of that model anywhere in a document
  that has AI or video context words at all.
"Near" is a character window around the mention (default 80, `window` per model).
Aliases listed in `image_too` (即梦, Runway, 通义万相, 海螺AI also name image or chat products)
count only when the document speaks of video somewhere.
Company-only mentions (OpenAI, 快手, MiniMax) never count: companies are context, not aliases.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ingest.tag.doc import Doc
from ingest.tag.lexicon import Matcher, load_toml, model_table, phrase_key, word_matcher

DEFAULT_WINDOW = 80


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
    needs: str
    window: int
    local_only: bool
    context: Matcher | None
    collisions: Matcher | None
    image_too: frozenset[str]


@dataclass(frozen=True)
class _Lexicon:
    aliases: Matcher                  # payload: (model_id, ambiguous: bool)
    specs: dict[str, _Spec]
    ai_context: Matcher
    video_context: Matcher


@lru_cache(maxsize=4)
def _lexicon(table_id: int) -> _Lexicon:
    table = model_table()
    entries: list[tuple[str, Any]] = []
    specs: dict[str, _Spec] = {}
    for model_id, spec in table.items():
        entries += [(a, (model_id, False)) for a in spec.get("aliases", [])]
        entries += [(a, (model_id, True)) for a in spec.get("ambiguous", [])]
        ctx = spec.get("context", [])
        coll = spec.get("collisions", [])
        specs[model_id] = _Spec(
            needs=str(spec.get("needs", "ai")),
            window=int(spec.get("window", DEFAULT_WINDOW)),
            local_only=bool(spec.get("local_only", False)),
            context=word_matcher(ctx) if ctx else None,
            collisions=word_matcher(coll) if coll else None,
            image_too=frozenset(phrase_key(a) for a in spec.get("image_too", [])),
        )
    signals = load_toml("signals.toml")["context"]
    return _Lexicon(Matcher(entries), specs, word_matcher(signals["ai"]),
                    word_matcher(signals["video"]))


def lexicon() -> _Lexicon:
    return _lexicon(id(model_table()))


def detect(doc: Doc, video_doc: bool = False) -> ModelResult:
    """Models named in `doc` as video models. `video_doc`: the document is clearly about AI video
    (from the relevance signals), which lets a bare ambiguous name count without local context."""
    lex = lexicon()
    norm = doc.norm
    strong: dict[str, list[ModelHit]] = {}
    weak: dict[str, list[ModelHit]] = {}
    for m in lex.aliases.finditer(norm):
        # one phrase may belong to one model only; the first payload decides
        model_id, ambiguous = m.payloads[0]
        hit = ModelHit(model_id, m.start, m.end, m.text)
        (weak if ambiguous else strong).setdefault(model_id, []).append(hit)

    has_video = lex.video_context.search(norm)
    has_context = has_video or lex.ai_context.search(norm)
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
        doc_collision = spec.collisions is not None and spec.collisions.search(norm)
        for hit in hits:
            if not has_video and phrase_key(hit.text) in spec.image_too:
                verdict = "image"
            else:
                doc_context = has_video if spec.needs == "video" else has_context
                verdict = _judge(hit, spec, lex, norm, model_id in strong,
                                 bool(video_doc or doc_context), bool(doc_collision))
            if verdict == "ok":
                accepted.append(hit)
            else:
                rejected.append(hit)
                if verdict == "collision":
                    collided.add(model_id)

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


def _judge(hit: ModelHit, spec: _Spec, lex: _Lexicon, norm: str, named_strongly: bool,
           doc_context: bool, doc_collision: bool) -> str:
    lo, hi = max(0, hit.start - spec.window), min(len(norm), hit.end + spec.window)
    around = norm[lo:hit.start] + " " + norm[hit.end:hi]
    if spec.collisions is not None and spec.collisions.search(around):
        return "collision"
    if named_strongly:
        return "ok"
    own_context = spec.context is not None and spec.context.search(around)
    video_near = lex.video_context.search(around)
    if spec.needs == "video":
        local = video_near
    else:
        local = own_context or video_near or lex.ai_context.search(around)
    if local and (not doc_collision or own_context):
        return "ok"
    if doc_context and not doc_collision and not spec.local_only:
        return "ok"
    return "collision" if doc_collision else "no_context"
