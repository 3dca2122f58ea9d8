"""Bytes -> ParsedFeed: decode with verified encoding, then let feedparser read the text.

Decoding is ours, not feedparser's: feeds lie about their encoding (GBK bytes declared UTF-8,
GB2312 or Big5 with no declaration at all), and feedparser without chardet falls back to
windows-1252 and returns mojibake. ``decode_feed`` checks the declared encoding against the
bytes and, when it does not fit, picks among UTF-8, GB18030 and Big5 the one that decodes
strictly and reads most like Chinese (share of common Han characters).

feedparser then gets UTF-8 bytes with a matching declaration, so it never re-guesses. HTML
sanitising and relative-URI rewriting inside content are switched off: normalisation turns all
markup into plain text anyway, and those passes cost feedparser most of its time.
"""
from __future__ import annotations

import codecs
import html
import html.entities
import io
import re

import feedparser

from aigcwatch.errors import SourceError
from ingest.types import FailureClass, ParsedFeed, RawEntry
from ingest.wording import counted

__all__ = ["FeedDecodeError", "FeedParseError", "decode_feed", "parse_feed"]


class FeedDecodeError(SourceError):
    """The body could not be decoded to text with any plausible encoding."""

    def __init__(self, reason: str, source_id: str | None = None) -> None:
        super().__init__(source_id or "?", f"cannot decode feed: {reason}", FailureClass.DECODE)
        self.reason = " ".join(reason.split())


class FeedParseError(SourceError):
    """The text is not an RSS/Atom feed, or is malformed and yielded no entry."""

    def __init__(self, reason: str, source_id: str | None = None) -> None:
        super().__init__(source_id or "?", f"cannot parse feed: {reason}", FailureClass.PARSE)
        self.reason = " ".join(reason.split())


# --- decoding ---------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)""")
_XML_DECL_TEXT = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")
# A document that opens as a web page (after an optional XML declaration and comments)
_HTML_PAGE = re.compile(r"""\A\ufeff?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"""
                        r"""(?:<!doctype\s+html|<html[\s>])""", re.IGNORECASE | re.DOTALL)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)

# Declared names -> the codec we decode with. GB2312 and GBK are subsets of GB18030; Big5 is
# read as Big5-HKSCS (what browsers do); Latin-1 gets the cp1252 treatment where it matters.
_GB = "gb18030"
_BIG5 = "big5hkscs"
_CODEC_FAMILY = {
    "gb2312": _GB, "gbk": _GB, "gb18030": _GB, "hz": _GB,
    "big5": _BIG5, "big5hkscs": _BIG5, "cp950": _BIG5,
    "ascii": "latin", "latin_1": "latin", "iso8859-1": "latin", "cp1252": "latin",
}
_LATIN_FAMILY = "latin"

# Candidates when the declaration is missing or wrong, in order of preference on a tie.
_GUESSES = ("utf-8", _GB, _BIG5)
_MIN_HAN_SCORE = 0.3        # share of common characters below which a CJK guess is rejected
_SAMPLE_CHARS = 60_000
_NON_ASCII = re.compile(r"[^\x00-\x7f\u2000-\u206f\u3000-\u303f\uff00-\uffef]")

# The ~800 most frequent simplified Han characters (from jieba's word-frequency dictionary,
# weighted by word frequency) and their traditional forms (OpenCC s2t / s2tw). Text decoded
# with the right codec is mostly these; text decoded with the wrong one rarely hits them.
_COMMON_HAN = frozenset(
    "一是人了不在有大中国和为这上他个地年来我会以到时要出的生学说道民家子也成行下们于后就发自之对得主长可"
    "过天作分方用多你着部能市等业全里工公经本都而高政法面门动日进区事代那去心小同北定开产前其军还然起种所"
    "如现理机体表力好外与文当两实重新三么只山水关明从化平建又制南内西没此将员名手最东头者月间无安看见各城"
    "十相但已些正口通想度加第她合院物性战由位常点海意场武使次二向治因立数样身情入原问把路被并利石老教万知"
    "级量任江及应省资委务元美特期世湖回系比气汉总展电科金先声提品设或义王社很统处四首共马形己儿司太目基领"
    "队直计别女权话少流命至报米给打变果书清活几州华解议更称程今决张导术府才保交放管结师便走达族反再题色五"
    "京河接条规式县白它改风光运信受什组听布百济党指论强做取技黄神选记斯真却职号界件花类何眼兵传带空干农边"
    "据集联古广完质阳难增历史专官每住商即步认车台林必死游举线言皇土团收考求德叫近备研争非具李众连调感转笑"
    "革该持始英克士尔让拉思根格造较际亲单朝红型价校约器字段周亚深候则功属积快图火千准究往极育装许参半令吃"
    "观鱼精办像帝八复影告远群包整构料随划算象容示投势热值夫网望源息语股铁断派速怎需片爱律纪支早况病境证编"
    "越局推满且列觉服双未居除乐企引标确织初青志率项飞球节察龙响药站施均消客失轻存低甚般击曾防请离落显罗营"
    "足素视护副食创余照兴占巴虽洲村费易试星木黑左宝置跟央识维采六底宫房音环案批切斗富乡另倒若按查故突责严"
    "桥模仅胜杀围席态破承招杨负层须父供续状域似依银范修找九致密终血旅钱赛独细效玉冲获习医演毛尽脸弹楼艺航"
    "陆右协七攻镇检写苏宗章注阿抗弟坐验封紧劳户优财养适陈喜卫排射哥油刻留急降念云微伤例景拿绝阶座刘刚害印"
    "亿沙母酒助闻超审待压升送监策略限竟香配藏敌呢差仍兰温园树征善波哪词岛止预怕继皮执味份角草男普答益谁船"
    "惊核街夏宣掌田久著画辑奇尼剑吧谈背免孩礼材愿洋春架筑括晚乱乎讲尚良友临激刀夜室既敢邦挥昌板胡欧福港叶"
    "國爲為這個來會時學說們於後發對長過業裏裡經門動進區開產軍還種現機體與當兩實麼關從內沒將員東頭間無見戰"
    "點場數樣問並萬級應資務氣漢總電聲設義統處馬兒領隊計別權話報給變書幾華議稱決張導術結師達題條規縣風運組"
    "聽濟黨論強黃選記卻職號類傳帶幹農邊據聯廣質陽難歷專認車臺遊舉線團備爭衆眾連調轉該爾讓較際親單紅價約亞"
    "則屬積圖準極裝許參喫觀魚辦復遠羣構隨劃勢熱網語鐵斷愛紀況證編滿覺雙樂標確織項飛節龍響藥輕擊請離顯羅營"
    "視護創餘興佔雖費試寶識維採宮環鬥鄉責嚴橋僅勝殺圍態楊負層須續狀銀範終錢賽獨細衝獲習醫盡臉彈樓藝陸協鎮"
    "檢寫蘇驗緊勞戶優財養適陳衛雲傷絕階劉剛億聞審壓監敵蘭溫園樹徵詞島預繼執誰驚畫輯劍談禮願築亂講臨揮歐葉"
)


def canonical_charset(name: str | None) -> str | None:
    """Python's canonical codec name for a declared charset name (with the x-gbk, gb_2312-80
    and x-big5 spellings of real pages); None if unknown."""
    if not name:
        return None
    low = name.strip().lower()
    try:
        return codecs.lookup(low).name
    except LookupError:
        return {"x-gbk": "gbk", "gb_2312-80": "gb2312", "x-big5": "big5"}.get(low)


def _codec(name: str | None) -> str | None:
    """Python codec (or the latin family marker) for a declared charset name; None if unknown."""
    canonical = canonical_charset(name)
    return None if canonical is None else _CODEC_FAMILY.get(canonical, canonical)


def han_score(text: str) -> tuple[float, int]:
    """(share of common Han characters among non-ASCII letters, number of them) in a sample."""
    chars = _NON_ASCII.findall(text[:_SAMPLE_CHARS])
    if not chars:
        return 0.0, 0
    common = sum(1 for c in chars if c in _COMMON_HAN)
    return common / len(chars), len(chars)


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _best_cjk(body: bytes, codecs_: tuple[str, ...]) -> tuple[str, str, float] | None:
    """The strict decoding among codecs_ that reads most like Chinese, if any reads like it."""
    best = None
    for codec in codecs_:
        text = _strict(body, codec)
        if text is None:
            continue
        score, n = han_score(text)
        if n and score >= _MIN_HAN_SCORE and (best is None or score > best[2]):
            best = (text, codec, score)
    return best


def _decode_latin(body: bytes) -> tuple[str, str, str | None]:
    """A feed declared Latin-1/ASCII: often really UTF-8 or GBK; else cp1252 or Latin-1."""
    if body.isascii():
        return body.decode("ascii"), "ascii", None
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8", "declared Latin-1/ASCII but bytes are UTF-8; decoded as utf-8"
    cjk = _best_cjk(body, (_GB, _BIG5))
    if cjk and cjk[2] >= 0.5:
        return cjk[0], cjk[1], f"declared Latin-1/ASCII but bytes read as Chinese; decoded as {cjk[1]}"
    if re.search(rb"[\x80-\x9f]", body):
        text = _strict(body, "cp1252")
        if text is not None:
            return text, "cp1252", None
    return body.decode("latin-1"), "iso-8859-1", None


def _declared(body: bytes, content_type: str | None) -> str | None:
    """The declared charset: HTTP first, then the XML declaration. An HTTP Latin-1 charset is
    very often a server default, so a different XML declaration overrides it."""
    m = _XML_DECL_ENCODING.match(body[:512])
    xml_decl = m.group(1).decode("ascii") if m else None
    m = _CHARSET.search(content_type) if content_type else None
    if m is None:
        return xml_decl
    if xml_decl and _codec(m.group(1)) == _LATIN_FAMILY and _codec(xml_decl) not in (None, _LATIN_FAMILY):
        return xml_decl
    return m.group(1)


def _decode(body: bytes, content_type: str | None) -> tuple[str, str, str | None]:
    """(text, encoding used, warning or None)."""
    if not body:
        raise FeedDecodeError("empty body")
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = _strict(body[len(bom):], codec)
            if text is not None:
                return text, codec, None
            break
    declared = _declared(body, content_type)
    codec = _codec(declared)
    warning = f"unknown declared encoding {declared!r}" if declared and not codec else None
    if codec == _LATIN_FAMILY:
        return _decode_latin(body)
    if codec:
        text = _strict(body, codec)
        if text is not None:
            if codec == "utf-8" or body.isascii():
                return text, codec, None
            # Legacy multi-byte declared: UTF-8 bytes often decode as GB18030 too. Compare.
            utf8 = _strict(body, "utf-8")
            if utf8 is None or han_score(text)[0] >= han_score(utf8)[0]:
                return text, codec, None
            return utf8, "utf-8", f"declared {declared} but bytes are UTF-8; decoded as utf-8"
    text = _strict(body, "utf-8")
    if text is not None:
        if codec:
            warning = f"declared {declared} but bytes are UTF-8; decoded as utf-8"
        return text, "utf-8", warning
    cjk = _best_cjk(body, _GUESSES[1:])
    if cjk:
        what = f"declared {declared}" if declared else "no declared encoding"
        return cjk[0], cjk[1], f"{what}; bytes read as Chinese, decoded as {cjk[1]}"
    # A few stray bytes in an otherwise valid document: keep the declared codec.
    if codec:
        text = body.decode(codec, "replace")
        bad = text.count("\ufffd")
        if bad <= max(2, len(body) // 1000):
            return text, codec, f"{counted(bad, 'undecodable byte sequence')} replaced ({codec})"
    return _last_resort(body, declared)


def _last_resort(body: bytes, declared: str | None) -> tuple[str, str, str | None]:
    from charset_normalizer import from_bytes

    match = from_bytes(body[:200_000]).best()
    if match is not None and match.encoding:
        text = _strict(body, match.encoding)
        if text is not None:
            return text, match.encoding, f"encoding guessed by charset-normalizer: {match.encoding}"
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    if bad <= max(2, len(body) // 1000):
        return text, "utf-8", f"{counted(bad, 'undecodable byte sequence')} replaced (utf-8)"
    what = f"declared {declared}" if declared else "no declared encoding"
    raise FeedDecodeError(f"{what}; bytes are not UTF-8, GB18030 or Big5 text")


def decode_feed(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(text, encoding used). Order: BOM, HTTP charset, XML declaration, each verified against
    the bytes; then UTF-8 / GB18030 / Big5 by plausibility; then charset-normalizer.

    Raises FeedDecodeError when nothing decodes.
    """
    text, encoding, _ = _decode(body, content_type)
    return text, encoding


# --- parsing ----------------------------------------------------------------------------------

_FEED_HEADERS = {"content-type": "application/xml; charset=utf-8"}
_LOOSE_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _as_html(detail: dict | None, value: str | None) -> str | None:
    """Field value as HTML: plain-text values are escaped so normalisation reads them verbatim."""
    if not value:
        return None
    if detail and detail.get("type") == "text/plain":
        return html.escape(value, quote=False)
    return value


def _undo_loose_entities(value: str | None) -> str | None:
    """feedparser's lenient parser turns a bare "&T" into "&T;"; put the bare ampersand back."""
    if not value or "&" not in value:
        return value
    return _LOOSE_ENTITY.sub(
        lambda m: m.group(0) if m.group(1) + ";" in html.entities.html5 else "&" + m.group(1), value)


def _link(entry: dict) -> str | None:
    if entry.get("guidislink"):
        # No <link>: feedparser copied the GUID. Only an absolute http(s) GUID is a usable link;
        # "zh-3" or "tag:..." must not become a URL by resolution against the feed's address.
        link = entry.get("link") or ""
        return link if link.lower().startswith(("http://", "https://")) else None
    for link in entry.get("links") or ():
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            if link.get("type", "text/html") in ("text/html", "application/xhtml+xml"):
                return link["href"]
    return entry.get("link") or None


def _content(entry: dict) -> str | None:
    best = None
    for c in entry.get("content") or ():
        value = c.get("value") or ""
        if value and (best is None or len(value) > len(best[1])):
            best = (c, value)
    return _as_html(*best) if best else None


def _base(entry: dict, fallback: str | None) -> str | None:
    for key in ("title_detail", "summary_detail"):
        base = (entry.get(key) or {}).get("base")
        if base:
            return base
    return fallback


def _raw_entry(source_id: str, e: dict, base_url: str | None, lenient: bool) -> RawEntry:
    # dict.get, not e.get: FeedParserDict maps a missing "updated" to "published" (and warns).
    get = dict.get
    title, summary = get(e, "title"), get(e, "summary")
    if lenient:
        title, summary = _undo_loose_entities(title), _undo_loose_entities(summary)
    author = get(e, "author")
    return RawEntry(
        source_id=source_id,
        guid=get(e, "id") or None,
        title=_as_html(get(e, "title_detail"), title),
        link=_link(e),
        summary=_as_html(get(e, "summary_detail"), summary),
        content=_content(e),
        author=html.escape(author, quote=False) if author else None,
        published=get(e, "published") or None,
        updated=get(e, "updated") or None,
        base_url=_base(e, base_url),
    )


# A numeric reference to a UTF-16 surrogate (D800-DFFF): what a CMS that escapes from JavaScript
# strings writes for an emoji ("&#55357;&#56832;"), and, alone, for a title cut inside one.
# No XML or HTML character; feedparser's lenient parser dies on it with UnicodeEncodeError.
_SURROGATE_REF = re.compile(r"&#(?:[xX]0*([dD][89a-fA-F][0-9a-fA-F]{2})|0*(5[5-7][0-9]{3}));")


def _join_surrogate_refs(text: str) -> str:
    """Each high + low surrogate reference pair as the one character it encodes; any other
    surrogate reference as U+FFFD. Other text is unchanged."""
    if "&#" not in text or not _SURROGATE_REF.search(text):
        return text
    out: list[str] = []
    pos = 0
    pending: tuple[int, int] | None = None      # a high surrogate's (value, end) waiting for its low
    for m in _SURROGATE_REF.finditer(text):
        value = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        if not 0xD800 <= value <= 0xDFFF:
            continue                               # 55000-55295 or 57344-57999: a real character
        if pending and 0xDC00 <= value and m.start() == pending[1]:
            joined = 0x10000 + ((pending[0] - 0xD800) << 10) + (value - 0xDC00)
            out.append(f"&#x{joined:X};")
            pos, pending = m.end(), None
            continue
        if pending:
            out.append("&#xFFFD;")
            pos, pending = pending[1], None
        out.append(text[pos:m.start()])
        if value <= 0xDBFF:
            pending, pos = (value, m.end()), m.end()
        else:
            out.append("&#xFFFD;")
            pos = m.end()
    if pending:
        out.append("&#xFFFD;")
    out.append(text[pos:])
    return "".join(out)


def _one_line(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def parse_feed(source_id: str, body: bytes, *, content_type: str | None = None,
               base_url: str | None = None) -> ParsedFeed:
    """Decode and parse an RSS 0.9x/1.0/2.0 or Atom document into RawEntry objects.

    Raises FeedDecodeError (no encoding fits) or FeedParseError (not a feed, or malformed with
    no entry recovered). A malformed feed whose entries were recovered returns them with a warning;
    a valid feed with no entry returns an empty ParsedFeed.
    """
    try:
        text, encoding, warning = _decode(body, content_type)
    except FeedDecodeError as e:
        raise FeedDecodeError(e.reason, source_id) from None
    warnings = [warning] if warning else []
    text = _join_surrogate_refs(text)
    head = _XML_DECL_TEXT.sub(r"\1utf-8\2", text[:300], count=1)
    data = (head + text[300:]).encode("utf-8")
    # No content-location: feedparser would resolve bare GUIDs against it and turn them into
    # links. Relative links are resolved by normalize (entry base or xml:base, else the feed URL).
    headers = dict(_FEED_HEADERS)
    d = feedparser.parse(io.BytesIO(data), response_headers=headers,
                         sanitize_html=False, resolve_relative_uris=False)
    entries = d.get("entries") or []
    lenient = bool(d.get("bozo"))
    if not entries and _HTML_PAGE.match(text):
        raise FeedParseError("an HTML page, not an RSS or Atom feed (is the url the site's page "
                             "rather than its feed?)", source_id)
    if lenient:
        reason = _one_line(d.get("bozo_exception"))
        if not entries:
            raise FeedParseError(f"malformed XML, no entry recovered ({reason})", source_id)
        warnings.append(f"malformed XML, entries recovered by the lenient parser ({reason})")
    elif not entries and not d.get("version"):
        raise FeedParseError("no RSS or Atom root element", source_id)
    feed = d.get("feed") or {}
    return ParsedFeed(
        source_id=source_id,
        entries=tuple(_raw_entry(source_id, e, base_url, lenient) for e in entries),
        encoding=encoding,
        title=feed.get("title") or None,
        link=feed.get("link") or None,
        warnings=tuple(warnings),
    )
