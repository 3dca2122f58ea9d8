"""Stored items whose text changed (a source edited them, or a roundup that held them left):
which of them their story no longer holds (`misfits`), and where their recorded exact copies go
(`move_copies`)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from db import models as m
from db.clusters.index import load
from db.clusters.matching import best
from db.clusters.members import NewMember, chunks


def misfits(session: Session, members: Sequence[NewMember]) -> dict[int, int | None]:
    """Of these items in stories, whose signatures were just replaced (their source edited them),
    those their story no longer holds, each with an item that stays in that story (None: none
    does). A member no longer fits when, filed anew, it would join none of its story's other
    items (`best`, with the canonical item's check); a canonical item when it would join none of
    its members (each judged on its own). A corrected text still fits; a page rewritten into
    another story does not."""
    it, bd = m.Item, m.ItemBand
    ids = sorted({n.item_id for n in members})
    if not ids:
        return {}
    root_of: dict[int, int] = {}
    for chunk in chunks(ids):
        root_of.update(tuple(r) for r in session.execute(
            select(it.id, func.coalesce(it.cluster_id, it.id)).where(it.id.in_(chunk))))
    story: dict[int, list[int]] = {}
    for chunk in chunks(set(root_of.values())):
        for root, item_id in session.execute(select(func.coalesce(it.cluster_id, it.id), it.id)
                                             .where(or_(it.id.in_(chunk), it.cluster_id.in_(chunk)))):
            story.setdefault(root, []).append(item_id)
    known = load(session, {i for group in story.values() for i in group})
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
        if not others or best(n, others, {k.item_id: k for k in others}, opening) is None:
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
