"""Re-tag stored items with the current tagger version.

An item the tagger cannot read costs only itself: it keeps its old tags, is reported through
`on_failure` (its id and why) and counted, and the run goes on. Progress is reported per batch
through `on_progress` (items done, total); the CLI draws it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable


@dataclass
class RetagResult:
    tagged: int = 0                                     # items written with new tags
    failed: list[tuple[int, str]] = field(default_factory=list)   # (item id, why), in id order


def tag_rows(rows: list[tuple[int, str, str, str]]) -> list[tuple[int, object]]:
    """(item id, its tags or the exception the tagger raised on it) for a batch of
    (id, title, text, lang) rows; runs in a worker process."""
    from ingest.tag import engine

    tagged = engine.tag_batch([(title, text, lang) for _, title, text, lang in rows])
    return [(row[0], tags) for row, tags in zip(rows, tagged)]


def failure_reason(error: Exception) -> str:
    """One line: the exception's class and its message, white space collapsed, cut at 160."""
    return f"{type(error).__name__}: {' '.join(str(error).split())[:160]}"


def retag_items(session_factory, *, since: datetime | None = None, batch: int = 500,
                workers: int = 0, on_progress: Callable[[int, int], None] | None = None,
                on_failure: Callable[[int, str], None] | None = None) -> RetagResult:
    """Re-tag every stored item (published on/after `since`), then file the items stored before
    story clusters into stories (db.clusters.backfill; the opening keys of items indexed before them,
db.openings.fill, first). Commits per batch. With `workers` > 0 the
    batches are tagged in that many processes (ingest.offload) while this one writes the tags of
    the batch before. `on_progress(done, total)` is called once with done 0, then per batch;
    `on_failure(item id, why)` per item that could not be tagged (it keeps its tags)."""
    from db import clusters, openings, rollups, store
    from ingest import offload

    with session_factory() as session:
        total = store.count_items_for_retag(session, since)   # every item, not only stories
        zones = rollups.zones(session)       # rebuilt below for the same zones
    result = RetagResult()
    done = 0
    if on_progress is not None:
        on_progress(0, total)
    with session_factory() as read, session_factory() as write:
        batches = ((rows,) for rows in store.iter_items_for_retag(read, since, batch=batch))
        for tagged in offload.ordered(workers, tag_rows, batches):
            good = []
            for item_id, tags in tagged:
                if isinstance(tags, Exception):
                    why = failure_reason(tags)
                    result.failed.append((item_id, why))
                    if on_failure is not None:
                        on_failure(item_id, why)
                else:
                    good.append((item_id, tags))
            if good:
                store.update_tags_many(write, good, datetime.now(timezone.utc))
                write.commit()
            result.tagged += len(good)
            done += len(tagged)
            if on_progress is not None:
                on_progress(done, total)
    with session_factory() as session:      # items stored before story clusters join theirs
        openings.fill(session)              # (the opening keys of items indexed before them first)
        clusters.backfill(session)
        session.commit()
        store.refresh_rollups(session, zones)
        session.commit()
    return result
