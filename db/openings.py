"""Opening keys for items indexed before they existed.

The story index (db.clusters) files each item under its text's opening key beside its signature's
bands, so that a feed's truncated summary under a headline of its own finds the article it cuts.
Items indexed before that have their bands only (item_signatures.opening_indexed false, migration
0009): a later summary finds such an article through the bands alone, which a short summary rarely
shares. `fill` adds their keys, computed from the stored text as at ingest, in chunks by item id,
committing each: stopped, it goes on where it was; run again, it finds nothing to do. Stories
already formed are left as they are (only later items are matched against the keys).
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import models as m
from db.clusters.index import executemany
from ingest.cluster import opening_key

BATCH = 5000


def pending(session: Session) -> int:
    """How many indexed items have no opening key looked up yet."""
    sg = m.ItemSignature
    return session.scalar(select(func.count()).select_from(sg).where(sg.opening_indexed.is_(False))) or 0


def fill(session: Session, *, batch: int = BATCH,
         on_progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Add the opening key of every indexed item that has none looked up, `batch` items at a time
    (a commit each). `on_progress(done, total)` once with 0, then per batch. Returns (items looked
    at, keys added); an item whose text is too short to have an opening gets no key."""
    sg, it = m.ItemSignature, m.Item
    total = pending(session)
    if on_progress is not None:
        on_progress(0, total)
    done = added = 0
    last = None
    while True:
        stmt = (select(sg.item_id, it.text).join(it, it.id == sg.item_id)
                .where(sg.opening_indexed.is_(False)).order_by(sg.item_id).limit(batch))
        if last is not None:
            stmt = stmt.where(sg.item_id > last)
        rows = session.execute(stmt).all()
        if not rows:
            break
        keys = sorted((key, item_id) for item_id, text in rows if (key := opening_key(text or "")) is not None)
        if keys:
            executemany(session, "INSERT INTO item_bands (band, item_id) VALUES ({p}, {p}) "
                                 "ON CONFLICT DO NOTHING", keys)
        first, last = rows[0][0], rows[-1][0]
        session.execute(update(sg).where(sg.item_id.between(first, last), sg.opening_indexed.is_(False))
                        .values(opening_indexed=True))
        session.commit()
        done += len(rows)
        added += len(keys)
        if on_progress is not None:
            on_progress(done, total)
    return done, added
