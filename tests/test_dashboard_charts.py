"""Chart builders: one fixed colour per model and theme, gaps filled with zeros, the zone named on
time axes, CJK fonts, event markers, and feed text escaped before plotly renders it."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd

from dashboard import charts
from dashboard.events import Event
from ingest.tag.lexicon import model_table
from ingest.tag.themes import THEMES
from tests.support.colour import VISIONS, delta_e


def test_every_model_and_theme_has_its_own_fixed_colour():
    models = {str(spec.get("id", key)) for key, spec in model_table().items()}
    assert models <= set(charts.MODEL_COLORS)
    assert len(set(charts.MODEL_COLORS.values())) == len(charts.MODEL_COLORS)
    assert set(THEMES) == set(charts.THEME_COLORS)
    assert len(set(charts.THEME_COLORS.values())) == len(charts.THEME_COLORS)
    assert charts.color_for("model", "kling") == charts.MODEL_COLORS["kling"]
    assert charts.color_for("source", "x") == charts.color_for("source", "x")   # stable for others too


def test_every_theme_colour_is_told_apart_from_every_other_also_with_colour_blindness():
    # Before: Jobs, Copyright and Deepfakes were three near pinks (CIEDE2000 under 13 apart), and
    # for protanopia two themes were the same colour (under 1 apart).
    pairs = [(a, b) for i, a in enumerate(charts.THEME_COLORS) for b in list(charts.THEME_COLORS)[i + 1:]]
    for vision in VISIONS:
        floor = 15 if vision == "normal" else 7.5
        close = [(a, b, round(delta_e(charts.THEME_COLORS[a], charts.THEME_COLORS[b], vision), 1))
                 for a, b in pairs if delta_e(charts.THEME_COLORS[a], charts.THEME_COLORS[b], vision) < floor]
        assert not close, (vision, close)
    for theme in ("jobs", "copyright", "misinformation"):    # the three that were pinks, far apart now
        others = [t for t in ("jobs", "copyright", "misinformation") if t != theme]
        assert all(delta_e(charts.THEME_COLORS[theme], charts.THEME_COLORS[o]) > 20 for o in others)
    assert charts.color_for("theme", "jobs") == charts.THEME_COLORS["jobs"]       # one colour per theme


def test_buckets_are_local_days_weeks_from_monday_and_months():
    assert charts.bucket_starts(date(2025, 3, 5), date(2025, 3, 18), "week") == [
        date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17)]
    assert charts.bucket_starts(date(2025, 1, 31), date(2025, 3, 1), "month") == [
        date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert charts.bucket_last_day(date(2024, 2, 1), "month") == date(2024, 2, 29)


def test_gaps_are_filled_with_zeros_for_every_key():
    raw = pd.DataFrame([{"bucket": date(2025, 3, 1), "model": "kling", "count": 2},
                        {"bucket": date(2025, 3, 3), "model": "sora", "count": 1}])
    df = charts.fill_gaps(raw, date(2025, 3, 1), date(2025, 3, 3), "day", "model")
    assert len(df) == 6 and df["count"].sum() == 3
    assert df[(df["model"] == "sora") & (df["bucket"] == date(2025, 3, 2))]["count"].item() == 0
    shares, value = charts.share_over_time(df, charts.sum_by_bucket(df), "model", "week", total="all_models")
    assert value == "share"
    assert shares[shares["bucket"] == date(2025, 3, 1)]["share"].tolist() == [100.0, 0.0]


def test_week_and_month_buckets_are_ticked_on_their_own_first_days():
    # Before: plotly's own ticks named a monthly chart's August point "Jul 27" and put Sundays
    # under weeks that start on Monday.
    months = [date(2025, m, 1) for m in range(3, 7)]
    fig = charts.time_chart(pd.DataFrame({"bucket": months, "count": [1, 2, 3, 4]}), lang="en", tz="UTC",
                            interval="month")
    assert (fig.layout.xaxis.tick0, fig.layout.xaxis.dtick) == ("2025-03-01", "M1")
    weeks = [date(2025, 3, 3) + timedelta(weeks=i) for i in range(30)]          # Mondays
    fig = charts.time_chart(pd.DataFrame({"bucket": weeks, "count": range(30)}), lang="en", tz="UTC",
                            interval="week")
    assert fig.layout.xaxis.tick0 == "2025-03-03" and fig.layout.xaxis.dtick == 3 * 7 * 86_400_000
    assert charts.time_chart(pd.DataFrame({"bucket": weeks, "count": range(30)}), lang="en", tz="UTC",
                             interval="day").layout.xaxis.dtick is None        # days: plotly's ticks


def test_time_chart_names_the_zone_uses_cjk_fonts_and_carries_keys():
    df = pd.DataFrame([{"bucket": date(2025, 3, 1), "model": "kling", "count": 2},
                       {"bucket": date(2025, 3, 1), "model": "sora", "count": 5}])
    fig = charts.time_chart(df, lang="zh", tz="Asia/Shanghai", interval="day", dim="model")
    assert fig.layout.xaxis.title.text == "日 (Asia/Shanghai)"
    assert "Noto Sans CJK SC" in fig.layout.font.family
    assert [t.name for t in fig.data] == ["Sora", "可灵 Kling"]          # biggest first
    assert fig.data[1].line.color == charts.MODEL_COLORS["kling"]
    assert list(fig.data[1].customdata) == ["kling"]


def test_date_ticks_are_numeric_in_chinese_and_one_bucket_spans_whole_days():
    days = pd.DataFrame([{"bucket": date(2025, 3, d), "count": d} for d in (1, 2, 3)])
    zh = charts.time_chart(days, lang="zh", tz="UTC", interval="day")
    assert zh.layout.xaxis.tickformat == "%m-%d" and zh.layout.xaxis.hoverformat == "%Y-%m-%d"   # one year
    years = pd.DataFrame([{"bucket": date(2024 + k, 12, 31), "count": 1} for k in (0, 1)])
    assert charts.time_chart(years, lang="zh", tz="UTC", interval="day").layout.xaxis.tickformat == "%Y-%m-%d"
    assert charts.time_chart(days, lang="zh", tz="UTC", interval="month").layout.xaxis.tickformat == "%Y-%m"
    assert charts.time_chart(days, lang="en", tz="UTC", interval="day").layout.xaxis.tickformat is None
    one = charts.time_chart(days.head(1), lang="en", tz="UTC", interval="day")
    lo, hi = (pd.Timestamp(v) for v in one.layout.xaxis.range)
    assert (lo, hi) == (pd.Timestamp("2025-02-28 12:00"), pd.Timestamp("2025-03-01 12:00"))
    assert one.layout.xaxis.dtick == 86_400_000


def test_every_time_chart_of_a_view_spans_the_views_range_whatever_its_traces():
    # Before: plotly padded lines and markers (~5 % each side: a day and more past the range) but
    # not areas, so the Overview's net-sentiment lines did not line up with the volume area above.
    days = [date(2025, 3, 3) + timedelta(days=k) for k in range(30)]
    df = pd.DataFrame([{"bucket": d, "lang": lg, "count": 1} for d in days for lg in ("zh", "en")])
    span = (days[0], days[-1])
    want = [pd.Timestamp("2025-03-02 12:00"), pd.Timestamp("2025-04-01 12:00")]
    figs = [charts.time_chart(df, lang="en", tz="UTC", interval="day", dim="lang", kind=kind, span=span)
            for kind in ("area", "bar", "line")]
    net = df.assign(net=0.1, stories=12, few_stories=False)
    figs.append(charts.net_lines(net, lang="en", tz="UTC", interval="day", dim="lang", span=span))
    spikes = pd.DataFrame([{"day": days[9], "dim": "model", "key": "sora", "lead_days": 1, "score": 4.0}])
    figs.append(charts.lead_lag(spikes, lang="en", tz="UTC", span=span))
    for fig in figs:
        assert [pd.Timestamp(v) for v in fig.layout.xaxis.range] == want and fig.layout.xaxis.autorange is False
    # weeks: from half a week before the first Monday's bucket to half a week after the last's
    weekly = charts.time_chart(df, lang="en", tz="UTC", interval="week", dim="lang", span=span)
    assert [pd.Timestamp(v) for v in weekly.layout.xaxis.range] == [pd.Timestamp("2025-02-27 12:00"),
                                                                   pd.Timestamp("2025-04-03 12:00")]


def test_event_markers_are_drawn_with_their_titles():
    df = pd.DataFrame([{"bucket": date(2025, 3, 1), "count": 1}])
    events = [Event(date(2025, 3, 1), "kling", "launch", "Kling <b>2.1</b>", None),
              Event(date(2025, 3, 2), "", "policy", "Labelling rules", None)]
    fig = charts.time_chart(df, lang="en", tz="UTC", interval="day", events=events)
    assert len(fig.layout.shapes) == 2
    marks = fig.data[-1]
    assert "Kling &lt;b&gt;2.1&lt;/b&gt;" in marks.hovertext[0] and "whole field" in marks.hovertext[1]


def test_feed_text_is_escaped_for_plotly():
    df = pd.DataFrame({"term": ["<img src=x onerror=alert(1)>"], "z": [3.0]})
    fig = charts.ranked_bars(df, label_col="term", value="z")
    assert list(fig.data[0].y) == ["&lt;img src=x onerror=alert(1)&gt;"]
    assert list(fig.data[0].customdata) == ["<img src=x onerror=alert(1)>"]   # raw value for drill-down


def test_zh_en_dumbbell_puts_both_languages_on_one_scale():
    df = pd.DataFrame([{"key": "jobs", "zh_share": 0.25, "en_share": 0.05}])
    fig = charts.dumbbell(df, dim="theme", lang="en")
    dots = {t.name: list(t.x) for t in fig.data if t.mode == "markers"}
    assert dots == {"Chinese": [25.0], "English": [5.0]}
    assert [list(t.x) for t in fig.data if t.mode == "lines"] == [[25.0, 5.0, None]]   # the connector
    assert fig.layout.xaxis.ticksuffix == "%"


def test_daily_net_sentiment_is_smoothed_over_seven_days_of_counts():
    rows = [{"bucket": date(2025, 3, 1), "positive": 3, "neutral": 0, "negative": 0, "stories": 3, "net": 1.0},
            {"bucket": date(2025, 3, 2), "positive": 0, "neutral": 0, "negative": 1, "stories": 1, "net": -1.0}]
    df, col = charts.smoothed_net(pd.DataFrame(rows), date(2025, 3, 1), date(2025, 3, 10), "day")
    assert col == "net_7d" and len(df) == 10
    by_day = df.set_index("bucket")
    assert by_day.loc[date(2025, 3, 2), "net_7d"] == 0.5          # (3 - 1) / 4, not the mean of 1 and -1
    assert by_day.loc[date(2025, 3, 3), "stories"] == 0 and by_day.loc[date(2025, 3, 3), "net_7d"] == 0.5
    assert by_day.loc[date(2025, 3, 3), ["positive_7d", "negative_7d", "stories_7d"]].tolist() == [3, 1, 4]
    assert "net" not in df            # a daily net is not drawn, so the chart's CSV does not hold one
    assert pd.isna(by_day.loc[date(2025, 3, 9), "net_7d"])        # the window has moved past both days
    assert by_day["few_stories"].all()                             # 4 stories at most: every point open
    weekly, col = charts.smoothed_net(pd.DataFrame(rows), date(2025, 3, 1), date(2025, 3, 10), "week")
    assert col == "net" and list(weekly.columns) == ["bucket", "positive", "neutral", "negative", "stories",
                                                     "net", "few_stories"]


def test_a_net_index_on_few_stories_is_drawn_as_open_circles_off_the_line():
    rows = [{"bucket": date(2025, 3, d), "key": k, "positive": p, "neutral": 0, "negative": 0, "stories": p}
            for d in range(1, 8) for k, p in (("sora", 3), ("pika", 1))]
    df, value = charts.smoothed_net(pd.DataFrame(rows).rename(columns={"key": "model"}),
                                    date(2025, 3, 1), date(2025, 3, 7), "day", "model")
    fig = charts.net_lines(df, lang="en", tz="UTC", interval="day", dim="model", value=value)
    lines = {tr.customdata[0]: tr for tr in fig.data if tr.mode == "lines+markers"}
    dots = {tr.customdata[0]: tr for tr in fig.data if tr.mode == "markers" and len(tr.customdata)}
    assert list(lines) == ["sora", "pika"]                   # the most covered first, not by net
    # Sora reaches 10 stories on its 4th day (3 a day): open before, on the line from then on
    assert [None if pd.isna(y) else y for y in lines["sora"].y] == [None, None, None, 1.0, 1.0, 1.0, 1.0]
    assert list(dots["sora"].y) == [1.0, 1.0, 1.0] and dots["sora"].marker.symbol == "circle-open"
    assert all(pd.isna(y) for y in lines["pika"].y) and len(dots["pika"].y) == 7
    assert dots["pika"].legendgroup == lines["pika"].legendgroup      # one legend click hides both
    assert any(tr.name == "fewer than 10 stories (open circles)" for tr in fig.data)


def test_daily_theme_share_is_drawn_as_a_7_day_rolling_share_of_summed_counts():
    days = [date(2025, 3, 1) + timedelta(days=i) for i in range(8)]
    counts = pd.DataFrame({"bucket": days, "theme": "jobs", "count": [1, 0, 0, 0, 0, 0, 0, 1]})
    totals = pd.DataFrame({"bucket": days, "count": [1, 1, 1, 1, 1, 1, 1, 3]})
    out, value = charts.share_over_time(counts, totals, "theme", "day")
    assert value == "share_7d"
    # the CSV names what is drawn and what it is computed from; no daily share that is not drawn
    assert list(out.columns) == ["bucket", "theme", "stories", "all_stories", "stories_7d",
                                 "all_stories_7d", "share_7d"]
    # day 8: days 2..8 hold 1 story with the theme out of 9
    assert out.iloc[-1][["stories_7d", "all_stories_7d"]].tolist() == [1, 9]
    assert abs(list(out["share_7d"])[-1] - 100 / 9) < 1e-9
    assert list(charts.share_over_time(counts, totals, "theme", "day", start=days[6])[0]["bucket"]) == days[6:]
    weekly, value = charts.share_over_time(counts, totals, "theme", "week")
    assert value == "share" and "share_7d" not in weekly


def test_share_of_voice_by_day_is_a_7_day_rolling_share_that_stacks_to_100():
    # Before: a daily 100% stack of ~10 models on ~10 stories a day, a saw-tooth between 0 and 100%.
    days = [date(2025, 3, 1) + timedelta(days=i) for i in range(9)]
    counts = pd.DataFrame([{"bucket": d, "model": m, "count": (i + len(m)) % 3} for i, d in enumerate(days)
                           for m in ("kling", "sora", "veo")])
    out, value = charts.share_over_time(counts, charts.sum_by_bucket(counts), "model", "day",
                                        start=days[6], total="all_models")
    assert value == "share_7d" and set(out["bucket"]) == set(days[6:])
    for day, g in out.groupby("bucket"):
        assert abs(g["share_7d"].sum() - 100) < 1e-9
        window = counts[(counts["bucket"] <= day) & (counts["bucket"] > day - timedelta(days=7))]
        for row in g.itertuples():
            want = window[window["model"] == row.model]["count"].sum() / window["count"].sum() * 100
            assert abs(row.share_7d - want) < 1e-9
    fig = charts.time_chart(out, lang="en", tz="UTC", interval="day", dim="model", kind="area", value=value)
    assert {tr.customdata[0]: list(tr.y) for tr in fig.data} == {
        m: list(g.sort_values("bucket")["share_7d"]) for m, g in out.groupby("model")}


def test_show_top_draws_the_first_keys_and_lists_the_rest_after_them_in_the_legend():
    days = [date(2025, 3, 1), date(2025, 3, 2)]
    df = pd.DataFrame([{"bucket": d, "theme": t, "count": n} for d in days
                       for t, n in (("jobs", 3), ("flaws", 2), ("copyright", 1))])
    fig = charts.show_top(charts.time_chart(df, lang="en", tz="UTC", interval="day", dim="theme"),
                          ["flaws", "copyright", "jobs"], 2)
    shown = {tr.customdata[0]: (tr.visible, tr.legendrank) for tr in fig.data}
    assert shown == {"flaws": (None, 1), "copyright": (None, 2), "jobs": ("legendonly", 3)}
    hidden = next(tr for tr in fig.data if tr.customdata[0] == "jobs")
    assert hidden.line.color == charts.THEME_COLORS["jobs"] and hidden.showlegend is not False


def test_a_partial_band_is_named_in_the_legend_never_over_points_or_event_markers():
    # Before: "partial" was written at the top of the band, over a count chart's top point or an
    # event's marker there (the net index made room for it by stretching its axis to 1.25).
    from types import SimpleNamespace

    from db.queries import partial_buckets

    weeks = [date(2025, 9, 29), date(2025, 10, 6)]
    df = pd.DataFrame({"bucket": weeks, "lang": "zh", "net": [1.0, -0.2], "count": [3, 9]})
    cut = partial_buckets(date(2025, 10, 1), date(2025, 10, 12), "week", date(2026, 1, 1))
    event = SimpleNamespace(date=date(2025, 10, 6), model="kling", kind="launch", title="Kling 2.5")
    for fig in (charts.net_lines(df, lang="en", tz="UTC", interval="week", dim="lang", partial=cut),
                charts.time_chart(df, lang="zh", tz="UTC", interval="week", dim="lang", partial=cut,
                                  events=[event])):
        bands = [s for s in fig.layout.shapes if s.type == "rect"]
        assert len(bands) == 1 and not [s for s in bands if s.label.text]
        (entry,) = [tr for tr in fig.data if tr.legendgroup == "partial"]
        assert entry.name in ("partial", "不完整") and entry.showlegend is not False
        assert list(entry.x) == [None] and entry.hoverinfo == "skip"
    assert tuple(fig.layout.yaxis9.range) == (0, 1.04)
    net = charts.net_lines(df, lang="en", tz="UTC", interval="week", dim="lang", partial=cut)
    assert tuple(net.layout.yaxis.range) == (-1.05, 1.05)
    whole = charts.time_chart(df, lang="en", tz="UTC", interval="week", dim="lang")
    assert not [tr for tr in whole.data if tr.legendgroup == "partial"]


def test_sources_stack_by_id_whatever_their_sizes():
    # Before: sources stacked biggest first, so a source's segment moved between views.
    days = [date(2025, 3, 1), date(2025, 3, 2)]
    for big in ("zh-news", "en-news"):
        df = pd.DataFrame([{"bucket": d, "source": src, "count": 9 if src == big else 1} for d in days
                           for src in ("zh-news", "en-news", "cn-mirror")])
        fig = charts.time_chart(df, lang="en", tz="UTC", interval="day", dim="source", kind="bar")
        assert [tr.customdata[0] for tr in fig.data] == ["cn-mirror", "en-news", "zh-news"], big


DEMO_SOURCES = ["demo-bilibili-up", "demo-bluesky-search", "demo-chuangtou", "demo-circuit", "demo-hn",
                "demo-hn-comments", "demo-hn-stories", "demo-itzhijia", "demo-kuaixun", "demo-markets",
                "demo-mastodon", "demo-qbitai", "demo-reddit", "demo-reddit-comments", "demo-reddit-search",
                "demo-techdaily", "demo-weibo", "demo-wire", "demo-newswire", "demo-xinhua", "demo-digest-zh"]


def test_sources_stacked_side_by_side_never_share_a_colour_and_the_legend_gets_room():
    # Before: source colours were hashed into 16 spare colours, so neighbours in a stack could be
    # the same red (the demo's bars had three red sources), and 21 legend entries took more than
    # half of the 380 px figure, leaving the bars ~100 px.
    days = [date(2025, 3, 1), date(2025, 3, 2)]
    hashed = [charts.color_for("source", k) for k in sorted(DEMO_SOURCES)]
    assert any(a == b for a, b in zip(hashed, hashed[1:]))          # the old colours collided
    colors = charts.key_colors(DEMO_SOURCES)
    for shown in (DEMO_SOURCES, DEMO_SOURCES[::2]):
        df = pd.DataFrame([{"bucket": d, "source": s, "count": 2} for d in days for s in shown])
        fig = charts.time_chart(df, lang="en", tz="UTC", interval="day", dim="source", kind="bar",
                                colors=colors)
        drawn = [tr.marker.color for tr in fig.data]
        assert all(a != b for a, b in zip(drawn, drawn[1:])), drawn
        assert {tr.customdata[0]: tr.marker.color for tr in fig.data} == {s: colors[s] for s in shown}
    charts.room_for_legend(fig, 22)
    assert fig.layout.height >= charts.HEIGHT + 21 * 7
    # two to a row whatever the window (plotly's own flow put one to a row at 800 px), and the
    # figure as tall as those rows: every time chart with a long legend, not only this one
    assert (fig.layout.legend.entrywidth, fig.layout.legend.entrywidthmode) == (charts.LEGEND_ENTRY_WIDTH, "fraction")
    themes = pd.DataFrame([{"bucket": d, "theme": t, "count": 1} for d in days for t in charts.THEME_COLORS])
    drawn = charts.time_chart(themes, lang="en", tz="UTC", interval="day", dim="theme")
    # "Deepfakes / misinformation" takes two lines: the figure is one line taller
    assert drawn.layout.height == charts.HEIGHT + 21 * 6 + charts.LEGEND_LINE_PX
    assert drawn.layout.legend.entrywidth == charts.LEGEND_ENTRY_WIDTH
    # a name too long for half the chart at 800 px is wrapped in the legend (never cut where two
    # lines hold it: "Deepfakes / misinforma…" was cut at 1400 px too), whole on one line in the hover
    long = pd.DataFrame([{"bucket": d, "source": s, "count": 1} for d in days for s in "abcde"])
    agency = "演示・通讯社（仅摘要，正文取自网页）"
    named = charts.time_chart(long, lang="zh", tz="UTC", interval="day", dim="source",
                              names={"a": agency, "b": "Demo Reddit r/aivideo comments", "d": "<b>x</b> " * 9})
    by_key = {tr.customdata[0]: tr for tr in named.data}
    assert by_key["a"].name == "演示・通讯社（仅摘<br>要，正文取自网页）"
    assert by_key["a"].meta == agency
    assert by_key["b"].name == "Demo Reddit<br>r/aivideo comments" and "%{meta}" in by_key["b"].hovertemplate
    assert by_key["c"].name == "c" and by_key["c"].hovertemplate is None
    assert "<b>" not in by_key["d"].name and by_key["d"].name.count("<br>") == 1     # feed text stays text
    assert by_key["a"].name.replace("<br>", "") == agency      # whole, a CJK name broken where it fills the line
    lines = charts.legend_lines("x" * 60)
    assert len(lines) == 2 and lines[1].endswith("…") and charts.text_units(lines[1]) <= charts.LEGEND_NAME_UNITS
    assert charts.legend_lines("Deepfakes / misinformation") == ["Deepfakes /", "misinformation"]
    few = charts.room_for_legend(charts.time_chart(df, lang="en", tz="UTC", interval="day"), 3)
    assert few.layout.height == charts.HEIGHT


def test_languages_stack_in_one_fixed_order_whatever_their_sizes():
    # Before: series were stacked biggest first, so English lay under Chinese in one view and over
    # it in the next; the legend (reversed by plotly for stacks) disagreed with the bar charts'.
    days = [date(2025, 3, 1), date(2025, 3, 2)]
    for zh, en in ((5, 1), (1, 5)):
        df = pd.DataFrame([{"bucket": d, "lang": lg, "count": n} for d in days
                           for lg, n in (("en", en), ("und", 1), ("zh", zh))])
        for kind in ("area", "bar", "line"):
            fig = charts.time_chart(df, lang="en", tz="UTC", interval="day", dim="lang", kind=kind)
            assert [tr.customdata[0] for tr in fig.data] == ["zh", "en", "und"], (kind, zh, en)
            assert fig.layout.legend.traceorder == "normal"
        by_model = pd.DataFrame([{"model": "kling", "lang": "en", "count": en},
                                 {"model": "kling", "lang": "zh", "count": zh}])
        fig = charts.grouped_bars(by_model, row_dim="model", group_dim="lang", lang="en")
        # a group of horizontal bars grows upwards from its first trace: Chinese drawn last is the
        # top bar of each pair, and the reversed legend lists it first (it listed Chinese first
        # over pairs whose top bar was English)
        assert [tr.name for tr in fig.data] == ["English", "Chinese"]
        assert fig.layout.legend.traceorder == "reversed"
    models = pd.DataFrame([{"bucket": days[0], "model": m, "count": n} for m, n in (("sora", 1), ("kling", 3))])
    fig = charts.time_chart(models, lang="en", tz="UTC", interval="day", dim="model", kind="area")
    assert [tr.customdata[0] for tr in fig.data] == ["kling", "sora"]     # models: biggest first still


def test_ranked_bars_of_story_counts_hover_whole_numbers():
    # Before: every ranked bar hovered with two decimals, "会员: 61.00" stories on the Themes page.
    df = pd.DataFrame({"phrase": ["会员", "api"], "count": [61, 55]})
    counts = charts.ranked_bars(df, label_col="phrase", value="count", decimals=0)
    assert "%{x:.0f}" in counts.data[0].hovertemplate
    scores = charts.ranked_bars(df.rename(columns={"count": "z"}), label_col="phrase", value="z")
    assert "%{x:.2f}" in scores.data[0].hovertemplate


def test_a_bar_of_shares_names_how_many_stories_it_holds():
    # Before: "Vidu" at 60% negative read like "Sora" at 40%, though one held 32 stories and the
    # other 327; each row of shares now says its n.
    df = pd.DataFrame([{"model": m, "sentiment": t, "count": n} for m, t, n in
                       (("sora", "positive", 300), ("sora", "negative", 27), ("vidu", "negative", 2), ("vidu", "neutral", 1))])
    fig = charts.stacked_bars(df, row_dim="model", stack_dim="sentiment", lang="en")
    assert list(fig.data[0].y) == ["Vidu (n=3)", "Sora (n=327)"]
    assert [c[0] for c in fig.data[0].customdata] == ["vidu", "sora"]       # the drill-down keeps the ids
    counts = charts.stacked_bars(df, row_dim="model", stack_dim="sentiment", lang="en", percent=False)
    assert list(counts.data[0].y) == ["Vidu", "Sora"]                        # counts say it on the axis


def test_shares_and_net_index_hover_rounded_with_whole_names():
    # Before: a share hovered as "22.22222%", a net index as "-0.1176471", and a long model name
    # was cut to "Jimeng / See...".
    df = pd.DataFrame([{"bucket": date(2025, 3, 1), "model": "jimeng", "share": 22.222222}])
    fig = charts.time_chart(df, lang="en", tz="UTC", interval="day", dim="model", value="share", percent=True)
    assert fig.layout.yaxis.hoverformat == ".1f" and fig.layout.hoverlabel.namelength == -1
    net, value = charts.smoothed_net(pd.DataFrame([{"bucket": date(2025, 3, 1), "model": "sora", "positive": 2,
                                                    "neutral": 10, "negative": 4, "stories": 16}]),
                                     date(2025, 3, 1), date(2025, 3, 1), "day", "model")
    fig = charts.net_lines(net, lang="en", tz="UTC", interval="day", dim="model", value=value)
    assert fig.layout.yaxis.hoverformat == "+.2f"


def test_ranked_bars_list_tied_values_top_down_in_the_tables_order():
    # Before: the bars were re-sorted by value with an unstable sort, so terms of equal z stood in
    # another order than in the table under the chart (Keywords: 即梦 above seedance in the chart,
    # seedance first in the table, both z 7.76). Plotly draws the first category at the bottom.
    terms = ["seedance", "即梦", "sora", "aleph", "开发者", "字节跳动", "wan2.2", "通义万相", "openai", "有点"]
    z = [7.76, 7.76, 4.92, 3.19, 2.77, 2.65, 2.37, 2.37, 2.24, 2.07]
    fig = charts.ranked_bars(pd.DataFrame({"term": terms, "z": z}), label_col="term", value="z")
    assert list(fig.data[0].y)[::-1] == terms
    assert list(fig.data[0].customdata)[::-1] == terms


def test_diverging_bars_of_equal_value_stand_in_key_order_whatever_the_input_order():
    # Before: ties kept whatever order the frame came in (sort_values' default sort), so two themes
    # with the same zh - en gap could swap places between two views of the same numbers.
    for keys in (["jobs", "copyright", "tech"], ["tech", "copyright", "jobs"]):
        df = pd.DataFrame({"key": keys, "diff_pp": [2.0 if k == "tech" else -1.5 for k in keys]})
        fig = charts.diverging(df, dim="theme", lang="en")
        assert list(fig.data[0].customdata)[::-1] == ["tech", "copyright", "jobs"], keys   # top down


def test_grouped_bars_hover_names_the_key_and_its_count():
    # Before: the Models page's Chinese vs English bars hovered plotly's default "中文(29, Sora)":
    # the count and the model in brackets, the count unnamed.
    df = pd.DataFrame({"model": ["sora", "sora", "kling"], "lang": ["zh", "en", "zh"], "count": [29, 1200, 7]})
    fig = charts.grouped_bars(df, row_dim="model", group_dim="lang", lang="en", x_title="stories")
    for trace in fig.data:
        assert trace.hovertemplate == "%{y}: %{x:,} stories<extra>%{fullData.name}</extra>"
    zh = charts.grouped_bars(df, row_dim="model", group_dim="lang", lang="zh", x_title="报道数")
    assert zh.data[0].hovertemplate == "%{y}：%{x:,} 篇<extra>%{fullData.name}</extra>"


def test_the_heat_map_labels_columns_short_and_names_them_whole_in_the_hover():
    # Before: whole names ("Jimeng / Seedance") under ~20 px columns at an 800 px window were
    # turned on their side, and plotly shrank the counts to fit the cells.
    assert [charts.short_name(n) for n in ("Jimeng / Seedance", "即梦 / Seedance", "可灵 Kling", "通义万相 Wan",
                                           "Stable Video", "Midjourney 视频", "混元视频")] == \
        ["Jimeng", "即梦", "可灵", "通义万相", "Stable Video", "Midjourney 视频", "混元视频"]
    df = pd.DataFrame([{"theme": t, "model": m, "count": 3} for t in ("misinformation", "jobs")
                       for m in ("jimeng", "kling")])
    fig = charts.heatmap(df, row_dim="theme", col_dim="model", lang="en")
    trace = fig.data[0]
    assert list(trace.x) == ["Jimeng", "Kling"] and "Deepfakes /<br>misinformation" in trace.y
    assert "Deepfakes / misinformation × Jimeng / Seedance" in [c for row in trace.text for c in row]
    assert trace.texttemplate == "%{z}" and trace.textfont.size == 12
    assert list(fig.layout.xaxis.autotickangles) == [0, 45] and trace.colorbar.orientation == "h"
    wide = pd.DataFrame([{"theme": "jobs", "model": f"m{k}", "count": 1} for k in range(charts.HEAT_TEXT_COLS + 1)])
    assert charts.heatmap(wide, row_dim="theme", col_dim="model", lang="en").data[0].texttemplate is None


def test_sources_past_the_palette_still_get_a_colour_each():
    # Before: the 17th source took the 1st one's colour again; the demo has 25 sources, so nine
    # pairs of the Sources page's bars were drawn alike.
    keys = [f"src-{i:02d}" for i in range(60)]
    colors = charts.key_colors(keys)
    assert len(set(colors.values())) == 60
    assert [colors[k] for k in keys[:16]] == list(charts._SPARE)        # the first round unchanged
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colors.values())
