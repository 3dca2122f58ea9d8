"""Pure stages between a fetched source and the store: parse, normalise, tag, key, sign.

`prepare` does all of them for one fetched feed; `parse_normalise` and `finish` are the halves the
collector runs around the full-text stage (normalise, then fetch article pages, then tag, key and
sign), in a fetch thread or in a worker process (ingest.offload); `prepare_fetched` is both at once
for a feed without full text. Nothing here does I/O.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from ingest import boilerplate, cluster, dedup
from ingest.normalize import Rejected, normalize_entry
from ingest.parse import parse_feed
from ingest.types import (FailureClass, FetchResult, Item, ItemIntent, ParsedFeed, RawEntry,
                          Source, Tags)
from ingest.wording import counted

# Tags many items (title, text, lang) at once, in order; an item that fails gets its exception.
Tagger = Callable[[Sequence[tuple[str, str, str | None]]], Sequence["Tags | Exception"]]


def each(tag_one: Callable[[str, str, str | None], Tags]) -> Tagger:
    """A Tagger from a function that tags one item."""
    def tag_all(items: Sequence[tuple[str, str, str | None]]) -> list[Tags | Exception]:
        out: list[Tags | Exception] = []
        for title, text, lang in items:
            try:
                out.append(tag_one(title, text, lang))
            except Exception as e:  # noqa: BLE001 - reported per item
                out.append(e)
        return out
    return tag_all


@dataclass(frozen=True, slots=True)
class Prepared:
    """What one fetched feed yields before storage."""

    intents: tuple[ItemIntent, ...]
    fetched: int
    irrelevant: int
    invalid: int
    spam: int
    warnings: tuple[str, ...] = ()


def classify_parse_error(exc: Exception) -> FailureClass:
    """The class a parse-stage error carries (decode or parse); anything unexpected is parse."""
    cls = getattr(exc, "error_class", None)
    return cls if isinstance(cls, FailureClass) else FailureClass.PARSE


@dataclass(frozen=True, slots=True)
class Normalised:
    """A feed's or API walk's entries after normalisation, before tagging."""

    fetched: int
    good: tuple[tuple[int, RawEntry, Item], ...]     # (entry number, entry, item)
    invalid: int
    problems: tuple[tuple[int, str], ...]            # (entry number, warning)
    warnings: tuple[str, ...] = ()                   # about the feed as a whole
    signatures: tuple | None = None                  # per good item, when computed beforehand
    shared: dict[str, int] = field(default_factory=dict)   # dedup.shared_guids of the items
    # good items (by position) stored already with this title and text, each with its stored
    # spam flag: plain duplicates, which `finish` does not tag again
    settled: dict[int, bool] = field(default_factory=dict)

    def with_items(self, items: Sequence[Item]) -> Normalised:
        return replace(self, good=tuple((n, e, i) for (n, e, _), i in zip(self.good, items)),
                       signatures=None)

    def signed(self) -> Normalised:
        """The same with every item's cluster signature computed (in a fetch worker, so the
        pipeline's thread is free to store the previous source meanwhile); a settled item, a
        plain duplicate, needs none. Each is signed without the feed's boilerplate."""
        found = self.boilerplate() if len(self.settled) < len(self.good) else frozenset()
        return replace(self, signatures=tuple(None if pos in self.settled else signature_of(i, found)
                                              for pos, (_, _, i) in enumerate(self.good)))

    def boilerplate(self) -> frozenset[bytes]:
        """The sentences the feed's entries share whatever their story (ingest.boilerplate)."""
        return boilerplate.of(i for _, _, i in self.good)


def signature_of(item: Item, found: frozenset[bytes] = frozenset()):
    """An item's near-duplicate signature, made without its source's boilerplate sentences
    `found` (ingest.boilerplate); comments are never clustered."""
    if item.kind == "comment":
        return None
    return cluster.signature(item.title, boilerplate.strip(item.text, found))


def _problem(n: int, entry: RawEntry, e: Exception) -> tuple[int, str]:
    return n, (f"entry {n} ({(entry.link or entry.guid or '?')[:80]}): "
               f"{type(e).__name__}: {' '.join(str(e).split())[:160]}")


# Why an entry could not be stored, as the run's warnings say it (deleted posts have their own).
_REJECTED = {"no_link": "without a link", "bad_link": "whose link is not http(s)",
             "no_title": "without a title or text"}


def normalise_feed(source: Source, feed: ParsedFeed, fetched_at: datetime) -> Normalised:
    """Pure: every entry normalised; a bad one is counted and described, never fatal."""
    good: list[tuple[int, RawEntry, Item]] = []
    problems: list[tuple[int, str]] = []
    invalid = deleted = 0
    rejected: dict[str, list[int]] = {}
    for n, entry in enumerate(feed.entries, 1):
        try:
            item = normalize_entry(entry, source, fetched_at)
        except Exception as e:  # noqa: BLE001 - one bad entry never costs the feed's good ones
            invalid += 1
            problems.append(_problem(n, entry, e))
            continue
        if isinstance(item, Rejected):
            invalid += 1
            deleted += item.reason == "deleted"
            rejected.setdefault(item.reason, []).append(n)
            continue
        good.append((n, entry, item))
    warnings = list(feed.warnings)
    if deleted:
        warnings.append(f"{counted(deleted, 'deleted or removed post')} skipped")
    for reason, what in _REJECTED.items():
        if rejected.get(reason):
            numbers = rejected[reason]
            warnings.append(f"{len(numbers)} entr{'y' if len(numbers) == 1 else 'ies'} {what} "
                            f"skipped (entry {', '.join(map(str, numbers[:3]))}"
                            f"{', ...' if len(numbers) > 3 else ''})")
    return Normalised(len(feed.entries), tuple(good), invalid, tuple(problems), tuple(warnings),
                      shared=dedup.shared_guids(item for _, _, item in good))


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """A fetched feed that could not be parsed, as plain data (it may cross a process boundary,
    where the parse errors themselves would not unpickle)."""

    error_class: FailureClass
    error: str


def parse_normalise(source: Source, body: bytes, content_type: str | None, base_url: str,
                    fetched_at: datetime) -> Normalised | ParseFailure:
    """Pure: parse and normalise one fetched feed; a feed that does not parse is a ParseFailure."""
    try:
        feed = parse_feed(source.id, body, content_type=content_type, base_url=base_url)
    except Exception as e:  # noqa: BLE001 - isolation: one broken feed never stops the run
        return ParseFailure(classify_parse_error(e), " ".join(str(e).split()) or type(e).__name__)
    return normalise_feed(source, feed, fetched_at)


def prepare_fetched(source: Source, body: bytes, content_type: str | None, base_url: str,
                    fetched_at: datetime, tagger: Tagger | None) -> Prepared | ParseFailure:
    """Pure: parse_normalise, then finish (one call for a worker process)."""
    norm = parse_normalise(source, body, content_type, base_url, fetched_at)
    return norm if isinstance(norm, ParseFailure) else finish(source, norm, tagger)


def finish(source: Source, norm: Normalised, tagger: Tagger | None) -> Prepared:
    """Pure: tag the normalised items together (see engine.tag_batch), key them and sign them
    for clustering. Off-topic items are dropped and counted. Items `norm.settled` names (stored
    already as they are) are passed on untagged and unsigned: db.store finds them duplicates."""
    problems = list(norm.problems)
    irrelevant = spam = 0
    invalid = norm.invalid
    intents: list[ItemIntent] = []
    settled = norm.settled if tagger is not None else {}
    todo = [pos for pos in range(len(norm.good)) if pos not in settled] if tagger is not None else []
    tagged: list[Tags | Exception | None] = [None] * len(norm.good)
    if todo:
        items = [norm.good[pos][2] for pos in todo]
        for pos, tags in zip(todo, tagger([(i.title, i.text, i.lang) for i in items])):
            tagged[pos] = tags
    sigs = norm.signatures if norm.signatures is not None else (None,) * len(norm.good)
    found: frozenset[bytes] | None = None   # the feed's boilerplate, found when first needed
    shared = norm.shared
    for pos, ((n, entry, item), tags, sig) in enumerate(zip(norm.good, tagged, sigs)):
        if pos in settled:
            # stored already as it is: a plain duplicate for db.store (no tags, no signature)
            spam += settled[pos]
            intents.append(ItemIntent(item=item, keys=dedup.keys_for(item, shared), tags=None,
                                      signature=None))
            continue
        if isinstance(tags, Exception):
            invalid += 1
            problems.append(_problem(n, entry, tags))
            continue
        if tags is not None:
            if source.topical and not tags.relevant:
                tags = replace(tags, relevant=True)
            if not tags.relevant:
                irrelevant += 1
                continue
            spam += bool(tags.spam)
        if tags is not None and tags.spam:
            sig = None
        elif norm.signatures is None:
            if found is None:
                found = norm.boilerplate()
            sig = signature_of(item, found)
        intents.append(ItemIntent(item=item, keys=dedup.keys_for(item, shared), tags=tags,
                                  signature=sig))
    warnings = list(norm.warnings) + [
        f"entries of {n} different links share the GUID {guid[:80]!r}: told apart by link"
        for guid, n in sorted(shared.items())] + [w for _, w in sorted(problems, key=lambda p: p[0])]
    return Prepared(tuple(intents), norm.fetched, irrelevant, invalid, spam, tuple(warnings))


def prepare(source: Source, result: FetchResult, *, tagger: Tagger | None) -> Prepared:
    """Pure: parse, normalise, tag and key one fetched feed. Raises the parse module's errors."""
    fetched_at = result.fetched_at or datetime.now(timezone.utc)
    feed = parse_feed(source.id, result.body or b"", content_type=result.content_type,
                      base_url=result.final_url or source.url)
    return finish(source, normalise_feed(source, feed, fetched_at), tagger)
