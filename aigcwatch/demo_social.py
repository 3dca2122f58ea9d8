"""The offline demo's social side: posts for the loopback API server, article pages for full
text, lightly edited copies for syndication clusters, and their sources. Demo data, invented.

- `write_social_files(dir)` writes article pages (the Chinese ones in GBK, declared only in a
  <meta> tag) and five RSS feeds: a Chinese wire whose feed holds one-line summaries (full text
  comes from the pages), two Chinese portals and an English syndicator carrying edited copies,
  and an English wire.
- `DemoSocial(feed_base)` holds the API server's posts (HN stories and comments, Reddit posts and
  comments, Mastodon and Bluesky posts; some deleted) and `advance()` adds a few newer ones and
  moves engagement on, for the demo's second run.
- `social_sources_toml(api_base, feed_base)` configures all of them.
"""
from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from aigcwatch.apiserver import ApiPost, SocialApi
from aigcwatch.demo_data import DEMO_NOTE, _b36

UTC = timezone.utc
T0 = datetime(2025, 10, 20, 8, 0, tzinfo=UTC)        # first social post of the demo
SECOND_RUN = datetime(2025, 11, 1, 6, 0, tzinfo=UTC)  # posts that appear before the second run
_T2S_SAMPLE = str.maketrans("视频发布为时长画质体验动设计标识", "視頻發佈為時長畫質體驗動設計標識")


@dataclass(frozen=True)
class Article:
    id: str
    lang: str
    title: str
    copies: tuple[str, ...]
    paragraphs: tuple[str, ...]


def load_text() -> dict:
    path = resources.files("aigcwatch") / "data" / "demo_social.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


def articles() -> list[Article]:
    return [Article(a["id"], a["lang"], a["title"], tuple(a["copies"]), tuple(a["paragraphs"]))
            for a in load_text()["article"]]


# -- pages and feeds ---------------------------------------------------------------------------

def page_html(a: Article) -> str:
    body = "".join(f"<p>{escape(p)}</p>\n" for p in a.paragraphs)
    charset = '<meta charset="gbk">' if a.lang == "zh" else '<meta charset="utf-8">'
    nav = "首页 | 科技 | 财经 | 视频" if a.lang == "zh" else "Home | Tech | Business | Video"
    return (f"<!doctype html><html><head>{charset}<title>{escape(a.title)}</title></head><body>"
            f"<nav>{nav}</nav><div class='ad'>demo advertisement</div><article>"
            f"<h1>{escape(a.title)}</h1>\n{body}</article>"
            f"<footer>{escape(DEMO_NOTE)} · © demo</footer></body></html>\n")


def edited_copy(a: Article, n: int, outlet: str) -> tuple[str, str]:
    """(title, body) of a lightly edited republication: new title, a lead-in, one paragraph
    dropped, a few words changed, a tail added; Chinese copies partly in Traditional script."""
    paras = list(a.paragraphs)
    del paras[len(paras) - 1 - n % 2]
    if a.lang == "zh":
        paras[0] = f"据{outlet}消息，" + paras[0].replace("今天", "日前")
        if n % 2:
            paras[1] = paras[1].translate(_T2S_SAMPLE)
        paras.append(f"（来源：{outlet}，责任编辑：演示）")
    else:
        paras[0] = f"({outlet}) - " + paras[0].replace(" said on Tuesday", " said")
        paras[-1] = paras[-1].replace(" said", " told reporters")
        paras.append(f"This story first appeared on {outlet}. Demo data, not real news.")
    return a.copies[n % len(a.copies)], "".join(f"<p>{escape(p)}</p>" for p in paras)


def _rss(title: str, items: list[tuple[str, str, str, datetime, str]]) -> str:
    """RSS 2.0 of (title, link, guid, when, html body)."""
    rows = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(g)}</guid>"
        f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} +0000</pubDate>"
        f"<description><![CDATA[{body}]]></description></item>\n"
        for t, link, g, when, body in items)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>http://demo.example/</link>"
            f"<description>{escape(DEMO_NOTE)}</description>\n{rows}</channel></rss>\n")


FEEDS = {   # source id -> (name, lang, file)
    "demo-wire-zh": ("演示·通讯社（仅摘要，正文取自网页）", "zh", "social/wire-zh.xml"),
    "demo-portal-zh": ("演示·门户转载", "zh", "social/portal-zh.xml"),
    "demo-digest-zh": ("演示·资讯聚合", "zh", "social/digest-zh.xml"),
    "demo-wire-en": ("Demo Newswire", "en", "social/wire-en.xml"),
    "demo-syndicate-en": ("Demo Syndicate", "en", "social/syndicate-en.xml"),
}


def write_social_files(out_dir: Path) -> dict[str, str]:
    """Write the pages and feeds under out_dir/social and out_dir/pages; returns the
    Content-Type to serve per file (Chinese pages: no charset in the header)."""
    out_dir = Path(out_dir)
    (out_dir / "pages").mkdir(parents=True, exist_ok=True)
    (out_dir / "social").mkdir(parents=True, exist_ok=True)
    types: dict[str, str] = {}
    feeds: dict[str, list] = {sid: [] for sid in FEEDS}
    for k, a in enumerate(articles()):
        name = f"pages/{a.id}.html"
        (out_dir / name).write_bytes(page_html(a).encode("gbk" if a.lang == "zh" else "utf-8",
                                                          "xmlcharrefreplace"))
        types[name] = "text/html" if a.lang == "zh" else "text/html; charset=utf-8"
        when = T0 + timedelta(days=k, hours=3)
        full = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
        if a.lang == "zh":
            feeds["demo-wire-zh"].append((a.title, f"../{name}", f"wire-{a.id}", when,
                                          escape(a.paragraphs[0][:40]) + "……"))
            t, body = edited_copy(a, k, "演示门户")
            feeds["demo-portal-zh"].append((t, f"https://portal.demo.example/{a.id}.html",
                                            f"portal-{a.id}", when + timedelta(hours=2), body))
            if k % 2 == 0:
                t, body = edited_copy(a, k + 1, "演示聚合")
                feeds["demo-digest-zh"].append((t, f"https://digest.demo.example/n/{a.id}",
                                                f"digest-{a.id}", when + timedelta(hours=5), body))
        else:
            feeds["demo-wire-en"].append((a.title, f"../{name}", f"wire-{a.id}", when, full))
            t, body = edited_copy(a, k, "Demo Syndicate")
            feeds["demo-syndicate-en"].append((t, f"https://syndicate.demo.example/{a.id}",
                                               f"synd-{a.id}", when + timedelta(hours=4), body))
    for sid, (name, _, file) in FEEDS.items():
        (out_dir / file).write_text(_rss(name, feeds[sid]), encoding="utf-8")
        types[file] = "application/rss+xml; charset=utf-8"
    return types


# -- API posts ---------------------------------------------------------------------------------

class DemoSocial:
    """The API server's demo posts; `advance()` prepares the second run."""

    def __init__(self, feed_base: str, seed: int = 42) -> None:
        self.text = load_text()["posts"]
        self.rng = random.Random(seed)
        self.feed_base = feed_base.rstrip("/")
        self.api = SocialApi()
        self._n = 0
        self._used: set[str] = set()
        self._build(T0, 1.0)

    def _id(self, platform: str, when: datetime) -> str:
        self._n += 1
        if platform == "hn":
            return str(45_000_000 + self._n)
        if platform == "reddit":
            return _b36(10**9 + self._n)
        if platform == "mastodon":
            return str((int(when.timestamp() * 1000) << 16) + self._n)
        return "3l" + _b36(10**12 + self._n)

    def _fill(self, template: str, lang: str, subject: bool = True) -> str:
        """A template filled in, never the same text twice (posts are different people's)."""
        models = self.text["zh_models" if lang == "zh" else "en_models"]
        subjects = self.text["zh_subjects" if lang == "zh" else "en_subjects"]
        for _ in range(200):
            text = template.replace("{model}", self.rng.choice(models))
            if subject:
                s = self.rng.choice(subjects)
                text += f"（提示词：{s}）" if lang == "zh" else f" (prompt: {s})"
            if text not in self._used:
                break
        self._used.add(text)
        return text

    def _post(self, platform: str, when: datetime, **kw) -> ApiPost:
        counts = dict(points=self.rng.randint(1, 400), comments=self.rng.randint(0, 90),
                      reposts=self.rng.randint(0, 60), likes=self.rng.randint(0, 900))
        if platform == "hn":
            counts.update(reposts=None, likes=None)
        elif platform == "reddit":
            counts.update(reposts=None, likes=None)
        else:
            counts.update(points=None)
        p = ApiPost(platform=platform, id=self._id(platform, when), created=when, **{**counts, **kw})
        self.api.posts.append(p)
        return p

    def _build(self, start: datetime, scale: float) -> None:
        rng, t = self.rng, self.text
        step = timedelta(hours=5) if scale == 1.0 else timedelta(minutes=40)
        n = lambda base: max(1, int(base * scale))  # noqa: E731
        pages = [a for a in articles()]
        for i in range(n(16)):
            when = start + step * i
            link = None
            if i % 4 == 0:      # a link to an article page, submitted hours after it appeared
                k = (i // 4) % len(pages)
                link = f"{self.feed_base}/pages/{pages[k].id}.html"
                when = max(when, T0 + timedelta(days=k, hours=9))
            story = self._post("hn", when, author=f"hn_user{rng.randint(1, 60)}",
                               title=self._fill(rng.choice(t["en_titles"]), "en", subject=False),
                               text="" if link else self._fill(rng.choice(t["en_texts"]), "en"),
                               link=link)
            for c in range(rng.randint(0, 2) if scale == 1.0 else 1):
                self._post("hn", when + timedelta(minutes=20 + c), author=f"hn_user{rng.randint(1, 60)}",
                           text=self._fill(rng.choice(t["en_comments"]), "en"), parent=story.id,
                           story=story.id, story_title=story.title, deleted=(i == 3 and c == 0))
        for i in range(n(14)):
            when = start + step * i + timedelta(minutes=7)
            post = self._post("reddit", when, author=f"redditor_{rng.randint(1, 80)}", community="aivideo",
                              title=self._fill(rng.choice(t["en_titles"]), "en", subject=False),
                              text=self._fill(rng.choice(t["en_texts"]), "en"))
            if i % 2 == 0:
                self._post("reddit", when + timedelta(minutes=30), author=f"redditor_{rng.randint(1, 80)}",
                           community="aivideo", text=self._fill(rng.choice(t["en_comments"]), "en"),
                           parent=post.id, story=post.id, story_title=post.title, deleted=(i == 4))
        for i in range(n(14)):
            when = start + step * i + timedelta(minutes=13)
            lang = "zh" if i % 3 == 0 else "en"
            pool = t["zh_texts"] if lang == "zh" else t["en_texts"]
            self._post("mastodon", when, author=rng.choice(["aria", "lin@mstdn.demo.example",
                                                             "cam@social.demo.example"]),
                       display="Demo poster", text=self._fill(rng.choice(pool), lang),
                       community="aivideo", lang=lang)
        for i in range(n(18)):
            when = start + step * i + timedelta(minutes=29)
            lang = "zh" if i % 2 == 0 else "en"
            pool = t["zh_texts"] if lang == "zh" else t["en_texts"]
            self._post("bluesky", when, author=f"demo{rng.randint(1, 40)}.bsky.social",
                       text=self._fill(rng.choice(pool), lang), lang=lang)

    def advance(self) -> None:
        """Before the second run: a few newer posts everywhere, engagement moved on."""
        for p in self.api.posts:
            if p.points is not None:
                p.points += self.rng.randint(5, 120)
            if p.likes is not None:
                p.likes += self.rng.randint(5, 300)
        self._build(SECOND_RUN, 0.2)


def social_sources_toml(api_base: str, feed_base: str) -> str:
    api, feeds = api_base.rstrip("/"), feed_base.rstrip("/")
    rows = [
        ("demo-hn-stories", "Demo HN stories: video models", "hn", "en",
         f"{api}/hn/api/v1/search_by_date?query=video&tags=story&hitsPerPage=8", True),
        ("demo-hn-comments", "Demo HN comments: video models", "hn", "en",
         f"{api}/hn/api/v1/search_by_date?query=video&tags=comment&hitsPerPage=10", False),
        ("demo-reddit-aivideo", "Demo Reddit r/aivideo", "reddit", "en",
         f"{api}/reddit/r/aivideo/new.json?limit=8", False),
        ("demo-reddit-comments", "Demo Reddit r/aivideo comments", "reddit", "en",
         f"{api}/reddit/r/aivideo/comments.json?limit=10", False),
        ("demo-mastodon-aivideo", "Demo Mastodon #aivideo", "mastodon", "und",
         f"{api}/mastodon/api/v1/timelines/tag/aivideo?limit=8", False),
        ("demo-bluesky-search", "Demo Bluesky search: ai video", "bluesky", "und",
         f"{api}/bsky/xrpc/app.bsky.feed.searchPosts?q=ai+video&limit=8", False),
    ]
    out = ["# aigcwatch demo social sources — demo data, not real posts.", ""]
    for sid, name, kind, lang, url, full in rows:
        topical = "true" if kind in ("reddit", "mastodon") else "false"   # a community / hashtag
        out += ["[[source]]", f'id = "{sid}"', f'name = "{name}"', f'kind = "{kind}"',
                f'url = "{url}"', f'lang = "{lang}"', 'category = "social"', f"topical = {topical}",
                "max_pages = 3", "min_interval_s = 0.02", "stale_days = 3650",
                f"full_text = {'true' if full else 'false'}", ""]
    for sid, (name, lang, file) in FEEDS.items():
        out += ["[[source]]", f'id = "{sid}"', f'name = "{name}"', 'kind = "rss"',
                f'url = "{feeds}/{file}"', f'lang = "{lang}"', 'category = "news"',
                "stale_days = 3650", f"full_text = {'true' if sid == 'demo-wire-zh' else 'false'}", ""]
    return "\n".join(out)


# -- what the demo shows after its runs ----------------------------------------------------------

def social_report(session, limit: int = 8) -> list[str]:
    """Lines for the demo's output: the most engaged posts, and the clusters with most reach."""
    from db import queries
    from db.filters import ItemFilter

    lines = ["most engaged post of each social source (points / comments / reposts / likes):"]
    for p in queries.most_engaged_posts(session, limit=limit * 2):
        counts = (p["points"], p["num_comments"], p["reposts"], p["likes"])
        shown = " / ".join("-" if c is None else str(c) for c in counts)
        lines.append(f"  {shown:>18}  {p['source_id']:22s} {p['kind']:7s} "
                     f"@{p['author_handle'] or '?'}: {p['title'][:56]}")
    lines.append("stories carried by several outlets (reach = distinct sources):")
    for c in queries.widest_clusters(session, limit=limit):
        n = c["edited_copies"]
        lines.append(f"  reach {c['reach']}  first seen {c['first_seen_at']:%Y-%m-%d %H:%M} UTC  "
                     f"{n} edited cop{'y' if n == 1 else 'ies'}: {c['title'][:60]}")
    everything = ItemFilter(include_spam=True, include_irrelevant=True)
    stories = queries.count_items(session, everything)
    total = queries.count_items(session, everything.replace(include_copies=True))
    lines.append(f"{total} items stored, {stories} stories once near-duplicates are grouped")
    return lines
