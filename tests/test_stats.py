"""db.stats: the pure statistics behind spikes, lead language, rising terms and the zh/en gap."""
from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from db import stats

D0 = date(2025, 3, 1)


def days(n: int, start: date = D0) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


# --- robust score ------------------------------------------------------------------------------

def test_baseline_is_median_and_scaled_mad():
    med, scale = stats.baseline([1, 2, 3, 4, 5, 6, 7])
    # |v - 4| = 3 2 1 0 1 2 3 -> MAD 2
    assert med == 4 and scale == pytest.approx(1.4826 * 2)


def test_robust_score_compares_a_day_with_its_trailing_window_only():
    series = [100] * 10 + [1, 2, 3, 4, 5, 6, 7] + [20]
    scored = stats.robust_scores(series, window=7)
    med, score = scored[-1]
    assert med == 4 and score == pytest.approx((20 - 4) / (1.4826 * 2))
    # with a longer window the old 100s enter the baseline and the same day scores lower
    assert stats.robust_scores(series, window=28)[-1][1] < score


def test_robust_score_needs_seven_days_of_history():
    scored = stats.robust_scores([0, 0, 0, 0, 0, 0, 0, 9], window=28)
    assert scored[:7] == [None] * 7
    assert scored[7] == (0, 9.0)


def test_mad_floor_of_one_story_keeps_a_flat_series_from_alerting_on_one_extra_story():
    flat = [2] * 28
    med, scale = stats.baseline(flat)
    assert (med, scale) == (2, 1.0)          # MAD 0 would divide by zero; the floor is 1 story
    found = stats.find_spikes(days(30), flat + [3, 6], first=D0, window=28)
    assert [(s["day"], s["count"], s["score"]) for s in found] == [(D0 + timedelta(days=29), 6, 4.0)]


def test_an_earlier_burst_does_not_mask_a_later_one():
    quiet = [1] * 27 + [0]
    with_burst = [1] * 13 + [100] + [1] * 13 + [0]
    for history in (quiet, with_burst):
        (_, score) = stats.robust_scores(history + [10], window=28)[-1]
        assert score == 9.0   # median 1, MAD 0: the burst of 100 changes neither
    # a mean and standard deviation would have been dragged up by the burst
    mean = sum(with_burst) / len(with_burst)
    sd = math.sqrt(sum((v - mean) ** 2 for v in with_burst) / len(with_burst))
    assert (10 - mean) / sd < 1


def test_spike_needs_the_threshold_and_min_count():
    series = [0] * 28 + [3]          # score 3.0: below 3.5
    assert stats.find_spikes(days(29), series, first=D0, window=28) == []
    series = [0] * 28 + [4]          # score 4.0 and 4 stories
    assert len(stats.find_spikes(days(29), series, first=D0, window=28)) == 1
    assert stats.find_spikes(days(29), series, first=D0, window=28, min_count=5) == []
    assert stats.find_spikes(days(29), series, first=D0, window=28, threshold=4.5) == []


def test_a_run_of_spike_days_is_reported_once_on_its_best_day():
    series = [1] * 28 + [8, 15, 9, 1, 1, 12]
    d = days(len(series))
    found = stats.find_spikes(d, series, first=D0, window=28)
    assert [(s["day"], s["count"], s["days"]) for s in found] == [(d[29], 15, 3), (d[33], 12, 1)]
    assert found[0]["baseline"] == 1 and found[0]["score"] == 14.0


def test_spikes_before_first_are_not_reported():
    series = [0] * 10 + [9] + [0] * 10 + [7]
    d = days(len(series))
    assert [s["day"] for s in stats.find_spikes(d, series, first=d[0], window=28)] == [d[10], d[21]]
    assert [s["day"] for s in stats.find_spikes(d, series, first=d[11], window=28)] == [d[21]]


# --- onset and lead/lag ------------------------------------------------------------------------

def test_onset_is_the_first_day_near_the_spike_that_rose_above_baseline():
    series = [0] * 30 + [1, 3, 5, 9]   # one story scores 1 (< 2); three score 3
    d = days(len(series))
    assert stats.onset(d, series, d[33], window=28) == d[31]


def test_onset_ignores_rises_outside_seven_days_of_the_spike():
    series = [0] * 30 + [5] + [0] * 8 + [9]
    d = days(len(series))
    assert stats.onset(d, series, d[39], window=28) == d[39]   # the day-30 rise is 9 days early
    assert stats.onset(d, series, d[37], window=28) == d[30]   # ...but 7 days before day 37


def test_onset_is_none_when_the_language_never_reacted():
    d = days(40)
    assert stats.onset(d, [1] * 40, d[35], window=28) is None
    assert stats.onset([], [], D0, window=28) is None


def test_onset_on_a_long_series_matches_scoring_the_whole_series():
    series = [(i * 7) % 3 for i in range(400)] + [0, 6, 2]
    d = days(len(series))
    day = stats.onset(d, series, d[401], window=28)
    scored = stats.robust_scores(series, 28)
    expected = next(d[i] for i in range(394, 403)
                    if series[i] >= 1 and scored[i] and scored[i][1] >= stats.ONSET_THRESHOLD)
    assert day == expected == d[401]


@pytest.mark.parametrize("onsets, expected", [
    ({"zh": date(2025, 3, 8), "en": date(2025, 3, 10)}, ("zh", 2)),
    ({"zh": date(2025, 3, 11), "en": date(2025, 3, 10)}, ("en", 1)),
    ({"zh": date(2025, 3, 10), "en": date(2025, 3, 10)}, ("same", 0)),
    ({"zh": None, "en": date(2025, 3, 10)}, ("en", None)),
    ({"zh": date(2025, 3, 10), "en": None}, ("zh", None)),
    ({"zh": None, "en": None}, (None, None)),
    ({}, (None, None)),
])
def test_lead_lag_names_the_earlier_language_and_the_gap_in_days(onsets, expected):
    assert stats.lead_lag(onsets) == expected


# --- log-odds ----------------------------------------------------------------------------------

def test_log_odds_ranks_a_new_term_first_and_a_fading_term_last():
    rows = stats.log_odds({"sora": 10, "video": 20, "kling": 8}, {"sora": 10, "video": 20, "pika": 8})
    assert [r["term"] for r in rows] == ["kling", "sora", "video", "pika"]
    assert rows[0]["z"] > 0 > rows[-1]["z"]
    assert (rows[0]["current"], rows[0]["previous"]) == (8, 0)
    assert [r["z"] for r in rows] == sorted((r["z"] for r in rows), reverse=True)


def test_log_odds_of_unchanged_rates_is_zero():
    rows = stats.log_odds({"x": 3, "y": 30}, {"x": 6, "y": 60})
    assert [r["z"] for r in rows] == [0.0, 0.0]
    assert [r["term"] for r in rows] == ["x", "y"]   # ties by term


def test_log_odds_trusts_more_evidence_for_the_same_ratio():
    rows = {r["term"]: r["z"] for r in stats.log_odds({"a": 40, "b": 4, "c": 100},
                                                       {"a": 20, "b": 2, "c": 120})}
    assert rows["a"] > rows["b"] > 0


def test_log_odds_prior_shrinks_scores_towards_zero():
    cur, prev = {"a": 20, "b": 2, "c": 50}, {"a": 10, "b": 1, "c": 60}
    by_prior = [{r["term"]: r["z"] for r in stats.log_odds(cur, prev, prior_total=p)}
                for p in (5, 50, 500, 5000)]
    for term in cur:
        zs = [z[term] for z in by_prior]
        assert all(abs(a) > abs(b) for a, b in zip(zs, zs[1:])), (term, zs)
        assert len({math.copysign(1, z) for z in zs}) == 1          # never flips sign


def test_a_language_without_an_onset_did_not_follow_so_the_other_did_not_lead():
    assert stats.lead("same", 0, {"zh": 3, "en": 4}) == "same_day"
    assert stats.lead("zh", 2, {"zh": 5, "en": 1}) == "zh_first"
    assert stats.lead("en", None, {"zh": 0, "en": 7}) == "en_only"          # no Chinese story at all
    assert stats.lead("en", None, {"zh": 1, "en": 7}) == "en_only_rose"     # Chinese never rose
    assert stats.lead("zh", None, {"zh": 6}) == "zh_only"
    assert stats.lead(None, None, {"zh": 2, "en": 2}) is None
    assert set(stats.LEADS) >= {stats.lead(*a) for a in (("same", 0, {}), ("en", 1, {}), ("zh", None, {}))}


def test_log_odds_of_a_single_term_is_zero_not_a_crash():
    """Periods whose stories hold one keyword between them (a quiet language's day) crashed the
    whole digest with ZeroDivisionError."""
    assert stats.log_odds({"sora": 3}, {"sora": 5}) == [{"term": "sora", "current": 3, "previous": 5, "z": 0.0}]
    assert stats.log_odds({"sora": 2}, {}) == [{"term": "sora", "current": 2, "previous": 0, "z": 0.0}]
    rows = stats.log_odds({"sora": 2}, {"kling": 4})      # two terms: a real rise and a real fall
    assert rows[0]["term"] == "sora" and rows[0]["z"] > 0 > rows[1]["z"]


def test_log_odds_with_nothing_current_is_empty():
    assert stats.log_odds({}, {"a": 3}) == []
    assert stats.log_odds({}, {}) == []


# --- Jensen-Shannon divergence -----------------------------------------------------------------

def test_js_divergence_is_zero_for_the_same_mix_at_any_scale():
    assert stats.js_divergence([1, 2, 3], [10, 20, 30]) == 0.0


def test_js_divergence_is_one_bit_for_disjoint_mixes():
    assert stats.js_divergence([5, 0, 0], [0, 3, 4]) == 1.0


def test_js_divergence_is_symmetric_and_between_zero_and_one():
    p, q = [5, 1, 0, 2], [1, 1, 4, 2]
    d = stats.js_divergence(p, q)
    assert 0 < d < 1 and d == stats.js_divergence(q, p)
    # by hand: mixture m, mean of the two KL divergences, in bits
    ps, qs = [v / 8 for v in p], [v / 8 for v in q]
    mix = [(a + b) / 2 for a, b in zip(ps, qs)]
    kl = lambda a, b: sum(x * math.log2(x / y) for x, y in zip(a, b) if x)  # noqa: E731
    assert d == pytest.approx(0.5 * kl(ps, mix) + 0.5 * kl(qs, mix), abs=1e-4)


def test_js_divergence_of_an_empty_side_is_none_not_the_same_mix():
    # Before: 0.0, "the same mix", when one language had no stories at all: nothing to compare.
    assert stats.js_divergence([0, 0], [1, 2]) is None
    assert stats.js_divergence([], []) is None


def test_dense_fills_missing_days_with_zero():
    d, v = stats.dense({D0 + timedelta(days=2): 4}, D0, D0 + timedelta(days=3))
    assert d == days(4) and v == [0, 0, 4, 0]
    assert stats.dense({}, D0, D0 - timedelta(days=1)) == ([], [])
