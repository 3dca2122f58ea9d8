"""Story members as the story index sees them: a newcomer (`NewMember`) and a stored candidate
(`Known`), and the rules that need no database: which item heads a story (`rank`) and which two
items may be one story at all (`compatible`). Pure, no I/O."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from ingest.cluster import Signature

CHUNK = 500
WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)


class NewMember:
    item_id: int
    signature: Signature
    published_at: datetime
    date_is_fallback: bool
    kind: str = "article"
    models: frozenset[str] = frozenset()     # video models the tagger found
    roundup: bool = False    # lists several stories (ingest.cluster.several_stories, ingest.roundup)

    def __post_init__(self) -> None:
        if self.signature.roundup and not self.roundup:     # a roundup by its form
            object.__setattr__(self, "roundup", True)

    def rank(self) -> tuple:
        return rank(self.kind, self.date_is_fallback, self.published_at, self.item_id)


@dataclass(slots=True)


class Known:
    item_id: int
    signature: Signature
    root: int
    models: frozenset[str]
    published_at: datetime
    kind: str = "article"
    fallback: bool = False
    roundup: bool = False

    def rank(self) -> tuple:
        return rank(self.kind, self.fallback, self.published_at, self.item_id)


def compatible(member: NewMember, other: Known) -> bool:
    """Two items can be one story only when published within WINDOW of each other (copies
    follow the original within days; months apart is another event worded alike) and unless
    they name only different video models (one launch template filled in for Veo and for Vidu
    is two stories)."""
    a, b = member.models, other.models
    if a and b and a.isdisjoint(b):
        return False
    return abs(member.published_at - other.published_at) <= WINDOW


def models_of(text: str | None) -> frozenset[str]:
    return frozenset(t for t in (text or "").split(",") if t)


def rank(kind: str, fallback: bool, published: datetime, item_id: int) -> tuple:
    """The canonical item of a cluster is the lowest rank: an article before a post sharing it,
    a real date before a fallback one, then the earliest publication."""
    return (kind != "article", bool(fallback), published, item_id)


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = sorted(set(values))
    for i in range(0, len(values), size):
        yield values[i:i + size]
