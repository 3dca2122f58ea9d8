"""The dashboard's view <-> URL query string, as pure functions (no Streamlit).

Query parameters (all optional; a parameter at its default is left out of the URL):
  ui=zh|en          interface language
  from=, to=        local days YYYY-MM-DD, inclusive (day= sets both)
  lang=zh,en        document languages        src=ID,...   sources
  cat=news,social   source category           model=ID,... models (ids of models.toml, or
                                                           any name of them in any case: db.names)
  theme=ID,...      themes (ids, any case)    sent=positive,neutral,negative
  spam=1            include spam              tz=Area/City time zone of the day buckets
  every=day|week|month  bucket size           q=...        search terms
  sov=share|count   the Models page's share of voice: 7-day shares or stories a bucket
  evtheme=ID        the Themes page's evidence phrases: of this theme (default: the one with most)
  sort=new|reach|engaged  the Explorer's table: newest, carried most widely, most engaged first
A bad value is dropped with a warning that names the parameter; the rest of the view still applies.
A parameter name neither the view nor the page takes is named too (`unknown`).
Each warning's reason is a key of `dashboard.i18n` (the page shows it in the interface language).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from difflib import get_close_matches
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard import i18n
from db.filters import YEARS
from db.names import canonical_id
from db.queries import ORDERS

SENTIMENTS = ("positive", "neutral", "negative")
INTERVALS = ("day", "week", "month")
CATEGORIES = ("news", "social")
SOV_MODES = ("share", "count")
SORTS = ORDERS                               # the Explorer's table orders
DOC_LANGS = ("zh", "en", "other")   # as ingest.lang.detect_lang stores them
MULTI = ("lang", "source", "category", "model", "theme", "sentiment")
# View field -> query parameter name
_NAMES = {"ui": "ui", "start": "from", "end": "to", "lang": "lang", "source": "src",
          "category": "cat", "model": "model", "theme": "theme", "sentiment": "sent",
          "spam": "spam", "tz": "tz", "every": "every", "q": "q", "sov": "sov",
          "ev_theme": "evtheme", "sort": "sort"}
KEYS = tuple(_NAMES.values()) + ("day",)
MAX_Q = 200
DEFAULT_DAYS = 90


def search_text(raw) -> str:
    """Search terms as the view holds them (q=, the Explorer's kw=): white space squeezed, at most
    MAX_Q characters."""
    return " ".join(str(raw or "").split())[:MAX_Q]


@dataclass(frozen=True)
class View:
    ui: str = i18n.DEFAULT_LANG
    start: date | None = None
    end: date | None = None
    lang: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    model: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    sentiment: tuple[str, ...] = ()
    spam: bool = False
    tz: str = "UTC"
    every: str = "day"
    q: str = ""
    sov: str = "share"
    ev_theme: str = ""          # "": the theme with the most evidence in the view
    sort: str = "new"           # the Explorer's table order (SORTS)


def local_date(value: datetime | None, tz: str) -> date | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(tz)).date()


def data_days(facets: dict, tz: str) -> tuple[date, date]:
    """First and last local day that hold stories (today when there are none)."""
    first, last = local_date(facets.get("first"), tz), local_date(facets.get("last"), tz)
    today = datetime.now(ZoneInfo(tz)).date()
    last = last or today
    return (first or last), last


def defaults(facets: dict, tz: str, ui: str = i18n.DEFAULT_LANG) -> View:
    """The view with no parameters: the last `DEFAULT_DAYS` days that have data."""
    first, last = data_days(facets, tz)
    return View(ui=ui, start=max(first, last - timedelta(days=DEFAULT_DAYS - 1)), end=last, tz=tz)


def valid_tz(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(name)


def ordered(seen, known, selected=()) -> list[str]:
    """Options in the fixed order of `known`, then any other seen or selected id."""
    pool = set(seen or ()) | set(selected or ())
    out = [k for k in known if k in pool]
    return out + sorted(pool - set(out))


def _multi(raw: str, allowed: set[str] | None, name: str, warns: list,
           kind: str | None = None) -> tuple[str, ...]:
    out = []
    for value in (v.strip() for v in raw.split(",")):
        if not value:
            continue
        if kind and value not in allowed:           # model=Kling, model=可灵: kling (db.names)
            value = canonical_id(kind, value) or value
        elif allowed is not None and value not in allowed and value.lower() in allowed:
            value = value.lower()                   # lang=ZH, sent=Positive
        if allowed is not None and value not in allowed:
            warns.append((name, value, "why_unknown_value"))
            continue
        if value not in out:
            out.append(value)
    return tuple(out)


def _day(raw: str, name: str, warns: list) -> date | None:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        warns.append((name, raw, "why_not_a_date"))
        return None
    if day.year not in YEARS:
        warns.append((name, raw, "why_day_range"))
        return None
    return day


def parse(query: dict[str, str], facets: dict, *, default_tz: str,
          ui: str | None = None) -> tuple[View, list[tuple[str, str, str]]]:
    """The view a query string asks for, and (parameter, value, why) for every value dropped."""
    warns: list[tuple[str, str, str]] = []
    tz = default_tz
    if query.get("tz"):
        if valid_tz(query["tz"].strip()):
            tz = query["tz"].strip()
        else:
            warns.append(("tz", query["tz"], "why_unknown_tz"))
    base = defaults(facets, tz)
    view = replace(base, ui=ui or base.ui)
    if query.get("ui"):
        if query["ui"] in i18n.LANGS:
            view = replace(view, ui=query["ui"])
        else:
            warns.append(("ui", query["ui"], "why_ui"))
    start, end = view.start, view.end
    given_start = given_end = None
    if query.get("day"):
        given_start = given_end = _day(query["day"], "day", warns)
    if query.get("from"):
        given_start = _day(query["from"], "from", warns) or given_start
    if query.get("to"):
        given_end = _day(query["to"], "to", warns) or given_end
    start, end = given_start or start, given_end or end
    if end < start:
        if given_start and given_end:       # both typed, the wrong way round
            warns.append(("to", str(end), "why_before_from"))
            start, end = end, start
        elif given_end:                     # only `to`: the default length of days ending there
            first = data_days(facets, tz)[0]
            start = end - timedelta(days=DEFAULT_DAYS - 1)
            start = max(start, first) if first <= end else start
        else:                               # only `from`, after the last day with data
            end = start
    sources = {s["id"] for s in facets.get("sources", ())}
    allowed = {
        "lang": set(DOC_LANGS) | set(facets.get("langs") or ()), "source": sources,
        "category": set(CATEGORIES), "sentiment": set(SENTIMENTS),
        "model": set(i18n.known_models()) | set(facets.get("models") or ()),
        "theme": set(i18n.known_themes()) | set(facets.get("themes") or ()),
    }
    changes: dict = {"start": start, "end": end}
    for field in MULTI:
        raw = query.get(_NAMES[field])
        if raw:
            changes[field] = _multi(raw, allowed[field], _NAMES[field], warns,
                                    kind=field if field in ("model", "theme") else None)
    if query.get("spam"):
        flag = query["spam"].strip().lower()
        if flag in ("1", "true", "yes", "0", "false", "no"):
            changes["spam"] = flag in ("1", "true", "yes")
        else:
            warns.append(("spam", query["spam"], "why_spam"))
    if query.get("every"):
        if query["every"] in INTERVALS:
            changes["every"] = query["every"]
        else:
            warns.append(("every", query["every"], "why_every"))
    if query.get("sov"):
        if query["sov"] in SOV_MODES:
            changes["sov"] = query["sov"]
        else:
            warns.append(("sov", query["sov"], "why_sov"))
    if query.get("evtheme"):
        ev_theme = query["evtheme"].strip()
        ev_theme = ev_theme if ev_theme in allowed["theme"] else canonical_id("theme", ev_theme)
        if ev_theme in allowed["theme"]:
            changes["ev_theme"] = ev_theme
        else:
            warns.append(("evtheme", query["evtheme"], "why_unknown_value"))
    if query.get("sort"):
        if query["sort"].strip().lower() in SORTS:
            changes["sort"] = query["sort"].strip().lower()
        else:
            warns.append(("sort", query["sort"], "why_sort"))
    if query.get("q"):
        changes["q"] = search_text(query["q"])
    return replace(view, **changes), warns


def unknown(query: dict[str, str], own: tuple[str, ...] = ()) -> list[tuple[str, str, str | None]]:
    """(parameter, value, the closest known name or None) for each parameter name neither the view
    nor the page (`own`: the Explorer's kw= and item=) takes, such as a misspelt models=."""
    known = KEYS + tuple(own)
    return [(name, value, next(iter(get_close_matches(name.lower(), known, n=1, cutoff=0.6)), None))
            for name, value in query.items() if name not in known]


def to_query(view: View, *, defaults: View) -> dict[str, str]:
    """The query parameters for `view`: only the fields that differ from `defaults`."""
    out: dict[str, str] = {}
    for field, name in _NAMES.items():
        value = getattr(view, field)
        if value == getattr(defaults, field):
            continue
        if isinstance(value, tuple):
            out[name] = ",".join(value)
        elif isinstance(value, bool):
            out[name] = "1" if value else "0"
        elif isinstance(value, date):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    return out
