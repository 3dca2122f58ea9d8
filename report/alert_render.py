"""A spike alert in words: the email's subject, text and HTML, the chat lines and the generic
push's facts. The digest's wording throughout (report.render: names, the lead, the usual count,
each language's stories); feed text is cleaned, escaped by the HTML template's autoescaping and by
each chat format, and a link is shown only when it is http(s) (`safe_link`)."""
from __future__ import annotations

from report.alerts import Alert
from report.focus import focus_facts, focus_line, focus_short
from report.render import (_env, clean, label, lang_split, lead_text, local_time, name, part_langs,
                           safe_link, subject_lang_of)
from report.webhooks import Line

# key -> (zh, en)
WORDS: dict[str, tuple[str, str]] = {
    "alert": ("预警", "alert"),
    "subject": ("{name} 今日报道激增：{n} 条（常态 {base:g}）", "{name} spike today: {n} stories (usual {base:g})"),
    "until": ("今日截至 {at}（{tz}）", "today until {at} ({tz})"),
}


def word(key: str, lang: str, **values) -> str:
    text = WORDS[key][0 if lang == "zh" else 1]
    return text.format(**values) if values else text


def subject(a: Alert, langs: tuple[str, ...]) -> str:
    lang = subject_lang_of(langs)
    sp = a.spike
    focus = focus_short(a.filters, lang)
    focus = f" · {focus}" if focus else ""
    sep = "：" if lang == "zh" else ": "
    return clean(f"aigcwatch {word('alert', lang)}{focus}{sep}"
                 + word("subject", lang, name=name(sp["dim"], sp["key"], lang), n=sp["count"],
                        base=round(sp["baseline"], 1)), 200)


def spike_line(a: Alert, lang: str, *, lag: bool = True) -> str:
    """"Spikes: Kling 14 (usual 2) · Chinese 9 / English 5 · Chinese first" (the digest's line)."""
    sp = a.spike
    lead = lead_text(sp, lang, lag=lag)
    lead = f" · {lead}" if lead and (lag or sp.get("leader") != "same") else ""   # the chat: as the digest's
    return (f"{label('spikes', lang)}: {name(sp['dim'], sp['key'], lang)} {sp['count']} "
            f"({label('usual', lang)} {sp['baseline']:g}) · {lang_split(sp['by_lang'], lang)}{lead}")


def until_line(a: Alert, lang: str) -> str:
    at = a.spike.get("as_of")
    return word("until", lang, at=local_time(at, a.tz, "%H:%M"), tz=a.tz) if at else ""


def part_lines(a: Alert, lang: str, *, lag: bool = True) -> list[str]:
    """One language's lines: the focus (when any), the spike, the time it runs to."""
    return [x for x in (focus_line(a.filters, lang), spike_line(a, lang, lag=lag), until_line(a, lang)) if x]


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
        "spike": {"dim": sp["dim"], "key": sp["key"], "count": sp["count"], "baseline": sp["baseline"],
                  "by_lang": dict(sp["by_lang"]), "leader": sp.get("leader"), "lead": sp.get("lead"),
                  "as_of": sp["as_of"].isoformat() if sp.get("as_of") else None},
        "stories": [{"title": clean(st["title"], 300), "source": clean(st["source_name"], 80),
                     "url": safe_link(st["url"]), "outlets": st.get("outlets", 1)} for st in a.stories],
    }


def _context(alerts: list[Alert], langs: tuple[str, ...]) -> dict:
    return {"alerts": alerts, "langs": part_langs(langs), "subject": lambda a: subject(a, langs),
            "part_lines": part_lines, "L": label, "local_time": local_time, "lang": subject_lang_of(langs)}


def text(alerts: list[Alert], langs: tuple[str, ...]) -> str:
    return _env().get_template("alert.txt").render(**_context(alerts, langs))


def html(alerts: list[Alert], langs: tuple[str, ...]) -> str:
    return _env().get_template("alert.html").render(**_context(alerts, langs))

