"""Relevance: AI video as the subject, not a passing sentence, not other AI, not a name collision."""
from __future__ import annotations

import pytest

from ingest.tag.doc import make_doc
from ingest.tag.engine import tag
from ingest.tag.relevance import decide, scan
from ingest.tag.models import detect


def test_model_launch_is_relevant():
    assert tag("Google unveils Veo 3 with native audio",
               "The video model generates 8-second clips with sound.").relevant


def test_ai_video_without_a_model_name_is_relevant():
    assert tag("AI短剧一年上线上千部", "AI生成的短剧正在改变短剧行业，制作成本大幅下降。", "zh").relevant
    assert tag("", "The AI-generated video of the senator was a deepfake, and it spread fast.",
               "en").relevant


def test_text_to_video_social_post_is_relevant():
    assert tag("", "排了三天终于拿到Sora的邀请码！效果直接看呆了", "zh").relevant


def test_image_generator_news_is_not_relevant():
    tags = tag("ChatGPT's image generator sparks a Ghibli craze",
               "OpenAI added a new image generator to ChatGPT. Users turned photos into Ghibli-style "
               "images. The image generation feature was so popular GPUs were melting. "
               "Artists raised copyright concerns about the image model.")
    assert not tags.relevant


def test_general_aigc_rules_listing_video_are_not_relevant():
    tags = tag("生成式人工智能服务管理办法发布",
               "办法适用于利用生成式人工智能技术向公众提供生成文本、图片、音频、视频等内容的服务。"
               "提供者应当依法开展预训练、优化训练等训练数据处理活动。"
               "提供者应当对用户输入信息和使用记录依法履行保护义务。"
               "大语言模型服务需要备案。聊天机器人应当显著标识。", "zh")
    assert not tags.relevant


def test_single_video_sentence_in_a_long_piece_is_not_relevant():
    body = " ".join(["The company reported strong cloud revenue and new chatbot features."] * 12)
    body += " It also briefly showed a text-to-video demo."
    assert not tag("Quarterly earnings beat expectations", body).relevant


def test_relevance_returns_score_and_evidence():
    doc = make_doc("可灵AI发布2.1版本", "新模型支持1080P视频生成，最长10秒。", "zh")
    signals = scan(doc)
    result = decide(doc, signals, detect(doc, signals.clearly_video))
    assert result.relevant and result.score > 0
    assert result.evidence


def test_name_collision_gets_no_themes():
    tags = tag("Fashion week: the runway show drew crowds",
               "Designers sent models down the runway; critics praised the couture collection and "
               "the show's lighting, which drew film crews and advertisers.")
    assert not tags.relevant and tags.models == () and tags.themes == ()


def test_deepfake_audio_is_not_ai_video():
    assert not tag("Deepfake audio of CEO used in fraud",
                   "Criminals used an AI voice clone of the CEO in a phone call to trick staff.").relevant


def test_personal_post_about_an_ai_faked_video_of_a_real_person_is_relevant_without_a_model():
    post = tag("", "Someone sent me a TikTok of my dad selling pills. He never said any of it. "
                   "The whole clip was a deepfake made with some AI app and it looks so real.", "en")
    assert post.relevant and post.models == ()
    zh = tag("", "今天刷到一个直播间，主播竟然是被AI换脸的我表姐，她本人根本不知道，"
                 "评论区还有人信以为真下单了。", "zh")
    assert zh.relevant and zh.models == ()


def test_fake_video_news_with_ai_in_the_next_sentence_is_relevant():
    tags = tag("网民散播地震虚假视频被处罚",
               "一网民在自媒体平台发布一段标题为“某地地震，街面一片狼藉”的虚假视频，造成恐慌。"
               "经查，该网民利用AI工具捏造谣言，已被依法处罚。", "zh")
    assert tags.relevant


def test_fake_words_without_video_or_ai_do_not_make_it_relevant():
    assert not tag("Police warn of phone scams",
                   "Scammers impersonate bank staff on the phone. Never send money to a caller.").relevant


def test_ai_in_the_film_industry_without_ai_video_is_not_relevant():
    tags = tag("VFX workforce and AI",
               "AI tools are changing the visual effects and animation industries. Studios use AI "
               "for rotoscoping and scheduling, and animators worry about their jobs.", "en")
    assert not tags.relevant


def test_ai_generated_animation_and_ai_theatre_are_ai_video():
    assert tag("", "最近刷短视频，经常看到AI生成的动画，人物走路像踩着滑板，眼神空洞。", "zh").relevant
    assert tag("", "他与平台共同发起 AI 剧场创作营，带领青年创作者制作商业级 AI 剧情长片。", "zh").relevant


def test_an_item_not_about_ai_video_has_a_neutral_tone_toward_it():
    tags = tag("Fashion week: the runway show was a stunning triumph!",
               "Designers sent models down the runway; critics loved the gorgeous couture collection.")
    assert not tags.relevant and tags.sentiment == "neutral"
    assert tags.sentiment_score > 0          # the lexicon's reading is still reported


def test_the_learned_layer_alone_never_makes_a_tag_without_evidence(monkeypatch):
    """Feeds carry pieces the audit set (all of it about AI) never showed the learned layer: a long
    2016 piece on a social network's short-video and live-streaming figures was tagged relevant by
    the layer's words alone, with no evidence. However sure the layer is, a text needs a video
    model or phrase, or video words beside AI words."""
    import ingest.tag.relevance as rel

    real = rel._unrolled
    monkeypatch.setattr(rel, "_unrolled", lambda m: (50.0,) + tuple(real(m)[1:]))   # always "yes"
    no_ai = ("微博上每天发布的短视频达到了32万条，旗下的一直播每天直播场次超过26万场。"
             "短视频和直播的推出赶上了时代。")
    no_video = "Travel writers say the city's old harbour is worth a weekend; the ferries run hourly."
    company_only = ("Facebook嵌入直播功能，谷歌的YouTube也推出了直播，直播已成为媒体的必备技能。"
                    "美国媒体在大选期间做了大量直播评论节目。")
    not_ai_talk = ("NBA media rights will generate $76 billion. YouTube TV will stream highlight videos "
                   "and live games.",
                   "腾讯视频会员涨价，直播间里的吐槽视频在网上迅速扩散。快手直播带货，主播用模型车做直播。")
    for text in (no_ai, no_video, company_only) + not_ai_talk:
        doc = make_doc("", text, None)
        assert not decide(doc, scan(doc), detect(doc)).relevant, text
    with_ai = make_doc("", "有博主用AI把老照片做成了短视频，在直播间里播放。", "zh")
    assert decide(with_ai, scan(with_ai), detect(with_ai)).relevant


def _figures(title: str, text: str, lang: str) -> dict[str, float]:
    from ingest.tag.engine import signals_and_models
    from ingest.tag.relevance import decision_features, scored

    doc = make_doc(title, text, lang)
    signals, found = signals_and_models(doc)
    return decision_features(doc, signals, found, scored(doc, signals, found))


def test_the_layer_sees_where_video_comes_in_and_how_much_of_the_ai_talk_it_is():
    chat = ("The chatbot answers questions in forty languages. Its language model was trained on "
            "books. The assistant writes emails and code. Analysts expect AI revenue to grow. ")
    late = _figures("AI assistants take over the office", chat + "It can also make a short AI video.", "en")
    early = _figures("AI assistants take over the office", "It can also make a short AI video. " + chat, "en")
    titled = _figures("Google's Veo 3 makes AI video with sound", chat, "en")
    assert late["all:first"] > 0.7 and late["all:lead"] == 0.0
    assert early["all:first"] < 0.3 and early["all:lead"] == 1.0
    assert titled["all:first"] == 0.0 and titled["all:lead"] == 1.0
    assert late["all:anchor_share"] < 0.5          # one video sentence among many about AI
    only_video = _figures("", "可灵发布了新的视频模型。AI生成的视频长达两分钟。文生视频的门槛降低了。", "zh")
    assert only_video["all:anchor_share"] == 1.0 and only_video["all:nonvideo_share"] == 0.0
    none = _figures("", "The runway at the airport was closed for repairs.", "en")
    assert none["all:first"] == 1.0 and none["all:lead"] == 0.0 and none["all:anchor_share"] == 0.0


def test_media_types_listed_with_spaces_are_a_list_of_media():
    """Notices often list media types with spaces instead of 、 ("文字 图片 视频等内容"): a list,
    as with 、, not a video sentence of full weight."""
    spaced = make_doc("", "新规要求各平台给AI生成的文字 图片 视频等内容加上醒目标识。", "zh")
    assert 0 in scan(spaced).listed
    commas = make_doc("", "新规要求各平台给AI生成的文字、图片、视频等内容加上醒目标识。", "zh")
    assert scan(commas).listed == scan(spaced).listed
    plain = make_doc("", "这条AI视频 画面很稳，镜头运动也自然。", "zh")
    assert not scan(plain).listed


@pytest.mark.parametrize("title,text,lang", [
    ("", "Saw the senator 'dancing' clip going round? It never happened.\n\nIt's AI. His team posted "
     "the original footage an hour ago.", "en"),
    ("Fake interview doing the rounds", "The interview video shows the coach slamming his own players. "
     "It was made with artificial intelligence from old press conferences, the club says.", "en"),
    ("", "My uncle forwarded a video of a famous chef selling a miracle pan. Made by AI, obviously: "
     "the lips lag behind the words.", "en"),
    ("", "群里那段“专家推荐保健品”的视频别再转了。\n是AI。\n本人已经出来辟谣了。", "zh"),
    ("网传“市长讲话”视频是真的吗？", "不是真的，是合成的。仔细看嘴型和声音对不上，官方账号也没有发过。", "zh"),
])
def test_a_saying_that_a_video_is_ai_made_makes_it_about_ai_video(title, text, lang):
    # no model, no "AI video" phrase: "It's AI." / "是AI。" a sentence or two from the clip
    assert tag(title, text, lang).relevant


@pytest.mark.parametrize("title,text,lang", [
    ("", "Which video editor do you use? Honestly the answer is not AI, it's practice.", "en"),
    ("", "朋友发来一段视频。\n我仔细看了，不是AI。\n是真人拍的。", "zh"),
    ("", "That photo is AI. The video next to it is a real phone recording.", "en"),
    ("", "这段视频里的菜是真的吗？\n答：不是AI做的，是店里现拍。", "zh"),
])
def test_a_negated_question_or_photo_attribution_is_no_ai_video(title, text, lang):
    assert not tag(title, text, lang).relevant


@pytest.mark.parametrize("title,text,lang", [
    ("A new app turns old family photos into short moving clips", "Pick a picture, choose a motion, and "
     "the app makes your grandparents smile and blink in a five-second clip.", "en"),
    ("", "试了一下“让老照片动起来”，爷爷在照片里转头笑了一下，全家都看呆了。", "zh"),
])
def test_photo_animation_is_image_to_video(title, text, lang):
    assert tag(title, text, lang).relevant


def test_a_photo_slideshow_maker_is_not_photo_animation():
    assert not tag("Turn your photos into a video slideshow", "Add music and transitions to your "
                   "holiday pictures and share the slideshow with family.", "en").relevant


@pytest.mark.parametrize("title,text,lang", [
    ("", "Don't share that clip of the governor. Looks AI.\nThe hands are wrong and the voice is flat.", "en"),
    ("", "Someone used AI to put my face into a video I never filmed.", "en"),
    ("", "有人用AI伪造了我们校长的讲话，这段视频已经传到家长群了。", "zh"),
    ("", "这个“老板道歉”视频一股AI味。\n嘴型跟不上声音。", "zh"),
])
def test_more_ways_of_saying_a_clip_is_ai_made(title, text, lang):
    assert tag(title, text, lang).relevant


@pytest.mark.parametrize("title,text", [
    ("配音演员的声音被AI合成后拿去卖课", "她发现一门付费课程的讲解声音和自己一模一样，对方用AI合成了她的声音，"
     "素材来自她过去录的有声书。律师认为声音属于人格权益。"),
])
def test_an_ai_synthesised_voice_is_not_ai_video(title, text):
    assert not tag(title, text, "zh").relevant


def test_an_ai_synthesised_clip_is_still_ai_video():
    assert tag("网传视频系AI合成", "这段“校长讲话”是AI合成的，学校已报警。视频里的口型和声音明显对不上。", "zh").relevant


@pytest.mark.parametrize("title,text,lang", [
    ("警方提醒：视频会议里的“董事长”是假的", "诈骗团伙用深度合成技术伪造了董事长的实时画面和声音，财务转账前务必电话核实。", "zh"),
    ("", "那段“大桥被洪水冲垮”的视频别转了，是生成的。桥上的车一直在原地，水流也是倒着的。", "zh"),
    ("", "That clip of the minister 'resigning' is fabricated. The lips drift off the audio halfway "
     "through. Synthetic. Don't share it.", "en"),
    ("Fact check: video of a shark on a flooded highway is not real", "The clip spread on Facebook. "
     "Experts noted the water does not move around the fin. The footage carries the watermark of an "
     "AI generator.", "en"),
    ("", "how do I tell my dad the video of the president dancing isn't real? he forwarded it to "
     "everyone. I pointed at the fingers. he said the man is old. it's AI, Dad.", "en"),
    ("How our studio switched to generated footage", "About 70% of what we ship now starts as "
     "generated footage that we then grade and cut.", "en"),
])
def test_faked_or_generated_clips_said_in_other_words_are_ai_video(title, text, lang):
    assert tag(title, text, lang).relevant


@pytest.mark.parametrize("title,text", [
    ("Kling wins the 200m at state", "Junior Mara Kling won the 200 meters on Saturday; a video of "
     "the race shows her pulling away at the bend."),
    ("", "My shiba Mochi met the vacuum today, got it all on video. Wan, my partner, wants to start "
     "a channel."),
])
def test_a_sprinter_named_kling_or_a_dog_named_mochi_on_video_is_no_model(title, text):
    r = tag(title, text, "en")
    assert r.models == () and not r.relevant


def test_an_interviews_speaker_label_is_no_video_context():
    # Before: "主持人：" opening each question of a transcript counted as a weak video word (an AI
    # news anchor), and an InfoQ interview on GPUs, sixty such turns long, was called relevant.
    turns = []
    for _ in range(12):
        turns.append("主持人：你提到AI的上限取决于能源，那GPU和CPU在推理时怎么分工？")
        turns.append("黄仁勋：我们把decode和prefill拆开处理，让AI agent用上最高的token速率。")
    t = tag("黄仁勋谈AI算力：token是新通货", "\n".join(turns), "zh")
    assert not t.relevant and "主持人" not in (t.evidence.get("relevance") or ())
    anchor = tag("AI主持人上岗", "电视台用AI生成的虚拟主持人播报新闻视频，主持人的口型由模型合成。", "zh")
    assert "主持人" in (anchor.evidence.get("relevance") or ()) or anchor.relevant


@pytest.mark.parametrize("title,text", [
    ("", "清明前后，不少网友用AI“复活”已故的亲人：上传几张老照片和一段录音，就能得到一个会说话、会眨眼的"
     "数字形象。有人看得泪流满面，也有人觉得难以接受。律师提醒，使用逝者肖像需取得家属授权。"),
    ("AI复活逝者成了一门生意", "商家报价从几十元到上万元不等，买家多是刚失去亲人的家属。伦理学者担心，"
     "这会让人难以走出悲伤。"),
])
def test_ai_resurrection_of_the_dead_is_ai_video(title, text):
    # Before: no video word, so no evidence; every audit item of the kind is labelled relevant.
    t = tag(title, text, "zh")
    assert t.relevant and any("复活" in e for e in t.evidence.get("relevance") or ())


def test_ai_dubbing_of_a_video_is_voice_work_not_ai_video():
    # Before: "ai视频" inside "AI视频配音" counted as AI video.
    assert not tag("配音演员：我的声音被偷走了", "她在一条楼盘宣传片里听到了自己的声音，可她从没录过这段话。"
                   "制作方承认用了AI视频配音工具，素材是她几年前的录音。律师表示，声音权益受法律保护。",
                   "zh").relevant
