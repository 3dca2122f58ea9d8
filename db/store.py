"""The write side. Every function takes a session; the caller owns it, commits once per source
(store_intents + record_source_result + save_fetch_state), and rolls back on error.

Dedup happens here, before insert and in bulk: one query per key kind (per chunk of keys on
SQLite, one array parameter on PostgreSQL), never one query per item. An intent duplicates a known item (stored, or new earlier in the same batch) when
they share the url_key, the guid_key or the content_key, or the title_key with publication times
at most `TITLE_WINDOW` apart. A source re-seeing its own entry (same URL or GUID) is a plain
duplicate when unchanged, and an edit when its title or text changed: the stored item takes the
new version in place (db.edits); an entry under a GUID the source used before, with another link
and another text, is another story (ingest.dedup.reused_guid), matched without its GUID, unless it
is the same entry as a later story stored under that GUID (then it is that story's edit or
re-serve). Any other match is a syndicated copy, recorded once in
`item_copies` against the original, whose own fields (title included) a copy never touches.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import String, any_, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from db import clusters, edits, social, textfold
from db import models as m
from ingest import types as t
from ingest.dedup import reused_guid, same_text, text_signature, unrelated_titles

TITLE_WINDOW = timedelta(days=3)
CHUNK = 500   # keys per IN (...): far below SQLite's and PostgreSQL's parameter limits

_SOURCE_CONFIG = ("name", "kind", "url", "lang", "category", "topical", "timezone", "enabled",
                  "stale_days", "full_text")
_COUNTS = ("fetched", "new", "updated", "duplicate", "irrelevant", "spam", "invalid")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = sorted(set(values))
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _where_in(session: Session, column, values: Iterable[str]) -> Iterator:
    """`column IN values` in as few statements as the backend allows.

    PostgreSQL takes the whole list as one array parameter (`= ANY(...)`); SQLite gets chunks
    of `CHUNK` bound parameters.
    """
    if session.get_bind().dialect.name == "postgresql":
        values = sorted(set(values))
        if values:
            yield column == any_(bindparam(None, values, type_=ARRAY(String)))
        return
    for chunk in _chunks(values):
        yield column.in_(chunk)


def _error_class(value: t.FailureClass | str | None) -> str | None:
    return value.value if isinstance(value, t.FailureClass) else value


# --- sources and fetch state -------------------------------------------------------------------

def sync_sources(session: Session, sources: Iterable[t.Source], *, now: datetime | None = None) -> None:
    """Insert new sources and update the config fields of known ones; fetch state is kept.

    Sources missing from `sources` are left as they are (their items stay). The read-side
    rollups keep each story's category: a source moved to another category takes its stories out
    of every built rollup and puts them back under the new one.
    """
    from db import rollups

    now = now or utcnow()
    sources = list(sources)
    rows = {src.id: session.get(m.Source, src.id) for src in sources}
    moved = [src.id for src in sources if rows[src.id] is not None
             and rows[src.id].category != src.category]
    stories = (list(session.scalars(select(m.Item.id).where(m.Item.source_id.in_(moved))))
               if moved and rollups.zones(session) else [])
    if stories:
        rollups.adjust(session, stories, -1)
    for src in sources:
        values = {name: getattr(src, name) for name in _SOURCE_CONFIG}
        row = rows[src.id]
        if row is None:
            session.add(m.Source(id=src.id, consecutive_failures=0, created_at=now, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    session.flush()
    if stories:
        rollups.adjust(session, stories, +1)


def _source(session: Session, source_id: str) -> m.Source:
    row = session.get(m.Source, source_id)
    if row is None:
        raise LookupError(f"unknown source {source_id!r} (sync_sources first)")
    return row


def load_fetch_state(session: Session, source_id: str) -> t.FetchState:
    """The source's conditional-GET and back-off state (defaults for an unknown source)."""
    row = session.get(m.Source, source_id)
    if row is None:
        return t.FetchState()
    return t.FetchState(etag=row.etag, last_modified=row.last_modified,
                        consecutive_failures=row.consecutive_failures,
                        next_attempt_at=row.next_attempt_at, cursor=row.cursor)


def last_new_item_at(session: Session, source_id: str) -> datetime | None:
    """When the source last brought a new item (None: never, or unknown source)."""
    return session.scalar(select(m.Source.last_new_item_at).where(m.Source.id == source_id))


def save_fetch_state(session: Session, source_id: str, state: t.FetchState, *,
                     fetched_at: datetime, ok: bool,
                     error_class: t.FailureClass | str | None = None, error: str | None = None,
                     new_items: int = 0) -> None:
    """Store the new fetch state and the source's health after one attempt."""
    row = _source(session, source_id)
    row.etag, row.last_modified, row.cursor = state.etag, state.last_modified, state.cursor
    row.consecutive_failures = state.consecutive_failures
    row.next_attempt_at = state.next_attempt_at
    row.last_fetched_at = fetched_at
    if ok:
        row.last_ok_at = fetched_at
    # On success these hold a warning (e.g. stale) or nothing; on failure, the failure.
    row.last_error_class, row.last_error = _error_class(error_class), error
    if new_items > 0:
        row.last_new_item_at = fetched_at
    session.flush()


# --- runs --------------------------------------------------------------------------------------

def start_run(session: Session, tagger_version: str | None, *, now: datetime | None = None) -> int:
    run = m.IngestRun(started_at=now or utcnow(), status="running", tagger_version=tagger_version,
                      sources=0, failed=0, **{c: 0 for c in _COUNTS})
    session.add(run)
    session.flush()
    return run.id


def record_source_result(session: Session, run_id: int, result: t.SourceResult) -> None:
    """One `run_sources` row, and the run's totals moved on by the same counts."""
    failed = 1 if result.status == "failed" else 0
    if result.status not in m.RUN_SOURCE_STATUSES:
        raise ValueError(f"unknown source status {result.status!r}")
    counts = {c: getattr(result, c) for c in _COUNTS}
    session.execute(insert(m.RunSource), [{
        "run_id": run_id, "source_id": result.source_id, "status": result.status,
        "failed": failed, "error_class": _error_class(result.error_class),
        "error_text": result.error, "http_status": result.http_status,
        "elapsed_ms": result.elapsed_ms, **counts,
    }])
    run = m.IngestRun
    session.execute(
        update(run).where(run.id == run_id).values(
            sources=run.sources + 1, failed=run.failed + failed,
            **{c: getattr(run, c) + n for c, n in counts.items()}))


def finish_run(session: Session, run_id: int, status: str, *, now: datetime | None = None) -> None:
    if status not in m.RUN_STATUSES or status == "running":
        raise ValueError(f"cannot finish a run as {status!r}")
    session.execute(update(m.IngestRun).where(m.IngestRun.id == run_id)
                    .values(status=status, finished_at=now or utcnow()))


def mark_interrupted_runs(session: Session) -> int:
    """Runs left 'running' by a killed process become 'interrupted' (finished_at stays unknown).

    Call it before starting a run, when no other ingest is running. Returns how many changed.
    """
    res = session.execute(update(m.IngestRun).where(m.IngestRun.status == "running")
                          .values(status="interrupted"))
    return res.rowcount or 0


# --- items -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StoreCounts:
    new: int = 0
    duplicate: int = 0
    copies: int = 0     # duplicates recorded as a syndicated copy (part of `duplicate`)
    refreshed: int = 0  # known posts whose engagement was updated
    clustered: int = 0  # new items filed into an existing story's cluster
    updated: int = 0    # stored items their own source re-served edited (not in `duplicate`)


@dataclass(slots=True)
class _Known:
    """An item an intent may duplicate: stored (item_id) or new in this batch (new_index)."""

    source_id: str
    item_id: int | None = None
    new_index: int | None = None
    via_copy: bool = False      # reached through a recorded copy's URL/GUID (or a batch repeat)
    text: str | None = None     # for confirming title matches; its signature is made on demand
    title: str | None = None    # for telling an uploader's boilerplate from a copy (`_boilerplate`)
    url_key: str | None = None  # with the title, for telling a reused GUID from an edit
    _sig: object = None

    def sig(self) -> frozenset[int] | None:
        if self._sig is None:
            self._sig = (text_signature(self.text or ""),)
        return self._sig[0]


@dataclass(slots=True)
class _Index:
    by_url: dict[str, _Known] = field(default_factory=dict)
    by_guid: dict[str, _Known] = field(default_factory=dict)
    by_content: dict[str, _Known] = field(default_factory=dict)
    by_title: dict[str, list[tuple[datetime, _Known]]] = field(default_factory=dict)

    def add(self, keys: t.DedupKeys, published_at: datetime, known: _Known) -> None:
        if keys.url_key:
            self.by_url.setdefault(keys.url_key, known)
        if keys.guid_key:
            self.by_guid.setdefault(keys.guid_key, known)
        if keys.content_key:
            self.by_content.setdefault(keys.content_key, known)
        if keys.title_key:
            self.by_title.setdefault(keys.title_key, []).append((published_at, known))

    def match(self, keys: t.DedupKeys, published_at: datetime,
              me: _Known | None = None) -> tuple[_Known, str] | None:
        if keys.url_key and keys.url_key in self.by_url:
            return self.by_url[keys.url_key], "url"
        if keys.guid_key and keys.guid_key in self.by_guid:
            return self.by_guid[keys.guid_key], "guid"
        if keys.content_key and keys.content_key in self.by_content:
            return self.by_content[keys.content_key], "content"
        # A title match alone is weak (generic headlines recur): it needs a close publication
        # time and the same text underneath (lightly edited or cut differently is fine).
        for when, known in self.by_title.get(keys.title_key or "", ()):
            if abs(when - published_at) <= TITLE_WINDOW and (
                    me is None or same_text(known.sig(), me.sig())):
                return known, "title"
        return None


def _boilerplate(known: _Known, item: t.Item) -> bool:
    """An item of the same source with the same text under an unrelated title (an uploader's
    standard description under each video, a feed's fixed summary) is another item, not a copy."""
    return (known.source_id == item.source_id and not known.via_copy and known.title is not None
            and unrelated_titles(known.title, item.title))


def _stored_sig(session: Session, known: _Known) -> frozenset[int] | None:
    """The text signature of a stored item met through its GUID (its text is read only for an
    entry under another link: a rare suspect of a reused GUID)."""
    if known.text is None and known.item_id is not None:
        known.text = session.scalar(select(m.Item.text).where(m.Item.id == known.item_id)) or ""
    return known.sig()


LATER_HOLDERS = 20      # stories a reused GUID is compared with besides its first holder


def _later_holder(session: Session, holder: _Known, item: t.Item, me: _Known) -> _Known | None:
    """The newest of the source's later stories under the GUID of `holder` (its first holder,
    which `item` is not: ingest.dedup.reused_guid) that `item` is the same entry of, or None.
    Those stories were stored without the GUID's key (it is unique), so they are found by the
    GUID itself; read only on this rare path."""
    if not (item.guid or "").strip():
        return None
    it = m.Item
    stmt = (select(it.id, it.source_id, it.url_key, it.title, it.text)
            .where(it.source_id == item.source_id, it.guid == item.guid, it.guid_key.is_(None))
            .order_by(it.id.desc()).limit(LATER_HOLDERS))
    if holder.item_id is not None:
        stmt = stmt.where(it.id != holder.item_id)
    for row in session.execute(stmt):
        known = _Known(row.source_id, item_id=row.id, text=row.text or "", title=row.title,
                       url_key=row.url_key)
        if not reused_guid(known.url_key, known.title, known.sig(), item, me.sig()):
            return known
    return None


def _load_known(session: Session, intents: Sequence[t.ItemIntent]) -> _Index:
    """Stored items (and recorded copies) sharing any key with the intents, in bulk."""
    index = _Index()
    it = m.Item
    cols = (it.id, it.source_id, it.url_key, it.guid_key, it.content_key, it.title_key,
            it.published_at, it.title)
    seen: set[int] = set()
    # Title matches first: only they need the stored text (to confirm the text is the same).
    for attr, column in (("title_key", it.title_key), ("url_key", it.url_key),
                         ("guid_key", it.guid_key), ("content_key", it.content_key)):
        wanted = {getattr(i.keys, attr) for i in intents} - {None}
        extra = (it.text,) if attr == "title_key" else ()
        for condition in _where_in(session, column, wanted):
            for row in session.execute(select(*cols, *extra).where(condition)):
                if row.id not in seen:
                    seen.add(row.id)
                    keys = t.DedupKeys(row.url_key, row.guid_key, row.content_key, row.title_key)
                    text_ = row.text if extra else None
                    index.add(keys, row.published_at,
                              _Known(row.source_id, item_id=row.id, text=text_, title=row.title,
                                     url_key=row.url_key))
    cp = m.ItemCopy
    for attr, column, target in (("url_key", cp.url_key, index.by_url),
                                 ("guid_key", cp.guid_key, index.by_guid)):
        wanted = {getattr(i.keys, attr) for i in intents} - {None}
        for condition in _where_in(session, column, wanted):
            for row in session.execute(select(cp.item_id, cp.source_id, column, cp.url_key, cp.title)
                                       .where(condition)):
                target.setdefault(row[2], _Known(row.source_id, item_id=row.item_id, via_copy=True,
                                                 title=row.title, url_key=row.url_key or None))
    return index


def _existing_copies(session: Session, item_ids: set[int]) -> set[tuple[int, str, str]]:
    cp = m.ItemCopy
    found: set[tuple[int, str, str]] = set()
    for chunk in _chunks(item_ids):
        rows = session.execute(select(cp.item_id, cp.source_id, cp.url_key)
                               .where(cp.item_id.in_(chunk)))
        found.update((r.item_id, r.source_id, r.url_key) for r in rows)
    return found


def _tag_values(tags: t.Tags | None, now: datetime) -> dict:
    if tags is None:
        return {"relevant": None, "spam": False, "sentiment": None, "sentiment_score": None,
                "keywords": [], "tagger_version": None, "tagged_at": None,
                **{col: None for col in m.DECISION_EVIDENCE.values()}}
    return {"relevant": tags.relevant, "spam": tags.spam, "sentiment": tags.sentiment,
            "sentiment_score": tags.sentiment_score, "keywords": list(tags.keywords),
            "tagger_version": tags.version or None, "tagged_at": now,
            **{col: list(tags.evidence.get(key, ())) for key, col in m.DECISION_EVIDENCE.items()}}


def _tag_rows(item_id: int, tags: t.Tags | None) -> tuple[list[dict], list[dict]]:
    if tags is None:
        return [], []
    models = [{"item_id": item_id, "model": name, "evidence": list(tags.evidence.get(name, ()))}
              for name in dict.fromkeys(tags.models)]
    themes = [{"item_id": item_id, "theme": name, "evidence": list(tags.evidence.get(name, ()))}
              for name in dict.fromkeys(tags.themes)]
    return models, themes


def _insert_tag_rows(session: Session, models: list[dict], themes: list[dict]) -> None:
    for start in range(0, len(models), 5000):
        session.execute(insert(m.ItemModel), models[start:start + 5000])
    for start in range(0, len(themes), 5000):
        session.execute(insert(m.ItemTheme), themes[start:start + 5000])


def _item_row(i: t.ItemIntent, keys: t.DedupKeys, run_id: int, now: datetime,
              engagement: t.Engagement | None = None) -> dict:
    item = i.item
    return {
        "source_id": item.source_id, "guid": item.guid, "url": item.url,
        "title": item.title, "text": item.text, "lang": item.lang,
        "published_at": item.published_at, "date_is_fallback": item.date_is_fallback,
        "fetched_at": item.fetched_at, "author": item.author,
        "url_key": keys.url_key, "guid_key": keys.guid_key,
        "content_key": keys.content_key, "title_key": keys.title_key,
        "first_run_id": run_id, **_tag_values(i.tags, now),
        "kind": item.kind, "author_handle": item.author_handle, "parent_url": item.parent_url,
        "shared_url": item.shared_url, "full_text": item.full_text,
        **social.engagement_values(engagement or item.engagement, now),
        "cluster_id": None, "reach": 1, "first_seen_at": item.published_at,
        "fullwidth": textfold.has_wide(item.title) or textfold.has_wide(item.text),
    }


_OPTIONAL = ("author_handle", "parent_url", "shared_url", "points", "num_comments", "reposts",
             "likes", "views", "engagement_at", "cluster_id")


def _trim(rows: list[dict]) -> list[dict]:
    """Rows without the social columns none of them fills (articles): less to bind per row."""
    unused = [k for k in _OPTIONAL if all(r[k] is None for r in rows)]
    if unused:
        for r in rows:
            for k in unused:
                del r[k]
    return rows


def _own_keys(intent: t.ItemIntent) -> t.DedupKeys:
    """The keys a new item is stored under: spam keeps only its URL and GUID keys."""
    k = intent.keys
    if intent.tags is not None and intent.tags.spam:
        return t.DedupKeys(k.url_key, k.guid_key, None, None)
    return k


def store_intents(session: Session, run_id: int | None, source_id: str,
                  intents: Sequence[t.ItemIntent], now: datetime) -> StoreCounts:
    """Insert the intents that are new, with their tags; count and record the duplicates.

    `now` is the tagging time of new items and the time copies were seen. Raises IntegrityError
    only if another process stored the same item meanwhile (the caller rolls the source back).
    """
    if not intents:
        return StoreCounts()
    strangers = {i.item.source_id for i in intents} - {source_id}
    if strangers:
        raise ValueError(f"store_intents for {source_id!r} got items of {sorted(strangers)}")
    index = _load_known(session, intents)
    new: list[t.ItemIntent] = []
    dups: list[tuple[t.ItemIntent, _Known, str]] = []   # copies to record, before id resolution
    seen_again: list[tuple[int, t.Engagement]] = []     # stored posts re-seen: latest engagement
    latest: dict[int, t.Engagement] = {}                # new posts re-seen in this batch
    own: dict[int, t.ItemIntent] = {}                   # stored items re-served by their source
    duplicate = 0
    for intent in intents:
        keys, published = intent.keys, intent.item.published_at
        me = _Known(intent.item.source_id, new_index=len(new), text=intent.item.text,
                    title=intent.item.title, url_key=keys.url_key)
        hit = index.match(keys, published, me)
        if hit is not None and hit[1] == "guid" and hit[0].source_id == intent.item.source_id \
                and hit[0].url_key not in (None, keys.url_key) \
                and reused_guid(hit[0].url_key, hit[0].title, _stored_sig(session, hit[0]),
                                intent.item, me.sig()):
            # the source gave a GUID it used before to another story (another link and text):
            # not that entry again. It may be a later story under that GUID (stored without its
            # key) served again, moved or edited; else it is matched by its link, text and title
            # only (and stored without the GUID's key)
            later = _later_holder(session, hit[0], intent.item, me)
            if later is not None:
                hit = (later, "guid")
            else:
                keys = t.DedupKeys(keys.url_key, None, keys.content_key, keys.title_key)
                intent = replace(intent, keys=keys)
                hit = index.match(keys, published, me)
        if hit is not None and hit[1] == "content" and _boilerplate(hit[0], intent.item):
            # the text is the source's boilerplate, not this item's: matched and clustered by
            # its link, GUID and title only
            keys = t.DedupKeys(keys.url_key, keys.guid_key, None, keys.title_key)
            intent = replace(intent, keys=keys, signature=None)
            hit = index.match(keys, published, me)
        if hit is None:
            # A spam page (betting title over a copied article) is stored flagged, but it must never
            # become the "original" that captures the real story arriving later: it keeps only
            # its own URL/GUID keys.
            index.add(_own_keys(intent), published, me)
            new.append(intent)
            continue
        known, reason = hit
        duplicate += 1
        if reason in ("url", "guid") and not known.via_copy and intent.item.engagement:
            # the same post seen again: its engagement moves on (a copy's never touches it)
            if known.item_id is not None:
                seen_again.append((known.item_id, intent.item.engagement))
            elif known.new_index is not None:
                latest[known.new_index] = intent.item.engagement
        plain = known.via_copy or (known.source_id == intent.item.source_id
                                   and reason in ("url", "guid"))
        if plain and not known.via_copy and known.item_id is not None:
            own.setdefault(known.item_id, intent)     # maybe an edit: compared with what is stored
        if not plain:
            dups.append((intent, known, reason))
        # Later repeats of this copy in the batch (same URL or GUID) are plain duplicates.
        repeat = _Known(intent.item.source_id, known.item_id, known.new_index, via_copy=True)
        index.add(t.DedupKeys(keys.url_key, keys.guid_key, None, None), published, repeat)

    new_ids: list[int] = []
    if new:
        rows = _trim([_item_row(i, _own_keys(i), run_id, now, latest.get(n)) for n, i in enumerate(new)])
        new_ids = _insert_items(session, rows)
        models: list[dict] = []
        themes: list[dict] = []
        for item_id, intent in zip(new_ids, new):
            mr, tr = _tag_rows(item_id, intent.tags)
            models += mr
            themes += tr
        _insert_tag_rows(session, models, themes)

    taken = {_own_keys(i).content_key for i in new} - {None}
    updated = edits.apply(session, own, taken, now)
    copies, copied_ids = _record_copies(session, run_id, dups, new_ids, now)
    refreshed = social.refresh_engagement(session, seen_again, now)
    members = [clusters.NewMember(item_id, i.signature, i.item.published_at, i.item.date_is_fallback,
                                  i.item.kind, frozenset(i.tags.models) if i.tags else frozenset())
               for item_id, i in zip(new_ids, new)
               if i.signature is not None and not (i.tags is not None and i.tags.spam)]
    changed, clustered = clusters.assign(session, members)
    changed |= clusters.roots_of(session, copied_ids)
    clusters.refresh_reach(session, changed)
    return StoreCounts(new=len(new), duplicate=duplicate - updated, copies=copies,
                       refreshed=refreshed, clustered=clustered, updated=updated)


def _insert_items(session: Session, rows: list[dict]) -> list[int]:
    """Bulk insert; returns the new ids in the order of `rows`.

    PostgreSQL: ids come from the sequence up front. SQLite: RETURNING order is not guaranteed
    for a multi-row insert (and asking SQLAlchemy to sort it makes SQLite insert row by row), so
    ids are matched back by key: after dedup, no two new rows share a url, guid or content key.
    The rare row with none of those is inserted on its own.
    """
    it = m.Item
    if session.get_bind().dialect.name == "postgresql":
        # Take the ids from the sequence first: a plain executemany is twice as fast as RETURNING.
        ids = list(session.scalars(text(
            "SELECT nextval(pg_get_serial_sequence('items', 'id')) FROM generate_series(1, :n)"),
            {"n": len(rows)}))
        for row, item_id in zip(rows, ids):
            row["id"] = item_id
        for start in range(0, len(rows), 5000):
            session.execute(insert(it), rows[start:start + 5000])
        return ids
    ids = [0] * len(rows)
    by_keys: dict[tuple, int] = {}
    alone: list[int] = []
    for pos, row in enumerate(rows):
        keys = (row["url_key"], row["guid_key"], row["content_key"])
        if keys == (None, None, None):
            alone.append(pos)
        else:
            by_keys[keys] = pos
    stmt = insert(it).returning(it.id, it.url_key, it.guid_key, it.content_key)
    batch = [rows[pos] for pos in by_keys.values()]
    for start in range(0, len(batch), 5000):
        for r in session.execute(stmt, batch[start:start + 5000]):
            ids[by_keys[(r.url_key, r.guid_key, r.content_key)]] = r.id
    for pos in alone:
        ids[pos] = session.execute(insert(it).values(**rows[pos]).returning(it.id)).scalar_one()
    return ids


def _record_copies(session: Session, run_id: int | None,
                   dups: list[tuple[t.ItemIntent, _Known, str]], new_ids: list[int],
                   now: datetime) -> tuple[int, set[int]]:
    """Record new copies; returns how many and the ids of the items they are copies of."""
    if not dups:
        return 0, set()
    resolved = [(i, known.item_id if known.item_id is not None else new_ids[known.new_index], r)
                for i, known, r in dups]
    taken = _existing_copies(session, {item_id for _, item_id, _ in resolved})
    rows = []
    for intent, item_id, reason in resolved:
        key = (item_id, intent.item.source_id, intent.keys.url_key or "")
        if key in taken:
            continue
        taken.add(key)
        rows.append({"item_id": item_id, "source_id": intent.item.source_id,
                     "url": intent.item.url, "url_key": key[2], "guid_key": intent.keys.guid_key,
                     "title": intent.item.title, "reason": reason, "seen_at": now,
                     "run_id": run_id})
    if rows:
        session.execute(insert(m.ItemCopy), rows)
    return len(rows), {r["item_id"] for r in rows}


# --- retagging ---------------------------------------------------------------------------------

def refresh_rollups(session: Session, zones: Iterable[str] = ()) -> None:
    """Bring the read-side rollups up to date: every zone already built, plus `zones`."""
    from db import rollups

    for tz in sorted(set(rollups.zones(session)) | set(zones)):
        rollups.refresh(session, tz)


def replace_tag_rows(session: Session, tagged: Sequence[tuple[int, t.Tags]]) -> None:
    """The model and theme rows (with their evidence) of these items: the old ones out, the
    tags' in."""
    ids = [item_id for item_id, _ in tagged]
    for chunk in range(0, len(ids), CHUNK):
        part = ids[chunk:chunk + CHUNK]
        session.execute(delete(m.ItemModel).where(m.ItemModel.item_id.in_(part)))
        session.execute(delete(m.ItemTheme).where(m.ItemTheme.item_id.in_(part)))
    models: list[dict] = []
    themes: list[dict] = []
    for item_id, tags in tagged:
        mr, tr = _tag_rows(item_id, tags)
        models += mr
        themes += tr
    _insert_tag_rows(session, models, themes)


def update_tags(session: Session, item_id: int, tags: t.Tags, now: datetime) -> None:
    """Replace one item's tags; see update_tags_many."""
    update_tags_many(session, [(item_id, tags)], now)


def update_tags_many(session: Session, tagged: Sequence[tuple[int, t.Tags]], now: datetime) -> None:
    """Replace items' tags (columns, models, themes) and the video models their clustering
    signatures carry (later items are matched against them), a few statements per batch; an
    item that is spam now leaves the story index and its story (db.clusters.detach). The
    rollups counted the old tags, so they are dropped (`refresh_rollups` rebuilds them).
    LookupError names an id that is not stored."""
    from db import rollups

    if not tagged:
        return
    ids = [item_id for item_id, _ in tagged]
    known = set()
    for chunk in range(0, len(ids), 900):
        known.update(session.scalars(select(m.Item.id).where(m.Item.id.in_(ids[chunk:chunk + 900]))))
    missing = [i for i in ids if i not in known]
    if missing:
        raise LookupError(f"unknown item {missing[0]}")
    rollups.invalidate(session)
    items, sigs = m.Item.__table__, m.ItemSignature.__table__
    session.execute(update(items).where(items.c.id == bindparam("item_id")),
                    [{"item_id": item_id, **_tag_values(tags, now)} for item_id, tags in tagged])
    replace_tag_rows(session, tagged)
    session.execute(update(sigs).where(sigs.c.item_id == bindparam("sig_item")),
                    [{"sig_item": item_id, "models": ",".join(sorted(set(tags.models)))}
                     for item_id, tags in tagged])
    spam = [item_id for item_id, tags in tagged if tags.spam]
    if spam:                   # spam is never clustered: out of the story index and its story
        clusters.detach(session, spam)


def count_items_for_retag(session: Session, since: datetime | None = None) -> int:
    """How many items iter_items_for_retag yields: every item (a story's members too)."""
    stmt = select(func.count()).select_from(m.Item)
    if since is not None:
        stmt = stmt.where(m.Item.published_at >= since)
    return session.scalar(stmt) or 0


def iter_items_for_retag(session: Session, since: datetime | None = None,
                         batch: int = 500) -> Iterator[list[tuple[int, str, str, str]]]:
    """Batches of (id, title, text, lang), by id, for items published at or after `since`.

    Keyset pagination: the caller may update and commit between batches.
    """
    it = m.Item
    last_id = 0
    while True:
        stmt = select(it.id, it.title, it.text, it.lang).where(it.id > last_id)
        if since is not None:
            stmt = stmt.where(it.published_at >= since)
        rows = [tuple(r) for r in session.execute(stmt.order_by(it.id).limit(batch))]
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]
