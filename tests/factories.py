"""Small builders for stage objects in tests: a valid Item/ItemIntent unless told otherwise."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from ingest.dedup import keys_for
from ingest.types import Item, ItemIntent, Source, Tags

T0 = datetime(2025, 3, 1, 8, 30, tzinfo=timezone.utc)


def make_source(id: str = "s1", **overrides) -> Source:
    fields = dict(name=f"Source {id}", kind="rss", url=f"https://{id}.example.com/feed",
                  lang="en", category="news")
    fields.update(overrides)
    return Source(id=id, **fields)


def make_item(n: int = 1, *, source_id: str = "s1", **overrides) -> Item:
    """Item number `n`: its own URL, GUID, title and text, so different n never collide."""
    fields = dict(
        guid=f"guid-{n}",
        url=f"https://news.example.com/story/{n}",
        title=f"Story number {n} about the Sora video model release",
        text=(f"Body of story {n}. OpenAI released Sora, a video generation model, and people "
              f"are talking about it in detail number {n}."),
        lang="en",
        published_at=T0,
        date_is_fallback=False,
        fetched_at=T0,
    )
    fields.update(overrides)
    return Item(source_id=source_id, **fields)


def make_intent(item: Item | None = None, tags: Tags | None = None, **item_overrides) -> ItemIntent:
    item = item or make_item(**item_overrides)
    return ItemIntent(item=item, keys=keys_for(item), tags=tags)


def edited(item: Item, **changes) -> Item:
    return replace(item, **changes)


def make_tags(**overrides) -> Tags:
    fields = dict(relevant=True, models=("sora",), themes=("release",), sentiment="positive",
                  sentiment_score=0.6, keywords=("sora", "video"),
                  evidence={"sora": ("Sora",), "release": ("released",)}, version="t1")
    fields.update(overrides)
    return Tags(**fields)
