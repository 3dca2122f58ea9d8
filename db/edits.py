"""A source's edits of its own entries, applied in place.

When a source serves again an entry it served before (same GUID or same URL, within that source)
with another title or text (a corrected headline, an updated or extended text, full content where
a truncated summary was), the stored item takes the new version: same id, same publication and
first-run record, new title, text, language, content and title keys, and the tags and evidence
the tagger gave the new version. Everything derived follows: the item leaves the read-side
rollups before the change and comes back after it, its clustering signature is replaced (a story
it heads or belongs to keeps it; a standalone item is filed again, as a new one would be), and
the reach of the stories touched is recomputed.

Not edits: a copy seen from another source (the original never changes), an unchanged re-fetch
(nothing is written), an entry served again without its text (its stored text and tags stay) or
without its title over the same text (its headline stays),
an item whose stored text came from its page (`full_text`) seen again
with only the feed's summary (the page's text is the better one; the summary is not an edit: the
collect stage gives an item seen again its recorded page's text, so a corrected headline over it
still is one), and a new story under a GUID the source used before (db.store tells it apart).
An edit seen by a run without tagging (`--no-tag`) keeps the item's tags until `aigcwatch retag`.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from db import clusters, rollups, textfold
from db import models as m
from ingest import types as t


def is_edit(stored_title: str, stored_text: str, stored_full_text: bool, item: t.Item) -> bool:
    """True when `item` is another version of the stored entry than the one kept. An entry served
    again without any text is not one, whatever its title: the feed dropped the summary (a glitch,
    a feed cut to headlines), and taking it would erase the stored text and its tags. Nor is one
    served without its title over the same text: its first sentence, standing in for the missing
    title, would replace the stored headline."""
    if stored_full_text and not item.full_text:
        return False
    if stored_text and not item.text:
        return False
    if item.title_derived and stored_text == item.text:
        return False
    return stored_title != item.title or stored_text != item.text


def _keys(session: Session, edits: Mapping[int, t.ItemIntent], taken: set[str]) -> dict[int, t.DedupKeys]:
    """The content and title keys each edited item is stored under now. Spam keeps no content or
    title key (as when it is stored new); a content key another item holds (or a new item of the
    same batch takes) is left empty, as the column is unique."""
    from db.store import _own_keys

    own = {item_id: _own_keys(i) for item_id, i in edits.items()}
    wanted = {k.content_key for k in own.values()} - {None}
    holders: dict[str, int] = {}
    it = m.Item
    for chunk in clusters.chunks(wanted):
        holders.update(tuple(r) for r in session.execute(
            select(it.content_key, it.id).where(it.content_key.in_(chunk))))
    out: dict[int, t.DedupKeys] = {}
    claimed: set[str] = set(taken)
    for item_id, k in sorted(own.items()):
        content = k.content_key
        if content is not None and (content in claimed or holders.get(content, item_id) != item_id):
            content = None
        if content is not None:
            claimed.add(content)
        out[item_id] = t.DedupKeys(k.url_key, k.guid_key, content, k.title_key)
    return out


def apply(session: Session, candidates: Mapping[int, t.ItemIntent], taken: set[str],
          now: datetime) -> int:
    """Update the stored items (id -> the intent that re-saw it) whose title or text changed;
    `taken` are the content keys of the items this batch inserts. Returns how many changed."""
    from db.store import _tag_values, replace_tag_rows

    if not candidates:
        return 0
    it = m.Item
    stored: dict[int, tuple] = {}
    for chunk in clusters.chunks(candidates):
        for r in session.execute(select(it.id, it.title, it.text, it.full_text, it.spam, it.cluster_id)
                                 .where(it.id.in_(chunk))):
            stored[r.id] = r
    edits = {item_id: i for item_id, i in candidates.items()
             if is_edit(stored[item_id].title, stored[item_id].text, stored[item_id].full_text, i.item)}
    if not edits:
        return 0
    ids = sorted(edits)
    rollups.adjust(session, ids, -1)       # counted as they were; back in below as they are now
    keys = _keys(session, edits, taken)
    for item_id in ids:        # untagged now, stored as spam: still no content or title key
        if edits[item_id].tags is None and stored[item_id].spam:
            keys[item_id] = t.DedupKeys(keys[item_id].url_key, keys[item_id].guid_key, None, None)
    rows = []
    for item_id in ids:
        item, tags = edits[item_id].item, edits[item_id].tags
        row = {"item_id": item_id, "title": item.title, "text": item.text, "lang": item.lang,
               "full_text": item.full_text, "content_key": keys[item_id].content_key,
               "fullwidth": textfold.has_wide(item.title) or textfold.has_wide(item.text),
               "title_key": keys[item_id].title_key}
        rows.append(row | (_tag_values(tags, now) if tags is not None else {}))
    table = it.__table__
    for shape in {tuple(sorted(r)) for r in rows}:     # one executemany per set of columns
        batch = [r for r in rows if tuple(sorted(r)) == shape]
        cols = {c: bindparam(c) for c in shape if c != "item_id"}
        session.execute(update(table).where(table.c.id == bindparam("item_id")).values(**cols), batch)
    tagged = [(item_id, edits[item_id].tags) for item_id in ids if edits[item_id].tags is not None]
    replace_tag_rows(session, tagged)
    _recluster(session, edits, stored)
    rollups.adjust(session, ids, +1)
    return len(ids)


def _recluster(session: Session, edits: Mapping[int, t.ItemIntent], stored: Mapping[int, tuple]) -> None:
    """New signatures for the edited items. Spam (and a text too short to sign) leaves the story
    index and its story; an item in a story (heading it or a member) keeps its place with its new
    signature while its story still holds it (db.clusters.misfits: a corrected text does), else
    it leaves it and, as a standalone item, is filed again as a new item would be."""
    it = m.Item
    out, keep, refile = [], [], []
    heads: set[int] = set()
    kept_models: dict[int, set[str]] = {item_id: set() for item_id, i in edits.items() if i.tags is None}
    for chunk in clusters.chunks(edits):
        heads.update(session.scalars(select(it.cluster_id).where(it.cluster_id.in_(chunk))))
    for chunk in clusters.chunks(kept_models):     # untagged now: the models stored before
        for item_id, model in session.execute(select(m.ItemModel.item_id, m.ItemModel.model)
                                              .where(m.ItemModel.item_id.in_(chunk))):
            kept_models[item_id].add(model)
    for item_id, intent in sorted(edits.items()):
        tags, item = intent.tags, intent.item
        spam = tags.spam if tags is not None else stored[item_id].spam
        if spam or intent.signature is None or item.kind == "comment":
            out.append(item_id)
            continue
        models = frozenset(tags.models if tags is not None else kept_models[item_id])
        member = clusters.NewMember(item_id, intent.signature, item.published_at,
                                    item.date_is_fallback, item.kind, models)
        in_story = stored[item_id].cluster_id is not None or item_id in heads
        (keep if in_story else refile).append(member)
    touched: set[int] = set()
    if out:
        touched |= clusters.detach(session, out)
    clusters.reindex(session, keep)
    # a text rewritten into another story leaves its story (the next item by rank heads it when
    # it headed it), taking none of the story's recorded copies, and is filed again
    gone = clusters.misfits(session, keep)
    if gone:
        touched |= clusters.detach(session, gone)
        anchors = {item_id: stay for item_id, stay in gone.items() if stay is not None}
        heads_now = dict(zip(anchors, (clusters.roots_of(session, [a]).pop() for a in anchors.values())))
        clusters.move_copies(session, heads_now)
        touched |= set(heads_now.values())
        refile += [n for n in keep if n.item_id in gone]
        keep = [n for n in keep if n.item_id not in gone]
    if refile:
        clusters.drop_index(session, [n.item_id for n in refile])
        changed, _ = clusters.assign(session, refile)
        touched |= changed
    touched |= clusters.roots_of(session, [n.item_id for n in keep + refile])
    clusters.refresh_reach(session, touched)
