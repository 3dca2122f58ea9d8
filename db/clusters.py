"""Syndication clusters on the write side: the LSH index in SQL, cluster membership, reach.

`assign` files newly stored items: their signature bands and opening key are looked up in
`item_bands` (one query per chunk of bands, never a scan), the candidates' signatures are
compared with theirs, and an item whose best candidate is similar enough (ingest.cluster.same_story,
or same_opening_story for two articles that open alike) and does not name only other video models
(`compatible`) joins that candidate's cluster. The canonical item
of a cluster is its earliest dated article (`rank`); when a newcomer ranks first, the cluster is
re-pointed to it, and the other stories among its candidates that it ranks first of and is the
same story with join it (`_merge`: an original fetched after its copies). `refresh_reach` recomputes reach (distinct
sources of the cluster's items and of their recorded exact copies) and first-seen time (earliest
publication) of the given canonical items, in SQL.

A *roundup* (a daily briefing, a newsletter: it lists several stories, each of which it holds
as wholly as a reprint holds its original) is the same story only with a copy of the whole of it
(`_best`); db.roundups finds them by what they hold (ingest.roundup by their form) and takes one
found after it was filed out of its story.

Contract with the read side: items.cluster_id is NULL for canonical and standalone items (the
"stories"), the canonical item's id for members; reach and first_seen_at are set on canonical
and standalone items and NULL on members.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import bindparam, func, literal, or_, select, union_all, update
from sqlalchemy.orm import Session

from db import models as m
from db import rollups
from db import roundups as roundups_of    # it calls back into this module at run time only
from ingest.cluster import (BANDS, CONTAINMENT, Signature, close_to_canonical, containment,
                            same_opening_story, same_story, signature, similarities, whole_copy)

CHUNK = 500
WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class NewMember:
    item_id: int
    signature: Signature
    published_at: datetime
    date_is_fallback: bool
    kind: str = "article"
    models: frozenset[str] = frozenset()     # video models the tagger found
    roundup: bool = False    # lists several stories (ingest.cluster.several_stories, ingest.roundup)

    def __post_init__(self) -> None:
        if self.signature.roundup and not self.roundup:     # a roundup by its form
            object.__setattr__(self, "roundup", True)

    def rank(self) -> tuple:
        return rank(self.kind, self.date_is_fallback, self.published_at, self.item_id)


@dataclass(slots=True)
class _Known:
    item_id: int
    signature: Signature
    root: int
    models: frozenset[str]
    published_at: datetime
    kind: str = "article"
    fallback: bool = False
    roundup: bool = False

    def rank(self) -> tuple:
        return rank(self.kind, self.fallback, self.published_at, self.item_id)


def compatible(member: NewMember, other: _Known) -> bool:
    """Two items can be one story only when published within WINDOW of each other (copies
    follow the original within days; months apart is another event worded alike) and unless
    they name only different video models (one launch template filled in for Veo and for Vidu
    is two stories)."""
    a, b = member.models, other.models
    if a and b and a.isdisjoint(b):
        return False
    return abs(member.published_at - other.published_at) <= WINDOW


def _models(text: str | None) -> frozenset[str]:
    return frozenset(t for t in (text or "").split(",") if t)


def rank(kind: str, fallback: bool, published: datetime, item_id: int) -> tuple:
    """The canonical item of a cluster is the lowest rank: an article before a post sharing it,
    a real date before a fallback one, then the earliest publication."""
    return (kind != "article", bool(fallback), published, item_id)


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = sorted(set(values))
    for i in range(0, len(values), size):
        yield values[i:i + size]


def candidates(session: Session, bands: set[int]) -> dict[int, list[int]]:
    """band -> stored item ids holding it. Straight to the driver: one query per 2,000 bands on
    SQLite, one array parameter on PostgreSQL (no per-row SQLAlchemy processing)."""
    out: dict[int, list[int]] = {}
    if not bands:
        return out
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        batches = [("SELECT band, item_id FROM item_bands WHERE band = ANY(%s::bigint[])", ([*bands],))]
    else:
        ordered = sorted(bands)
        batches = [(f"SELECT band, item_id FROM item_bands WHERE band IN ({','.join('?' * len(c))})",
                    tuple(c)) for c in (ordered[i:i + 2000] for i in range(0, len(ordered), 2000))]
    for sql, params in batches:
        for band, item_id in conn.exec_driver_sql(sql, params):
            out.setdefault(band, []).append(item_id)
    return out


def _load(session: Session, item_ids: set[int]) -> dict[int, _Known]:
    it, sg = m.Item, m.ItemSignature
    out: dict[int, _Known] = {}
    for chunk in _chunks(item_ids):
        rows = session.execute(select(sg.item_id, sg.minhash, sg.shingles, sg.models, it.cluster_id,
                                      it.published_at, it.kind, it.date_is_fallback, sg.roundup)
                               .join(it, it.id == sg.item_id).where(sg.item_id.in_(chunk)))
        for item_id, raw, size, models, cluster_id, published, kind, fallback, roundup in rows:
            out[item_id] = _Known(item_id, Signature.from_bytes(raw, size), cluster_id or item_id,
                                  _models(models), published, kind, bool(fallback), bool(roundup))
    return out


def _best(member: NewMember, pool: list[_Known], by_id: dict[int, _Known],
          opening: frozenset[int] = frozenset(), only: frozenset[int] = frozenset()) -> _Known | None:
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


def index_keys(new: Sequence[NewMember]) -> np.ndarray:
    """Each item's index keys: its BANDS band keys, then its text's opening key (its first band
    key again when it has none: a key repeated within an item is stored once)."""
    bands = [n.signature.bands() for n in new]
    return np.array([b + [b[0] if n.signature.opening is None else n.signature.opening]
                     for n, b in zip(new, bands)], dtype=np.int64)


def _touched(bands: np.ndarray, stored: dict[int, list[int]]) -> np.ndarray:
    """Which new items share a band with a stored item or with another new item (the others
    are stories of their own, decided without a Python loop)."""
    flat = bands.ravel()
    hit = np.isin(flat, np.fromiter(stored, dtype=np.int64, count=len(stored)))
    keys, counts = np.unique(flat, return_counts=True)
    hit |= np.isin(flat, keys[counts > 1])
    return hit.reshape(bands.shape).any(axis=1)


def assign(session: Session, new: Sequence[NewMember],
           among: Collection[int] | None = None) -> tuple[set[int], int]:
    """Index the new items and file each into a cluster (or none), compared with the stored
    items (only those `among`, when given). Returns the canonical ids of every cluster that
    changed (reach to be refreshed) and how many new items joined one."""
    if not new:
        return set(), 0
    bands = index_keys(new)
    stored = candidates(session, set(bands.ravel().tolist()))
    if among is not None:
        stored = {k: kept for k, v in stored.items() if (kept := [i for i in v if i in among])}
    joined, merged, roundups = match(session, new, bands, stored)
    _insert_index(session, new, bands)
    return file(session, joined, merged, roundups, among), sum(len(v) for v in joined.values())


def file(session: Session, joined: dict[int, list[NewMember]], merged: dict[int, int],
         roundups: set[int], among: Collection[int] | None = None) -> set[int]:
    """Write what `match` decided: the members and merged stories (`file_joined`), then the
    roundups found (db.roundups.split: marked, out of the stories they are in). Returns the
    canonical ids of the stories changed."""
    changed = file_joined(session, joined, merged)
    if roundups:
        changed |= roundups_of.split(session, roundups, among)
    return changed


def match(session: Session, new: Sequence[NewMember], bands: np.ndarray,
          stored: dict[int, list[int]]) -> tuple[dict[int, list[NewMember]], dict[int, int], set[int]]:
    """The story each of `new` (in order; `bands` their `index_keys`) joins, among the `stored`
    items (index key -> item ids holding it) and the new items before it: canonical id -> the
    new items joining it; the stories that join another (canonical id -> the canonical id of
    the story they join), see `_merge`; and the items found to be roundups (db.roundups.find: new ones,
    and stored ones not known as such, which leave their story: db.roundups). Writes nothing."""
    known = _load(session, {i for ids in stored.values() for i in ids})
    known.update(_load(session, {k.root for k in known.values()} - set(known)))
    by_id = dict(known)
    batch_bands: dict[int, list[_Known]] = {}
    joined: dict[int, list[NewMember]] = {}          # root -> members that joined it now
    merged: dict[int, int] = {}                      # root -> the root of the story it joins
    roundups: set[int] = set()
    # the opening column of an item without an opening key repeats a band: not a match with itself
    lone = np.array([n.signature.opening is None for n in new])
    probe = bands.copy()
    probe[lone, -1] = np.iinfo(np.int64).min + np.flatnonzero(lone)
    for i in np.flatnonzero(_touched(probe, stored)):  # in arrival order
        member, mine_bands = new[i], bands[i].tolist()
        seen: dict[int, _Known] = {}
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
        if seen:
            known_roundup = member.roundup       # by its form or recorded: written as it is
            member, found = roundups_of.find(member, list(seen.values()), by_id)
            roundups.update(found)
            if member.roundup and not known_roundup:
                roundups.add(member.item_id)
        best = _best(member, list(seen.values()), by_id, opening, only) if seen else None
        root = best.root if best is not None else member.item_id
        if best is not None:
            joined.setdefault(root, []).append(member)
            _merge(member, root, seen, by_id, opening, only, joined, merged)
        mine = _Known(member.item_id, member.signature, root, member.models, member.published_at,
                      member.kind, member.date_is_fallback, member.roundup)
        by_id[member.item_id] = mine
        for b in mine_bands:
            batch_bands.setdefault(b, []).append(mine)
    return joined, merged, roundups


def _merge(member: NewMember, root: int, seen: dict[int, _Known], by_id: dict[int, _Known],
           opening: frozenset[int], only: frozenset[int], joined: dict[int, list[NewMember]],
           merged: dict[int, int]) -> None:
    """A newcomer that joins story `root` and ranks before its canonical item heads it (an
    original fetched after its copies); another story among its candidates whose canonical item
    it ranks before too, and is the same story with on its own (`_best`: the check a member
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
        if _best(member, [alone], {o.item_id: alone}, opening, only) is None:
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


def _insert_index(session: Session, new: Sequence[NewMember], bands: np.ndarray) -> None:
    """Signatures and band rows of the newcomers (`executemany`: BANDS rows per item)."""
    sig_rows = [(n.item_id, n.signature.to_bytes(), n.signature.size, ",".join(sorted(n.models)), True,
                 n.roundup) for n in new]
    # in key order, so the B-tree's pages are visited once each rather than at random
    owners = np.repeat(np.array([n.item_id for n in new], dtype=np.int64), bands.shape[1])
    pairs = np.stack((bands.ravel(), owners), axis=1)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    keep = np.ones(len(pairs), dtype=bool)                  # a band repeated within one item
    keep[1:] = np.any(pairs[1:] != pairs[:-1], axis=1)
    band_rows = pairs[keep].tolist()
    executemany(session, "INSERT INTO item_signatures (item_id, minhash, shingles, models, opening_indexed, "
                         "roundup) VALUES ({p}, {p}, {p}, {p}, {p}, {p})", sig_rows)
    executemany(session, "INSERT INTO item_bands (band, item_id) VALUES ({p}, {p})", band_rows)


def executemany(session: Session, sql: str, rows: Sequence[tuple]) -> None:
    """`sql` (each parameter written {p}) for every row, by the driver's executemany inside the
    session's transaction: SQLAlchemy's per-row parameter handling would cost more than the
    database itself for the index's many rows."""
    conn = session.connection()
    cursor = conn.connection.cursor()       # the DBAPI cursor, inside the session's transaction
    try:
        cursor.executemany(sql.format(p="?" if conn.dialect.paramstyle == "qmark" else "%s"), rows)
    finally:
        cursor.close()


def file_joined(session: Session, joined: dict[int, list[NewMember]],
                merged: dict[int, int] | None = None) -> set[int]:
    """Point the newcomers at their cluster's canonical item, re-pointing the cluster to an
    earlier publication when one arrived, and the stories `merged` (canonical id -> the story
    it joins) at the canonical item of the story they join."""
    if not joined:
        return set()
    it = m.Item
    roots: dict[int, tuple] = {}
    for chunk in _chunks(joined):
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


def backfill(session: Session, batch: int = 2000) -> int:
    """File the items stored before story clusters existed (no signature; comments and spam are
    never clustered) into stories, in publication order, as if they had just arrived: their
    signatures, their band rows, the stories they join and those stories' reach. The rollups
    counted them as stories of their own, so they are dropped (`store.refresh_rollups` rebuilds
    them). Items too short to judge stay on their own. Returns how many joined a story."""
    it, sg, mo = m.Item, m.ItemSignature, m.ItemModel
    todo = list(session.execute(
        select(it.id).outerjoin(sg, sg.item_id == it.id)
        .where(sg.item_id.is_(None), it.kind != "comment", it.spam.is_(False))
        .order_by(it.published_at, it.id)).scalars())
    joined = 0
    for start in range(0, len(todo), batch):
        ids = todo[start:start + batch]
        rows = {r.id: r for r in session.execute(
            select(it.id, it.title, it.text, it.published_at, it.date_is_fallback, it.kind)
            .where(it.id.in_(ids)))}
        models: dict[int, set[str]] = {}
        for item_id, model in session.execute(select(mo.item_id, mo.model).where(mo.item_id.in_(ids))):
            models.setdefault(item_id, set()).add(model)
        members = []
        for item_id in ids:                          # publication order
            r = rows[item_id]
            sig = signature(r.title or "", r.text or "")
            if sig is not None:
                members.append(NewMember(item_id, sig, r.published_at, r.date_is_fallback, r.kind,
                                         frozenset(models.get(item_id, ()))))
        if not members:
            continue
        rollups.invalidate(session)
        changed, n = assign(session, members)
        refresh_reach(session, changed)
        joined += n
    return joined


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
    for chunk in _chunks(ids):
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
    for chunk in _chunks(item_ids):
        out.update(session.scalars(select(func.coalesce(it.cluster_id, it.id)).where(it.id.in_(chunk))))
    return out


def refresh_reach(session: Session, roots: Iterable[int]) -> int:
    """Recompute reach and first_seen_at of these canonical items. Returns how many."""
    it, cp = m.Item, m.ItemCopy
    values: list[dict] = []
    for chunk in _chunks(roots):
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


def drop_index(session: Session, item_ids: Iterable[int]) -> None:
    """Remove items' signature and band rows (their membership is left as it is)."""
    sg, bd = m.ItemSignature, m.ItemBand
    for chunk in _chunks(item_ids):
        session.execute(bd.__table__.delete().where(bd.item_id.in_(chunk)))
        session.execute(sg.__table__.delete().where(sg.item_id.in_(chunk)))


def reindex(session: Session, members: Sequence[NewMember]) -> None:
    """Replace stored items' signature and band rows by these (their text or tags changed),
    keeping the clusters they belong to or head, and whether each is known as a roundup."""
    if not members:
        return
    sg = m.ItemSignature
    ids = [n.item_id for n in members]
    listed = {i for chunk in _chunks(ids) for i in session.scalars(
        select(sg.item_id).where(sg.item_id.in_(chunk), sg.roundup.is_(True)))}
    drop_index(session, ids)
    _insert_index(session, [replace(n, roundup=True) if n.item_id in listed else n for n in members],
                  index_keys(members))


def misfits(session: Session, members: Sequence[NewMember]) -> dict[int, int | None]:
    """Of these items in stories, whose signatures were just replaced (their source edited them),
    those their story no longer holds, each with an item that stays in that story (None: none
    does). A member no longer fits when, filed anew, it would join none of its story's other
    items (`_best`, with the canonical item's check); a canonical item when it would join none of
    its members (each judged on its own). A corrected text still fits; a page rewritten into
    another story does not."""
    it, bd = m.Item, m.ItemBand
    ids = sorted({n.item_id for n in members})
    if not ids:
        return {}
    root_of: dict[int, int] = {}
    for chunk in _chunks(ids):
        root_of.update(tuple(r) for r in session.execute(
            select(it.id, func.coalesce(it.cluster_id, it.id)).where(it.id.in_(chunk))))
    story: dict[int, list[int]] = {}
    for chunk in _chunks(set(root_of.values())):
        for root, item_id in session.execute(select(func.coalesce(it.cluster_id, it.id), it.id)
                                             .where(or_(it.id.in_(chunk), it.cluster_id.in_(chunk)))):
            story.setdefault(root, []).append(item_id)
    known = _load(session, {i for group in story.values() for i in group})
    out: dict[int, int | None] = {}
    for n in members:
        root = root_of[n.item_id]
        others = [known[i] for i in sorted(story.get(root, ())) if i != n.item_id and i in known]
        if root == n.item_id:       # its members, each as if on its own
            others = [replace(k, root=k.item_id) for k in others]
        opening: frozenset[int] = frozenset()
        if n.signature.opening is not None and others:
            opening = frozenset(session.scalars(select(bd.item_id).where(
                bd.band == n.signature.opening, bd.item_id.in_([k.item_id for k in others]))))
        if not others or _best(n, others, {k.item_id: k for k in others}, opening) is None:
            out[n.item_id] = None
    for item_id in out:
        stay = [i for i in sorted(story.get(root_of[item_id], ())) if i not in out]
        out[item_id] = stay[0] if stay else None
    return out


def move_copies(session: Session, moves: dict[int, int]) -> None:
    """Recorded exact copies of items (keys) go to other items (values): those of an item that
    left its story are copies of the story's old text, so they stay with the story. A copy the
    target holds already (same source and link) is dropped."""
    cp = m.ItemCopy
    for src, dst in sorted(moves.items()):
        if src == dst:
            continue
        held = {(s, u) for s, u in session.execute(select(cp.source_id, cp.url_key).where(cp.item_id == dst))}
        for copy_id, s, u in session.execute(select(cp.id, cp.source_id, cp.url_key).where(cp.item_id == src)).all():
            if (s, u) in held:
                session.execute(cp.__table__.delete().where(cp.id == copy_id))
            else:
                session.execute(update(cp).where(cp.id == copy_id).values(item_id=dst))
