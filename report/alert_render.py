"""A spike alert in words: the email's subject, text and HTML, the chat lines and the generic
push's facts. The digest's wording throughout (report.render: names, the lead, the usual count,
each language's stories); feed text is cleaned, escaped by the HTML template's autoescaping and by
each chat format, and a link is shown only when it is http(s) (`safe_link`)."""
from __future__ import annotations

from report.alerts import Alert
from report.focus import focus_facts, focus_line, focus_short
from report.render import (_env, clean, label, lang_split, lead_text, local_time, name, part_langs,
                           safe_link, story_time, subject_lang_of)
from report.webhooks import Line

# key -> (zh, en)
WORDS: dict[str, tuple[str, str]] = {
    "alert": ("预警", "alert"),
    "alert_late": ("预警（补发）", "alert (late)"),
    "subject": ("{name} 今日报道激增：{n} 条（常态 {base:g}）", "{name} spike today: {n} stories (usual {base:g})"),
    "subject_rising": ("{name} 今日报道仍在攀升：{prev} → {n} 条（常态 {base:g}）",
                       "{name} still rising today: {prev} → {n} stories (usual {base:g})"),
    "subject_late": ("{name} 昨日（{day}）报道激增：{n} 条（常态 {base:g}）",
                     "{name} spike yesterday ({day}): {n} stories (usual {base:g})"),
    "alert_preview": ("预警（预览）", "alert (preview)"),
    "subject_preview": ("{name} {day} 报道激增：{n} 条（常态 {base:g}）", "{name} spike on {day}: {n} stories (usual {base:g})"),
    "until_preview": ("{day} 截至 {at}（{tz}）", "{day} until {at} ({tz})"),
    "until": ("今日截至 {at}（{tz}）", "today until {at} ({tz})"),
    "until_late": ("昨日截至 {at}（{tz}）", "yesterday until {at} ({tz})"),
    "rising": ("仍在攀升：上次预警 {prev} 条，现 {n} 条（第 {level} 级：首次预警的 {times} 倍以上）",
               "Still rising: {prev} → {n} stories since the last alert (level {level}: {times}x the first "
               "alert's count or more)"),
    "late": ("补发：昨日（{day}）的激增，当时预警未能送达", "Sent late: yesterday's ({day}) spike, whose alert "
             "could not be delivered then"),
}


def word(key: str, lang: str, /, **values) -> str:
    text = WORDS[key][0 if lang == "zh" else 1]
    return text.format(**values) if values else text


def subject(a: Alert, langs: tuple[str, ...]) -> str:
    lang = subject_lang_of(langs)
    sp = a.spike
    focus = focus_short(a.filters, lang, a.source_names)
    focus = f" · {focus}" if focus else ""
    sep = "：" if lang == "zh" else ": "
    what = ("subject_preview" if a.preview else "subject_late" if a.late else "subject_rising" if a.level
            else "subject")
    kind = "alert_preview" if a.preview else "alert_late" if a.late else "alert"
    return clean(f"aigcwatch {word(kind, lang)}{focus}{sep}"
                 + word(what, lang, name=name(sp["dim"], sp["key"], lang), n=sp["count"],
                        base=round(sp["baseline"], 1), prev=a.previous, day=a.day.isoformat()), 200)


def state(a: Alert) -> str:
    """" late" (yesterday's, sent late), " rising 2" (a follow-up, its level) or "" (a first alert)."""
    return " late" if a.late else f" rising {a.level}" if a.level else ""


def header(a: Alert) -> str:
    """The email's `X-Aigcwatch-Alert`, for mail filters: "2026-11-30 model:kling", then its `state`."""
    return f"{a.day.isoformat()} {a.dim}:{a.key}{state(a)}"


def tag(a: Alert) -> str:
    """The alert in a run's output: "Kling", "Kling, still rising (level 1)", "Kling, yesterday's, late"."""
    tail = ", yesterday's, late" if a.late else f", still rising (level {a.level})" if a.level else ""
    return name(a.dim, a.key, "en") + tail


def why_line(a: Alert, lang: str) -> str:
    """Why this alert comes now: sent late, or still rising since the last one ("" for a first alert)."""
    if a.late:
        return word("late", lang, day=a.day.isoformat())
    if a.level:
        return word("rising", lang, prev=a.previous, n=a.spike["count"], level=a.level, times=2 ** a.level)
    return ""


def spike_line(a: Alert, lang: str, *, lag: bool = True) -> str:
    """"Spikes: Kling 14 (usual 2) · Chinese 9 / English 5 · Chinese first" (the digest's line)."""
    sp = a.spike
    lead = lead_text(sp, lang, lag=lag)
    lead = f" · {lead}" if lead and (lag or sp.get("leader") != "same") else ""   # the chat: as the digest's
    return (f"{label('spikes', lang)}: {name(sp['dim'], sp['key'], lang)} {sp['count']} "
            f"({label('usual', lang)} {sp['baseline']:g}) · {lang_split(sp['by_lang'], lang)}{lead}")


def until_line(a: Alert, lang: str) -> str:
    at = a.spike.get("as_of")
    what = "until_preview" if a.preview else "until_late" if a.late else "until"
    return word(what, lang, at=local_time(at, a.tz, "%H:%M"), tz=a.tz, day=a.day.isoformat()) if at else ""


def part_lines(a: Alert, lang: str, *, lag: bool = True) -> list[str]:
    """One language's lines: the focus (when any), why it comes now (late, still rising), the
    spike, the time it runs to."""
    return [x for x in (focus_line(a.filters, lang, a.source_names), why_line(a, lang), spike_line(a, lang, lag=lag),
                        until_line(a, lang)) if x]


def story_line(st: dict) -> str:
    return f"{clean(st['title'], 120)} — {clean(st['source_name'], 40)}"


def chat_lines(a: Alert, langs: tuple[str, ...]) -> list[Line]:
    """The chat form: the subject, a part per language, the stories with their links."""
    out: list[Line] = [(subject(a, langs), None)]
    for lang in part_langs(langs):
        out += [(x, None) for x in part_lines(a, lang, lag=False)]
    out += [(story_line(st), safe_link(st["url"])) for st in a.stories]
    return out


def facts(a: Alert, langs: tuple[str, ...]) -> dict:
    """The generic JSON push's fields (its `event` is aigcwatch.alert)."""
    sp = a.spike
    return {
        "event": "aigcwatch.alert", "date": a.day.isoformat(), "time_zone": a.tz,
        "subject": subject(a, langs), "focus": focus_facts(a.filters),
        "late": a.late, "level": a.level, "previous_count": a.previous,
        "spike": {"dim": sp["dim"], "key": sp["key"], "count": sp["count"], "baseline": sp["baseline"],
                  "by_lang": dict(sp["by_lang"]), "leader": sp.get("leader"), "lead": sp.get("lead"),
                  "as_of": sp["as_of"].isoformat() if sp.get("as_of") else None},
        "stories": [{"title": clean(st["title"], 300), "source": clean(st["source_name"], 80),
                     "url": safe_link(st["url"]), "outlets": st.get("outlets", 1)} for st in a.stories],
    }


def _context(alerts: list[Alert], langs: tuple[str, ...]) -> dict:
    return {"alerts": alerts, "langs": part_langs(langs), "subject": lambda a: subject(a, langs),
            "part_lines": part_lines, "L": label, "local_time": local_time, "story_time": story_time,
            "lang": subject_lang_of(langs),
            # a story's line in its own language when the alert has a part in it (as the digest's)
            "story_lang": lambda st: st.get("lang") if st.get("lang") in langs else subject_lang_of(langs)}


def text(alerts: list[Alert], langs: tuple[str, ...]) -> str:
    return _env().get_template("alert.txt").render(**_context(alerts, langs))


def html(alerts: list[Alert], langs: tuple[str, ...]) -> str:
    return _env().get_template("alert.html").render(**_context(alerts, langs))

