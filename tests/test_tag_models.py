"""Model detection: aliases, versions, context rules against name collisions."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from ingest.tag.doc import jieba_tokenizer, make_doc
from ingest.tag.engine import tag
from ingest.tag.models import detect


def models_of(title: str, text: str = "", lang: str | None = None) -> tuple[str, ...]:
    return tag(title, text, lang).models


@pytest.mark.parametrize("title,text,expected", [
    ("OpenAI releases Sora 2 with synced audio", "", "sora"),
    ("Runway unveils Gen-3 Alpha", "The new model makes 10-second clips.", "runway"),
    ("快手可灵AI上线2.1版本", "可灵支持1080P视频生成。", "kling"),
    ("Google Veo 3.1 arrives in Flow", "", "veo"),
    ("字节发布Seedance 1.0视频模型", "", "jimeng"),
    ("Dreamina adds lip sync to its AI video tool", "", "jimeng"),
    ("MiniMax Hailuo 02 tops the video arena", "", "hailuo"),
    ("海螺AI视频生成再升级", "", "hailuo"),
    ("智谱清影开放API", "清影可以生成6秒视频。", "cogvideo"),
    ("CogVideoX-5B weights on Hugging Face", "", "cogvideo"),
    ("Stability releases Stable Video Diffusion", "", "stable_video"),
    ("阿里开源通义万相Wan2.1视频模型", "", "wan"),
    ("Tencent open-sources HunyuanVideo", "", "hunyuan_video"),
    ("腾讯混元视频模型开源", "", "hunyuan_video"),
    ("Luma Dream Machine gets Ray2", "", "luma"),
    ("Meta Movie Gen makes 16-second clips", "", "movie_gen"),
    ("Genmo releases Mochi 1 video model", "", "mochi"),
    ("Lightricks ships LTX-Video 0.9", "", "ltx_video"),
    ("PixVerse V5 is out", "", "pixverse"),
    ("Vidu Q1 adds first-last frame control", "", "vidu"),
    ("Midjourney launches V1 video model", "Midjourney video turns images into 5-second clips.",
     "midjourney_video"),
    ("xAI's Grok Imagine makes video with sound", "", "other"),
    ("Amazon Nova Reel now makes two-minute videos", "", "other"),
])
def test_alias_names_the_model(title, text, expected):
    assert expected in models_of(title, text)


def test_open_sora_is_not_openai_sora():
    found = models_of("Open-Sora 2.0 released", "The open-source video model rivals big labs.")
    assert "other" in found and "sora" not in found


def test_fashion_runway_is_not_tagged():
    tags = tag("Paris Fashion Week: stars on the runway",
               "Models walked the runway in couture gowns as the designer took a bow.")
    assert tags.models == () and not tags.relevant and tags.themes == ()


def test_airport_runway_is_not_tagged():
    assert models_of("Plane skids off runway at regional airport",
                     "The aircraft overran the runway on landing; no one was hurt.") == ()


def test_pikachu_is_not_pika():
    assert "pika" not in models_of("Pikachu is the most popular Pokémon",
                                   "Pika pika! The Pokémon Company released new Pikachu plush.")


def test_pika_the_animal_is_not_pika():
    assert models_of("The American pika is losing its mountain habitat",
                     "The pika, a small rodent-like mammal, is sensitive to heat.") == ()


def test_kingdom_hearts_sora_is_not_sora():
    tags = tag("Kingdom Hearts 4 trailer shows Sora in Quadratum",
               "Sora, Donald and Goofy return; Riku and Kairi are back too.")
    assert tags.models == () and not tags.relevant


def test_conch_cement_is_not_hailuo():
    tags = tag("海螺水泥发布三季度业绩", "海螺水泥营收下降，水泥价格持续低迷。")
    assert tags.models == () and tags.themes == ()


def test_seafood_conch_is_not_hailuo():
    assert models_of("海螺怎么做好吃", "清蒸海螺的做法：海螺洗净，上锅蒸十分钟。") == ()


def test_wan_network_is_not_wan():
    assert models_of("Configure the WAN port on your router",
                     "Connect the WAN link and set the WAN IP address.") == ()


def test_veo_sports_camera_is_not_veo():
    assert models_of("Veo camera records every match for the football club",
                     "Coaches use the Veo cam to review soccer footage.") == ()


def test_lumiere_brothers_are_not_lumiere():
    assert models_of("The Lumière brothers and the birth of cinema",
                     "In 1895 Louis Lumière showed the cinématographe in Paris.") == ()


def test_company_only_mention_counts_no_model():
    assert models_of("ByteDance's video model is in beta",
                     "The company did not name the AI video product.") == ()


def test_bare_name_counts_in_ai_video_context():
    assert "sora" in models_of("Tried Sora today", "The AI video looked great, hands were fine.")


def test_image_only_use_of_jimeng_is_not_listed():
    assert "jimeng" not in models_of("", "用即梦生了一套国风头像，朋友圈都问链接", "zh")


def test_evidence_holds_the_matched_alias():
    tags = tag("Runway Gen-4 review", "Gen-4 keeps characters consistent across AI video shots.")
    assert "runway" in tags.evidence
    assert any("gen-4" in p for p in tags.evidence["runway"])


def test_traditional_chinese_alias_matches():
    assert "kling" in models_of("可靈AI發布新版本", "可靈的影片生成效果更穩定。", "zh")


def test_jimeng_segments_as_one_jieba_word():
    jieba = jieba_tokenizer()
    assert "即梦" in jieba.lcut("我用即梦做了一个视频")
    assert "可灵" in jieba.lcut("可灵生成的画面")


def test_detect_returns_hits_in_text_order():
    doc = make_doc("Veo 3 vs Sora 2 vs Kling 2.1", "", "en")
    assert [h.model for h in detect(doc).hits] == ["veo", "sora", "kling"]


@contextmanager
def user_aliases(tmp_path, monkeypatch, toml: str):
    """The tagger with this alias file (AIGCWATCH_ALIASES), the shipped lexicon again after."""
    from ingest.tag import lexicon, models

    path = tmp_path / "aliases.toml"
    path.write_text(toml, encoding="utf-8")
    monkeypatch.setenv(lexicon.ALIASES_ENV, str(path))
    models._lexicon.cache_clear()
    try:
        yield
    finally:
        monkeypatch.delenv(lexicon.ALIASES_ENV)
        models._lexicon.cache_clear()


def test_user_alias_file_is_merged(tmp_path, monkeypatch):
    with user_aliases(tmp_path, monkeypatch, '[other]\naliases = ["zorblax video"]\n'):
        assert "other" in models_of("Zorblax Video launches", "An AI video generator.")


def test_versioned_name_counts_without_other_context():
    assert "veo" in models_of("Google teases Veo 4", "")
    assert "kling" in models_of("Kling 3.0 arrives", "")


def test_image_model_version_is_not_the_video_model():
    assert "midjourney_video" not in models_of("Midjourney V7 is live", "Draft mode renders images 10x faster.")


def test_steam_engine_is_not_baidus_video_model():
    assert models_of("瓦特改良蒸汽机", "工业革命时期的蒸汽机纪录片视频") == ()


def test_people_named_sora_or_kling_are_not_models():
    assert models_of("Sora Tanaka named CEO of Tokyo bank",
                     "Sora Tanaka, 52, will lead the bank. Tanaka oversaw its AI strategy.", "en") == ()
    assert models_of("Heidi Kling joins the university",
                     "Professor Heidi Kling, a machine learning expert, will lead the AI institute.",
                     "en") == ()


def test_product_sub_brand_after_the_name_is_still_the_model():
    assert "runway" in models_of("Runway expands", "The AI video firm will expand Runway Studios, "
                                                   "which makes films. Runway released Gen-4.", "en")


def test_a_number_after_a_name_does_not_override_a_collision_near_it():
    tags = tag("Runway 11-29 Rehabilitation Project",
               "Runway 11-29 was returned to service. The project is part of the airport master plan "
               "and includes milling the primary runway and new LED lighting.", "en")
    assert "runway" not in tags.models and not tags.relevant


def test_sports_camera_and_novelist_are_not_the_video_models():
    veo = tag("New technology is driving standards in school sport",
              "A new Danish product, Veo, changed everything. Veo's solution is a mounted AI camera "
              "that captures the game unmanned by tracking the ball, then its platform turns "
              "around footage for analysis.", "en")
    assert "veo" not in veo.models and not veo.relevant
    kling = tag("", "Kling's dialogue is witty and sharp, and it's Kling's insight into artificial "
                    "intelligence that makes this science fiction novel such a rewarding read.", "en")
    assert "kling" not in kling.models and not kling.relevant


def test_hailuo_ai_written_with_a_space():
    tags = tag("", "三大影视公司起诉稀宇科技，指控其热门产品「海螺 AI」生成的视频侵犯版权。", "zh")
    assert "hailuo" in tags.models


def test_bare_midjourney_needs_a_word_of_its_video_model_near():
    assert "midjourney_video" in models_of(
        "", "Midjourney has shipped its V1 video model, a short clip maker for its subscribers.", "en")
    assert "midjourney_video" in models_of(
        "", "The new image-to-video feature lets Midjourney subscribers bring stills to life.", "en")
    assert "midjourney_video" in models_of("", "Midjourney终于上线了首个视频模型，可以让图片动起来。", "zh")
    # the image generator, in a list of tools or as a figure of speech
    assert "midjourney_video" not in models_of(
        "", "The studio used Midjourney for the concept art and Runway Gen-4 for the animated clips.", "en")
    assert "midjourney_video" not in models_of(
        "", "This startup wants to become the Midjourney of AI-generated video.", "en")
    assert "midjourney_video" not in models_of(
        "", "概念设计先用Midjourney、Stable Diffusion出图定画风，再交给可灵做成视频。", "zh")
    # its 2022 image model was also "v1"; video tools named beside it in a list are other tools
    assert "midjourney_video" not in models_of(
        "", "When Midjourney v1 launched in early 2022, its images were blurry and odd.", "en")
    assert "midjourney_video" not in models_of(
        "", "Image generators such as Midjourney and DALL-E 3 have been joined by video generation "
            "tools like Sora.", "en")


def test_keling_and_ai_alive_count_only_beside_their_makers():
    assert "kling" in models_of("", "Kuaishou says Keling, its video model, passed 20 million users.", "en")
    assert "kling" not in models_of(
        "", "An AI video of the Klebang and Keling beach clean-up went viral on TikTok.", "en")
    assert "other" in models_of("", "TikTok's new AI Alive feature turns a photo into a short video.", "en")
    assert "other" not in models_of("", "Is AI alive? A new video essay asks what the machines feel.", "en")


def test_a_heading_keeps_the_honorific_check():
    from ingest.tag.doc import make_doc
    from ingest.tag.models import detect

    text = ("Kling adds lip sync to its AI video model.\n"
            "Keynote Speaker: Professor Heidi Kling, Stanford University\n"
            "The talk covered rendering and the video model's training data.")
    doc = make_doc("", text, "en")
    found = detect(doc)
    at = doc.norm.index("heidi kling") + len("heidi ")
    assert at in {h.start for h in found.rejected} and at not in {h.start for h in found.hits}


def test_model_own_context_words_hide_no_video_word_from_other_models():
    # "video generation" is a Midjourney context phrase; "video" inside it still counts for Wan
    assert "wan" in models_of("", "Out of the box, Wan did well on video generation benchmarks.", "en")


def test_plain_english_is_not_make_a_video_or_open_sora():
    assert "other" not in models_of("", "With a text prompt you can make a video of anything you like.", "en")
    assert "other" in models_of("", "Meta's Make-A-Video was an early text-to-video system.", "en")
    found = models_of("", "Nobody needs to open Sora to watch: OpenAI built the feed for sharing.", "en")
    assert "sora" in found and "other" not in found


def test_a_feed_of_ai_videos_is_not_a_model():
    assert "other" not in models_of("", "Meta launched Vibes, a feed of short AI videos in its app.", "en")


def test_more_names_of_known_models():
    assert "kling" in models_of("", "Kuaishou said its Keling AI video model passed 20 million users.", "en")
    assert "veo" in models_of("", "我用voe3做了一段十秒的短片，效果不错。", "zh")
    assert "cogvideo" in models_of("", "I could not try Zhipu AI’s Ying, the text-to-video tool, abroad.", "en")
    assert "sora" in models_of("", "OpenAI’s Sora climbed the charts as a new text-to-video app.", "en")
    for text in ("The I2VGen-XL model turns one picture into a short clip.",
                 "HappyHorse 1.0 generates 15-second videos from text.",
                 "TikTok's AI Alive turns a still photo into a short video."):
        assert "other" in models_of("", text, "en"), text


def test_invite_only_app_at_the_top_of_the_app_store_is_sora():
    assert "sora" in models_of("", "Sora is the number one free download on Apple's App Store, "
                                   "although it is still invite-only.", "en")


def test_steam_engine_counts_as_baidus_model_only_next_to_baidu():
    assert "other" in models_of("", "百度发布蒸汽机2.0，可以生成带声音的长视频。", "zh")
    assert "other" not in models_of("", "这场争论像是青铜对蒸汽机：AI生成的动画视频让画师不安。", "zh")


def test_a_title_case_heading_does_not_make_a_model_a_surname():
    # "Watermark" after the name, capitalised again in a second heading, would be surname
    # evidence outside a heading
    tags = tag("", "Kling Watermark Problems — Support Guide\nA paid Kling plan should give clips "
                   "without the watermark. If the watermark stays on the generated video, ask for "
                   "a refund.\nWatermark Removal Steps For Paid Plans\nOpen the generated video "
                   "and export it again.", "en")
    assert "kling" in tags.models


def test_user_aliases_in_traditional_script_or_full_width_match(tmp_path, monkeypatch):
    # The text is matched in Simplified, lower-case, full-width folded form; a user alias was only
    # lower-cased, so "泽塔視頻" or "ＺＥＴＡＶＩＤ" never matched, in either script of the text.
    with user_aliases(tmp_path, monkeypatch, '[zeta]\naliases = ["泽塔視頻", "ＺＥＴＡＶＩＤ"]\n'):
        assert "zeta" in models_of("泽塔视频上线", "泽塔视频是一款AI视频生成模型。", "zh")
        assert "zeta" in models_of("澤塔視頻上線", "澤塔視頻是一款AI影片生成模型。", "zh")
        assert "zeta" in models_of("Zetavid launches", "Zetavid is a new AI video generation model.", "en")


def test_a_user_alias_that_repeats_a_shipped_name_takes_effect(tmp_path, monkeypatch):
    # The matcher reads a phrase's first entry, the shipped one: a user giving a shipped name
    # ("Seaweed", filed under other video models; "MiniMax Video", an alias of Hailuo) to a model
    # id of their own changed nothing, silently.
    seaweed = ("ByteDance unveils Seaweed", "Seaweed is an AI video generation model for creators.", "en")
    minimax = ("MiniMax Video gets longer clips", "MiniMax Video now renders 10-second AI video clips.", "en")
    before = models_of(*seaweed), models_of(*minimax)
    assert "seaweed" not in before[0] and before[1] == ("hailuo",)
    with user_aliases(tmp_path, monkeypatch,
                      '[seaweed]\naliases = ["SEAWEED"]\n[minimax]\naliases = ["minimax video"]\n'):
        assert models_of(*seaweed) == ("seaweed",)
        assert models_of(*minimax) == ("minimax",)
        assert models_of("Hailuo 02 arrives", "MiniMax released Hailuo 02, its AI video model.", "en") \
            == ("hailuo",)                     # the names the file does not list stay as shipped
    assert (models_of(*seaweed), models_of(*minimax)) == before


@pytest.mark.parametrize("title,text", [
    ("新一代视频会议平台发布", "系统可灵活配置视频流的分辨率，并用AI自动生成会议纪要。"),
    ("传感器升级", "新款摄像头可灵敏捕捉画面变化，AI算法实时识别视频里的异常。"),
    ("水幕灯光秀《即梦一场》开演", "主办方用AI生成的视频投影在水幕上，观众说像做了一场梦。"),
    ("读书笔记", "他看完那段AI视频，当晚随即梦见自己站在片场。"),
    ("AI视频素材库上线", "素材包罗万相，从城市航拍到微观视频应有尽有，均由人工拍摄。"),
])
def test_ordinary_words_that_contain_a_chinese_model_name_are_no_mention(title, text):
    # 可灵活 'flexibly', 可灵敏 'sensitively', 即梦一场 'a dream', 随即梦见 'then dreamt',
    # 包罗万相 (a common spelling of 包罗万象): the characters of 可灵/即梦/万相 inside other words
    assert models_of(title, text, "zh") == ()


def test_the_model_still_counts_next_to_an_ordinary_word_that_contains_its_name():
    assert models_of("可灵上新", "可灵2.1可灵活调整镜头运动。", "zh") == ("kling",)
    assert models_of("即梦更新", "用即梦做的视频，看完随即梦见了片中场景。", "zh") == ("jimeng",)


@pytest.mark.parametrize("title,text", [
    ("Full video: the Atelier Nord FW26 runway", "All 52 looks are in the video below, from the opening "
     "cape to the closing gown. Livestream replay available too."),
    ("pika spotted!", "this little guy sat on the rocks by the trail and squeaked at us, took a short "
     "video before he ran off"),
])
def test_a_runway_show_or_a_pika_beside_video_words_without_any_ai_word_is_no_model(title, text):
    assert tag(title, text, "en").models == ()
    assert not tag(title, text, "en").relevant


def test_words_of_the_other_sense_do_not_veto_the_model_in_a_text_about_ai():
    # a prompt may be about a pika on a rock; the AI words make the name the product
    assert "pika" in models_of("made with Pika", "Generated this video with Pika: a hamster "
                               "climbing rocks, prompt in the replies. The AI nailed the fur.", "en")


def test_jimeng_in_a_comment_under_a_video_creator_post_is_the_video_model():
    # 即梦 also names an image tool: UP主 / B站 / 抖音 say the thing is a video
    assert models_of("", "这段是即梦做的吗？UP主出个教程吧，太丝滑了", "zh") == ("jimeng",)


@pytest.mark.parametrize("title,text,lang", [
    ("SORA drops the music video for her new single", "The singer's MV passed 3 million views in a day; "
     "fans are already learning the dance from the clip.", "en"),
    ("Luma the cat vs. the vacuum", "Our cat Luma finally met the robot vacuum. Full video below, "
     "she wins.", "en"),
    ("A rainy night walk through Wan Chai", "New vlog is up: 40 minutes of footage from the Wan Chai "
     "markets after dark.", "en"),
    ("游戏里的混元门派攻略", "新版本混元门派技能演示视频已上传，玩家可以先看看连招。", "zh"),
])
def test_other_bearers_of_a_model_name_beside_video_words_are_no_model(title, text, lang):
    assert tag(title, text, lang).models == ()


@pytest.mark.parametrize("title,text", [
    ("茶饮品牌「即梦茶坊」官宣代言人", "新品短视频在抖音播放破千万，全国门店同步推出第二杯半价。"),
    ("", "练习生周可灵今天的舞台直拍视频太好看了！可灵加油，一定要出道！！"),
])
def test_a_tea_brand_called_jimeng_or_a_trainee_named_keling_is_no_model(title, text):
    assert models_of(title, text, "zh") == ()


def test_kling_beside_a_word_that_holds_zuozhe_is_still_kling():
    # 作者 'author' (a collision for the novelist Kling) inside 创作者 'creators' is no collision
    assert models_of("Vidu 2.0降价", "Vidu的定价直接对标快手可灵，意在抢夺中小创作者。", "zh") == ("vidu", "kling")


def test_minimax_in_a_list_of_video_models_is_hailuo():
    assert "hailuo" in models_of("", "It holds its own against the best models on the scene, "
                                     "including Kling, MiniMax, Runway, and even Sora.", "en")
    assert "hailuo" in models_of("", "万相2.1在VBench登顶,超越Sora、HunyuanVideo、Minimax、Luma、Pika"
                                     "等国内外视频生成模型。", "zh")


def test_minimax_as_a_company_is_no_model():
    # alone, or in a list of companies: the company, not its video model
    assert "hailuo" not in models_of("", "MiniMax 港股上市首日暴涨,市场对可灵等AI视频生成模型信心增强。", "zh")
    assert "hailuo" not in models_of("", "Sora 发布后,阿里云、MiniMax、美图等也有备而来,视频生成模型轮番抢镜。",
                                     "zh")
    assert "hailuo" not in models_of("", "MiniMax, the Shanghai AI start-up, listed in Hong Kong; "
                                         "Sora made video generation famous.", "en")


def test_names_of_more_video_generators_and_their_plain_english():
    for text in ("FramePack makes long AI video clips on a 6 GB graphics card.",
                 "Adobe's Generative Extend adds two seconds of AI-generated footage to a clip.",
                 "MyHeritage's Deep Nostalgia animates the faces in old photos.",
                 "Kling 3.0, Happy Horse, Sora 2 and Veo 3.1 are the most popular AI video models."):
        assert "other" in models_of("", text, "en"), text
    for text in ("I feel a deep nostalgia for the camcorder videos of my childhood.",
                 "The happy horse ran across the field while we filmed a video."):
        assert models_of("", text, "en") == (), text
