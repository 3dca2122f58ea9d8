"""db.recluster and `aigcwatch recluster`: stories formed before are filed again, in publication
order, with the current rules; the canonical item rule holds; a second run changes nothing; on
SQLite and PostgreSQL."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from aigcwatch.cli import main
from db import models as m
from db import recluster, rollups, store
from db.filters import ItemFilter
from db.trends import _counts_from_items
from tests.factories import T0
from tests.test_cluster import EN, EN_COPY, EN_QUOTE, ZH, ZH_COPY, ZH_OTHER
from tests.test_clusters import intent, setup
from tests.test_openings import old_archive  # noqa: F401 - the fixture


def _state(s) -> dict[str, tuple]:
    """source:guid -> (its story's canonical source:guid or None, reach, first_seen_at)."""
    items = s.scalars(select(m.Item)).all()
    name = {i.id: f"{i.source_id}:{i.guid}" for i in items}
    return {name[i.id]: (name.get(i.cluster_id), i.reach, i.first_seen_at) for i in items}


def test_a_summary_stored_before_reindex_joins_its_article_once_reclustered(old_archive, monkeypatch):
    """An aggregator's summary stored while its article had no opening key stays a story of its
    own after `aigcwatch reindex` (stories formed before are left as they are); `aigcwatch
    recluster` makes it the article's member, and run again changes nothing."""
    url, sf = old_archive
    with sf() as s:
        store.store_intents(s, None, "aggregator", [
            intent(3, "aggregator", "Google's video model learns to talk", " ".join(EN.split()[:32]) + "...",
                   hours=1, models=("veo",))], T0)
        s.commit()
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", url)
    filled = CliRunner().invoke(main, ["reindex"])
    assert "`aigcwatch recluster` files them again" in filled.output
    with sf() as s:
        assert _state(s)["aggregator:guid-3"][0] is None
    result = CliRunner().invoke(main, ["recluster"])
    assert result.exit_code == 0, result.output
    assert "reclustered 3 items: 1 in stories of others; 3 stories before, 2 now" in result.output
    with sf() as s:
        once = _state(s)
        assert once["aggregator:guid-3"][0] == "wire:guid-2" and once["wire:guid-2"][1] == 2
    again = CliRunner().invoke(main, ["recluster"])
    assert again.exit_code == 0 and "2 stories before, 2 now" in again.output
    with sf() as s:
        assert _state(s) == once


def test_stories_filed_in_publication_order_stay_as_they_are_and_the_rollups_follow(session):
    """An archive ingested in order is what a recluster gives: nothing moves (other stories,
    another model's story, a story quoting one sentence stay apart), and the rollups rebuilt
    from it count the stories as the items do."""
    setup(session)
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH),
                                                intent(2, "wire", "Veo 3 adds sound", EN, models=("veo",))], T0)
    store.store_intents(session, None, "portal", [
        intent(3, "portal", "可灵新模型上线：最长两分钟", ZH_COPY, hours=2),
        intent(4, "portal", "Google's Veo 3 now makes sound", EN_COPY, hours=3, models=("veo",)),
        intent(5, "portal", "即梦上线Seedance", ZH_OTHER, hours=1, models=("jimeng",))], T0)
    store.store_intents(session, None, "digest", [
        intent(6, "digest", "Creators react to Veo 3", EN_QUOTE, hours=4, models=("veo",))], T0)
    session.commit()
    rollups.refresh(session, "UTC")
    session.commit()
    before = _state(session)
    assert sum(v[0] is not None for v in before.values()) == 2
    recluster.run(session)
    store.refresh_rollups(session, ["UTC"])
    session.commit()
    assert _state(session) == before
    key = lambda rows: sorted(tuple(sorted(r.items())) for r in rows)
    for by in (("model",), ("lang",)):
        assert key(rollups.try_counts(session, ItemFilter(), by, "day", "UTC")) == \
            key(_counts_from_items(session, ItemFilter(), by, "day", "UTC"))
