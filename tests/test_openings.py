"""db.openings and `aigcwatch reindex`: an archive indexed before opening keys (migration 0009
marks its items) gets them in chunks, resumably and once, after which a later truncated summary
joins its older article's story; on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import delete, func, select

from aigcwatch.cli import main
from db import engine as dbe
from db import models as m
from db import openings, store
from ingest import cluster
from tests.factories import T0
from tests.test_cluster import EN, ZH
from tests.test_clusters import EN_MORE, ZH_MORE, intent, rows, setup


def _downgrade(url: str, revision: str) -> None:
    engine = dbe.make_engine(url)
    try:
        cfg = dbe._alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)
    finally:
        engine.dispose()


@pytest.fixture
def old_archive(empty_db_url):
    """Two articles stored and indexed as before opening keys: their bands only, and the schema
    brought up through migration 0009 (which marks them). Yields (url, session factory)."""
    dbe.upgrade(empty_db_url)
    engine = dbe.make_engine(empty_db_url)
    yield empty_db_url, _stored_before_opening_keys(empty_db_url, dbe.session_factory(engine))
    engine.dispose()


def _stored_before_opening_keys(url: str, sf):
    with sf() as s:
        setup(s)
        store.store_intents(s, None, "wire", [
            intent(1, "wire", "可灵发布新一代视频生成模型", ZH + ZH_MORE),
            intent(2, "wire", "Veo 3 adds sound to its AI video", EN + EN_MORE, models=("veo",))], T0)
        gone = sum(s.execute(delete(m.ItemBand).where(m.ItemBand.item_id == item.id,
                                                      m.ItemBand.band == cluster.opening_key(item.text))).rowcount
                   for item in s.scalars(select(m.Item)).all())
        assert gone == 2
        s.commit()
    _downgrade(url, "0008")
    dbe.upgrade(url)
    return sf


def _band_rows(sf) -> int:
    with sf() as s:
        return s.scalar(select(func.count()).select_from(m.ItemBand))


def _file_the_summary(s):
    """Store an aggregator's truncated summary of the wire article under a headline of its own;
    the stored rows by key."""
    store.store_intents(s, None, "aggregator", [
        intent(4, "aggregator", "一文看懂：AI短剧两天出样片", ZH[:70] + "…", hours=1)], T0)
    s.commit()
    return rows(s)


def test_a_summary_finds_an_article_indexed_before_opening_keys_once_reindex_filled_them(old_archive, monkeypatch):
    # Before: nothing filled the opening keys of items indexed before them, so a later summary cut
    # from such an article (a headline of its own) stayed a story of its own.
    url, sf = old_archive
    with sf() as s:
        assert openings.pending(s) == 2
        store.store_intents(s, None, "aggregator", [        # before the fill: found by no key
            intent(3, "aggregator", "Google's video model learns to talk", " ".join(EN.split()[:32]) + "...",
                   hours=1, models=("veo",))], T0)
        s.commit()
        assert rows(s)["aggregator:guid-3"].cluster_id is None
        assert openings.pending(s) == 2                     # a new item is indexed with its key
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", url)
    before = _band_rows(sf)
    result = CliRunner().invoke(main, ["reindex", "--batch", "1"])
    assert result.exit_code == 0, result.output
    lines = [ln.rsplit(",", 1)[0] for ln in result.output.splitlines() if ln.startswith("reindex: ")]
    assert lines == ["reindex: 0/2 items", "reindex: 1/2 items", "reindex: 2/2 items"]   # a line per chunk
    assert "opening keys: 2 added for 2 items" in result.output
    assert _band_rows(sf) == before + 2
    with sf() as s:
        assert openings.pending(s) == 0
        r = _file_the_summary(s)
        assert r["aggregator:guid-4"].cluster_id == r["wire:guid-1"].id and r["wire:guid-1"].reach == 2
    filled = _band_rows(sf)
    again = CliRunner().invoke(main, ["reindex"])            # done: nothing to do, nothing added twice
    assert again.exit_code == 0 and "0 added for 0 items (every indexed item has its opening key)" in again.output
    assert _band_rows(sf) == filled


def test_a_stopped_fill_goes_on_where_it_was(old_archive):
    _, sf = old_archive

    class Stop(Exception):
        pass

    def stop_after_one(done, total):
        if done == 1:
            raise Stop

    with sf() as s, pytest.raises(Stop):
        openings.fill(s, batch=1, on_progress=stop_after_one)
    with sf() as s:
        assert openings.pending(s) == 1                     # the first chunk was committed
        assert openings.fill(s) == (1, 1)
        assert openings.pending(s) == 0 and openings.fill(s) == (0, 0)


def test_init_names_the_items_left_to_reindex(old_archive, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", old_archive[0])
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "2 items were indexed before opening keys: run `aigcwatch reindex`" in result.output


def test_retag_fills_the_opening_keys_too(old_archive):
    from aigcwatch.retag import retag_items

    _, sf = old_archive
    retag_items(sf)
    with sf() as s:
        assert openings.pending(s) == 0
        r = _file_the_summary(s)
        assert r["aggregator:guid-4"].cluster_id == r["wire:guid-1"].id
