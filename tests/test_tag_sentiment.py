"""Behaviour of the sentiment tagger (tone toward AI video generation) and its evaluation helpers."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.tag.doc import make_doc
from ingest.tag.sentiment import SentimentResult, analyze, load_lexicon

SHARED_SENTIMENT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "sentiment"


def tone(title: str, text: str = "", lang: str | None = None) -> SentimentResult:
    return analyze(make_doc(title, text, lang))


@pytest.mark.parametrize("title,text", [
    ("快手发布可灵2.0", "快手今日发布可灵2.0视频生成模型，支持1080p输出，单条视频最长10秒，会员每月66元起。"),
    ("OpenAI releases Sora to ChatGPT Pro users",
     "OpenAI on Monday released Sora, its video generation model, to ChatGPT Pro subscribers "
     "at $200 a month. The model generates clips of up to 20 seconds at 1080p."),
])
def test_factual_launch_news_is_neutral(title, text):
    assert tone(title, text).label == "neutral"


@pytest.mark.parametrize("text", ["可灵又翻车了，生成的人手全是六根手指", "这不就是割韭菜吗，会员费纯属智商税"])
def test_fanche_and_harvesting_leeks_are_negative(text):
    assert tone("", text, "zh").label == "negative"


@pytest.mark.parametrize("text", ["可灵2.0的效果太震撼了！", "这次Sora直接封神，国产模型也惊艳"])
def test_stunning_and_god_tier_are_positive(text):
    assert tone("", text, "zh").label == "positive"


def test_negation_flips_chinese_praise():
    assert tone("", "这个视频模型很震撼", "zh").score > 0
    flipped = tone("", "这个视频模型一点都不震撼", "zh")
    assert flipped.score < 0
    assert flipped.label == "negative"


def test_negation_flips_english_praise():
    assert tone("", "The new video model is impressive.", "en").label == "positive"
    assert tone("", "The new video model is not impressive.", "en").label == "negative"


def test_negated_negative_is_not_negative():
    assert tone("", "I am not worried about Sora at all.", "en").score >= 0


def test_contrast_clause_dominates():
    zh = tone("", "画面不错，但是抽卡太累、价格劝退", "zh")
    assert zh.label == "negative"
    en = tone("", "The visuals are stunning, but the whole thing is soulless AI slop.", "en")
    assert en.label == "negative"
    en_rev = tone("", "It has some glitches, but honestly it is incredible.", "en")
    assert en_rev.label == "positive"


def test_contrast_at_the_start_of_the_next_sentence_outweighs_the_previous_one():
    r = tone("", "效果确实惊艳。不过，抽卡十次才一条能用，纯属割韭菜。", "zh")
    assert r.label == "negative"


def test_emoticons_and_emoji_carry_tone():
    assert tone("", "Sora的新视频 [赞][哈哈]", "zh").score > 0
    assert tone("", "又是AI生成的视频[怒][泪]", "zh").score < 0
    assert tone("", "Veo 3 clips 😍👍", "en").score > 0
    assert tone("", "Veo 3 clips 😡👎", "en").score < 0


def test_exclamation_amplifies_and_question_damps():
    plain = tone("", "The results look great.", "en").score
    assert tone("", "The results look great!!", "en").score > plain
    assert abs(tone("", "Do the results look great?", "en").score) < plain


def test_lexicon_score_of_a_balanced_piece_is_in_the_neutral_band():
    # the lexicon walk's own bands (the label of the tagger comes from the learned layer, chosen on
    # real coverage, which reads these masses itself)
    text = ("Reviewers praised the impressive motion quality of the new model. Others raised concerns "
            "about copyright and deepfakes, and some clips still show glitches. The company said "
            "it is improving the model and adding watermarks.")
    doc = make_doc("Runway Gen-4 gets mixed reviews", text, "en")
    assert analyze(doc, learned=False).label == "neutral"


def test_lexicon_score_of_a_long_article_needs_more_than_one_loaded_word():
    body = "该模型支持文生视频和图生视频，分辨率为1080p，时长5秒，目前向会员开放。" * 12
    short = analyze(make_doc("", "效果惊艳。", "zh"), learned=False)
    long = analyze(make_doc("某公司发布视频模型", body + "效果惊艳。", "zh"), learned=False)
    assert long.label == "neutral" and 0 < long.score < short.score


@pytest.mark.parametrize("title,text,lang", [
    ("", "太震撼了！！！国产之光，吊打一切", "zh"),
    ("", "翻车翻车翻车，垃圾，诈骗，割韭菜，智商税", "zh"),
    ("", "mind-blowing incredible stunning game-changer!!! 😍🔥", "en"),
    ("", "terrifying dystopian soulless slop, a scam and a lawsuit waiting to happen 😡", "en"),
    ("", "", None),
])
def test_score_is_bounded(title, text, lang):
    r = tone(title, text, lang)
    assert -1.0 <= r.score <= 1.0


def test_evidence_holds_the_triggering_word():
    assert "震撼" in tone("", "这次的效果真的震撼", "zh").evidence
    assert any("割韭菜" in e for e in tone("", "又来割韭菜", "zh").evidence)
    assert "not impressive" in tone("", "Honestly not impressive.", "en").evidence
    assert "slop" in tone("", "This is slop.", "en").evidence


def test_empty_document_is_neutral_without_evidence():
    r = tone("", "", "en")
    assert (r.label, r.score, r.evidence) == ("neutral", 0.0, ())


def test_result_is_frozen():
    r = tone("", "stunning", "en")
    with pytest.raises(AttributeError):
        r.label = "negative"  # type: ignore[misc]


def test_lexicons_load_once_and_hold_domain_terms():
    assert load_lexicon("zh") is load_lexicon("zh")
    zh, en = load_lexicon("zh"), load_lexicon("en")
    assert zh.terms["割韭菜"] < 0 < zh.terms["封神"]
    assert en.terms["slop"] < 0 < en.terms["game-changer"]
    assert "不" in zh.negators and "not" in en.negators


@pytest.mark.skipif(not SHARED_SENTIMENT.is_dir(), reason="shared public sentiment sets absent")
def test_public_set_comparison_reports_accuracy_and_macro_f1_for_us_and_baselines():
    from ingest.tag.sentiment_eval import compare_public_sets

    table = compare_public_sets(SHARED_SENTIMENT, limit=20, snownlp_limit=10)
    assert "pol acc" in table and "3c F1" in table
    assert "ours" in table and "vader" in table
    assert "snownlp" in table or "SnowNLP not installed" in table
    print(table)


def test_public_set_comparison_without_the_folder_returns_a_message(tmp_path):
    from ingest.tag.sentiment_eval import compare_public_sets

    assert "not found" in compare_public_sets(tmp_path / "absent")


def test_macro_f1_of_a_perfect_prediction_is_one():
    from ingest.tag.sentiment_eval import accuracy_macro_f1

    gold = ["positive", "neutral", "negative", "neutral"]
    assert accuracy_macro_f1(gold, gold) == (1.0, 1.0)
    acc, f1 = accuracy_macro_f1(["positive", "negative"], ["positive", "positive"])
    assert acc == 0.5 and 0 < f1 < 1


def test_degree_adverb_fused_by_jieba_still_scores():
    # jieba yields 太猛 / 太丝+滑 as tokens; the term after the adverb must still count
    assert tone("", "这下配音环节都省了，太猛了", "zh").label == "positive"
    assert tone("", "人物动作太丝滑了", "zh").score > 0


def test_rhetorical_negation_asserts():
    assert tone("", "年卡一个月就见底了，这不是割韭菜是什么", "zh").label == "negative"
    assert tone("", "这不是割韭菜，价格很公道", "zh").score > tone("", "这就是割韭菜", "zh").score


def test_two_word_booster_is_not_a_term():
    assert tone("", "you need some kind of internal model", "en").score == 0.0


def test_job_loss_fear_in_posts_is_negative():
    assert tone("", "做了八年剪辑，上周整组被裁，兄弟们准备转行吧", "zh").label == "negative"
    assert tone("", "Lost work again this month, clients say they are cutting staff and trying AI first.",
                "en").label == "negative"


def test_rule_making_sentences_in_articles_are_not_alarm():
    from dataclasses import replace

    from ingest.tag.sentiment import DEFAULT_PARAMS
    text = ("The measures were issued by four agencies after a year of consultation with platforms "
            "and video generation companies, which have added tools to their apps since spring. "
            "Platforms must label AI-generated videos, and deepfake videos that are not labelled "
            "must be removed within 48 hours. Companies said they were ready to comply. ") * 3
    doc = make_doc("China's AI video labelling rules take effect", text, "en")
    assert analyze(doc).label == "neutral"
    assert analyze(doc).score > analyze(doc, replace(DEFAULT_PARAMS, policy_news=1.0)).score


def test_article_quotes_weigh_less_than_the_writers_words():
    from dataclasses import replace

    from ingest.tag.sentiment import DEFAULT_PARAMS
    body = "快手发布了新版视频模型，支持更长的视频。一位导演表示：“这简直是灾难，太可怕了。”" * 4
    doc = make_doc("快手发布新模型", body, "zh")
    assert analyze(doc).score > analyze(doc, replace(DEFAULT_PARAMS, quote_news=1.0)).score


def test_learned_layer_reads_real_hype_the_bands_left_neutral():
    text = ("国庆假期，全球AI圈被一枚重磅炸弹炸醒。新一代视频模型上线后网友热情高涨，"
            "社交平台上充满了求邀请码的信息，短短四天便空降应用商店免费榜榜首，力压一众头部产品。")
    doc = make_doc("", text, "zh")
    assert analyze(doc, learned=False).label == "neutral"
    assert analyze(doc).label == "positive"


def test_learned_layer_keeps_factual_and_rule_news_neutral():
    launch = make_doc("OpenAI releases Sora to ChatGPT Pro users",
                      "OpenAI on Monday released Sora, its video generation model, to ChatGPT Pro "
                      "subscribers at $200 a month. The model generates clips of up to 20 seconds.", "en")
    assert analyze(launch).label == "neutral"


def test_learned_label_without_feature_names_equals_the_feature_dict_label():
    from ingest.tag import sentiment_model
    from ingest.tag.sentiment import walk

    model = sentiment_model.load_model()
    assert model is not None
    for title, text, lang, themes in [
            ("", "可灵2.0的效果太震撼了！国产之光", "zh", ()),
            ("Veo 3 review", "The clips look great but the hands still melt.", "en", ("flaws",)),
            ("", "又是AI生成的视频，割韭菜，垃圾", "zh", ("misinformation", "markets"))]:
        doc = make_doc(title, text, lang)
        score, hits, news = walk(doc)
        feats = sentiment_model.features(doc, score, hits, news,
                                         terms=bool(model.meta.get("terms", False)), themes=themes)
        assert sentiment_model.label(model, doc, score, hits, news, themes) == model.label(feats)


def _theme_leaning_model():
    from ingest.tag.linear import LinearModel

    # neutral unless a theme row says otherwise: jobs (shared row) leans negative in both
    # languages, launch_access leans positive in Chinese only
    return LinearModel(("negative", "neutral", "positive"), (0.0, 1.0, 0.0),
                       {"th:jobs": (1.5, 0.0, 0.0), "en:th:jobs": (0.5, 0.0, 0.0),
                        "zh:th:launch_access": (0.0, 0.0, 3.0)}, {"words": True})


@pytest.mark.parametrize("lang,themes,expected", [
    ("en", (), "neutral"), ("en", ("jobs",), "negative"), ("zh", ("jobs",), "negative"),
    ("zh", ("launch_access",), "positive"), ("en", ("launch_access",), "neutral"),
])
def test_the_items_themes_lean_the_learned_label_per_language(lang, themes, expected):
    from ingest.tag import sentiment_model
    from ingest.tag.sentiment import walk

    model = _theme_leaning_model()
    doc = make_doc("", "A plain sentence." if lang == "en" else "一句平常的话。", lang)
    score, hits, news = walk(doc)
    assert sentiment_model.label(model, doc, 0.0, [], 0.0, themes) == expected
    assert model.label(sentiment_model.features(doc, 0.0, [], 0.0, themes=themes)) == expected


def test_the_tagger_gives_the_sentiment_layer_the_themes_it_found(monkeypatch):
    from ingest.tag import sentiment_model
    from ingest.tag.engine import tag

    monkeypatch.setattr(sentiment_model, "load_model", _theme_leaning_model)
    tags = tag("Sora will replace VFX artists, studios say",
               "Studios told staff that OpenAI's Sora video generator will replace junior VFX artists "
               "and cut hundreds of jobs in post-production next year.", "en")
    assert tags.relevant and "jobs" in tags.themes
    assert tags.sentiment == "negative"


@pytest.mark.parametrize("text,lang,quoted", [
    ("There is no single best model for Sora clips.", "en", "no single best"),
    ("这个视频模型不是很震撼", "zh", "不是很震撼"),
    ("这个模型并不太惊艳", "zh", "不太惊艳"),
])
def test_negated_evidence_quotes_the_text_it_was_read_from(text, lang, quoted):
    doc = make_doc("", text, lang)
    evidence = analyze(doc).evidence
    assert quoted in evidence
    assert all(" ".join(p.split()) in " ".join(doc.norm.split()) for p in evidence)


def test_curly_apostrophe_evidence_is_quoted_as_written():
    doc = make_doc("", "I didn’t love the new Sora clips.", "en")
    assert analyze(doc).evidence == ("didn’t love",)
