"""Roundups told by what they hold: a daily briefing (早报, 日报, "AI daily", a newsletter)
lists several news items, each of which it holds as wholly as an article reprinted with a tail
holds its original (ingest.cluster). `find` (which db.clusters.matching.match asks of each item)
tells one by what it holds. Filed before the items it lists, it is taken for a copy of the first
one that comes; the second one tells. db.clusters.filing.split then marks it (`mark`:
`item_signatures.roundup`: from then on it is the same story only with a copy of the whole of it),
takes it out of its story (the next item by rank heads a story it headed), and files again, as new
ones would be, the story's items that no longer fit it without the roundup (db.clusters.misfits:
the copies of another item it lists, joined through it).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import models as m
from db.clusters.members import Known, NewMember, chunks
from ingest.cluster import holds, several_stories, similarities, whole_copy


def find(member: NewMember, pool: list[Known],
         by_id: dict[int, Known]) -> tuple[NewMember, list[int]]:
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


def mark(session: Session, item_ids: Iterable[int]) -> None:
    """Record these indexed items as roundups."""
    sg = m.ItemSignature
    for chunk in chunks(item_ids):
        session.execute(update(sg).where(sg.item_id.in_(chunk)).values(roundup=True))


def count(session: Session) -> int:
    """How many indexed items are known roundups."""
    sg = m.ItemSignature
    return session.scalar(select(func.count()).select_from(sg).where(sg.roundup.is_(True))) or 0
