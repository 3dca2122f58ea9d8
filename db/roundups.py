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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np
from sqlalchemy import update
from sqlalchemy.orm import Session

from db import models as m
from db.clusters.members import Known, NewMember, chunks
from ingest.cluster import (DISJOINT, PART, UNRELATED, Signature, holds, intersection, several_stories,
                            similarities, whole_copy)


def find(member: NewMember, pool: list[Known], by_id: dict[int, Known],
         story: Callable[[int], list[Known]] = lambda root: [],
         quoted: Sequence[Known] = (),
         quotes: Callable[[Known], list[Known]] = lambda c: []) -> tuple[NewMember, list[int]]:
    """Which of the member and its candidates list several stories (ingest.cluster): the member
    when it holds two disjoint candidates (a briefing filed after the news it lists); a
    candidate that holds the member and another item of its own story disjoint from the member
    (a briefing filed before the news it lists: the first item to come joined its story, the
    second one tells). Each is judged against the texts that rank before it (a briefing lists
    news that came out before it); against the others too, the later ones, when two of those it
    holds share nothing at all (ingest.cluster.UNRELATED: a briefing out before the outlets
    publish the wire texts it quotes heads the story of the first one; two later cuts of one
    article, its opening and a copy without its second sentence, share its first sentence). A
    text that one of those others holds or copies whole (`whole_copy`: a copy with a lead-in and
    a tail holds its original) is none. Returns the member (marked when it is one) and the
    candidates found to be roundups now (marked). `by_id`: the items known (stored candidates,
    their canonical items and the new ones); `story(root)`: the stored items of a story, read
    when the member may be an item a candidate lists; `quoted`: other items the member may list,
    found by what its paragraphs open with (db.clusters.matching.quoted), judged as candidates
    are for the member; `quotes(c)`: those of a candidate, read when the member may be an item
    it lists, judged as the items of its story are."""
    sig = member.signature
    jac = similarities(sig, [k.signature for k in pool])
    sizes = np.array([k.signature.size for k in pool])
    if len(pool) + len(quoted) > 1 and not member.roundup and _lists_member(member, [*pool, *quoted]):
        member = replace(member, roundup=True)
    found: list[int] = []
    part = intersection(jac, sizes, sig.size) <= PART * sizes     # the member is a part of it
    for i in np.flatnonzero(holds(jac, sizes, sig.size)):     # candidates holding the member
        c = pool[i]
        if c.roundup:
            continue
        head = c.rank()
        mates = {o.item_id: o for o in by_id.values() if o.root == c.root and o.item_id != c.item_id}
        listing = _lists(c, sig, [o for o in mates.values() if o.rank() < head])
        if not listing and part[i]:     # the member may be an item it lists: its whole story
            mates = {o.item_id: o for o in [*story(c.root), *quotes(c)]} | mates     # and what it quotes
            mates.pop(c.item_id, None)
            mates.pop(member.item_id, None)
            listing = (_lists(c, sig, [o for o in mates.values() if o.rank() < head])
                       or _lists(c, sig, list(mates.values()), UNRELATED))
        if listing:
            c.roundup = True
            found.append(c.item_id)
    return member, found


def _lists_member(member: NewMember, pool: list[Known]) -> bool:
    """Whether the member lists several stories among `pool`: two it holds that are disjoint
    among those that rank before it, or that share nothing among all, and none of them (but
    known roundups) holds it or copies it whole."""
    sig = member.signature
    jac = similarities(sig, [k.signature for k in pool])
    sizes = np.array([k.signature.size for k in pool])
    mine = member.rank()
    before = np.array([k.rank() < mine for k in pool], dtype=bool)
    plain = ~np.array([k.roundup for k in pool], dtype=bool)
    copy_of = holds(jac, sizes, sig.size) | whole_copy(jac, sig.size, sizes)
    return (before.any() and not (before & plain & copy_of).any()
            and several_stories(sig, [k.signature for k, b in zip(pool, before) if b])) or (
        not (plain & copy_of).any() and several_stories(sig, [k.signature for k in pool], apart=UNRELATED))


def _lists(c: Known, sig: Signature, mates: list[Known], apart: float = DISJOINT) -> bool:
    """Whether candidate `c`, which holds the text signed `sig`, lists several stories among
    that text and `mates` (items of its story), none of which holds it or copies it whole."""
    if not mates:
        return False
    rest = [o.signature for o in mates]
    j = similarities(c.signature, rest)
    sizes = np.array([o.size for o in rest])
    if (holds(j, sizes, c.signature.size) | whole_copy(j, c.signature.size, sizes)).any():
        return False
    return several_stories(c.signature, [sig, *rest], apart)


def mark(session: Session, item_ids: Iterable[int]) -> None:
    """Record these indexed items as roundups."""
    sg = m.ItemSignature
    for chunk in chunks(item_ids):
        session.execute(update(sg).where(sg.item_id.in_(chunk)).values(roundup=True))
