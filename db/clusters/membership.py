"""Who is in which story, and what a story reaches: items leave their stories (`leave`; a
story whose canonical item leaves gets the next one by rank) or the whole index (`detach`), the
canonical items of given items (`roots_of`), and each story's reach and first-seen time
(`refresh_reach`), in SQL."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, literal, or_, select, union_all, update
from sqlalchemy.orm import Session

from db import models as m
from db import rollups
from db.clusters.index import drop_index
from db.clusters.members import chunks, rank


def detach(session: Session, item_ids: Iterable[int]) -> set[int]:
    """Take items out of the story index (they became spam: spam is never clustered): their
    signature and band rows go, a member leaves its story, and a story whose canonical item
    leaves gets the next one by rank. Reach is refreshed for every story touched (and each
    detached item, now standalone). Returns the canonical ids refreshed."""
    ids = sorted(set(item_ids))
    if not ids:
        return set()
    drop_index(session, ids)
    touched = leave(session, ids)
    refresh_reach(session, touched)
    return touched


def leave(session: Session, item_ids: Iterable[int]) -> set[int]:
    """Items leave the stories they are in: a member is standalone after it, and a story whose
    canonical item leaves gets the next one by rank (counted by the rollups as a story now).
    Their index rows stay. Returns the canonical ids touched (reach to be refreshed), the items'
    own included."""
    it = m.Item
    ids = sorted(set(item_ids))
    touched: set[int] = set(ids)
    for chunk in chunks(ids):
        touched.update(c for c in session.scalars(select(it.cluster_id).where(
            it.id.in_(chunk), it.cluster_id.is_not(None))))
        session.execute(update(it).where(it.id.in_(chunk), it.cluster_id.is_not(None))
                        .values(cluster_id=None))
    for root in ids:
        members = session.execute(select(it.id, it.kind, it.date_is_fallback, it.published_at)
                                  .where(it.cluster_id == root)).all()
        if not members:
            continue
        heir = min(rank(k, f, p, i) for i, k, f, p in members)[-1]
        session.execute(update(it).where(it.cluster_id == root).values(cluster_id=heir))
        session.execute(update(it).where(it.id == heir).values(cluster_id=None))
        rollups.adjust(session, [heir], +1)          # the heir is a story now
        touched.add(heir)
    return touched


def roots_of(session: Session, item_ids: Iterable[int]) -> set[int]:
    """The canonical item of each given item's cluster (the item itself when standalone)."""
    it = m.Item
    out: set[int] = set()
    for chunk in chunks(item_ids):
        out.update(session.scalars(select(func.coalesce(it.cluster_id, it.id)).where(it.id.in_(chunk))))
    return out


def refresh_reach(session: Session, roots: Iterable[int]) -> int:
    """Recompute reach and first_seen_at of these canonical items. Returns how many."""
    it, cp = m.Item, m.ItemCopy
    values: list[dict] = []
    for chunk in chunks(roots):
        in_cluster = or_(it.id.in_(chunk), it.cluster_id.in_(chunk))
        root = func.coalesce(it.cluster_id, it.id)
        own = select(root.label("root"), it.source_id.label("src"), it.published_at.label("pub")) \
            .where(in_cluster)
        copies = select(root.label("root"), cp.source_id.label("src"),
                        literal(None, type_=it.published_at.type).label("pub")) \
            .join(it, it.id == cp.item_id).where(in_cluster)
        u = union_all(own, copies).subquery()
        rows = session.execute(select(u.c.root, func.count(func.distinct(u.c.src)), func.min(u.c.pub))
                               .group_by(u.c.root))
        values += [{"rid": r, "reach": n, "first": first} for r, n, first in rows]
    if values:
        table = it.__table__
        session.execute(update(table).where(table.c.id == bindparam("rid"))
                        .values(reach=bindparam("reach"), first_seen_at=bindparam("first")), values)
    return len(values)
