"""Re-tag stored items with the current tagger version, with progress."""
from __future__ import annotations

from datetime import datetime, timezone


def tag_rows(rows: list[tuple[int, str, str, str]]) -> list[tuple[int, object]]:
    """(item id, its tags) for a batch of (id, title, text, lang) rows; runs in a worker process."""
    from ingest.tag import engine

    tagged = engine.tag_batch([(title, text, lang) for _, title, text, lang in rows])
    return [(row[0], tags) for row, tags in zip(rows, tagged)]


def retag_items(session_factory, *, since: datetime | None = None, console=None, batch: int = 500,
                workers: int = 0) -> int:
    """Re-tag every stored item (published on/after `since`), then file the items stored before
    story clusters into stories (db.clusters.backfill). Commits per batch; returns the count.
    With `workers` > 0 the batches are tagged in that many processes (ingest.offload) while this
    one writes the tags of the batch before."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from db import clusters, queries, rollups, store
    from ingest import offload

    with session_factory() as session:
        total = queries.count_items(session, since=since, include_spam=True, include_irrelevant=True)
    done = 0
    progress = Progress(TextColumn("retag"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, transient=True, disable=console is None)
    with session_factory() as session:   # rebuilt below for the same zones
        zones = rollups.zones(session)
    with progress, session_factory() as read, session_factory() as write:
        task = progress.add_task("retag", total=total)
        batches = ((rows,) for rows in store.iter_items_for_retag(read, since, batch=batch))
        for tagged in offload.ordered(workers, tag_rows, batches):
            for _, tags in tagged:
                if isinstance(tags, Exception):
                    raise tags
            store.update_tags_many(write, tagged, datetime.now(timezone.utc))
            write.commit()
            done += len(tagged)
            progress.advance(task, len(tagged))
    with session_factory() as session:      # items stored before story clusters join theirs
        clusters.backfill(session)
        session.commit()
        store.refresh_rollups(session, zones)
        session.commit()
    return done
