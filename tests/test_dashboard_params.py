"""The dashboard's view <-> URL query string: defaults from the data, round trips, bad values named
and dropped while the rest applies."""
from __future__ import annotations

from datetime import date, datetime, timezone

from dashboard import i18n
from dashboard.params import View, data_days, defaults, parse, to_query

FACETS = {
    "sources": [{"id": "cn-news"}, {"id": "en-news"}], "models": ["kling", "sora"],
    "themes": ["jobs"], "langs": ["en", "zh"],
    "first": datetime(2024, 11, 2, 3, 0, tzinfo=timezone.utc),
    "last": datetime(2025, 3, 9, 17, 30, tzinfo=timezone.utc),   # 2025-03-10 01:30 in Shanghai
    "items": 10,
}
TZ = "Asia/Shanghai"


def test_days_are_local_to_the_zone():
    assert data_days(FACETS, TZ) == (date(2024, 11, 2), date(2025, 3, 10))
    assert data_days(FACETS, "UTC")[1] == date(2025, 3, 9)


def test_no_parameters_means_the_last_90_days_with_data():
    view, warns = parse({}, FACETS, default_tz=TZ)
    assert warns == []
    assert (view.start, view.end) == (date(2024, 12, 11), date(2025, 3, 10))
    assert view.tz == TZ and view.ui == "zh" and view.every == "day"
    assert to_query(view, defaults=defaults(FACETS, TZ)) == {}


def test_short_data_starts_at_its_first_day():
    facets = dict(FACETS, first=datetime(2025, 3, 1, tzinfo=timezone.utc))
    assert parse({}, facets, default_tz=TZ)[0].start == date(2025, 3, 1)


def test_every_parameter_round_trips():
    query = {"ui": "en", "from": "2025-02-01", "to": "2025-02-28", "lang": "zh,en", "src": "cn-news",
             "cat": "social", "model": "kling,sora", "theme": "jobs", "sent": "negative", "spam": "1",
             "tz": "UTC", "every": "week", "q": "可灵 翻车", "sov": "count", "evtheme": "jobs", "sort": "reach"}
    view, warns = parse(query, FACETS, default_tz=TZ)
    assert warns == []
    assert view == View(ui="en", start=date(2025, 2, 1), end=date(2025, 2, 28), lang=("zh", "en"),
                        source=("cn-news",), category=("social",), model=("kling", "sora"), theme=("jobs",),
                        sentiment=("negative",), spam=True, tz="UTC", every="week", q="可灵 翻车", sov="count",
                        ev_theme="jobs", sort="reach")
    assert to_query(view, defaults=defaults(FACETS, TZ)) == query


def test_day_sets_both_ends():
    view, _ = parse({"day": "2025-01-05", "model": "kling"}, FACETS, default_tz=TZ)
    assert (view.start, view.end, view.model) == (date(2025, 1, 5), date(2025, 1, 5), ("kling",))


def test_bad_values_are_named_and_dropped_the_rest_applies():
    view, warns = parse({"model": "kling,nosuch", "src": "gone", "from": "05/01/2025", "tz": "Mars/Base",
                         "every": "hour", "spam": "maybe", "ui": "fr", "sent": "angry", "lang": "zh",
                         "sov": "pie", "evtheme": "nosuch", "sort": "random"}, FACETS, default_tz=TZ)
    named = {w[0] for w in warns}
    assert named == {"model", "src", "from", "tz", "every", "spam", "ui", "sent", "sov", "evtheme", "sort"}
    assert view.sov == "share" and view.ev_theme == "" and view.sort == "new"
    assert view.model == ("kling",) and view.lang == ("zh",) and view.source == ()
    assert view.tz == TZ and view.every == "day" and view.ui == "zh" and view.spam is False
    assert view.start == date(2024, 12, 11)   # the default start stays


def test_reversed_range_is_swapped_with_a_warning():
    view, warns = parse({"from": "2025-03-01", "to": "2025-02-01"}, FACETS, default_tz=TZ)
    assert (view.start, view.end) == (date(2025, 2, 1), date(2025, 3, 1))
    assert [w[0] for w in warns] == ["to"]


def test_a_day_outside_1900_2999_is_named_and_dropped():
    # 9999-12-31 or 0001-01-01 (a typo, or a hand-made link) overflowed Python's dates in the
    # page's local-day window: the page died with "date value out of range"
    default = defaults(FACETS, TZ)
    for query in ({"to": "9999-12-31"}, {"from": "0001-01-01"}, {"day": "0001-01-01"}):
        view, warns = parse(query, FACETS, default_tz=TZ)
        assert (view.start, view.end) == (default.start, default.end), query
        [(name, value, why)] = warns
        assert (name, value) == next(iter(query.items())) and why == "why_day_range"
        assert i18n.t(why, "en") == "out of range (years 1900-2999)" and not i18n.t(why, "zh").isascii()


def test_one_end_given_moves_the_default_other_end_not_past_it():
    # `to` alone, before the default start: the 90 days ending there, not `to`..the default start
    view, warns = parse({"to": "2024-12-01"}, FACETS, default_tz=TZ)
    assert (view.start, view.end) == (date(2024, 11, 2), date(2024, 12, 1)) and warns == []
    view, warns = parse({"to": "2024-06-01"}, FACETS, default_tz=TZ)      # before any data
    assert (view.start, view.end) == (date(2024, 3, 4), date(2024, 6, 1)) and warns == []
    # `from` alone, after the last day with data: that day on, never days before it
    view, warns = parse({"from": "2025-04-01"}, FACETS, default_tz=TZ)
    assert (view.start, view.end) == (date(2025, 4, 1), date(2025, 4, 1)) and warns == []


def test_every_reason_is_a_phrase_of_both_interface_languages():
    _, warns = parse({"model": "nosuch", "from": "05/01/2025", "to": "2025-01-01", "tz": "Mars/Base",
                      "every": "hour", "spam": "maybe", "ui": "fr", "day": "x"}, FACETS, default_tz=TZ)
    assert len(warns) == 7
    for _, _, why in warns:
        zh, en = i18n.t(why, "zh"), i18n.t(why, "en")
        assert zh != en and not zh.isascii() and en.isascii()


def test_search_text_is_squeezed_and_bounded():
    view, _ = parse({"q": "  sora \n  lawsuit " + "x" * 500}, FACETS, default_tz=TZ)
    assert view.q.startswith("sora lawsuit x") and len(view.q) == 200


def test_models_and_themes_in_the_url_are_found_in_any_case_and_by_any_name_of_the_tagger():
    # Before: model=Kling or model=可灵 was dropped as an unknown value.
    view, warns = parse({"model": "Kling,可灵,Seedance", "theme": "JOBS,creative-industry",
                         "evtheme": "Jobs"}, FACETS, default_tz=TZ)
    assert warns == []
    assert view.model == ("kling", "jimeng") and view.theme == ("jobs", "creative_industry")
    assert view.ev_theme == "jobs"
    assert to_query(view, defaults=defaults(FACETS, TZ))["model"] == "kling,jimeng"
    view, warns = parse({"model": "Dalle,sora"}, FACETS, default_tz=TZ)
    assert view.model == ("sora",) and warns == [("model", "Dalle", "why_unknown_value")]


def test_languages_tones_and_categories_in_the_url_are_read_in_any_case():
    view, warns = parse({"lang": "ZH,en", "sent": "Positive", "cat": "NEWS"}, FACETS, default_tz=TZ)
    assert warns == [] and view.lang == ("zh", "en") and view.sentiment == ("positive",)
    assert view.category == ("news",)
