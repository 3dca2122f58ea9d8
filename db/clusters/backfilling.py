"""Items stored before story clusters existed, filed into stories (`aigcwatch retag`), signed as
ingest signs them: without their source's boilerplate (ingest.boilerplate, ingest.prepare.signature_of).

Ingest finds a source's boilerplate among the entries of one fetched feed. A backfill has no
fetches to go by, so it finds it among the source's items being filed, in publication order, in
blocks of FEED_BLOCK items (a feed's entries, about): the items one fetch brought, signed by ingest
and by a backfill alike."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from db import rollups
from db.clusters.filing import assign
from db.clusters.members import NewMember, chunks
from db.clusters.membership import refresh_reach
from ingest import boilerplate
from ingest.prepare import signature_of
from ingest.types import Item

FEED_BLOCK = 50     # a source's items its boilerplate is found among (a fetched feed's entries)


def feed_blocks(order: Sequence[tuple[int, str]], size: int = FEED_BLOCK) -> dict[int, tuple[str, int]]:
    """item id -> its block, for (item id, source id) pairs in publication order: each source's
    items, in that order, cut into blocks of `size`. Pure."""
    seen: dict[str, int] = {}
    out: dict[int, tuple[str, int]] = {}
    for item_id, source_id in order:
        n = seen.get(source_id, 0)
        seen[source_id] = n + 1
        out[item_id] = (source_id, n // size)
    return out


def _str(value: object) -> str:
    """A stored text column as text: SQLite keeps what another writer put there (bytes, say)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _items(session: Session, ids: Sequence[int], *, opening_only: bool = False) -> dict[int, Item]:
    """Stored items as ingest saw them (text cut to what boilerplate reads when `opening_only`)."""
    it = m.Item
    text = func.substr(it.text, 1, boilerplate.SCAN).label("text") if opening_only else it.text
    out: dict[int, Item] = {}
    for chunk in chunks(ids):
        for r in session.execute(select(it.id, it.source_id, it.guid, it.url, it.title, text, it.lang,
                                        it.published_at, it.date_is_fallback, it.fetched_at, it.kind)
                                 .where(it.id.in_(chunk))):
            out[r.id] = Item(r.source_id, r.guid, r.url, _str(r.title), _str(r.text), r.lang,
                             r.published_at, r.date_is_fallback, r.fetched_at, kind=r.kind)
    return out


def backfill(session: Session, batch: int = 2000) -> int:
    """File the items stored before story clusters existed (no signature; comments and spam are
    never clustered) into stories, in publication order, as if they had just arrived: their
    signatures (without their source's boilerplate, see the module), their band rows, the
    stories they join and those stories' reach. The rollups counted them as stories of their
    own, so they are dropped (`store.refresh_rollups` rebuilds them). Items too short to judge
    stay on their own. Returns how many joined a story."""
    it, sg, mo = m.Item, m.ItemSignature, m.ItemModel
    order = [tuple(r) for r in session.execute(
        select(it.id, it.source_id).outerjoin(sg, sg.item_id == it.id)
        .where(sg.item_id.is_(None), it.kind != "comment", it.spam.is_(False))
        .order_by(it.published_at, it.id))]
    todo = [item_id for item_id, _ in order]
    block_of = feed_blocks(order)
    blocks: dict[tuple[str, int], list[int]] = {}
    for item_id in todo:
        blocks.setdefault(block_of[item_id], []).append(item_id)
    found: dict[tuple[str, int], frozenset[bytes]] = {}
    joined = 0
    for start in range(0, len(todo), batch):
        ids = todo[start:start + batch]
        items = _items(session, ids)
        for block in {block_of[i] for i in ids} - found.keys():
            members = blocks[block]
            known = {i: items[i] for i in members if i in items}
            known |= _items(session, [i for i in members if i not in known], opening_only=True)
            found[block] = boilerplate.of(known[i] for i in members)
        models: dict[int, set[str]] = {}
        for item_id, model in session.execute(select(mo.item_id, mo.model).where(mo.item_id.in_(ids))):
            models.setdefault(item_id, set()).add(model)
        members = []
        for item_id in ids:                          # publication order
            item = items[item_id]
            sig = signature_of(item, found[block_of[item_id]])
            if sig is not None:
                members.append(NewMember(item_id, sig, item.published_at, item.date_is_fallback,
                                         item.kind, frozenset(models.get(item_id, ()))))
        if not members:
            continue
        rollups.invalidate(session)
        changed, n = assign(session, members)
        refresh_reach(session, changed)
        joined += n
    return joined
