"""The story index in SQL: each indexed item's signature (`item_signatures`) and its index keys
(`item_bands`: its BANDS band keys and its text's opening key), looked up by key (`candidates`,
one query per chunk of keys, never a scan), read back as candidates (`load`) or as newcomers
(`members_of`), written (`insert_index`, `reindex`) and dropped (`drop_index`)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from db.clusters.members import Known, NewMember, chunks, models_of
from ingest.cluster import LEAD_SCAN, Signature, opening_key, section_keys
from ingest.roundup import lists_stories


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


def load(session: Session, item_ids: set[int]) -> dict[int, Known]:
    it, sg = m.Item, m.ItemSignature
    out: dict[int, Known] = {}
    for chunk in chunks(item_ids):
        rows = session.execute(select(sg.item_id, sg.minhash, sg.shingles, sg.models, it.cluster_id,
                                      it.published_at, it.kind, it.date_is_fallback, sg.roundup)
                               .join(it, it.id == sg.item_id).where(sg.item_id.in_(chunk)))
        for item_id, raw, size, models, cluster_id, published, kind, fallback, roundup in rows:
            out[item_id] = Known(item_id, Signature.from_bytes(raw, size), cluster_id or item_id,
                                 models_of(models), published, kind, bool(fallback), bool(roundup))
    return out


def stories(session: Session, roots: set[int]) -> dict[int, list[Known]]:
    """The indexed members of the stories these canonical items head (themselves not included),
    by canonical id: one query per chunk of them."""
    it = m.Item
    ids = {i for chunk in chunks(roots) for i in session.scalars(select(it.id).where(it.cluster_id.in_(chunk)))}
    out: dict[int, list[Known]] = {}
    for k in load(session, ids).values():
        out.setdefault(k.root, []).append(k)
    return out


def quoted_by(session: Session, item_id: int) -> set[int]:
    """The indexed items whose text opens as a paragraph of this stored item's text does (its
    section keys, ingest.cluster.section_keys, read from its stored text)."""
    it = m.Item
    text = session.scalar(select(func.substr(it.text, 1, LEAD_SCAN)).where(it.id == item_id)) or ""
    return {i for ids in candidates(session, set(section_keys(text))).values() for i in ids} - {item_id}


def index_keys(new: Sequence[NewMember]) -> np.ndarray:
    """Each item's index keys: its BANDS band keys, then its text's opening key (its first band
    key again when it has none: a key repeated within an item is stored once)."""
    bands = [n.signature.bands() for n in new]
    return np.array([b + [b[0] if n.signature.opening is None else n.signature.opening]
                     for n, b in zip(new, bands)], dtype=np.int64)


def lookup_keys(new: Sequence[NewMember], bands: np.ndarray) -> set[int]:
    """The keys to look the newcomers' candidates up by: their index keys (`index_keys`) and
    their section keys (ingest.cluster.section_keys: the items a briefing quotes)."""
    return set(bands.ravel().tolist()).union(*(n.signature.sections for n in new))


def insert_index(session: Session, new: Sequence[NewMember], bands: np.ndarray) -> None:
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


def drop_index(session: Session, item_ids: Iterable[int]) -> None:
    """Remove items' signature and band rows (their membership is left as it is)."""
    sg, bd = m.ItemSignature, m.ItemBand
    for chunk in chunks(item_ids):
        session.execute(bd.__table__.delete().where(bd.item_id.in_(chunk)))
        session.execute(sg.__table__.delete().where(sg.item_id.in_(chunk)))


def reindex(session: Session, members: Sequence[NewMember]) -> None:
    """Replace stored items' signature and band rows by these (their text or tags changed),
    keeping the clusters they belong to or head, and whether each is known as a roundup."""
    if not members:
        return
    sg = m.ItemSignature
    ids = [n.item_id for n in members]
    listed = {i for chunk in chunks(ids) for i in session.scalars(
        select(sg.item_id).where(sg.item_id.in_(chunk), sg.roundup.is_(True)))}
    drop_index(session, ids)
    insert_index(session, [replace(n, roundup=True) if n.item_id in listed else n for n in members],
                 index_keys(members))


def members_of(session: Session, ids: Sequence[int]) -> list[NewMember]:
    """The stored items as newcomers, in the order given: their stored signatures, the opening
    key each was indexed under (that of its text, when the index holds it for the item), and
    whether each is a roundup (known as one, or by its form: ingest.roundup)."""
    it, sg = m.Item, m.ItemSignature
    rows = {r.item_id: r for r in session.execute(
        select(sg.item_id, sg.minhash, sg.shingles, sg.models, sg.roundup, it.published_at,
               it.date_is_fallback, it.kind, it.title, func.substr(it.text, 1, LEAD_SCAN).label("opening"))
        .join(it, it.id == sg.item_id).where(sg.item_id.in_(ids)))}
    keys = {item_id: opening_key(r.opening) for item_id, r in rows.items()}
    indexed = candidates(session, {k for k in keys.values() if k is not None})
    out = []
    for item_id in ids:
        r = rows[item_id]
        key = keys[item_id] if item_id in indexed.get(keys[item_id], ()) else None
        sig = Signature(np.frombuffer(r.minhash, dtype="<u4").astype(np.uint32), r.shingles, key,
                        lists_stories(r.title or "", r.opening or ""), section_keys(r.opening or ""))
        out.append(NewMember(item_id, sig, r.published_at, r.date_is_fallback, r.kind,
                             models_of(r.models), bool(r.roundup)))
    return out
