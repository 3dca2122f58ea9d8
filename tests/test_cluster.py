"""ingest.cluster: signatures of lightly edited copies of one story match, other stories do not."""
from __future__ import annotations

import numpy as np
import pytest

from ingest import cluster

ZH = ("快手旗下的可灵AI今天发布新一代视频生成模型，单段视频的最长时长从十秒提高到两分钟，分辨率支持1080p。"
      "据介绍，新模型改进了长镜头中人物和场景的一致性，同一角色在不同镜头之间的服装和五官不再频繁变化。"
      "在运动表现上，可灵团队称模型对物体碰撞、液体流动等物理过程的模拟更加稳定，肢体扭曲和穿模问题明显减少。"
      "价格方面，会员套餐维持不变，新用户每天可获得一定的免费生成额度，企业客户可以通过开放平台调用接口。"
      "业内人士认为，视频时长的突破将让AI短剧和广告片的制作流程进一步缩短，但生成结果仍需要人工筛选和后期修改。")
# republished by a portal: lead-in, Traditional script, a dropped sentence, two words changed, a tail
ZH_COPY = ("據澎湃新聞報道，快手旗下的可靈AI日前發佈新一代視頻生成模型，單段視頻的最長時長從十秒提高到兩分鐘，分辨率支持1080p。"
           "據介紹，新模型改進了長鏡頭中人物和場景的一致性，同一角色在不同鏡頭之間的服裝和五官不再頻繁變化。"
           "價格方面，會員套餐維持不變，新用戶每天可獲得一定的免費生成額度，企業客戶可以通過開放平台調用接口。"
           "業內人士認為，視頻時長的突破將讓AI短劇和廣告片的製作流程進一步縮短，但生成結果仍需要人工篩選和後期修改。"
           "（來源：澎湃新聞，責任編輯：王明）")
ZH_OTHER = ("字节跳动旗下的即梦今天正式上线Seedance视频生成模型，用户输入一段文字即可生成包含多个镜头的短片。"
            "与单镜头生成相比，Seedance会根据描述自动规划远景、中景和特写，并在镜头切换时保持主体一致。"
            "即梦方面表示，模型在训练中加入了大量影视镜头语言数据，可以理解推拉摇移等常见运镜指令。"
            "目前该功能向所有即梦用户开放，生成一段五秒的视频需要消耗一定积分，高峰时段需要排队等待。")
EN = ("Google said on Tuesday that Veo 3, its video generation model, can now produce synchronized dialogue, "
      "ambient sound and music together with the picture, and that shots can run for up to a minute. "
      "The update is available to subscribers of its paid AI plans in the United States first, with other "
      "regions to follow over the coming weeks, the company said in a blog post. Early testers reported that "
      "lip sync held up well in close-ups but drifted in crowded scenes, and that hands and fast motion still "
      "produced visible artifacts in some clips. Analysts said the move puts pressure on OpenAI and Runway, "
      "whose models generate silent video that creators must score and edit separately.")
EN_COPY = ("(Reuters) - Google said Veo 3, its video generation model, can now produce synchronized dialogue, "
           "ambient sound and music together with the picture, and that shots can last up to a minute. "
           "The update is available to subscribers of its paid AI plans in the U.S. first, with other "
           "regions to follow over the coming weeks, the company said in a blog post. Analysts said the "
           "move puts pressure on OpenAI and Runway, whose models generate silent video that creators must "
           "score and edit separately. This story originally appeared on Reuters.")
EN_QUOTE = ("Creators on YouTube reacted with a mix of excitement and worry this week. "
            "Early testers reported that lip sync held up well in close-ups but drifted in crowded scenes. "
            "Several animators said they would wait for the price before trying it, and a union spokesperson "
            "warned that background actors and sound editors would feel the change first, calling for rules "
            "on consent and pay before studios adopt the tools across productions.")


def same(a: str, b: str) -> bool:
    sa, sb = cluster.signature("", a), cluster.signature("", b)
    return bool(cluster.same_story(sa.similarity(sb), sa.size, sb.size))


def test_lightly_edited_chinese_copy_in_traditional_script_is_the_same_story():
    assert same(ZH, ZH_COPY)


def test_lightly_edited_english_wire_copy_is_the_same_story():
    assert same(EN, EN_COPY)


def test_another_story_and_a_story_quoting_one_sentence_are_not():
    assert not same(ZH, ZH_OTHER)
    assert not same(EN, EN_QUOTE)
    assert not same(EN, ZH)


def test_too_short_texts_have_no_signature():
    assert cluster.signature("Sora", "Sora is out.") is None
    assert cluster.signature("可灵", "可灵发布") is None


def test_chinese_uses_characters_and_english_uses_words():
    assert len(cluster.shingles("可灵发布新模型")) == len("可灵发布新模型") - cluster.ZH_K + 1
    words = "one two three four five six"
    assert len(cluster.shingles(words)) == 6 - cluster.EN_K + 1
    # punctuation, spacing, width and script do not matter for Chinese
    assert np.array_equal(cluster.shingles("可灵 发布，新模型！"), cluster.shingles("可靈發布新模型"))


def test_signatures_and_bands_are_stable_across_processes():
    """Stored signatures and bands stay comparable with new ones: these values only change with
    cluster.VERSION (which keeps old bands from matching new ones)."""
    sig = cluster.signature("", ZH)
    assert sig.values.dtype == np.uint32 and len(sig.values) == cluster.NUM_PERM
    assert cluster.Signature.from_bytes(sig.to_bytes(), sig.size).similarity(sig) == 1.0
    assert len(set(sig.bands())) == cluster.BANDS
    assert sig.bands()[:2] == cluster.band_keys(sig.values)[:2]
    again = cluster.signature("", ZH)
    assert again.bands() == sig.bands()
    assert int(sig.values[0]) == int(cluster.minhash(cluster.shingles(ZH))[0])


@pytest.mark.parametrize("jaccard, a, b, expected", [
    (0.9, 100, 100, True),     # near-identical
    (0.35, 100, 65, True),     # cut to two thirds and edited: most of the shorter is in the longer
    (0.2, 100, 100, False),    # a few shared sentences
    (0.15, 100, 15, False),    # one quoted sentence: fully contained, but far too small a part
])
def test_same_story_asks_for_containment_between_comparable_sizes(jaccard, a, b, expected):
    assert bool(cluster.same_story(jaccard, a, b)) is expected


def test_the_opening_key_is_the_texts_exact_opening_in_either_script_without_the_title():
    summary = cluster.signature("一文看懂：AI短剧两天出样片", ZH[:70] + "…")
    article = cluster.signature("可灵发布新一代视频生成模型", ZH)
    traditional = cluster.signature("", ZH_COPY.removeprefix("據澎湃新聞報道，").replace("日前", "今天"))
    assert summary.opening is not None and summary.opening == article.opening == traditional.opening
    assert cluster.signature("Veo 3", EN).opening == cluster.opening_key(EN[:80] + "...")
    assert cluster.opening_key(ZH_COPY) != article.opening          # a lead-in opens otherwise
    assert cluster.opening_key("可灵发布新模型") is None and cluster.opening_key("Veo 3 is out") is None
    # a truncated summary is nearly all in its article, a story that only opens alike is not
    s, a = summary, article
    assert cluster.same_opening_story(s.similarity(a), s.size, a.size)
    opener = cluster.signature("", ZH.split("。")[0] + "。" + ZH_OTHER)
    assert not cluster.same_opening_story(opener.similarity(a), opener.size, a.size)
