"""Which story each newcomer joins, decided without writing (`match`): its candidates (the
stored items and earlier newcomers sharing an index key with it), the most similar one that is
the same story (`best`: ingest.cluster.same_story, or same_opening_story for two articles that
open alike, `compatible`, close enough to its story's canonical item too), the stories it merges
when it ranks before their canonical items (`merge`: an original fetched after its copies), and
the roundups found on the way (db.roundups.find)."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

import numpy as np
from sqlalchemy.orm import Session

from db import roundups as roundups_of    # db.roundups.find: which items list several stories
from db.clusters.index import load, quoted_by, stories
from db.clusters.members import WINDOW, Known, NewMember, compatible
from ingest.cluster import (BANDS, CONTAINMENT, close_to_canonical, containment, same_opening_story,
                            same_story, similarities, whole_copy)


def best(member: NewMember, pool: list[Known], by_id: dict[int, Known],
         opening: frozenset[int] = frozenset(), only: frozenset[int] = frozenset()) -> Known | None:
    """The most similar compatible candidate that is the same story, provided its cluster's
    canonical item is compatible and close enough too (no chains of copies of copies drifting
    into another story). Articles among `opening` (those whose text opens as the member's does)
    are the same story by `same_opening_story` when the member is an article too: a truncated
    summary and its article (a post quoting an opening is no copy); those among `only` (found
    by their opening alone, not by a band) by that rule alone."""
    pool = [k for k in pool if compatible(member, k)]
    if not pool:
        return None
    sig = member.signature
    jac = similarities(sig, [k.signature for k in pool])
    sizes = np.array([k.signature.size for k in pool])
    ok = same_story(jac, sig.size, sizes)
    listing = np.array([member.roundup or k.roundup for k in pool], dtype=bool)
    if listing.any():       # a roundup is the same story only with a copy of all of it
        ok &= ~listing | whole_copy(jac, sig.size, sizes)
    if only:
        ok &= np.array([k.item_id not in only for k in pool])
    alike = {k.item_id for k in pool if k.item_id in opening and k.kind == "article"} \
        if member.kind == "article" else set()
    opens = np.array([k.item_id in alike for k in pool], dtype=bool)
    if alike:
        by_opening = same_opening_story(jac, sig.size, sizes)
        if (opens & ~ok & (containment(jac, sig.size, sizes) < CONTAINMENT)).any():
            # an article opening alike that is another story (less than half of the shorter in
            # the longer): the opening is not this story's own (a story opening with another's
            # sentence), so it joins nothing by it
            by_opening[:] = False
        opens &= ok | (by_opening & ~listing)
    # Of the candidates that open alike, the earliest (the article the others open with) is taken
    # first: Jaccard favours the smaller of two, and a truncated opening is in a story that only
    # opens with it as much as in its article.
    order = sorted(np.flatnonzero(opens).tolist(), key=lambda i: (pool[i].published_at, pool[i].item_id)) \
        + [int(i) for i in np.argsort(-jac, kind="stable") if ok[i] and not opens[i]]
    for i in order:
        k = pool[i]
        root = by_id.get(k.root)
        if k.root == k.item_id or root is None:
            return k
        j = sig.similarity(root.signature)
        if (member.roundup or root.roundup) and not whole_copy(j, sig.size, root.signature.size):
            continue
        if compatible(member, root) and (
                close_to_canonical(j, sig.size, root.signature.size)
                or root.item_id in alike and same_opening_story(j, sig.size, root.signature.size,
                                                                root=True)):
            return k
    return None


def touched(bands: np.ndarray, stored: dict[int, list[int]]) -> np.ndarray:
    """Which new items share a band with a stored item or with another new item (the others
    are stories of their own, decided without a Python loop)."""
    flat = bands.ravel()
    hit = np.isin(flat, np.fromiter(stored, dtype=np.int64, count=len(stored)))
    keys, counts = np.unique(flat, return_counts=True)
    hit |= np.isin(flat, keys[counts > 1])
    return hit.reshape(bands.shape).any(axis=1)


def match(session: Session, new: Sequence[NewMember], bands: np.ndarray, stored: dict[int, list[int]],
          among: Collection[int] | None = None) -> tuple[dict[int, list[NewMember]], dict[int, int], set[int]]:
    """The story each of `new` (in order; `bands` their `index_keys`) joins, among the `stored`
    items (index key -> item ids holding it) and the new items before it: canonical id -> the
    new items joining it; the stories that join another (canonical id -> the canonical id of
    the story they join), see `merge`; and the items found to be roundups (db.roundups.find: new ones,
    and stored ones not known as such, which leave their story: db.roundups). Writes nothing."""
    known = load(session, {i for ids in stored.values() for i in ids})
    known.update(load(session, {k.root for k in known.values()} - set(known)))
    by_id = dict(known)
    members: dict[int, list[Known]] | None = None      # of the stored stories met, read once if needed

    def story(root: int) -> list[Known]:
        nonlocal members
        if members is None:
            members = stories(session, {k.root for k in known.values()})
        head = known.get(root)
        return members.get(root, []) + ([head] if head is not None else [])

    quotes_of: dict[int, list[Known]] = {}

    def quotes(c: Known) -> list[Known]:
        """What stored item `c` quotes: the items (stored `among`, or new ones before) whose text
        opens as a paragraph of its text does, published within WINDOW of it."""
        if c.item_id not in quotes_of:
            ids = [i for i in quoted_by(session, c.item_id) if among is None or i in among or i in by_id]
            more = load(session, {i for i in ids if i not in by_id})
            quotes_of[c.item_id] = [k for k in (by_id.get(i) or more.get(i) for i in ids)
                                  if k is not None and abs(k.published_at - c.published_at) <= WINDOW]
        return quotes_of[c.item_id]

    batch_bands: dict[int, list[Known]] = {}
    joined: dict[int, list[NewMember]] = {}          # root -> members that joined it now
    merged: dict[int, int] = {}                      # root -> the root of the story it joins
    roundups: set[int] = set()
    # the opening column of an item without an opening key repeats a band: not a match with itself
    lone = np.array([n.signature.opening is None for n in new])
    probe = bands.copy()
    probe[lone, -1] = np.iinfo(np.int64).min + np.flatnonzero(lone)
    # and those whose paragraphs open as a stored or new item does (a briefing quoting them),
    # and those new items (in the batch's keys for a briefing after them)
    openings = {n.signature.opening for n in new} | stored.keys()
    sections = set().union(*(n.signature.sections for n in new))
    quoting = np.array([not openings.isdisjoint(n.signature.sections) or n.signature.opening in sections
                        for n in new], dtype=bool)
    for i in np.flatnonzero(touched(probe, stored) | quoting):  # in arrival order
        member, mine_bands = new[i], bands[i].tolist()
        seen: dict[int, Known] = {}
        banded: set[int] = set()
        for b in stored.keys() & mine_bands:
            for item_id in stored[b]:
                if item_id in known:
                    seen.setdefault(item_id, known[item_id])
        for b in batch_bands.keys() & mine_bands:
            for k in batch_bands[b]:
                seen.setdefault(k.item_id, k)
        key = member.signature.opening
        opening: frozenset[int] = frozenset()
        if key is not None:
            opening = frozenset([*stored.get(key, ()), *(k.item_id for k in batch_bands.get(key, ()))])
            for b in set(mine_bands[:BANDS]) - {key}:
                banded.update(stored.get(b, ()))
                banded.update(k.item_id for k in batch_bands.get(b, ()))
        # a candidate found by the opening key alone is judged by same_opening_story alone
        only = opening - banded
        listed = quoted(member, seen, stored, known, batch_bands) if member.signature.sections else []
        if seen or listed:
            known_roundup = member.roundup       # by its form or recorded: written as it is
            # what a candidate quotes is read when it came out after the member (a briefing
            # lists news that came out before it; an article's later cuts it does not list)
            member_rank = member.rank()
            member, found = roundups_of.find(member, list(seen.values()), by_id, story, listed,
                                             lambda c: quotes(c) if c.rank() > member_rank else [])
            roundups.update(found)
            if member.roundup and not known_roundup:
                roundups.add(member.item_id)
        chosen = best(member, list(seen.values()), by_id, opening, only) if seen else None
        root = chosen.root if chosen is not None else member.item_id
        if chosen is not None:
            joined.setdefault(root, []).append(member)
            merge(member, root, seen, by_id, opening, only, joined, merged)
        mine = Known(member.item_id, member.signature, root, member.models, member.published_at,
                     member.kind, member.date_is_fallback, member.roundup)
        by_id[member.item_id] = mine
        for b in mine_bands:
            batch_bands.setdefault(b, []).append(mine)
    return joined, merged, roundups


def quoted(member: NewMember, seen: dict[int, Known], stored: dict[int, list[int]],
           known: dict[int, Known], batch: dict[int, list[Known]]) -> list[Known]:
    """The items, besides its candidates `seen`, whose texts open as a paragraph of the
    member's does (its section keys, ingest.cluster.section_keys), published within WINDOW of
    it: the items a briefing quotes that no band brings it together with."""
    out: dict[int, Known] = {}
    for key in member.signature.sections:
        for item_id in stored.get(key, ()):
            if item_id in known:
                out.setdefault(item_id, known[item_id])
        for k in batch.get(key, ()):
            out.setdefault(k.item_id, k)
    return [k for i, k in out.items() if i not in seen and i != member.item_id
            and abs(k.published_at - member.published_at) <= WINDOW]


def merge(member: NewMember, root: int, seen: dict[int, Known], by_id: dict[int, Known],
          opening: frozenset[int], only: frozenset[int], joined: dict[int, list[NewMember]],
          merged: dict[int, int]) -> None:
    """A newcomer that joins story `root` and ranks before its canonical item heads it (an
    original fetched after its copies); another story among its candidates whose canonical item
    it ranks before too, and is the same story with on its own (`best`: the check a member
    faces against its canonical item), joins it: it is what the two would be had the original
    come first. A newcomer that ranks after a story's canonical item merges nothing (a copy
    resembling two stories is no evidence that they are one)."""
    mine = member.rank()
    head = by_id.get(root)
    if head is None or head.rank() < mine:
        return
    for other in sorted({k.root for k in seen.values()} - {root}):
        o = by_id.get(other)
        if o is None or o.rank() < mine:
            continue
        alone = replace(o, root=o.item_id)
        if best(member, [alone], {o.item_id: alone}, opening, only) is None:
            continue
        merged[other] = root
        for r, target in merged.items():
            if target == other:
                merged[r] = root
        for k in by_id.values():
            if k.root == other:
                k.root = root
        if other in joined:
            joined[root].extend(joined.pop(other))
