"""The read side counts stories, not cluster members, on both paths (items and rollups), and a
cluster re-pointed to an earlier copy keeps the rollups exact."""
from __future__ import annotations

from db import queries, rollups, store
from db.filters import ItemFilter
from db.trends import _counts_from_items
from tests.factories import T0
from tests.test_cluster import ZH, ZH_COPY, ZH_OTHER
from tests.test_clusters import intent, rows, setup

TZ = "Asia/Shanghai"


def both_paths(session, by=(), bucket="day"):
    flt = ItemFilter()
    built = rollups.try_counts(session, flt, by, bucket, TZ)
    assert built is not None, "the rollup should answer this request"
    return built, _counts_from_items(session, flt, by, bucket, TZ)


def test_a_cluster_counts_as_one_story_with_its_copies_listed(session):
    setup(session)
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH)], T0)
    store.store_intents(session, None, "portal", [intent(3, "portal", "可灵新模型上线：最长两分钟", ZH_COPY, hours=2),
                                              intent(5, "portal", "即梦上线Seedance", ZH_OTHER, hours=1,
                                                     models=("jimeng",))], T0)
    session.commit()
    r = rows(session)
    canonical, member = r["wire:guid-1"], r["portal:guid-3"]
    assert member.cluster_id == canonical.id
    assert queries.count_items(session) == 2
    assert {row["id"] for row in queries.items(session)} == {canonical.id, r["portal:guid-5"].id}
    assert queries.count_items(session, ItemFilter(include_copies=True)) == 3
    detail = queries.item_detail(session, canonical.id)
    assert [(c["source_id"], c["reason"]) for c in detail["copies"]] == [("portal", "near-duplicate")]
    (row,) = [x for x in queries.items(session) if x["id"] == canonical.id]
    assert row["copies"] == 1 and row["reach"] == 2
    assert sum(c["count"] for c in queries.counts(session, by=("model",)) if c["model"] == "kling") == 1


def test_rollups_stay_exact_when_an_earlier_copy_takes_over_the_cluster(session):
    setup(session)
    # the portal's copy arrives first and is the story; rollups are built with it
    store.store_intents(session, None, "portal", [intent(3, "portal", "可灵新模型上线", ZH_COPY, hours=5)], T0)
    session.commit()
    store.refresh_rollups(session, [TZ])
    session.commit()
    built, raw = both_paths(session, by=("model", "lang"))
    assert built == raw and sum(c["count"] for c in built) == 1
    # the wire's original, published earlier, arrives: it becomes the canonical item and the
    # portal's item a member -- before and after the next refresh, both paths agree
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH, hours=1)], T0)
    session.commit()
    assert not rollups.is_current(session, TZ)
    store.refresh_rollups(session, [TZ])
    session.commit()
    for by in ((), ("model",), ("lang", "sentiment"), ("source",), ("theme", "model")):
        built, raw = both_paths(session, by=by)
        assert built == raw, by
    r = rows(session)
    assert r["portal:guid-3"].cluster_id == r["wire:guid-1"].id
    assert [c["source"] for c in queries.counts(session, by=("source",))] == ["wire"]
