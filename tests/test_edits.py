"""A source's edits of its own entries (db.edits) through the real pipeline: a loopback feed whose
entry changes between two runs, on SQLite and PostgreSQL."""
from __future__ import annotations


from dataclasses import replace

from sqlalchemy import event, select

from db import engine as dbe
from db import models as m
from db import rollups
from db.filters import ItemFilter
from db.trends import _counts_from_items
from ingest.dedup import keys_for
from ingest.fetch import FetchSettings
from ingest.pipeline import run_ingest
from ingest.types import Source
from tests.factories import make_item
from tests.support import rss
from tests.support.scripted_server import Reply, scripted_server

FAST = FetchSettings(timeout_s=5, retries=0, backoff_base_s=0.0, max_concurrency=4, workers=0)

BODY = ("Kuaishou opened Kling 2.1 to every creator on Tuesday, with 1080p output and clips of up "
        "to ten seconds. The AI video generation model now renders faces and hands with fewer "
        "glitches, the company said, and the monthly membership price stays the same. Early users "
        "on the app posted short films of dancers, street scenes and product shots made from a "
        "single prompt or a still photo, and studios said they would test it for storyboards.")
TITLE = "Kling 2.1 opens to every creator with 1080p AI video"
FIXED_TITLE = "Kling 2.1 and Veo 3 open to every creator with 1080p AI video"
ADDED = (" Update: Google also opened Veo 3 to the same creators, so the two video models now "
         "compete head to head on price and length.")
OTHER = ("Runway Gen-4 arrives", "Runway released Gen-4, an AI video model that keeps characters "
         "consistent across shots, to paying subscribers this week, with an API for studios.")


_entry, _feed = rss.entry, rss.feed


WIRE_V1 = _feed(_entry("w-1", "https://wire.example/kling", TITLE, BODY, "Tue, 10 Jun 2025 08:00:00 GMT"),
                _entry("w-2", "https://wire.example/runway", *OTHER, "Tue, 10 Jun 2025 09:00:00 GMT"))
# The same GUID and link: a corrected headline and an extended text.
WIRE_V2 = WIRE_V1.replace(TITLE, FIXED_TITLE).replace(BODY, BODY + ADDED)
# Another outlet's edited republication (a near-duplicate: a member of the wire's story) ...
MIRROR = _feed(_entry("m-1", "https://mirror.example/1", "Creators line up as Kling 2.1 goes public",
                      "(Wire) - " + BODY.rsplit(" Early users", 1)[0], "Tue, 10 Jun 2025 12:00:00 GMT"))
# ... and an exact copy whose own title later changes: a copy never changes the original.
COPY_V1 = _feed(_entry("c-1", "https://copy.example/1", "Copied: " + TITLE, BODY,
                       "Tue, 10 Jun 2025 13:00:00 GMT"))
COPY_V2 = COPY_V1.replace("Copied: ", "Copied again, retitled: ")


def _sources(srv) -> list[Source]:
    return [Source(id=i, name=i, kind="rss", url=srv.url(f"/{i}.xml"), lang="en", topical=True)
            for i in ("wire", "mirror", "copy")]


def _serve(srv, wire: str, copy: str) -> None:
    for path, body in (("/wire.xml", wire), ("/mirror.xml", MIRROR), ("/copy.xml", copy)):
        srv.route(path, Reply(200, body=body, content_type="application/rss+xml"))


def _item_writes(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("UPDATE ITEMS", "DELETE FROM ITEM", "INSERT INTO ITEM")):
            seen.append(statement)
    return seen


def _ingest_twice(db_url, first: str, second: str | None = None, *, between=None):
    """Ingest with `first` as the wire feed, call `between(sf)`, then ingest again (forced) with
    `second` (default: the same feed): (session factory, item writes of the second run, its
    results)."""
    engine = dbe.ensure_schema(db_url)
    sf = dbe.session_factory(engine)
    with scripted_server() as srv:
        _serve(srv, first, COPY_V1)
        run_ingest(sf, _sources(srv), settings=FAST, rollup_zones=("UTC",))
        if between is not None:
            between(sf)
        writes = _item_writes(engine)
        if second is not None:
            _serve(srv, second, COPY_V1)
        again = run_ingest(sf, _sources(srv), settings=FAST, force=True)
    return sf, writes, again.results


def test_an_edited_entry_updates_its_item_and_all_that_follows_from_it(db_url):
    engine = dbe.ensure_schema(db_url)
    sf = dbe.session_factory(engine)
    with scripted_server() as srv:
        _serve(srv, WIRE_V1, COPY_V1)
        first = run_ingest(sf, _sources(srv), settings=FAST, rollup_zones=("UTC",))
        assert {r.source_id: (r.new, r.updated, r.duplicate) for r in first.results} == \
            {"wire": (2, 0, 0), "mirror": (1, 0, 0), "copy": (0, 0, 1)}
        with sf() as s:
            before = s.execute(select(m.Item.id, m.Item.published_at, m.Item.first_run_id, m.Item.fetched_at)
                               .where(m.Item.guid == "w-1")).one()
            other_tagged = s.scalar(select(m.Item.tagged_at).where(m.Item.guid == "w-2"))
            mirror_id = s.scalar(select(m.Item.id).where(m.Item.guid == "m-1"))
            assert s.scalar(select(m.Item.cluster_id).where(m.Item.id == mirror_id)) == before.id
            assert {r for r in s.scalars(select(m.ItemModel.model).where(m.ItemModel.item_id == before.id))} \
                == {"kling"}

        _serve(srv, WIRE_V2, COPY_V2)
        second = run_ingest(sf, _sources(srv), settings=FAST, force=True)
        assert {r.source_id: (r.new, r.updated, r.duplicate) for r in second.results} == \
            {"wire": (0, 1, 1), "mirror": (0, 0, 1), "copy": (0, 0, 1)}
    with sf() as s:   # the run records keep the count too, and still add up
        run = s.get(m.IngestRun, second.run_id)
        assert (run.fetched, run.new, run.updated, run.duplicate) == (4, 0, 1, 3)
        wire = s.scalars(select(m.RunSource).where(m.RunSource.run_id == second.run_id,
                                                   m.RunSource.source_id == "wire")).one()
        assert (wire.fetched, wire.new, wire.updated, wire.duplicate) == (2, 0, 1, 1)

    with sf() as s:
        item = s.scalars(select(m.Item).where(m.Item.guid == "w-1")).one()
        # the same item, first seen and published when it was; the new version and its tags
        assert (item.id, item.published_at, item.first_run_id, item.fetched_at) == tuple(before)
        assert (item.title, item.text) == (FIXED_TITLE, BODY + ADDED)
        models = {r.model: r.evidence for r in s.scalars(select(m.ItemModel).where(m.ItemModel.item_id == item.id))}
        assert set(models) == {"kling", "veo"} and models["veo"]
        assert item.tagger_version and item.relevance_evidence is not None
        # the unchanged entry was not written again
        assert s.scalar(select(m.Item.tagged_at).where(m.Item.guid == "w-2")) == other_tagged
        # still heading its story: the other outlet's republication stays its member
        assert (item.cluster_id, item.reach) == (None, 3)
        assert s.scalar(select(m.Item.cluster_id).where(m.Item.id == mirror_id)) == item.id
        assert s.scalar(select(m.ItemSignature.models).where(m.ItemSignature.item_id == item.id)) == "kling,veo"
        # the copy is still a recorded copy; its new title never reached the original
        (cp,) = s.scalars(select(m.ItemCopy)).all()
        assert (cp.item_id, cp.source_id) == (item.id, "copy")
        assert s.scalar(select(m.Item.id).where(m.Item.source_id == "copy")) is None
        # the rollups moved with it: the same counts as counted from the items
        for by in (("model",), ("theme",), ("lang", "sentiment"), ("model", "theme")):
            got = rollups.try_counts(s, ItemFilter(), by, "day", "UTC")
            assert got is not None
            key = lambda rows: sorted(tuple(sorted(r.items())) for r in rows)
            assert key(got) == key(_counts_from_items(s, ItemFilter(), by, "day", "UTC")), by
        assert sum(r["count"] for r in rollups.try_counts(s, ItemFilter(model=("veo",)), (), None, "UTC")) == 1


def test_an_unchanged_refetch_writes_nothing(db_url):
    _, writes, results = _ingest_twice(db_url, WIRE_V2)
    assert sum(r.updated for r in results) == 0 and sum(r.new for r in results) == 0
    assert writes == []


def test_an_edit_that_is_spam_now_leaves_its_story_and_the_next_item_heads_it(db_url):
    engine = dbe.ensure_schema(db_url)
    sf = dbe.session_factory(engine)
    spam_title = "鑫发体育手机版网页登录-官网入口"
    with scripted_server() as srv:
        _serve(srv, WIRE_V1, COPY_V1)
        run_ingest(sf, _sources(srv), settings=FAST, rollup_zones=("UTC",))
        _serve(srv, WIRE_V1.replace(TITLE, spam_title), COPY_V1)
        second = run_ingest(sf, _sources(srv), settings=FAST, force=True)
    assert {r.source_id: r.updated for r in second.results}["wire"] == 1
    with sf() as s:
        item = s.scalars(select(m.Item).where(m.Item.guid == "w-1")).one()
        assert (item.title, item.spam, item.content_key, item.title_key) == (spam_title, True, None, None)
        heir = s.scalars(select(m.Item).where(m.Item.guid == "m-1")).one()
        assert (item.cluster_id, heir.cluster_id, heir.reach) == (None, None, 1)
        assert s.scalar(select(m.ItemSignature.item_id).where(m.ItemSignature.item_id == item.id)) is None
        for by in (("model",), ("category", "spam")):
            flt = ItemFilter(include_spam=True)
            key = lambda rows: sorted(tuple(sorted(r.items())) for r in rows)
            assert key(rollups.try_counts(s, flt, by, "day", "UTC")) == \
                key(_counts_from_items(s, flt, by, "day", "UTC")), by


def test_a_guid_the_source_reuses_for_another_story_gives_a_new_item(db_url):
    """Some CMSs hand out GUIDs again (a counter reset, a template's fixed id): a later entry
    under a stored GUID with another link and an unrelated title is a new story, not an edit of
    the old one nor its duplicate."""
    engine = dbe.ensure_schema(db_url)
    sf = dbe.session_factory(engine)
    pika = ("Pika adds sound effects to its AI video app", "Pika Labs added generated sound effects "
            "and lip sync to its AI video app on Wednesday, free for subscribers of the Pro plan.")
    reused = _feed(_entry("w-1", "https://wire.example/pika", *pika, "Wed, 11 Jun 2025 09:00:00 GMT"))
    corrected = WIRE_V1.replace(TITLE, FIXED_TITLE)
    with scripted_server() as srv:
        _serve(srv, WIRE_V1, COPY_V1)
        run_ingest(sf, _sources(srv)[:1], settings=FAST)
        _serve(srv, reused, COPY_V1)
        [second] = run_ingest(sf, _sources(srv)[:1], settings=FAST, force=True).results
        _serve(srv, corrected, COPY_V1)     # the old story's own edit is still an edit
        [third] = run_ingest(sf, _sources(srv)[:1], settings=FAST, force=True).results
    assert (second.new, second.updated, second.duplicate) == (1, 0, 0)
    assert (third.new, third.updated) == (0, 1)
    with sf() as s:
        rows = {i.url: i for i in s.scalars(select(m.Item).where(m.Item.source_id == "wire"))}
        assert rows["https://wire.example/kling"].title == FIXED_TITLE
        assert rows["https://wire.example/kling"].text == BODY
        assert rows["https://wire.example/pika"].title == pika[0]
        assert s.scalars(select(m.ItemCopy)).all() == []


def test_a_daily_column_under_one_fixed_guid_is_a_new_item_each_day(db_url):
    """A column republished daily under one GUID, with the same headline but a new link and a new
    text, is a new story each day; a moved entry (new link and headline, the same text) is still
    an edit."""
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    title = "AI video daily: what Kling, Sora and Veo creators made today"
    day1 = _feed(_entry("daily", "https://wire.example/daily/1", title, BODY, "Tue, 10 Jun 2025 08:00:00 GMT"))
    day2 = _feed(_entry("daily", "https://wire.example/daily/2", title, OTHER[1] + " Sora and Veo "
                        "clips of street scenes filled the feeds of creators all day long.",
                        "Wed, 11 Jun 2025 08:00:00 GMT"))
    moved = day1.replace("https://wire.example/daily/1", "https://wire.example/daily/1-kling") \
        .replace(title, TITLE)                          # day 1's entry, moved and retitled
    with scripted_server() as srv:
        runs = []
        for body in (day1, day2, moved):
            _serve(srv, body, COPY_V1)
            runs += run_ingest(sf, _sources(srv)[:1], settings=FAST, force=True).results
    assert [(r.new, r.updated) for r in runs] == [(1, 0), (1, 0), (0, 1)]
    with sf() as s:
        rows = {i.url: i.title for i in s.scalars(select(m.Item))}
    assert rows == {"https://wire.example/daily/1": TITLE, "https://wire.example/daily/2": title}


def test_the_newest_story_under_a_reused_guid_is_edited_through_it(db_url):
    """A GUID handed out again names the newest story too: that story served again under the
    GUID with a new link, a corrected headline and an extended text is an edit of it (not a copy
    of it from its own source, nor a new story); the first story's own edits still are too."""
    sf = dbe.session_factory(dbe.ensure_schema(db_url))
    title = "AI video daily: what Kling, Sora and Veo creators made today"
    day2_text = OTHER[1] + " Sora and Veo clips of street scenes filled the feeds of creators all day long."
    day1 = _feed(_entry("daily", "https://wire.example/daily/1", title, BODY, "Tue, 10 Jun 2025 08:00:00 GMT"))
    day2 = _feed(_entry("daily", "https://wire.example/daily/2", title, day2_text,
                        "Wed, 11 Jun 2025 08:00:00 GMT"))
    fixed = "AI video daily: Runway Gen-4 leads what creators made today"
    day2_moved = _feed(_entry("daily", "https://wire.example/daily/2-runway", fixed, day2_text + ADDED,
                              "Wed, 11 Jun 2025 08:00:00 GMT"))
    day1_moved = day1.replace("https://wire.example/daily/1", "https://wire.example/daily/1-kling") \
        .replace(title, TITLE)
    with scripted_server() as srv:
        runs = []
        for body in (day1, day2, day2_moved, day1_moved):
            _serve(srv, body, COPY_V1)
            runs += run_ingest(sf, _sources(srv)[:1], settings=FAST, force=True).results
    assert [(r.new, r.updated, r.duplicate) for r in runs] == [(1, 0, 0), (1, 0, 0), (0, 1, 0), (0, 1, 0)]
    with sf() as s:
        rows = {i.url: (i.title, i.text) for i in s.scalars(select(m.Item))}
        assert s.scalars(select(m.ItemCopy)).all() == []
    assert rows == {"https://wire.example/daily/1": (TITLE, BODY),
                    "https://wire.example/daily/2": (fixed, day2_text + ADDED)}


def test_an_entry_served_again_without_its_text_keeps_the_stored_text(db_url):
    """A feed that drops an entry's summary (a CMS glitch, a feed cut to headlines) says nothing new
    about it: the stored text and its tags stay, nothing is written, and it is not an edit."""
    stored = []

    def before_refetch(sf):
        with sf() as s:
            stored.append(s.execute(select(m.Item.text, m.Item.tagged_at).where(m.Item.guid == "w-1")).one())

    sf, writes, results = _ingest_twice(db_url, WIRE_V1, WIRE_V1.replace(BODY, ""), between=before_refetch)
    before = stored[0]
    assert before.text == BODY
    assert {r.source_id: (r.new, r.updated) for r in results}["wire"] == (0, 0)
    assert writes == []
    with sf() as s:
        after = s.execute(select(m.Item.text, m.Item.tagged_at).where(m.Item.guid == "w-1")).one()
        assert tuple(after) == tuple(before)
        models = set(s.scalars(select(m.ItemModel.model).join(m.Item).where(m.Item.guid == "w-1")))
        assert models == {"kling"}


def test_an_entry_served_again_without_its_title_keeps_the_stored_headline(db_url):
    """The same entry and text with its <title> gone: the first sentence would stand in for the
    headline (as for a post that never had one) and replace the real one; nothing is new."""
    sf, writes, results = _ingest_twice(db_url, WIRE_V1,
                                        WIRE_V1.replace(f"<title>{TITLE}</title>", "<title></title>"))
    assert {r.source_id: (r.new, r.updated) for r in results}["wire"] == (0, 0)
    assert writes == []
    with sf() as s:
        assert s.scalar(select(m.Item.title).where(m.Item.guid == "w-1")) == TITLE


PIKA_TITLE = "Pika adds sound effects and lip sync to its AI video app"
PIKA = ("Pika Labs added generated sound effects and lip sync to its AI video app on Wednesday, "
        "free for subscribers of the Pro plan. The startup said a clip's soundtrack now follows "
        "what happens on screen: footsteps, rain, a door closing, crowd noise at a concert. Users "
        "can also upload a voice recording and have a generated character mouth the words, which "
        "Pika says works best in English and Spanish, and the company plans an API for agencies.")


def _stories(s) -> dict[str, tuple[str | None, int | None]]:
    """guid -> (the guid of its story's canonical item or None, reach)."""
    rows = s.execute(select(m.Item.id, m.Item.guid, m.Item.cluster_id, m.Item.reach)).all()
    guid = {r.id: r.guid for r in rows}
    return {r.guid: (guid.get(r.cluster_id), r.reach) for r in rows}


def _counted_as_read(s) -> None:
    key = lambda rows: sorted(tuple(sorted(r.items())) for r in rows)
    for by in (("model",), ("lang", "sentiment")):
        assert key(rollups.try_counts(s, ItemFilter(), by, "day", "UTC")) == \
            key(_counts_from_items(s, ItemFilter(), by, "day", "UTC")), by


def test_a_member_rewritten_into_another_story_leaves_its_story(db_url):
    """The mirror's page (a member of the wire's Kling story) is corrected (it stays), then
    rewritten at the same link into a story about Pika: it leaves the Kling story (whose reach
    drops back to 2: the wire and its exact copy) and is a story of its own, with its new tags and
    keys, counted once."""
    kept = "(Wire) - " + BODY.rsplit(" Early users", 1)[0]
    corrected = MIRROR.replace(kept, kept.replace("Tuesday", "Tuesday morning").replace("ten", "10"))
    mirror_v2 = MIRROR.replace("Creators line up as Kling 2.1 goes public", PIKA_TITLE).replace(kept, PIKA)
    engine = dbe.ensure_schema(db_url)
    sf = dbe.session_factory(engine)
    with scripted_server() as srv:
        _serve(srv, WIRE_V1, COPY_V1)
        run_ingest(sf, _sources(srv), settings=FAST, rollup_zones=("UTC",))
        with sf() as s:
            assert _stories(s)["m-1"] == ("w-1", None) and _stories(s)["w-1"] == (None, 3)
        updated = []
        for body in (corrected, mirror_v2):
            srv.route("/mirror.xml", Reply(200, body=body, content_type="application/rss+xml"))
            updated += [r.updated for r in run_ingest(sf, _sources(srv)[1:2], settings=FAST, force=True).results]
            if body is corrected:
                with sf() as s:
                    assert _stories(s)["m-1"] == ("w-1", None) and _stories(s)["w-1"] == (None, 3)
    assert updated == [1, 1]
    with sf() as s:
        stories = _stories(s)
        assert stories["m-1"] == (None, 1) and stories["w-1"] == (None, 2)
        item = s.scalars(select(m.Item).where(m.Item.guid == "m-1")).one()
        new_keys = keys_for(replace(make_item(), title=PIKA_TITLE, text=PIKA))
        assert (item.content_key, item.title_key) == (new_keys.content_key, new_keys.title_key)
        assert set(s.scalars(select(m.ItemModel.model).where(m.ItemModel.item_id == item.id))) == {"pika"}
        _counted_as_read(s)


def test_a_canonical_item_rewritten_into_another_story_hands_its_story_on(db_url):
    """The wire's own page, heading the Kling story, is rewritten at the same link into the Pika
    story: the Kling story goes on under the mirror's republication (the next by rank), which
    takes the wire's recorded exact copy (a copy of the Kling text: reach 2), and the wire's item
    is a story of its own (reach 1, not counting that copy)."""
    wire_v2 = WIRE_V1.replace(TITLE, PIKA_TITLE).replace(BODY, PIKA)
    engine = dbe.ensure_schema(db_url)
    sf = dbe.session_factory(engine)
    with scripted_server() as srv:
        _serve(srv, WIRE_V1, COPY_V1)
        run_ingest(sf, _sources(srv), settings=FAST, rollup_zones=("UTC",))
        _serve(srv, wire_v2, COPY_V1)
        second = run_ingest(sf, _sources(srv)[:1], settings=FAST, force=True)
    assert [(r.new, r.updated) for r in second.results] == [(0, 1)]
    with sf() as s:
        stories = _stories(s)
        assert stories["m-1"] == (None, 2) and stories["w-1"] == (None, 1)
        (cp,) = s.scalars(select(m.ItemCopy)).all()
        assert (s.get(m.Item, cp.item_id).guid, cp.source_id) == ("m-1", "copy")
        _counted_as_read(s)


def test_an_edit_to_full_width_letters_is_still_found_by_an_ascii_search(db_url):
    # items.fullwidth follows the stored text: an entry re-served with "Ｋｌｉｎｇ" (full-width)
    # in its headline is found by "kling 2.1" on SQLite too, where LIKE alone misses it.
    from db import queries

    wide = TITLE.replace("Kling", "Ｋｌｉｎｇ") + " 独家"
    sf, _, results = _ingest_twice(db_url, WIRE_V1, WIRE_V1.replace(TITLE, wide).replace(BODY, BODY.replace("Kling", "Ｋｌｉｎｇ")))
    assert {r.source_id: r.updated for r in results}["wire"] == 1
    with sf() as s:
        item = s.scalars(select(m.Item).where(m.Item.guid == "w-1")).one()
        assert item.title == wide and item.fullwidth
        assert not s.scalar(select(m.Item.fullwidth).where(m.Item.guid == "w-2"))
        found = {r["title"] for r in queries.items(s, ItemFilter(q="kling 2.1"), limit=10)}
    assert wide in found
