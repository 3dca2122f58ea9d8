"""Shared controls: the sidebar filters, kept in the URL query string so a view can be bookmarked.

One canonical `View` lives in session state. It is read from the URL when a session starts or when
the URL changes under it (a bookmark, a link from another page), pushed into the sidebar widgets,
updated by their callbacks, and written back to the URL after every run. Widget values are never
the source of truth: Streamlit forgets them on a page switch, the `View` survives it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlencode

import streamlit as st

from aigcwatch.config import zone_setting
from aigcwatch.errors import AigcwatchError, ConfigError
from dashboard import charts, data, i18n, params, ui
from dashboard.params import View
from db import search_syntax
from db.filters import ItemFilter, day_window
from db.buckets import local_day
from db.queries import clock, partial_buckets

DEFAULT_TZ = "Asia/Shanghai"
TIMEZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Tokyo", "Asia/Singapore",
             "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")
LEAD_IN_DAYS = charts.ROLLING_DAYS - 1    # days before the range a trailing 7-day index reads
_VIEW, _WRITTEN, _APPLIED, _UI = "_aw_view", "_aw_written", "_aw_applied", "_aw_ui"


def default_tz() -> str:
    """AIGCWATCH_TIMEZONE, or Asia/Shanghai when it is unset or not a time zone (see tz_problem)."""
    try:
        return zone_setting("timezone")
    except ConfigError:
        return DEFAULT_TZ


def tz_problem() -> str | None:
    """The one-line complaint about a bad AIGCWATCH_TIMEZONE, if it is bad."""
    try:
        zone_setting("timezone")
    except ConfigError as e:
        return e.one_line() + f" (using {DEFAULT_TZ})"
    return None


@dataclass(frozen=True)
class Ctx:
    """Everything a page needs: where the data is, the filter, and how to show it."""

    page: str
    url: str
    lang: str                   # UI language
    tz: str
    interval: str               # day | week | month
    start: date                 # local days, inclusive
    end: date
    flt: ItemFilter
    view: View
    facets: dict
    source_names: dict[str, str]
    events: tuple = ()
    push: bool = False          # the view changed since the page's last run: widgets take its values
    own: tuple[tuple[str, str], ...] = ()   # the page's own URL parameters (the Explorer's kw=),
                                            # kept by its links to itself

    @property
    def partial(self) -> dict[date, tuple[date, date]]:
        """The page's buckets that hold only part of their period (`db.queries.partial_buckets`,
        today's day in the view's zone not being over), with the days each covers. "Today" is
        the day of the instant the page's counts stop at (`db.queries.clock`: the filter's
        "as_of"), so a page drawn across midnight shades the day its counts cut."""
        return partial_buckets(self.start, self.end, self.interval, local_day(clock(self.flt), self.tz))

    @property
    def span(self) -> tuple[date, date]:
        """The view's first and last day: every time chart of the page spans them alike
        (`charts.view_range`)."""
        return self.start, self.end

    @property
    def cut(self) -> ui.Cut:
        """What a time chart's note and CSV say about its partial buckets (`ui.chart`), with the
        view's "as_of", the instant its counts stop at."""
        return ui.Cut(self.partial, self.interval, self.tz, self.flt.as_of)

    @property
    def lead_start(self) -> date:
        """The first day `lead_in` reads: 6 days before the range for day buckets, else its start."""
        return self.start - timedelta(days=LEAD_IN_DAYS) if self.interval == "day" else self.start

    def lead_in(self, flt: ItemFilter | None = None) -> ItemFilter:
        """`flt` (the page's filter by default) starting 6 days before the range when buckets are
        days: a trailing 7-day index then holds 7 days from the range's first day on (it held one
        day there, so a single story drew a line from 100% or -1). Other buckets: `flt` as it is."""
        flt = flt if flt is not None else self.flt
        if self.interval != "day":
            return flt
        return flt.replace(since=day_window(self.lead_start, self.start, self.tz)[0])

    def window(self, start: date, end: date) -> tuple:
        return day_window(max(start, self.start), min(end, self.end), self.tz)

    def href(self, page: str = "explorer", extra: dict[str, str] | None = None, **overrides) -> str:
        """A relative link to `page` showing this view changed by `overrides` (View field names),
        with the page's own parameters `extra` (the Explorer's kw=); a link to this page keeps its
        own parameters (`own`: a drill-down in an Explorer opened with kw= keeps kw=)."""
        view = replace(self.view, **overrides)
        query = {**params.to_query(view, defaults=_defaults(self.facets, view.tz)),
                 **(dict(self.own) if page == self.page else {}), **(extra or {})}
        return f"./{page}" + (f"?{urlencode(query)}" if query else "")


def view_time() -> datetime:
    """The instant a view not over is counted until (the filter's "as_of"): now, to the minute,
    so the page's cached queries are reused within the minute and its "until HH:MM" is exact."""
    return datetime.now(timezone.utc).replace(second=0, microsecond=0)


def _current_query() -> dict[str, str]:
    return {k: st.query_params[k] for k in st.query_params}


def _defaults(facets: dict, tz: str) -> View:
    """Defaults for the URL: the data's last days in `tz`, the environment's time zone."""
    return replace(params.defaults(facets, tz), tz=default_tz())


def _set(field: str, wkey: str) -> None:
    """Widget callback: copy the widget's value into the canonical View (runs before the script)."""
    value = st.session_state.get(wkey)
    if field == "ui":
        if value in i18n.LANGS:
            st.session_state[_UI] = value
        return
    view = st.session_state.get(_VIEW)
    if not isinstance(view, View):
        return
    if field == "dates":
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            return   # a range half picked: keep the view until the second day is chosen
        changes = {"start": value[0], "end": value[1]}
    elif field in params.MULTI:
        changes = {field: tuple(value or ())}
    elif field == "q":
        changes = {"q": params.search_text(value)}
    else:
        changes = {field: value}
    st.session_state[_VIEW] = replace(view, **changes)


def _reset(defaults: View) -> None:
    st.session_state[_VIEW] = replace(defaults, ui=st.session_state.get(_UI, defaults.ui))


def _widget(kind, label: str, field: str, view: View, push: bool, **kwargs):
    """A sidebar widget bound to `field`; its value is (re)set from the view when `push`."""
    wkey = f"w_{field}"
    if push or wkey not in st.session_state:
        st.session_state[wkey] = (view.start, view.end) if field == "dates" else (
            list(getattr(view, field)) if field in params.MULTI else getattr(view, field))
    return kind(label, key=wkey, on_change=_set, args=(field, wkey), **kwargs)


def page_widget(ctx: Ctx, kind, label: str, field: str, **kwargs):
    """A widget on a page (not in the sidebar) bound to the View's `field`, so it is kept in the
    URL and survives page switches as the filters do. A choice among `options` the view's value is
    not one of (the default "", or a key this view has none of) shows the first option."""
    view, push, options = ctx.view, ctx.push, kwargs.get("options")
    if options is not None:
        if getattr(view, field) not in options:
            view = replace(view, **{field: options[0]})
        push = push or st.session_state.get(f"w_{field}", options[0]) not in options
    return _widget(kind, label, field, view, push, **kwargs)


def ui_lang() -> str:
    """The interface language before any page runs (for the navigation's page titles)."""
    picked = st.session_state.get(_UI)
    if picked in i18n.LANGS:
        return picked
    asked = st.query_params.get("ui")
    return asked if asked in i18n.LANGS else i18n.DEFAULT_LANG


def _resolve_lang(managed: dict[str, str], fresh: bool) -> str:
    if fresh and managed.get("ui") in i18n.LANGS:
        lang = managed["ui"]
    else:
        lang = st.session_state.get(_UI) or i18n.DEFAULT_LANG
    st.session_state[_UI] = lang
    return lang


def setup(page: str, *, search_in_sidebar: bool = True, own: tuple[str, ...] = ()) -> Ctx:
    """Sidebar filters <-> URL, the database checks, and the page's `Ctx`. Stops the page (after
    one clear message, or the onboarding) when the database is unreachable or empty. `own`: the
    page's own URL parameters (any other name not of the view is named in a warning)."""
    query = _current_query()
    managed = {k: v for k, v in query.items() if k in params.KEYS}
    stored = st.session_state.get(_VIEW)
    fresh = not isinstance(stored, View) or bool(managed and managed != st.session_state.get(_WRITTEN))
    lang = _resolve_lang(managed, fresh)
    sb = st.sidebar
    st.session_state["w_ui"] = lang
    sb.segmented_control(i18n.t("ui_lang", lang), options=list(i18n.LANGS), key="w_ui",
                         format_func=lambda v: "中文" if v == "zh" else "English",
                         on_change=_set, args=("ui", "w_ui"))

    url = data.database_url()
    facets = ui.guarded(lang, data.facets, url)
    if not facets or not facets.get("items"):
        ui.onboarding(lang, url, facets)
        st.stop()

    warnings: list[tuple[str, str, str]] = []
    if fresh:
        stored, warnings = params.parse(managed, facets, default_tz=default_tz(), ui=lang)
    view = replace(stored, ui=lang)
    st.session_state[_VIEW] = view
    push = st.session_state.get(_APPLIED) != (page, view)
    names = {s["id"]: s.get("name") or s["id"] for s in facets.get("sources", [])}
    _sidebar(sb, view, facets, names, lang, push, search_in_sidebar)
    st.title(i18n.t(f"page_{page}", lang))
    if not search_in_sidebar:
        _widget(st.text_input, i18n.t("search_box", lang), "q", view, push, help=i18n.t("search_help", lang))
    st.session_state[_APPLIED] = (page, view)

    for name, value, why in warnings:
        warn_bad_param(name, value, why, lang)
    if fresh:
        for name, value, near in params.unknown(query, own):
            warn_bad_param(name, value, "why_unknown_param_near" if near else "why_unknown_param", lang, near=near)
    _write_query(view, _defaults(facets, view.tz), query)
    events, events_error = _events(view.start, view.end, view.model)
    for problem in (events_error, tz_problem()):
        if problem:
            st.warning(problem)
    since, until = day_window(view.start, view.end, view.tz)
    flt = ItemFilter(since=since, until=until, lang=view.lang, model=view.model, theme=view.theme,
                     sentiment=view.sentiment, source_id=view.source, category=view.category,
                     q=view.q, include_spam=view.spam, as_of=view_time())
    return Ctx(page=page, url=url, lang=lang, tz=view.tz, interval=view.every, start=view.start,
               end=view.end, flt=flt, view=view, facets=facets, source_names=names,
               events=events, push=push)


MOVED = {"why_before_from"}     # reasons of a value used elsewhere, not dropped


def warn_bad_param(name: str, value: str, why: str, lang: str, **values) -> None:
    """A URL parameter that was dropped, named with its reason (an i18n key, formatted with
    `values`). The value is whatever was typed: shown as text only."""
    reason = i18n.t(why, lang, **values)
    kind = "moved_param" if why in MOVED else "bad_param"
    st.warning(ui.md_escape(i18n.t(kind, lang, name=name, value=value, why=reason)))


def _sidebar(sb, view: View, facets: dict, names: dict[str, str], lang: str, push: bool,
             search: bool) -> None:
    every = i18n.t("all", lang)
    sb.header(i18n.t("filters", lang))
    lo, hi = params.data_days(facets, view.tz)
    _widget(sb.date_input, i18n.t("date_range", lang), "dates", view, push,
            min_value=min(lo, view.start), max_value=max(hi, view.end))
    if search:
        _widget(sb.text_input, i18n.t("search", lang), "q", view, push, help=i18n.t("search_help", lang))
        reading = i18n.search_reading(search_syntax.parse(view.q), lang) if view.q else ""
        if reading:      # how a query with OR, brackets, phrases or exclusions was read
            sb.caption(ui.md_escape(reading))
    _widget(sb.multiselect, i18n.t("language", lang), "lang", view, push,
            options=params.ordered(facets.get("langs"), ("zh", "en"), view.lang),
            format_func=lambda v: i18n.lang_name(v, lang), placeholder=every)
    _widget(sb.multiselect, i18n.t("category", lang), "category", view, push,
            options=params.ordered((), params.CATEGORIES + view.category, view.category),
            format_func=lambda v: i18n.category_name(v, lang), placeholder=every)
    _widget(sb.multiselect, i18n.t("source", lang), "source", view, push,
            options=sorted(set(names) | set(view.source)), format_func=lambda v: names.get(v, v),
            placeholder=every)
    _widget(sb.multiselect, i18n.t("model", lang), "model", view, push,
            options=params.ordered(facets.get("models"), i18n.known_models(), view.model),
            format_func=lambda v: i18n.model_name(v, lang), placeholder=every)
    _widget(sb.multiselect, i18n.t("theme", lang), "theme", view, push,
            options=params.ordered(facets.get("themes"), i18n.known_themes(), view.theme),
            format_func=lambda v: i18n.theme_name(v, lang), placeholder=every)
    _widget(sb.multiselect, i18n.t("sentiment", lang), "sentiment", view, push,
            options=list(params.SENTIMENTS), format_func=lambda v: i18n.sentiment_name(v, lang),
            placeholder=every)
    _widget(sb.checkbox, i18n.t("include_spam", lang), "spam", view, push)
    zones = list(dict.fromkeys((view.tz, default_tz()) + TIMEZONES))
    _widget(sb.selectbox, i18n.t("timezone", lang), "tz", view, push, options=zones)
    _widget(sb.selectbox, i18n.t("interval", lang), "every", view, push, options=list(params.INTERVALS),
            format_func=lambda v: i18n.t("every_" + v, lang))
    sb.button(i18n.t("reset", lang), on_click=_reset, args=(params.defaults(facets, default_tz()),),
              key="w_reset")
    sb.caption(i18n.t("share_link", lang))


def _write_query(view: View, defaults: View, query: dict[str, str]) -> None:
    wanted = params.to_query(view, defaults=defaults)
    current = {k: v for k, v in query.items() if k in params.KEYS}
    st.session_state[_WRITTEN] = wanted
    if current == wanted:
        return
    keep = {k: v for k, v in query.items() if k not in params.KEYS}
    st.query_params.from_dict({**keep, **wanted})


def _events(start: date, end: date, models: tuple[str, ...]) -> tuple[tuple, str | None]:
    """Events in the range (field-wide ones, and those of the filtered models when a model filter
    is set), and the one-line error of a broken events file."""
    try:
        from dashboard.events import load_events
    except ImportError:
        return (), None
    try:
        events = load_events()
    except AigcwatchError as e:   # a broken events file must not take the charts down
        return (), e.one_line()
    return tuple(e for e in events if start <= e.date <= end
                 and (not e.model or not models or e.model in models)), None
