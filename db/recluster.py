"""Stories filed again from scratch: `aigcwatch recluster`.

Ingest files each item once, against the stories stored when it arrives. So stories formed before
can stay split where one story would be found now: items indexed before opening keys existed (a
truncated summary stored before `aigcwatch reindex` gave its article a key), an original fetched
after two of its copies that each match it but not each other, a rule changed since. `run` files
every indexed item again, in publication order, as if each had just arrived: every item standalone
first, then chunk by chunk through the ingest's own decision (db.clusters.match: the same checks,
the same canonical rule, `rank`, the same roundups, db.roundups), each item compared with the
items published before it (and with those before it in its chunk). It reads the stored
signatures and index (nothing is hashed again) and writes only membership, which items are
roundups (found again from none: by their form, ingest.roundup, and by holding two stories
published before them), reach and first-seen times. The result depends only on the stored
items, so a second run changes nothing. One transaction: a stopped run leaves the stories as
they were. The rollups are dropped (the caller rebuilds them: store.refresh_rollups). An item
whose text opened with its source's boilerplate was indexed under the opening after it
(ingest.boilerplate); the stored text does not say which that was, so such an item is filed again
by its bands alone (others still find it by its opening).
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import clusters, rollups, roundups
from db import models as m
from db.clusters import members_of

BATCH = 2000


def run(session: Session, *, batch: int = BATCH,
        on_progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """File every indexed item again (see the module). `on_progress(done, total)` once with 0,
    then per chunk. Returns (items filed, items that joined a story)."""
    it, sg = m.Item, m.ItemSignature
    order = list(session.scalars(select(sg.item_id).join(it, it.id == sg.item_id)
                                 .order_by(it.published_at, it.id)))
    if on_progress is not None:
        on_progress(0, len(order))
    rollups.invalidate(session)
    session.execute(update(it).where(it.cluster_id.is_not(None)).values(cluster_id=None))
    session.execute(update(sg).where(sg.roundup.is_(True)).values(roundup=False))
    done: set[int] = set()
    joined = 0
    for start in range(0, len(order), batch):
        ids = order[start:start + batch]
        members = members_of(session, ids)
        roundups.mark(session, [n.item_id for n in members if n.roundup])     # by their form
        bands = clusters.index_keys(members)
        stored = {}
        for key, holders in clusters.candidates(session, clusters.lookup_keys(members, bands)).items():
            earlier = [i for i in holders if i in done]
            if earlier:
                stored[key] = earlier
        found, merged, lists = clusters.match(session, members, bands, stored, among=done)
        done.update(ids)
        clusters.file(session, found, merged, lists, among=done)
        joined += sum(len(v) for v in found.values())
        if on_progress is not None:
            on_progress(len(done), len(order))
    roots = [i for chunk in clusters.chunks(order) for i in session.scalars(
        select(it.id).where(it.id.in_(chunk), it.cluster_id.is_(None)))]
    clusters.refresh_reach(session, roots)
    return len(order), joined
