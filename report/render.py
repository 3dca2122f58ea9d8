"""Turn a `Digest` into an email subject, HTML, plain text and the short form pushed to chats.

HTML comes from Jinja2 templates with autoescaping on: every piece of feed text is escaped, and a
link is rendered only when it is http(s) (`safe_link`). Charts are table-based bars (no images,
no JavaScript, no CSS the common mail clients drop). Sections: the overview (both languages),
then a section per language written in that language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ingest.tag import reasons
from report.digest import Change, Digest, Headline, headline
from report.focus import focus_line, focus_short

BAR_MAX_PX = 180      # the 14-day chart: date, two bars and "1488 / 1512 *" fit a 375 px phone
GAP_MIN_STORIES = 5
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

# key -> (zh, en)
LABELS: dict[str, tuple[str, str]] = {
    "title": ("AI 视频舆情简报", "AI video digest"),
    "day": ("日报", "daily"),
    "week": ("周报", "weekly"),
    "stories": ("报道", "Stories"),
    "vs_prev_day": ("较前一日", "vs previous day"),
    "vs_prev_week": ("较前一周", "vs previous week"),
    "avg_day": ("7 日均值", "7-day average"),
    "avg_week": ("4 周均值", "4-week average"),
    "net": ("情感净值", "Net sentiment"),
    "was_day": ("前一日 {v}", "previous day {v}"),
    "was_week": ("前一周 {v}", "previous week {v}"),
    "net_note": ("(正面 − 负面) / 报道数", "(positive − negative) / stories"),
    "share": ("占比", "share"),
    "share_prev_day": ("占比（前一日）", "share (previous day)"),
    "share_prev_week": ("占比（前一周）", "share (previous week)"),
    "zh": ("中文", "Chinese"),
    "en": ("英文", "English"),
    "spikes": ("异常升温", "Spikes"),
    "usual": ("常态", "usual"),
    "led": ("{side}先起", "{side} first"),
    "only_lang": ("仅{side}", "only {side}"),
    "only_rose": ("仅{side}升温", "only {side} rose"),
    "n_stories": ("{n} 条报道", "{n} stories"),
    "days_later": ("{other}晚 {n} 天", "{other} {n} days later"),
    "day_later": ("{other}晚 1 天", "{other} 1 day later"),
    "same_day": ("同日", "same day"),
    "rising_models": ("升温的模型", "Rising models"),
    "rising_themes": ("升温的议题", "Rising themes"),
    "gap": ("中英差异", "zh / en gap"),
    "gap_line": ("中文报道更关注「{zh}」（{zhpp:+.0f} 个百分点），英文更关注「{en}」（{enpp:+.0f} 个百分点）。",
                 "Chinese coverage leans to {zh} ({zhpp:+.0f} pp), English to {en} ({enpp:+.0f} pp)."),
    "gap_one": ("{side}报道更关注「{key}」（{pp:+.0f} 个百分点）。",
                "{side} coverage leans to {key} ({pp:+.0f} pp)."),
    "rising": ("升温", "Rising"),
    "gap_few": ("{side}报道只有 {n} 条（少于 {min} 条），不做中英对比。",
                "Too few {side} stories ({n}, fewer than {min}) to compare the languages."),
    "gap_none": ("两种语言关注的议题分布接近。", "Both languages cover the same themes in similar shares."),
    "chart": ("近 14 日每日报道数", "Stories per day, last 14 days"),
    "chart_key": ("（中文 / 英文）", " (Chinese / English)"),
    "partial_day": ("当天未结束，数量不完整", "day not over: partial count"),
    "as_of": ("周期未结束：各项对比均截至各周期的同一时刻（{at}）",
              "period not over: every comparison runs to the same time of its period ({at})"),
    "other": ("其他语言", "Other languages"),
    "not_covered": ("* {side}报道 {n} 条未在本简报中展开（本简报只含{own}部分）。",
                    "* The {n} {side} stories are not covered below (this digest has the {own} section only)."),
    "section_zh": ("中文报道", "Chinese coverage"),
    "section_en": ("英文报道", "English coverage"),
    "terms": ("升温词", "Rising terms"),
    "terms_order": ("（升幅由强到弱：此前 → 本期）", " (strongest rise first: before → now)"),
    "top_by_theme": ("各议题热门报道", "Top stories by theme"),
    "unthemed": ("无议题的热门报道", "Top stories with no theme"),
    "spike_named": ("{name} 激增", "the {name} spike"),
    "more_spikes": ("另有 {n} 项异常升温未展开：{names}", "{n} more spikes, not expanded: {names}"),
    "listed_above": ("另有 {n} 条已列于上方「{themes}」下", "{n} more listed above under {themes}"),
    "outlets": ("{n} 家媒体", "{n} outlets"),
    "one_outlet": ("1 家媒体", "1 outlet"),
    "reasons": ("标注器的理由", "tagger's reasons"),
    "why_relevant": ("相关", "relevant"),
    "why_irrelevant": ("无关", "not relevant"),
    "why_spam": ("垃圾", "spam"),
    "undated_note": ("* 其中 {n} 条报道的源未给日期，按抓取时间计入当期。",
                     "* {n} of these stories carry no date from their feed and are counted when fetched."),
    "undated": ("{time}（源未给日期：抓取时间）", "{time} (no date in the feed: fetch time)"),
    "tone_score": ("（词典得分 {score}）", " (lexicon score {score})"),   # the label may be the learned layer's
    "none": ("无", "none"),
    "no_data": ("{when}（{tz}）没有采集到任何报道。", "No stories were collected for {when} ({tz})."),
    "last_story": ("最近一条报道发布于 {at}。", "The latest stored story was published {at}."),
    "no_story_ever": ("数据库里还没有报道。", "The database holds no stories yet."),
    "last_run": ("最近一次采集：{at}，状态 {status}。", "Last ingest run: {at}, status {status}."),
    "no_run": ("还没有任何采集记录。", "No ingest run has been recorded."),
    "method": ("口径", "Method"),
    "method_text": ("每条报道只计一次（转载不重复计数）；时间按 {tz} 计；已排除垃圾内容与无关内容。",
                    "Each story counts once (syndicated copies are not counted again); days in {tz}; "
                    "spam and off-topic items excluded."),
    "tagger": ("标注器版本", "Tagger version"),
    "subject_spike": ("{name} 报道激增：{n} 条（常态 {base:g}）", "{name} spike: {n} stories (usual {base:g})"),
    "subject_spike_on": ("{name} 报道激增（{on}）：{n} 条（常态 {base:g}）",
                         "{name} spike on {on}: {n} stories (usual {base:g})"),
    "subject_rising": ("{name} 升温：{n} 条（此前 {prev}）", "{name} rising: {n} stories (was {prev})"),
    "subject_stories": ("共 {n} 条报道（此前 {prev}）", "{n} stories (was {prev})"),
    "subject_empty": ("无数据", "no data"),
    "subject_until": ("（截至 {at}）", " (until {at})"),
}


def label(key: str, lang: str, /, **values) -> str:
    """The label `key` in `lang`, its placeholders filled from `values` (any names: `key` and
    `lang` too, which the positional-only parameters leave free)."""
    pair = LABELS[key]
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**values) if values else text


def both(key: str, langs: tuple[str, ...], /, **values) -> str:
    """A label in each language of the digest, Chinese first ("报道 · Stories")."""
    shown = [label(key, lang, **values) for lang in ("zh", "en") if lang in langs] or [label(key, "en", **values)]
    return " · ".join(dict.fromkeys(shown))


def clean(text: str | None, limit: int = 300) -> str:
    """Feed text for one line: no control or bidi-override characters, no line breaks, bounded."""
    t = " ".join(_CONTROL.sub("", text or "").split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def safe_link(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL with a host, else None (never rendered)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port            # a port that is not a number raises
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or _CONTROL.search(url) \
            or any(c.isspace() for c in url) or not _host_ok(parts.hostname):
        return None
    return url


def _host_ok(host: str | None) -> bool:
    """A host name (letters of any script, digits, '-', '_', '.') or an IP literal: a feed's link
    with markup in its host ("https://x<!here>.example/": the stored form keeps hosts as given)
    would otherwise reach a chat's link syntax whole."""
    if not host:
        return False
    if ":" in host:                                    # [IPv6], unbracketed by urlsplit
        import ipaddress
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return False
        return True
    return all(c.isalnum() or c in "-._" for c in host)


def name(dim: str, key: str | None, lang: str) -> str:
    from dashboard.i18n import model_name, theme_name

    if dim == "model":
        return model_name(key, lang)
    if dim == "theme":
        return theme_name(key, lang)
    return str(key)


def sentiment_name(value: str | None, lang: str) -> str:
    from dashboard.i18n import sentiment_name as named

    return named(value, lang)


def signed(n: float) -> str:
    return f"{n:+d}" if isinstance(n, int) else f"{n:+.2f}"


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.0f}%"


def net_text(x: float | None) -> str:
    return "–" if x is None else f"{x:+.2f}"


def was_text(d: Digest, value: str, lang: str) -> str:
    """A previous period's figure, said as such ("previous day -0.56"), not a bare number."""
    return label("was_week" if d.period == "week" else "was_day", lang, v=value)


def local_time(at: datetime | None, tz: str, fmt: str = "%m-%d %H:%M") -> str:
    return "" if at is None else at.astimezone(ZoneInfo(tz)).strftime(fmt)


def story_time(st: dict, tz: str, lang: str) -> str:
    """A story's time as a line shows it: its fetch time said as such when the feed gave no date
    (an undated backlog is dated the day it was fetched)."""
    at = local_time(st.get("published_at"), tz)
    return label("undated", lang, time=at) if at and st.get("date_is_fallback") else at


def bar(n: float, top: float) -> int:
    return 0 if not top or n <= 0 else max(2, round(BAR_MAX_PX * n / top))


WEEKDAYS = {"zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def day_name(day: date, lang: str) -> str:
    """A local day, short, in the reader's language: "Mon 03-10", "3月10日 周一"."""
    wd = WEEKDAYS["zh" if lang == "zh" else "en"][day.weekday()]
    return f"{day.month}月{day.day}日 {wd}" if lang == "zh" else f"{wd} {day:%m-%d}"


def spike_day(d: Digest, sp: dict, lang: str) -> str:
    """The local day (in the digest's zone) a spike's count is from, named when the digest covers
    more than one day (a weekly digest's "14 stories" beside its week total is one day's); "" in a
    daily digest, whose date is that day."""
    return "" if d.period == "day" else day_name(sp["day"], lang)


def lang_split(by_lang: dict, lang: str) -> str:
    """A spike's stories per language, in the reader's language: "中文 9 / 英文 5"."""
    return f"{label('zh', lang)} {by_lang.get('zh', 0)} / {label('en', lang)} {by_lang.get('en', 0)}"


def listed_above(above: list[str], lang: str) -> str:
    """The note under a spike or theme whose top stories are listed under an earlier one ("" if
    none): "另有 1 条已列于上方「发布与开放」下" / "1 more listed above under Launch & access";
    a spike reads "「Sora 激增」" / "the Sora spike"."""
    if not above:
        return ""
    names = [label("spike_named", lang, name=name(*t.split(":")[1:], lang)) if t.startswith("spike:")
             else name("theme", t, lang) for t in dict.fromkeys(above)]
    return label("listed_above", lang, n=len(above), themes=("」「" if lang == "zh" else ", ").join(names))


MORE_SPIKES_NAMED = 10


def more_spikes_line(d: Digest, lang: str) -> str:
    """The spikes past those the digest expands, named with their counts ("" when none), so a
    reader does not take the three shown for all there were: "2 more spikes, not expanded:
    Compute 8 (usual 0), Deepfakes 5 (usual 1)"."""
    rest = d.more_spikes
    if not rest:
        return ""
    usual = label("usual", lang)
    parts = []
    for sp in rest[:MORE_SPIKES_NAMED]:
        on = spike_day(d, sp, lang)
        what = f"{name(sp['dim'], sp['key'], lang)}{(' ' + on) if on else ''} {sp['count']}"
        parts.append(f"{what}（{usual} {sp['baseline']:g}）" if lang == "zh" else f"{what} ({usual} {sp['baseline']:g})")
    names = ("、" if lang == "zh" else ", ").join(parts) + ("…" if len(rest) > MORE_SPIKES_NAMED else "")
    return label("more_spikes", lang, n=len(rest), names=names)


def lead_text(sp: dict, lang: str, *, lag: bool = True) -> str:
    """Which language reacted first to a spike, in the reader's language ("" when neither rose
    above its own baseline). When only one did (`lag_days` None: the other has no onset within
    the radius), it is not "first": "仅英文" ("only English") when the other had no story that
    day, "仅英文升温" ("only English rose") when it had a few that never rose. With `lag`, the
    days the other followed by ("中文先起, 晚 2 天")."""
    kind = sp.get("lead")              # db.stats.lead: the dashboard words the same kinds
    if kind == "same_day":
        return label("same_day", lang)
    if not kind:
        return ""
    side, how = kind.split("_", 1)
    out = label({"first": "led", "only": "only_lang", "only_rose": "only_rose"}[how], lang,
                side=label(side, lang))
    if how == "first" and lag and sp["lag_days"]:
        # who followed, named: "Chinese first, 1 day later" read as Chinese being the late one
        other = label("en" if side == "zh" else "zh", lang)
        out += ", " + label("day_later" if sp["lag_days"] == 1 else "days_later", lang, n=sp["lag_days"],
                            other=other)
    return out


def when_text(d: Digest) -> str:
    return d.day.isoformat() if d.period == "day" else f"{d.first_day.isoformat()} – {d.day.isoformat()}"


def subject_lang(d: Digest) -> str:
    return subject_lang_of(d.langs)


def subject_lang_of(langs: tuple[str, ...]) -> str:
    """The subject's language for a message in `langs`: Chinese when it is Chinese only, else
    English (the digest's and the spike alerts' one rule)."""
    return "zh" if tuple(langs) == ("zh",) else "en"


def change_phrase(h: Headline, lang: str) -> str:
    if h.kind == "empty":
        return label("subject_empty", lang)
    if h.kind == "spike":
        dim, key = h.key.split(":", 1)
        if h.day is not None:
            return label("subject_spike_on", lang, name=name(dim, key, lang), on=day_name(h.day, lang),
                         n=h.current, base=round(h.reference, 1))
        return label("subject_spike", lang, name=name(dim, key, lang), n=h.current, base=round(h.reference, 1))
    if h.kind in ("rising_model", "rising_theme"):
        dim = h.kind.split("_", 1)[1]
        return label("subject_rising", lang, name=name(dim, h.key, lang), n=h.current, prev=int(h.reference))
    return label("subject_stories", lang, n=h.current, prev=int(h.reference))


def subject(d: Digest) -> str:
    """Names the date (for a period not over, with the time it runs to), the focus of a focused
    digest and the biggest change, on one line."""
    lang = subject_lang(d)
    kind = label("week" if d.period == "week" else "day", lang)
    # a period not over says so: its targets get the whole period's digest too, once it is over
    until = "" if d.as_of is None else label(
        "subject_until", lang, at=local_time(d.as_of, d.tz, "%H:%M" if d.period == "day" else "%m-%d %H:%M"))
    focus = focus_short(d.filters, lang, d.source_names)
    focus = f" · {focus}" if focus else ""
    return clean(f"aigcwatch {kind} {when_text(d)}{until}{focus}: {change_phrase(headline(d), lang)}", 200)


@dataclass(frozen=True, slots=True)
class LangRow:
    key: str                                    # zh | en | other
    stories: Change
    share: tuple[float | None, float | None]    # of all stories (current, previous)
    covered: bool                               # the digest has a section for it


def lang_rows(d: Digest) -> list[LangRow]:
    """The total's rows by language, so they add up to it: Chinese and English whatever the
    digest's sections (a language without one is marked, `not_covered_lines`), then the stories
    of no detected language when there are any."""
    total = d.stories
    rows = []
    for key, c in d.by_lang.items():
        share = d.share.get(key) or (c.current / total.current if total.current else None,
                                     c.previous / total.previous if total.previous else None)
        rows.append(LangRow(key, c, share, key in d.langs))
    return rows


def not_covered_lines(d: Digest, lang: str) -> list[str]:
    """Under the totals, in `lang`: which language's stories the digest counts but has no section
    for ("* 英文报道 14 条未在本简报中展开（本简报只含中文部分）。")."""
    own = "、".join(label(x, lang) for x in d.langs) if lang == "zh" else \
        " and ".join(label(x, lang) for x in d.langs)
    return [label("not_covered", lang, side=label(r.key, lang), n=r.stories.current, own=own)
            for r in lang_rows(d) if r.key in ("zh", "en") and not r.covered and r.stories.current]


def _lang_stories(d: Digest, side: str) -> int:
    if side in d.by_lang:
        return d.by_lang[side].current
    for sec in d.sections:
        if sec.lang == side:
            return sec.stories.current
    share = (d.share.get(side) or (None,))[0]
    return round(share * d.stories.current) if share is not None else 0


def gap_line(d: Digest, lang: str) -> str:
    """The zh/en gap in one sentence: the theme each language covers most beyond the other
    (differences under 5 percentage points are not worth a line; with fewer than
    `GAP_MIN_STORIES` stories in a language, shares mean nothing and the line says so)."""
    for side in ("zh", "en"):
        n = _lang_stories(d, side)
        if n < GAP_MIN_STORIES:
            return label("gap_few", lang, side=label(side, lang), n=n, min=GAP_MIN_STORIES)
    rows = [r for r in d.gap if r["diff_pp"] is not None]
    zh = max(rows, key=lambda r: r["diff_pp"], default=None)
    en = min(rows, key=lambda r: r["diff_pp"], default=None)
    zh = zh if zh and zh["diff_pp"] >= 5 else None
    en = en if en and en["diff_pp"] <= -5 else None
    if zh and en:
        return label("gap_line", lang, zh=name("theme", zh["key"], lang), zhpp=zh["diff_pp"],
                     en=name("theme", en["key"], lang), enpp=-en["diff_pp"])
    if zh or en:
        r = zh or en
        return label("gap_one", lang, side=label("zh" if zh else "en", lang),
                     key=name("theme", r["key"], lang), pp=abs(r["diff_pp"]))
    return label("gap_none", lang)


# how much of a story's decision evidence the digest quotes (the Explorer's story view has it all)
WHY_QUOTES = {"relevance": 3, "sentiment": 2, "spam": 3}
WHY_CHARS = 60


@dataclass(frozen=True, slots=True)
class Why:
    label: str                  # "relevant", "negative (lexicon score -0.30)", "spam"; "" for a model/theme
    quotes: list[str]           # cleaned spans of the text, strongest first
    reasons: list[str]          # the tagger's own reasons (not in the text)


def evidence_parts(entries: list[str] | None, limit: int = 3, chars: int = 80, lang: str = "en") -> Why:
    """A model or theme evidence list as shown: at most `limit` quotes (cleaned, `chars` long),
    apart from the tagger's reasons (stored in English; shown in `lang`, as the dashboard does)."""
    quotes, why = reasons.split(entries)
    return Why("", [clean(p, chars) for p in quotes[:limit]],
               [clean(reasons.wording(r, lang), chars) for r in why])


def why(st: dict, lang: str) -> list[Why]:
    """Why the tagger called a story relevant, positive or negative (and spam, when it is), with a
    few of its evidence quotes each: the digest's short form of the Explorer's story view. Nothing
    for a story stored untagged or tagged before this evidence was stored (evidence NULL). The tone
    evidence explains the lexicon score, while the label may come from the learned layer: it is
    quoted only when the score leans the label's way (never "positive" beside the words that
    scored it negative), and never for a neutral story."""
    out: list[Why] = []
    if st.get("relevant") is not None and st.get("relevance_evidence"):
        part = evidence_parts(st["relevance_evidence"], WHY_QUOTES["relevance"], WHY_CHARS, lang)
        out.append(Why(label("why_relevant" if st["relevant"] else "why_irrelevant", lang), part.quotes,
                       part.reasons))
    score = st.get("sentiment_score")
    if st.get("sentiment_evidence") and score is not None and (
            (st.get("sentiment") == "positive" and score > 0) or (st.get("sentiment") == "negative" and score < 0)):
        part = evidence_parts(st["sentiment_evidence"], WHY_QUOTES["sentiment"], WHY_CHARS, lang)
        tone = sentiment_name(st["sentiment"], lang) + label("tone_score", lang, score=f"{score:+.2f}")
        out.append(Why(tone, part.quotes, part.reasons))
    if st.get("spam") and st.get("spam_evidence"):
        part = evidence_parts(st["spam_evidence"], WHY_QUOTES["spam"], WHY_CHARS, lang)
        out.append(Why(label("why_spam", lang), part.quotes, part.reasons))
    return [w for w in out if w.quotes or w.reasons]


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    html: str
    text: str


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("report", "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(clean=clean, link=safe_link, pct=pct, net=net_text, signed=signed)
    return env


def _context(d: Digest) -> dict:
    top_daily = max([max(r["zh"], r["en"]) for r in d.daily] or [0])
    return {
        "d": d, "h": headline(d), "when": when_text(d), "L": label, "B": lambda k, **v: both(k, d.langs, **v),
        "name": name, "sentiment_name": sentiment_name, "local_time": lambda at: local_time(at, d.tz),
        "story_time": lambda st, lang: story_time(st, d.tz, lang),
        "bar": bar, "top_daily": top_daily, "why": why, "evidence_parts": evidence_parts,
        "gap_line": gap_line, "more_spikes_line": more_spikes_line, "lang_split": lang_split, "lead_text": lead_text, "lang_rows": lang_rows(d), "not_covered_lines": not_covered_lines, "listed_above": listed_above, "change_phrase": change_phrase, "data_age_line": data_age_line,
        "spike_day": lambda sp, lang: spike_day(d, sp, lang), "was": lambda v, lang: was_text(d, v, lang), "subject_lang": subject_lang(d),
        # a spike's line in each language of the digest (a Chinese reader of the default digest
        # read the spikes, its first section, in English only)
        "spike_langs": d.langs if len(d.langs) > 1 else (subject_lang(d),),
        # an overview story's meta and evidence lines in the story's own language when the digest
        # has that language (a Chinese story in the default digest was annotated in English)
        "story_lang": lambda st: st.get("lang") if st.get("lang") in d.langs else subject_lang(d),
        "chart_title": " · ".join(label("chart", lg) + label("chart_key", lg)
                                  for lg in (d.langs if len(d.langs) > 1 else (subject_lang(d),))),
        "above_text": lambda above: " · ".join(dict.fromkeys(
            listed_above(above, lg) for lg in (d.langs if len(d.langs) > 1 else (subject_lang(d),)))),
        "focus_lines": [line for line in (focus_line(d.filters, lang, d.source_names) for lang in d.langs) if line],
        "last_run_at": local_time(d.last_run["started_at"], d.tz, "%Y-%m-%d %H:%M") if d.last_run else "",
        "last_story": local_time(d.last_story_at, d.tz, "%Y-%m-%d %H:%M"),
    }


def render(d: Digest) -> Rendered:
    ctx = _context(d)
    html = _env().get_template("digest.html").render(**ctx)
    text = _env().get_template("digest.txt").render(**ctx)
    return Rendered(subject(d), html, text)


def data_age_line(d: Digest, lang: str) -> str:
    """An empty digest's second sentence pair: when the last story was published and when ingest
    last ran (is the pipeline still alive?), in the digest's zone."""
    story = (label("last_story", lang, at=local_time(d.last_story_at, d.tz, "%Y-%m-%d %H:%M"))
             if d.last_story_at else label("no_story_ever", lang))
    run = (label("last_run", lang, at=local_time(d.last_run["started_at"], d.tz, "%Y-%m-%d %H:%M"),
                 status=d.last_run["status"]) if d.last_run else label("no_run", lang))
    return story + ("" if lang == "zh" else " ") + run


def as_of_line(d: Digest, lang: str) -> str:
    """The note on a period not over: its numbers and those it is compared with run to `as_of`."""
    return label("as_of", lang, at=local_time(d.as_of, d.tz))


def chat_langs(d: Digest) -> tuple[str, ...]:
    """The languages of the chat form: each of the digest's, Chinese first (as the email's
    sections); a digest of both languages gets a part in each."""
    return part_langs(d.langs)


def part_langs(langs: tuple[str, ...]) -> tuple[str, ...]:
    """The languages of a message's parts, Chinese first (the digest's and the alerts' rule)."""
    return tuple(x for x in ("zh", "en") if x in langs) or ("en",)


def short_lines(d: Digest) -> list[tuple[str, str | None]]:
    """The chat form: (line, link or None), first line the title (the subject). Then a part per
    language of the digest (Chinese first; in a digest of both, the Chinese part opens with the
    change the English subject names), then the two story links, once. Feed text is cleaned, not
    escaped (each chat format escapes for itself)."""
    out: list[tuple[str, str | None]] = [(subject(d), None)]
    langs = chat_langs(d)
    for lang in langs:
        if len(langs) > 1 and lang != subject_lang(d) and not d.empty:
            out.append((change_phrase(headline(d), lang), None))
        out += [(line, None) for line in _chat_part(d, lang)]
    if not d.empty:
        # two links: the stories behind the strongest spike, else the period's most widely carried
        for st in (d.spikes[0]["stories"] if d.spikes else d.top_stories)[:2]:
            out.append((f"{clean(st['title'], 120)} — {clean(st['source_name'], 40)}", safe_link(st["url"])))
    return out


def _chat_part(d: Digest, lang: str) -> list[str]:
    """The chat form's lines in one language (no title, no links); a focused digest's open with
    its focus."""
    out: list[str] = [line for line in (focus_line(d.filters, lang, d.source_names),) if line]
    if d.empty:
        return out + [label("no_data", lang, when=when_text(d), tz=d.tz), data_age_line(d, lang)]
    s = d.stories
    vs = label("vs_prev_week" if d.period == "week" else "vs_prev_day", lang)
    avg = label("avg_week" if d.period == "week" else "avg_day", lang)
    langs = " · ".join(f"{label(r.key, lang)} {r.stories.current}" for r in lang_rows(d))
    out.append(f"{label('stories', lang)} {s.current} ({signed(s.delta)} {vs}; {avg} {s.average:.1f})"
               + (f" · {langs}" if langs else ""))
    if d.as_of is not None:
        out.append(as_of_line(d, lang))
    for sp in d.spikes[:2]:
        lead = lead_text(sp, lang, lag=False)
        lead = f" · {lead}" if lead and sp.get("leader") != "same" else ""
        on = spike_day(d, sp, lang)
        who = name(sp["dim"], sp["key"], lang) + (f", {on}:" if on else "")
        out.append(f"{label('spikes', lang)}: {who} {sp['count']} ({label('usual', lang)} {sp['baseline']:g})"
                   f" · {lang_split(sp['by_lang'], lang)}{lead}")
    rising = [f"{name('model', r['key'], lang)} {signed(r['change'])}" for r in d.rising_models[:2]] + \
             [f"{name('theme', r['key'], lang)} {signed(r['change'])}" for r in d.rising_themes[:2]]
    if rising:
        out.append(f"{label('rising', lang)}: " + ", ".join(rising))
    out.append(f"{label('net', lang)} {net_text(d.net[0])} ({was_text(d, net_text(d.net[1]), lang)})")
    out.append(gap_line(d, lang))
    return out
