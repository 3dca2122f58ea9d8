"""Stories written: newcomers indexed and filed (`assign`: db.clusters.matching.match, then
`file`), members pointed at their canonical item, a story re-pointed to an earlier publication
or merged into another (`file_joined`), and roundups taken out of the stories they were filed
into (`split`)."""
from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from db import models as m
from db import rollups
from db import roundups as roundups_of    # db.roundups.mark: the roundups recorded
from db.clusters.edited import misfits
from db.clusters.index import candidates, drop_index, index_keys, insert_index, lookup_keys, members_of
from db.clusters.matching import match
from db.clusters.members import NewMember, chunks, rank
from db.clusters.membership import leave, roots_of


def assign(session: Session, new: Sequence[NewMember],
           among: Collection[int] | None = None) -> tuple[set[int], int]:
    """Index the new items and file each into a cluster (or none), compared with the stored
    items (only those `among`, when given). Returns the canonical ids of every cluster that
    changed (reach to be refreshed) and how many new items joined one."""
    if not new:
        return set(), 0
    bands = index_keys(new)
    stored = candidates(session, lookup_keys(new, bands))
    if among is not None:
        stored = {k: kept for k, v in stored.items() if (kept := [i for i in v if i in among])}
    joined, merged, roundups = match(session, new, bands, stored, among)
    insert_index(session, new, bands)
    return file(session, joined, merged, roundups, among), sum(len(v) for v in joined.values())


def file(session: Session, joined: dict[int, list[NewMember]], merged: dict[int, int],
         roundups: set[int], among: Collection[int] | None = None) -> set[int]:
    """Write what `match` decided: the members and merged stories (`file_joined`), then the
    roundups found (`split`: marked, out of the stories they are in). Returns the
    canonical ids of the stories changed."""
    changed = file_joined(session, joined, merged)
    if roundups:
        changed |= split(session, roundups, among)
    return changed


def file_joined(session: Session, joined: dict[int, list[NewMember]],
                merged: dict[int, int] | None = None) -> set[int]:
    """Point the newcomers at their cluster's canonical item, re-pointing the cluster to an
    earlier publication when one arrived, and the stories `merged` (canonical id -> the story
    it joins) at the canonical item of the story they join."""
    if not joined:
        return set()
    it = m.Item
    roots: dict[int, tuple] = {}
    for chunk in chunks(joined):
        for rid, kind, pub, fallback in session.execute(
                select(it.id, it.kind, it.published_at, it.date_is_fallback).where(it.id.in_(chunk))):
            roots[rid] = rank(kind, fallback, pub, rid)
    changed: set[int] = set()
    final: dict[int, int] = {}                    # root -> its canonical item now
    member_rows: list[dict] = []
    for root, members in joined.items():
        order = [roots[root]]
        order += [n.rank() for n in members]
        canonical = min(order)[-1]
        if canonical != root:
            rollups.adjust(session, [root], -1)   # the old canonical stops being a story
            session.execute(update(it).where(it.cluster_id == root).values(cluster_id=canonical))
            session.execute(update(it).where(it.id == root)
                            .values(cluster_id=canonical, reach=None, first_seen_at=None))
        member_rows += [{"item_id": n.item_id, "cid": canonical, "canonical": n.item_id == canonical}
                        for n in members]
        changed.add(canonical)
        final[root] = canonical
    for other, target in sorted((merged or {}).items()):
        canonical = final[target]
        rollups.adjust(session, [other], -1)      # no story of its own any more
        session.execute(update(it).where(it.cluster_id == other).values(cluster_id=canonical))
        session.execute(update(it).where(it.id == other)
                        .values(cluster_id=canonical, reach=None, first_seen_at=None))
    table = it.__table__          # Core executemany (not ORM bulk-by-primary-key)
    stmt = update(table).where(table.c.id == bindparam("item_id"))
    members_only = [r for r in member_rows if not r["canonical"]]
    if members_only:
        session.execute(stmt.values(cluster_id=bindparam("cid"), reach=None, first_seen_at=None),
                        [{"item_id": r["item_id"], "cid": r["cid"]} for r in members_only])
    heads = [r for r in member_rows if r["canonical"]]
    if heads:
        session.execute(stmt.values(cluster_id=None), [{"item_id": r["item_id"]} for r in heads])
    return changed


def split(session: Session, item_ids: Iterable[int], among: Collection[int] | None = None) -> set[int]:
    """Mark these items roundups, each out of the story it is in, and file again the items of
    those stories that no longer fit them (compared with the stored items `among`, when given).
    Returns the canonical ids of the stories touched (reach to be refreshed)."""
    it, sg = m.Item, m.ItemSignature
    ids = sorted(set(item_ids))
    if not ids:
        return set()
    roundups_of.mark(session, ids)
    in_story = [i for chunk in chunks(ids) for i in session.scalars(
        select(it.id).where(it.id.in_(chunk), or_(it.cluster_id.is_not(None), it.id.in_(
            select(it.cluster_id).where(it.cluster_id.in_(chunk))))))]
    if not in_story:
        return set()
    rollups.adjust(session, in_story, -1)
    touched = leave(session, in_story)
    rollups.adjust(session, in_story, +1)
    # the items left in those stories, filed again when the roundup was what held them there
    rest = sorted({i for chunk in chunks(touched - set(ids)) for i in session.scalars(
        select(it.id).join(sg, sg.item_id == it.id)
        .where(or_(it.id.in_(chunk), it.cluster_id.in_(chunk))))} - set(ids))
    if not rest:
        return touched
    members = members_of(session, rest)
    gone = misfits(session, members)
    if gone:
        rollups.adjust(session, sorted(gone), -1)
        touched |= leave(session, gone)
        drop_index(session, gone)
        changed, _ = assign(session, [n for n in members if n.item_id in gone], among)
        touched |= changed | roots_of(session, gone)
        rollups.adjust(session, sorted(gone), +1)
    return touched
