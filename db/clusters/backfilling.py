"""Items stored before story clusters existed, filed into stories (`aigcwatch retag`)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from db import rollups
from db.clusters.filing import assign
from db.clusters.members import NewMember
from db.clusters.membership import refresh_reach
from ingest.cluster import signature


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
