"""Roundups out of the stories they are in: a daily briefing (早报, 日报, "AI daily", a newsletter)
lists several news items, each of which it holds as wholly as an article reprinted with a tail
holds its original (ingest.cluster). `find` (which db.clusters.match asks of each item) tells one
by what it holds. Filed before the items it lists, it is taken for a copy of the first one that
comes; the second one tells. `split` then marks it
(`item_signatures.roundup`: from then on it is the same story only with a copy of the whole of it),
takes it out of its story (the next item by rank heads a story it headed), and files again, as new
ones would be, the story's items that no longer fit it without the roundup (db.clusters.misfits:
the copies of another item it lists, joined through it).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace

import numpy as np
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from db import clusters, rollups
from db import models as m
from ingest.cluster import holds, several_stories, similarities, whole_copy


def find(member: clusters.NewMember, pool: list[clusters._Known],
         by_id: dict[int, clusters._Known]) -> tuple[clusters.NewMember, list[int]]:
    """Which of the member and its candidates list several stories (ingest.cluster), each
    judged against texts published before it (a briefing lists news that came out before it):
    the member when it holds two disjoint candidates (a briefing filed after the news it lists);
    a candidate that holds the member and an item of its own story that ranks before it and is
    disjoint from the member (a briefing filed before the news it lists: the first item to come
    joined its story, the second one tells). A text that one of those others holds or copies
    whole (`whole_copy`: a copy with a lead-in and a tail holds its original) is none. Returns
    the member (marked when it is one) and the candidates found to be roundups now (marked).
    `by_id`: the items known (stored candidates, their canonical items and the new ones)."""
    sig = member.signature
    jac = similarities(sig, [k.signature for k in pool])
    sizes = np.array([k.signature.size for k in pool])
    mine = member.rank()
    before = np.array([k.rank() < mine for k in pool], dtype=bool)
    if before.any() and not member.roundup:
        plain = ~np.array([k.roundup for k in pool], dtype=bool)
        copy_of = holds(jac, sizes, sig.size) | whole_copy(jac, sig.size, sizes)
        if not (before & plain & copy_of).any() and several_stories(
                sig, [k.signature for k, b in zip(pool, before) if b]):
            member = replace(member, roundup=True)
    found: list[int] = []
    for i in np.flatnonzero(holds(jac, sizes, sig.size)):     # candidates holding the member
        c = pool[i]
        if c.roundup:
            continue
        head = c.rank()
        earlier = [o.signature for o in by_id.values()
                   if o.root == c.root and o.item_id != c.item_id and o.rank() < head]
        if not earlier:
            continue
        j = similarities(c.signature, earlier)
        e_sizes = np.array([o.size for o in earlier])
        if (holds(j, e_sizes, c.signature.size) | whole_copy(j, c.signature.size, e_sizes)).any():
            continue
        if several_stories(c.signature, [sig, *earlier]):
            c.roundup = True
            found.append(c.item_id)
    return member, found


def split(session: Session, item_ids: Iterable[int], among: Collection[int] | None = None) -> set[int]:
    """Mark these items roundups, each out of the story it is in, and file again the items of
    those stories that no longer fit them (compared with the stored items `among`, when given).
    Returns the canonical ids of the stories touched (reach to be refreshed)."""
    it, sg = m.Item, m.ItemSignature
    ids = sorted(set(item_ids))
    if not ids:
        return set()
    mark(session, ids)
    in_story = [i for chunk in clusters._chunks(ids) for i in session.scalars(
        select(it.id).where(it.id.in_(chunk), or_(it.cluster_id.is_not(None), it.id.in_(
            select(it.cluster_id).where(it.cluster_id.in_(chunk))))))]
    if not in_story:
        return set()
    rollups.adjust(session, in_story, -1)
    touched = clusters.leave(session, in_story)
    rollups.adjust(session, in_story, +1)
    # the items left in those stories, filed again when the roundup was what held them there
    rest = sorted({i for chunk in clusters._chunks(touched - set(ids)) for i in session.scalars(
        select(it.id).join(sg, sg.item_id == it.id)
        .where(or_(it.id.in_(chunk), it.cluster_id.in_(chunk))))} - set(ids))
    if not rest:
        return touched
    from db.recluster import members_of      # it files through db.clusters as this module does

    members = members_of(session, rest)
    gone = clusters.misfits(session, members)
    if gone:
        rollups.adjust(session, sorted(gone), -1)
        touched |= clusters.leave(session, gone)
        clusters.drop_index(session, gone)
        changed, _ = clusters.assign(session, [n for n in members if n.item_id in gone], among)
        touched |= changed | clusters.roots_of(session, gone)
        rollups.adjust(session, sorted(gone), +1)
    return touched


def mark(session: Session, item_ids: Iterable[int]) -> None:
    """Record these indexed items as roundups."""
    sg = m.ItemSignature
    for chunk in clusters._chunks(item_ids):
        session.execute(update(sg).where(sg.item_id.in_(chunk)).values(roundup=True))


def count(session: Session) -> int:
    """How many indexed items are known roundups."""
    sg = m.ItemSignature
    return session.scalar(select(func.count()).select_from(sg).where(sg.roundup.is_(True))) or 0
