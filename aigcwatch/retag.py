"""Re-tag stored items with the current tagger version, with progress."""
from __future__ import annotations

from datetime import datetime, timezone


def retag_items(session_factory, *, since: datetime | None = None, console=None, batch: int = 500) -> int:
    """Re-tag every stored item (published on/after `since`). Commits per batch; returns the count."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from db import queries, rollups, store
    from ingest.tag import engine

    with session_factory() as session:
        total = queries.count_items(session, since=since, include_spam=True, include_irrelevant=True)
    done = 0
    progress = Progress(TextColumn("retag"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, transient=True, disable=console is None)
    with session_factory() as session:   # rebuilt below for the same zones
        zones = rollups.zones(session)
    with progress, session_factory() as read, session_factory() as write:
        task = progress.add_task("retag", total=total)
        for rows in store.iter_items_for_retag(read, since, batch=batch):
            now = datetime.now(timezone.utc)
            tagged = engine.tag_batch([(title, text, lang) for _, title, text, lang in rows])
            for (item_id, *_), tags in zip(rows, tagged):
                if isinstance(tags, Exception):
                    raise tags
                store.update_tags(write, item_id, tags, now)
            write.commit()
            done += len(rows)
            progress.advance(task, len(rows))
    with session_factory() as session:
        store.refresh_rollups(session, zones)
        session.commit()
    return done
