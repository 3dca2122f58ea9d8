"""Relevance: AI video as the subject, not a passing sentence, not other AI, not a name collision."""
from __future__ import annotations

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
