"""db.clusters through the store: edited copies from several outlets become one story with a
canonical item, a reach and a first-seen time; incremental against the stored index; on SQLite
and PostgreSQL."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from db import clusters, recluster, store
from db import models as m
from ingest import cluster
from ingest.dedup import keys_for
from ingest.types import ItemIntent
from tests.factories import T0, make_item, make_source, make_tags
from tests.test_cluster import EN, EN_COPY, EN_QUOTE, ZH, ZH_COPY, ZH_OTHER

OUTLETS = ("wire", "portal", "digest", "aggregator")


def intent(n: int, source: str, title: str, text: str, hours: float = 0, models=("kling",),
           **item_kw) -> ItemIntent:
    item = make_item(n, source_id=source, title=title, text=text, lang="zh",
                     published_at=T0 + timedelta(hours=hours), **item_kw)
    return ItemIntent(item=item, keys=keys_for(item), tags=make_tags(models=models),
                      signature=cluster.signature(title, text))


def setup(session) -> None:
    store.sync_sources(session, [make_source(s) for s in OUTLETS])


def rows(session) -> dict[str, m.Item]:
    return {i.source_id + ":" + i.guid: i for i in session.scalars(select(m.Item))}


def test_edited_copies_in_chinese_and_english_form_one_story_each_with_reach(session):
    setup(session)
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH),
                                            intent(2, "wire", "Veo 3 adds sound", EN, models=("veo",))], T0)
    counts = store.store_intents(session, None, "portal", [
        intent(3, "portal", "可灵新模型上线：最长两分钟", ZH_COPY, hours=2),
        intent(4, "portal", "Google's Veo 3 now makes sound", EN_COPY, hours=3, models=("veo",)),
        intent(5, "portal", "即梦上线Seedance", ZH_OTHER, hours=1, models=("jimeng",))], T0)
    assert counts.new == 3 and counts.clustered == 2
    store.store_intents(session, None, "digest", [
        intent(6, "digest", "Creators react to Veo 3", EN_QUOTE, hours=4, models=("veo",))], T0)
    session.commit()
    r = rows(session)
    zh, zh_copy, en, en_copy = r["wire:guid-1"], r["portal:guid-3"], r["wire:guid-2"], r["portal:guid-4"]
    assert zh.cluster_id is None and zh_copy.cluster_id == zh.id
    assert en.cluster_id is None and en_copy.cluster_id == en.id
    assert (zh.reach, en.reach) == (2, 2) and zh_copy.reach is None
    assert zh.first_seen_at == T0
    # other stories stay on their own: another model's story, a story quoting one sentence
    assert r["portal:guid-5"].cluster_id is None and r["portal:guid-5"].reach == 1
    assert r["digest:guid-6"].cluster_id is None
    stories = session.scalar(select(func.count()).select_from(m.Item).where(m.Item.cluster_id.is_(None)))
    assert stories == 4


def test_exact_copies_count_toward_reach_and_an_earlier_copy_becomes_canonical(session):
    setup(session)
    store.store_intents(session, None, "portal", [intent(3, "portal", "可灵新模型上线", ZH_COPY, hours=5)], T0)
    # the wire's original arrives later but was published first: it becomes the canonical item
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH, hours=1)], T0)
    # an exact copy (same text) from a third outlet is recorded as a copy, not a new item
    exact = intent(7, "digest", "可灵发布新模型（转载）", ZH, hours=6)
    counts = store.store_intents(session, None, "digest", [exact], T0)
    assert counts.new == 0 and counts.copies == 1
    session.commit()
    r = rows(session)
    wire, portal = r["wire:guid-1"], r["portal:guid-3"]
    assert wire.cluster_id is None and portal.cluster_id == wire.id and portal.reach is None
    assert wire.reach == 3 and wire.first_seen_at == T0 + timedelta(hours=1)


def test_template_twins_naming_other_models_stay_apart(session):
    setup(session)
    twin = ZH.replace("可灵", "海螺").replace("快手", "MiniMax")
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH)], T0)
    store.store_intents(session, None, "portal", [intent(2, "portal", "海螺发布新模型", twin, models=("hailuo",))], T0)
    session.commit()
    assert all(i.cluster_id is None for i in session.scalars(select(m.Item)))


def test_new_items_are_matched_through_the_band_index_not_against_every_item(session):
    setup(session)
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH)], T0)
    session.commit()
    bands = session.scalar(select(func.count()).select_from(m.ItemBand))
    assert bands == cluster.BANDS + 1           # and the key of the text's opening
    store.store_intents(session, None, "portal", [intent(3, "portal", "可灵新模型上线", ZH_COPY, hours=1)], T0)
    session.commit()
    copy = rows(session)["portal:guid-3"]
    assert copy.cluster_id == rows(session)["wire:guid-1"].id
    sig = session.get(m.ItemSignature, copy.id)
    assert sig.models == "kling" and len(sig.minhash) == 4 * cluster.NUM_PERM


def test_comments_spam_and_short_posts_are_not_clustered(session):
    setup(session)
    spam = replace(intent(8, "portal", "澳门赌场官网入口", ZH_COPY), tags=make_tags(spam=True))
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH)], T0)
    store.store_intents(session, None, "portal", [spam], T0)
    session.commit()
    assert session.scalar(select(func.count()).select_from(m.ItemSignature)) == 1
    assert all(i.cluster_id is None for i in session.scalars(select(m.Item)))


def test_a_copy_published_weeks_later_is_another_event_worded_alike(session):
    setup(session)
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH)], T0)
    store.store_intents(session, None, "portal", [intent(3, "portal", "可灵新模型上线", ZH_COPY, hours=24 * 30)], T0)
    store.store_intents(session, None, "digest", [intent(4, "digest", "可灵新模型上线", ZH_COPY.replace("日前", "近日"), hours=24 * 3)], T0)
    session.commit()
    r = rows(session)
    assert r["portal:guid-3"].cluster_id is None                   # thirty days on
    assert r["digest:guid-4"].cluster_id == r["wire:guid-1"].id    # three days on


def test_a_retagged_item_is_matched_by_its_new_models(session):
    # stored as Kling, retagged as Hailuo: a Hailuo copy arriving later joins its story, as it
    # would have had the item been tagged Hailuo from the start
    setup(session)
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH)], T0)
    original = rows(session)["wire:guid-1"]
    store.update_tags(session, original.id, make_tags(models=("hailuo",)), T0)
    assert session.get(m.ItemSignature, original.id).models == "hailuo"
    store.store_intents(session, None, "portal", [
        intent(3, "portal", "可灵新模型上线", ZH_COPY, hours=1, models=("hailuo",))], T0)
    session.commit()
    assert rows(session)["portal:guid-3"].cluster_id == original.id


def test_items_stored_before_story_clusters_are_filed_into_stories_once(session):
    # stored without signatures, as before story clusters existed: each its own story
    setup(session)
    old = [replace(intent(1, "wire", "可灵发布新模型", ZH), signature=None),
           replace(intent(3, "portal", "可灵新模型上线", ZH_COPY, hours=2), signature=None),
           replace(intent(5, "portal", "即梦上线Seedance", ZH_OTHER, hours=1, models=("jimeng",)),
                   signature=None)]
    store.store_intents(session, None, "wire", old[:1], T0)
    store.store_intents(session, None, "portal", old[1:], T0)
    session.commit()
    assert session.scalar(select(func.count()).select_from(m.ItemSignature)) == 0
    assert clusters.backfill(session) == 1
    session.commit()
    r = rows(session)
    wire, copy, other = r["wire:guid-1"], r["portal:guid-3"], r["portal:guid-5"]
    assert copy.cluster_id == wire.id and wire.reach == 2 and other.cluster_id is None
    assert clusters.backfill(session) == 0                    # nothing left to file
    # a copy arriving now is matched against the filed items
    edited_copy = "据新华社报道，" + ZH.replace("今天", "昨日")
    store.store_intents(session, None, "digest",
                        [intent(7, "digest", "可灵新模型发布（转）", edited_copy, hours=3)], T0)
    session.commit()
    assert rows(session)["digest:guid-7"].cluster_id == wire.id


def test_a_canonical_item_retagged_as_spam_leaves_its_story_to_the_next_item(session):
    setup(session)
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新模型", ZH)], T0)
    store.store_intents(session, None, "portal", [intent(3, "portal", "可灵新模型上线", ZH_COPY, hours=2)], T0)
    store.store_intents(session, None, "digest",
                        [intent(7, "digest", "可灵新模型发布（转）", "据新华社报道，" + ZH.replace("今天", "昨日"),
                                hours=3)], T0)
    session.commit()
    r = rows(session)
    wire, portal, digest = r["wire:guid-1"], r["portal:guid-3"], r["digest:guid-7"]
    assert portal.cluster_id == wire.id and digest.cluster_id == wire.id and wire.reach == 3
    store.update_tags(session, wire.id, make_tags(models=("kling",), spam=True), T0)
    session.commit()
    session.expire_all()
    r = rows(session)
    assert r["portal:guid-3"].cluster_id is None                 # the earliest remaining copy heads it
    assert r["digest:guid-7"].cluster_id == portal.id and r["portal:guid-3"].reach == 2
    assert r["wire:guid-1"].cluster_id is None and r["wire:guid-1"].reach == 1
    assert session.get(m.ItemSignature, wire.id) is None
    assert session.scalar(select(func.count()).select_from(m.ItemBand).where(m.ItemBand.item_id == wire.id)) == 0


# The rest of the wire's long articles: a feed's truncated summary is a small part of them.
ZH_MORE = ("发布会上，可灵团队演示了一段两分钟的短片：一名女孩从清晨的菜市场走到傍晚的海边，镜头跟随她穿过人群、"
           "骑车下坡、在雨中奔跑，人物的发型和衣服在整段视频里保持一致。团队表示，这得益于新的时序建模方法，"
           "模型会在生成每一段画面之前回看前面的关键帧。对于创作者最关心的成本问题，快手称单次生成两分钟视频的"
           "积分消耗与此前生成同等时长的多段短视频相当，但省去了拼接和调色的工作。多家短剧公司已经参与内测，"
           "有制片人表示，过去需要一周完成的分镜样片，现在两天就能拿出初稿，不过演员表演的细节仍然难以控制。"
           "也有从业者担心，生成视频的门槛降低之后，平台上同质化的内容会越来越多，审核和版权确认的压力随之上升。")
EN_MORE = (" At a briefing, product managers showed a one-minute clip of a street market at dusk in which "
           "vendors haggled, a dog barked and rain began to fall, all generated from a single paragraph of "
           "text. They said the model was trained to align sound events with motion frame by frame, so a "
           "door slam lands on the frame the door closes. Pricing for heavy users was not announced, and "
           "the company declined to say what data the audio model learned from, a question that musicians' "
           "groups have raised since the first demos. Independent filmmakers who tried the update said it "
           "saves days of foley work on short projects, though a professional mix still needs a human.")


def test_a_truncated_summary_under_a_rewritten_title_joins_its_articles_story(session):
    """A feed's summary cut from the opening of a long article (an ellipsis, a headline of its
    own) is that article's story, in Chinese and in English, whichever arrives first."""
    setup(session)
    zh_article, en_article = ZH + ZH_MORE, EN + EN_MORE
    store.store_intents(session, None, "wire", [
        intent(1, "wire", "可灵发布新一代视频生成模型", zh_article),
        intent(2, "wire", "Veo 3 adds sound to its AI video", en_article, models=("veo",))], T0)
    store.store_intents(session, None, "aggregator", [
        intent(3, "aggregator", "一文看懂：AI短剧两天出样片", ZH[:70] + "…", hours=1),
        intent(4, "aggregator", "Google's video model learns to talk",
               " ".join(EN.split()[:32]) + "...", hours=1, models=("veo",))], T0)
    # the summary stored first, its article (published before it) later
    store.store_intents(session, None, "digest", [
        intent(5, "digest", "视频生成进入两分钟时代", ZH_OTHER[:70] + "…", hours=4, models=("jimeng",))], T0)
    store.store_intents(session, None, "portal", [
        intent(6, "portal", "即梦Seedance上线", ZH_OTHER + ZH_MORE.replace("可灵", "即梦").replace("快手", "字节"),
               hours=3, models=("jimeng",))], T0)
    session.commit()
    r = rows(session)
    assert r["aggregator:guid-3"].cluster_id == r["wire:guid-1"].id
    assert r["aggregator:guid-4"].cluster_id == r["wire:guid-2"].id
    assert r["portal:guid-6"].cluster_id is None and r["digest:guid-5"].cluster_id == r["portal:guid-6"].id
    assert (r["wire:guid-1"].reach, r["wire:guid-2"].reach, r["portal:guid-6"].reach) == (2, 2, 2)


def test_a_story_opening_with_anothers_words_and_a_post_quoting_an_opening_stay_apart(session):
    """Opening alike is not enough: a story that goes on in its own words after another's first
    sentence is its own story, and so is a post made of an article's opening (a quote)."""
    setup(session)
    store.store_intents(session, None, "wire", [intent(1, "wire", "可灵发布新一代视频生成模型", ZH + ZH_MORE)], T0)
    first = ZH.split("。")[0] + "。"
    store.store_intents(session, None, "portal", [
        intent(2, "portal", "可灵之后，即梦也来了", first + ZH_OTHER, hours=1, models=("kling", "jimeng"))], T0)
    store.store_intents(session, None, "digest", [
        intent(3, "digest", "转发：可灵新模型", ZH[:70] + "…", hours=1, kind="post")], T0)
    session.commit()
    assert all(i.cluster_id is None for i in session.scalars(select(m.Item)))


def _summary_copy_then_article(session, *, wire_hours: int) -> None:
    """A feed's truncated summary (published at 2 h) and another outlet's edited copy (3 h) of one
    article, stored before the article itself (published at `wire_hours`)."""
    setup(session)
    store.store_intents(session, None, "aggregator", [
        intent(1, "aggregator", "一文看懂：可灵新模型", (ZH + ZH_MORE)[:70] + "…", hours=2)], T0)
    store.store_intents(session, None, "portal", [
        intent(2, "portal", "可灵新模型上线：最长两分钟", ZH_COPY + ZH_MORE, hours=3)], T0)
    store.store_intents(session, None, "wire", [
        intent(3, "wire", "可灵发布新一代视频生成模型", ZH + ZH_MORE, hours=wire_hours)], T0)
    session.commit()


def test_an_original_fetched_after_two_of_its_copies_makes_them_one_story(session):
    """A feed's truncated summary and another outlet's edited copy of one article are stored
    before the article (its feed was fetched last, though it was published first): neither
    matches the other. Before, the article joined one of them and the two stayed apart; now it
    heads one story of all three, as filing in publication order gives (a recluster changes
    nothing)."""
    _summary_copy_then_article(session, wire_hours=1)
    after = _stories(session)
    assert after["wire:guid-3"] == (None, 3, T0 + timedelta(hours=1))
    assert after["aggregator:guid-1"][:2] == after["portal:guid-2"][:2] == ("wire:guid-3", None)
    assert recluster.run(session, batch=2) == (3, 2)
    session.commit()
    assert _stories(session) == after


def test_a_copy_published_after_two_stories_it_resembles_merges_nothing(session):
    """The same two stories, and then the article published after both (a late republication
    resembling each): it joins one, and the two stay apart (it heads neither)."""
    _summary_copy_then_article(session, wire_hours=4)
    after = _stories(session)
    heads = {after[k][0] or k for k in ("aggregator:guid-1", "portal:guid-2", "wire:guid-3")}
    assert len(heads) == 2 and after["wire:guid-3"][0] in heads


def _stories(s) -> dict[str, tuple]:
    """source:guid -> (its story's canonical source:guid or None, reach, first_seen_at)."""
    items = s.scalars(select(m.Item)).all()
    name = {i.id: f"{i.source_id}:{i.guid}" for i in items}
    return {name[i.id]: (name.get(i.cluster_id), i.reach, i.first_seen_at) for i in items}
