"""Spam: SEO gambling titles over copied content; independent of relevance."""
from __future__ import annotations

from ingest.tag.engine import tag


def test_gambling_seo_title_over_relevant_article_is_spam_and_relevant():
    tags = tag("威尼斯人官网-澳门威尼斯人app下载-体育平台入口",
               "可灵AI发布2.1版本，视频生成效果大幅提升。快手表示，可灵支持1080P、10秒视频生成。"
               "AI视频工具正在改变短视频创作。", "zh")
    assert tags.spam and tags.relevant


def test_english_betting_spam_title():
    tags = tag("bet365 login | Best Bookmaker Sign Up Offer | casino bonus",
               "Sports betting tips today. Casino slots and poker odds.")
    assert tags.spam


def test_news_about_macau_casinos_is_not_spam():
    tags = tag("澳门9月博彩收入同比增长", "澳门博彩监察协调局公布数据，9月赌场毛收入同比增长。", "zh")
    assert not tags.spam


def test_ordinary_ai_video_news_is_not_spam():
    assert not tag("OpenAI launches Sora 2", "The new video model comes with an app.").spam


def test_keyword_stuffed_page_is_spam():
    text = " ".join(["体育投注 百家乐 真人娱乐 老虎机"] * 5)
    assert tag("最新资讯", text, "zh").spam


def test_sports_betting_brand_shape_over_travel_news_is_spam_not_relevant():
    tags = tag("星辉体育app下载-官方网站-星辉体育手机版入口",
               "星辉体育官网 星辉体育登录入口 海螺沟景区今冬推出冰川温泉套票，游客可观赏冰川瀑布。", "zh")
    assert tags.spam and not tags.relevant and tags.models == ()
