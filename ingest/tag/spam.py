"""SEO spam: a betting, adult or link-farm title or keywords pasted over copied content.

Independent of relevance (the copied article underneath may be real). Scored (weights in
data/spam.toml [weights]):
- in the title: seo shapes ("手机版网页登录", "官网入口", "app下载", "login"), gambling words, adult
  keywords, a list of many short keyword segments;
- anywhere: spam brands, link-farm injections ("安康市某某…客服中心") and betting lures
  ("首次登录送91元红包"); gambling words in the body, keyword stuffing;
- copied articles disguised for search engines: synonym-spinner artefacts (non-words such as
  "野生智能" for 人工智能, "不雅众" for 观众; two distinct ones), characters followed by their pinyin
  ("我(wo)们", 5+ times), a head line listing website-building and SEO keywords;
- pages copied by content farms, whatever their title: a source line naming a spam site
  ("来源:XX直播nba免费观看", "来自XM外汇官网:": a streaming, forex, betting or stock-lending site's
  search phrase where a real outlet's name stands); a head line that is nothing but a casino bonus
  offer ("777 FREE SPINS + 300%"); "础滨" for "AI" (2+ times: the garbled Latin letters that the
  copies of one content-farm source carry); a product keyword repeated in search-query form
  ("veo 3 ai", 3+ times, in a text that also writes it capitalised);
- the title is the item's title, or for an untitled text its first short line;
- title/body mismatch: the title's own words, seo shapes and gambling words aside, are not in the
  body. That is what a pasted title looks like whatever its brand: "星耀手机版网页登录" over an
  article about AI video. The same holds for one segment of the title that carries the spam shape
  beside the copied article's real headline ("武汉股票配资平台-AI拍电影", "…|国产熟妇…"). A mismatch
  counts only beside a spam shape in the title.
News *about* gambling (a Macau revenue report) has gambling words but no seo shape, no brand and
no mismatch, so it stays under the threshold (a headline left with nothing but its topic's
gambling word, "AI and the slot machine", is no mismatch when the body takes that word up); an
seo shape alone ("可灵App下载量破千万" over an article about it) is not spam.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ingest.tag.doc import Doc
from ingest.tag.lexicon import Matcher, load_toml


HEAD, TAIL = 800, 400
_KINDS = ("seo", "gambling", "gambling_soft", "brands", "adult", "adult_soft", "injection", "spun",
          "lending", "benign")
_SEGMENTS = re.compile(r"\s*[_|,，、]\s*|\s+-\s+|\s*–\s*")
# parts of a title between separators (a hyphen inside a word, "Gen-4", "text-to-video", is none)
_TITLE_SEGMENT = re.compile(r"(?:[^_|｜,，、:：\-–—]|(?<=[a-z0-9])-(?=[a-z0-9]))+")
PASTED_OWN = 8            # characters at most of a pasted title segment's own words
HEADING_BODY = 200        # characters of text besides a title repeated as a heading
# what marks a pasted segment: a gambling, brand, adult or lending phrase, or an seo shape of 4+
# characters that is not one plain word ("手机版网页登录", "官网入口"; not "官网", "下载", "login")
_PASTED_KINDS = frozenset({"gambling", "brands", "adult", "lending"})
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]{2,}")
_TITLE_STOP = frozenset("the and for with from your you best top new free official site app".split())
MISMATCH = 0.25           # at most this share of the title's own words found in the body
# one character followed by its pinyin in brackets, in lower case as written: "最(zui)近" (not
# "谷歌(google)", nor acronyms such as "人工智能(AI)")
_PINYIN_MARK = re.compile(r"[\u4e00-\u9fff][(（]((?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?"
                          r"(?:[aeiouv]{1,3})(?:ng|n|r)?)[)）]")
OBFUSCATED = 5            # that many distinct pinyin marks
_HEAD_LINE = re.compile(r"[^\n。！？!?]+")      # lines, and sentences within them
_COMMA = re.compile(r"\s*,\s*")          # ASCII commas of the original text: generated lists
# a search phrase of the website-building trade: a website with what is done to it or asked of
# it, or the trade's own words
_LINK_FARM = re.compile(r"(?:网站|网页)[^,]{0,12}(?:建设|制作|设计|优化|报价|模板|多少钱|哪家|怎么|什么|系统|"
                        r"公司|加密|水印|收录|采集|推广)|(?:建设|制作|设计|优化|推广|加密)[^,]{0,12}(?:网站|网页)|"
                        r"建站公司|报价表|报价单|接单报价|(?<![a-z])seo(?![a-z])|wordpress|营销系统|外链")
LINK_FARM = 3             # short comma-separated phrases of one head line that name those
KEYWORD_PHRASE = 24       # characters at most in such a phrase
# a source line: "来源:<name>" anywhere (a label, not prose: the name ends at a space or a
# punctuation mark), or a line that is only "来自<name>:". An image credit ("图片来源:…页面截图")
# describes a picture, not the article's source.
_SOURCE_LABELS = ("来源", "出处", "转载自", "转自")
_SOURCE_LABEL_RE = "|".join(_SOURCE_LABELS)
_SOURCE_NAME = r"([^\s:,，。;；|)）】]{2,30})"
_SOURCE_LINE = re.compile(r"(?:(?<![\u4e00-\u9fff])|(?<=文章)|(?<=本文))(?:" + _SOURCE_LABEL_RE + r")[ \t]*:[ \t]*"
                          + _SOURCE_NAME
                          + r"|(?:^|\n)[ \t]*(?:来自|转载自|转自)[ \t]*" + _SOURCE_NAME
                          + r"[ \t]*:[ \t]*(?=\n|$)")
# a line made of nothing but a casino bonus offer: amounts, "free spins", "bonus", "+", "up to"
# (each token atomic: a long number is one token, so a failing line costs one pass)
_OFFER_LINE = re.compile(r"(?:\s*(?>[$€£]?\d[\d,.]*+%?k?|up to|free spins?|free bets?|bonus(?:es)?|"
                         r"no deposit|deposit|welcome|match|cashback|fs|[+&/x:|]|and|on))+\s*")
OFFER_LINE = 60           # characters at most in such a line
_OFFER_WORD = re.compile(r"free spin|free bet|bonus.*(?:up to|deposit|welcome|match|\+)|(?:up to|deposit|welcome|match|\+).*bonus")
# "础滨": "AI" as the Latin-letter garble of one content-farm source ("础滨生成视频"); not after 基
# (基础 followed by a place name such as 滨海)
_GARBLED_AI = re.compile(r"(?<!基)础滨")
GARBLED = 2               # that many occurrences
# a spun copy's filler: ",,,,," between clauses, over and over; some writers type ",,," for an
# ellipsis too, so it weighs only beside another sign
_COMMA_RUN = re.compile(r"[,，]{3,}")
COMMA_RUNS = 3            # that many runs
# a product keyword in search-query form, lower case after a lower-case word or comma: "veo 3 ai"
_QUERY_FORM = re.compile(r"(?<=[a-z,] )([a-z][a-z0-9-]+ \d+(?:\.\d+)? ai)\b")
QUERY_FORM = 3            # the same keyword that many times, the text also writing it capitalised


@dataclass(frozen=True)
class SpamResult:
    spam: bool
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class _Lexicon:
    terms: Matcher                 # payload: one of _KINDS
    weights: dict[str, float]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    data = load_toml("spam.toml")
    entries = [(t, kind) for kind in _KINDS for t in data.get(kind, [])]
    return _Lexicon(Matcher(entries), {k: float(v) for k, v in data["weights"].items()})


_SITE_KINDS = ("site", "brands", "lending")     # what a spam site's name holds


@lru_cache(maxsize=1)
def _site_terms() -> Matcher:
    data = load_toml("spam.toml")
    return Matcher([(t, kind) for kind in _SITE_KINDS for t in data.get(kind, [])])


def title_overlap(title: str, body: str) -> float | None:
    """Share of the title's own words (Chinese: character pairs) that occur in the body; None
    when the title has no words left (or there is no body)."""
    if not title.strip() or not body.strip():
        return None
    words: set[str] = set()
    for run in _CJK_RUN.findall(title):
        if len(run) == 1:
            words.add(run)
        words.update(run[i:i + 2] for i in range(len(run) - 1))
    words.update(w for w in _LATIN_WORD.findall(title) if w not in _TITLE_STOP)
    if not words:
        return None
    return sum(1 for w in words if w in body) / len(words)


FIRST_LINE = 200          # an untitled text's first line up to this long stands for its title
# a line of nothing but markup tags ("<cite id=\"ffb66\"></cite>"), which a scraped spam page
# leaves above its keyword line: the line after it stands for the title (at most MARKUP_LINES)
_MARKUP_LINE = re.compile(r"\s*(?:<[^<>\n]{0,200}>\s*)+")
MARKUP_LINES = 5
_SENTENCE_END = frozenset("。.…;；:：")     # a title may end in ? or !
_SOURCE_LABEL = re.compile(r"(?:文章|本文)?(?:" + _SOURCE_LABEL_RE + r")\s*[:：]")   # "来源:澳门日报"


def _head_end(doc: Doc) -> int:
    """End of the title in doc.norm; for an untitled text, of its first line when that line is
    short, reads as a title (no sentence-ending punctuation, not a "来源:…" source line) and more
    text follows (a page scraped with its title, or a keyword line pasted above the copied
    article); else 0."""
    if doc.title_sentences:
        return doc.spans[doc.title_sentences - 1][1]
    norm = doc.norm
    start = len(norm) - len(norm.lstrip())
    cut = norm.find("\n", start, start + FIRST_LINE + 1)
    for _ in range(MARKUP_LINES):        # a scraped page's leftover tags before its first line
        if cut <= start or not _MARKUP_LINE.fullmatch(norm, start, cut):
            break
        start = cut + 1 + len(norm[cut + 1:]) - len(norm[cut + 1:].lstrip())
        cut = norm.find("\n", start, start + FIRST_LINE + 1)
    if cut <= start or not norm[cut:].strip():
        return 0
    line = norm[start:cut].rstrip()
    if line[-1:] in _SENTENCE_END or "。" in line:     # a paragraph, not a title line
        return 0
    if _SOURCE_LABEL.match(line):       # the page's source line, not its title
        return 0
    return cut


def detect(doc: Doc) -> SpamResult:
    lex = _lexicon()
    w = lex.weights
    title_end = _head_end(doc)
    counts: Counter[str] = Counter()
    kinds: dict[str, set[str]] = {}
    title_kinds: dict[str, set[str]] = {}
    title_cuts: list[tuple[int, int]] = []        # spam phrases inside the title
    marks: list[tuple[int, int, str]] = []        # those that can mark a pasted segment
    norm = doc.norm
    if len(norm) > HEAD + TAIL:   # spam keywords sit in the title, the head and the tail
        norm = norm[:HEAD] + "\n" + norm[-TAIL:]
    for start, end, _, key, payloads in lex.terms.scan(norm):
        if "benign" in payloads:          # an ordinary word holding a spam one: 久久为功, 午夜场
            continue
        counts[key] += 1
        for kind in payloads:
            kinds.setdefault(kind, set()).add(key)
            if start < title_end:
                title_kinds.setdefault(kind, set()).add(key)
                title_cuts.append((start, end))
                if kind in _PASTED_KINDS or (kind == "seo" and len(key) >= 4 and not key.isascii()):
                    marks.append((start, end, kind))
    score = 0.0
    if "seo" in title_kinds:
        score += w["title_seo"]
    if "gambling" in title_kinds or "brands" in title_kinds:
        score += w["title_gambling"]
    elif "gambling_soft" in title_kinds:
        score += 0.5 * w["title_gambling"]
    if kinds.get("brands"):
        score += w["brand"]
    score += w["body_gambling"] * (len(kinds.get("gambling", ()))
                                   + 0.5 * len(kinds.get("gambling_soft", ())))
    if any(n >= 4 for n in counts.values()) and kinds.get("gambling"):
        score += w["stuffing"]
    adult = (len(title_kinds.get("adult", ())) + 0.5 * len(title_kinds.get("adult_soft", ())))
    score += w["title_adult"] * adult
    if kinds.get("injection"):
        score += w["injection"]
    score += w["spun"] * len(kinds.get("spun", ()))
    disguised = []
    written = f"{doc.title}\n{doc.text[:HEAD + TAIL]}"[:HEAD + TAIL]     # the head as written
    if len(set(_PINYIN_MARK.findall(written))) >= OBFUSCATED:
        score += w["obfuscated"]
        disguised.append("pinyin after characters")
    if _link_farm_line(written[:HEAD].lower()):
        score += w["link_farm"]
        disguised.append("website-building keyword list")
    site = _spam_source(doc.norm[:HEAD])
    if site:
        score += w["site_line"]
        disguised.append(f"source line naming a spam site ({site})")
    if _offer_line(written[:HEAD].lower()):
        score += w["offer_line"]
        disguised.append("casino bonus offer line")
    if len(_GARBLED_AI.findall(written)) >= GARBLED:
        score += w["garbled"]
        disguised.append("garbled latin (础滨 for AI)")
    if len(_COMMA_RUN.findall(written)) >= COMMA_RUNS:
        score += w["stuffed_commas"]
        disguised.append("runs of commas between clauses")
    query = _query_form(written)
    if query:
        score += w["query_form"]
        disguised.append(f"keyword in search-query form ({query})")
    # stock-margin lending (配资) is a title shape only as a keyword chain ("杭州网上配资:武汉股票
    # 配资平台-…"): one such phrase is the topic of crackdown and fraud news
    lending = len(title_kinds.get("lending", ())) >= 2
    if lending:
        score += w["title_seo"]
    pasted_marks = [(a, b) for a, b, kind in marks if kind != "lending" or lending]
    shaped = bool(title_kinds.get("seo") or title_kinds.get("gambling") or title_kinds.get("brands")
                  or title_kinds.get("gambling_soft") or adult or lending)
    mismatch = False
    if shaped and title_end:
        title = doc.norm[:title_end]
        body = _body_without_heading(title, doc.norm[title_end:])
        if body.strip():       # a title-only item (a feed entry with no summary) has nothing to mismatch
            overlap = title_overlap(_own_words(title, 0, title_end, title_cuts), body)
            if overlap is None:     # nothing but spam phrases (and function words) in the title
                mismatch = not _topic_title(title, title_cuts, title_kinds, body)
            else:
                mismatch = (overlap <= MISMATCH
                            or _pasted_segment(title, title_cuts, pasted_marks, body))
        if mismatch:
            score += w["mismatch"]
        if len([s for s in _SEGMENTS.split(title) if s.strip()]) >= 4:
            score += w["keyword_list"]
    if not (kinds.get("gambling") or kinds.get("gambling_soft") or kinds.get("brands") or adult
            or kinds.get("injection")
            or kinds.get("spun") or disguised or mismatch):
        score = min(score, w["threshold"] - 0.5)   # an seo shape alone is not spam
    found = set()
    for kind in ("brands", "gambling", "gambling_soft", "adult", "adult_soft", "injection", "spun"):
        found |= kinds.get(kind, set())
    if score >= w["threshold"]:
        found |= title_kinds.get("seo", set())          # the title's shape, when it counted
        if lending:
            found |= title_kinds["lending"]
    evidence = (tuple(sorted(found))[:6] + tuple(disguised)
                + (("title/body mismatch",) if mismatch else ()))
    return SpamResult(score >= w["threshold"], round(score, 2), evidence)


def _own_words(text: str, start: int, end: int, cuts: list[tuple[int, int]]) -> str:
    """text[start:end] with the spam phrases found in it blanked out."""
    part = text[start:end]
    for a, b in sorted(cuts, reverse=True):
        if start <= a and b <= end:
            part = part[:a - start] + " " + part[b - start:]
    return part


def _topic_title(title: str, cuts: list[tuple[int, int]], title_kinds: dict[str, set[str]],
                 body: str) -> bool:
    """A headline whose only words left are gambling words that its body takes up ("AI and the
    slot machine" over an article about slot machines): the topic of the article, not a spam
    title. A title with a spam shape, brand, adult or lending phrase is none."""
    if not set(title_kinds) <= {"gambling", "gambling_soft"}:
        return False
    return all(title[a:b] in body for a, b in cuts)


def _body_without_heading(title: str, body: str) -> str:
    """The body, less one copy of the title that a page repeats as a heading above a longer text:
    that copy does not make the title match the article. A short text that is its title, or
    starts with it, keeps it."""
    title = title.strip()
    at = body.find(title) if title else -1
    if at < 0:
        return body
    rest = body[:at] + " " + body[at + len(title):]
    return rest if len(rest.strip()) >= max(HEADING_BODY, 3 * len(title)) else body


def _pasted_segment(title: str, cuts: list[tuple[int, int]], marks: list[tuple[int, int]],
                    body: str) -> bool:
    """A segment of a title with more than one ("武汉股票配资平台-AI拍电影", "AI短剧爆发…|国产熟妇…")
    that holds a marking spam phrase (`marks`) and next to it no more than PASTED_OWN characters
    of its own words, none of them in the body: a spam title pasted before or after the copied
    article's real headline, which the whole title's overlap with the body would hide. A
    headline's own clause ("…: brands bet on restraint", "…，官网可用") is no such segment."""
    segments = [m for m in _TITLE_SEGMENT.finditer(title) if m.group().strip()]
    if len(segments) < 2:
        return False
    for seg in segments:
        a, b = seg.span()
        if not any(a <= x and y <= b for x, y in marks):
            continue
        own = _own_words(title, a, b, cuts)
        if len("".join(own.split())) > PASTED_OWN:
            continue
        overlap = title_overlap(own, body)
        if overlap is not None and overlap <= MISMATCH:
            return True
    return False


def _link_farm_line(head: str) -> bool:
    """A line of the head (as written, lower case) listing LINK_FARM or more short phrases about
    building websites and SEO, separated by ASCII commas ("台州网站制作系统分析怎么写,平面设计接单
    报价表,…") and making most of the line: the keyword block a link farm pastes above a copied
    article. Chinese prose separates its clauses with full-width commas."""
    for line in _HEAD_LINE.findall(head):
        parts = [p for p in _COMMA.split(line) if p]
        if len(parts) < LINK_FARM:
            continue
        # the last phrase runs on into the copied article's headline ("网站建设的可行性Wan2.2-…"):
        # its head counts
        hits = sum(1 for i, p in enumerate(parts)
                   if (len(p) <= KEYWORD_PHRASE or i == len(parts) - 1) and _LINK_FARM.search(p[:KEYWORD_PHRASE]))
        if hits >= LINK_FARM and 2 * hits >= len(parts):
            return True
    return False


def _spam_source(head: str) -> str | None:
    """The spam-site phrase in a source line of the head (normalised): "来源:小九直播nba免费观看
    发布时间…", "来自xm外汇官网:". A real outlet's name ("来源:新浪科技", "来源:第一网贷") holds no
    streaming, forex, betting or stock-lending site phrase; a sentence ("来自北京的观众在线观看了…")
    is no source label, and a screenshot's credit ("图片来源:某视频网站在线观看页面截图") names no
    source of the article."""
    if "来自" not in head and not any(label in head for label in _SOURCE_LABELS):
        return None
    for m in _SOURCE_LINE.finditer(head):
        name = m.group(1) or m.group(2)
        if "截图" in name:
            continue
        for _, _, _, key, _ in _site_terms().scan(name):
            return key
    return None


def _offer_line(head: str) -> bool:
    """A line of the head (as written, lower case) that is nothing but a casino bonus offer with an
    amount: "777 free spins + 300%", "100% bonus up to $500". A sentence about such offers has
    other words."""
    if "free" not in head and "bonus" not in head:
        return False
    for line in head.split("\n"):
        if (len(line) <= OFFER_LINE and _OFFER_WORD.search(line)
                and any(c.isdigit() for c in line) and _OFFER_LINE.fullmatch(line)):
            return True
    return False


def _query_form(written: str) -> str | None:
    """A product keyword written QUERY_FORM or more times in lower case after a lower-case word,
    the way a search query is pasted ("the arrival of veo 3 ai", "significance of veo 3 ai"), in a
    text that also writes the name capitalised ("Veo 3 AI"): a page stuffed with its keyword. A
    writer who never capitalises it (a casual post) is not counted."""
    if " ai" not in written:
        return None
    counts = Counter(_QUERY_FORM.findall(written))
    for phrase, n in counts.items():
        if n >= QUERY_FORM and re.search(
                rf"(?<![A-Za-z]){phrase[0].upper()}(?i:{re.escape(phrase[1:])})\b", written):
            return phrase
    return None
