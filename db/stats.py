"""Pure statistics over aggregated rows: spike scores, reaction onsets, log-odds, divergence.

No I/O: `db.queries` feeds these with counts computed in SQL, and the tests call them directly.

Spike score (documented for analysts)
-------------------------------------
For a key (a model or a theme) and a day with `x` stories, the baseline is the key's own previous
`window` days (28 by default, days without stories count as 0):

    score = (x - median) / max(1.4826 * MAD, 1)

MAD is the median absolute deviation of the baseline; 1.4826 * MAD estimates the standard deviation
of a normal series but, unlike it, is not inflated by earlier bursts. The floor of 1 story keeps a
flat, quiet series (MAD = 0) from turning one extra story into an alert. A day is a spike when
score >= 3.5 (Iglewicz & Hoaglin's cut-off for the modified z-score) and x >= `min_count`; a run of
consecutive spike days of one key is reported once, on its highest-scoring day.

A day not over yet (today) is scored on its stories so far against the same stretch of each
baseline day (today until 10:00 against each of the 28 days before until 10:00): `partial` gives
that day and its own baseline values, which replace the whole days before it for its score only.

Which language reacted first: around a spike day D, each language's own daily series is scored
the same way; its onset is the first day in [D - 7, D + 7] with a score >= 2 and at least one
story. The leader is the language with the earlier onset; lag_days is the difference in days.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from statistics import median

SPIKE_THRESHOLD = 3.5
ONSET_THRESHOLD = 2.0
ONSET_RADIUS_DAYS = 7
MAD_TO_SD = 1.4826
MIN_HISTORY_DAYS = 7
LOG_ODDS_PRIOR = 500.0


def baseline(history: Sequence[float]) -> tuple[float, float]:
    """(median, scale) of a baseline window; scale = max(1.4826 * MAD, 1)."""
    med = median(history)
    mad = median(abs(v - med) for v in history)
    return med, max(MAD_TO_SD * mad, 1.0)


def robust_scores(series: Sequence[float], window: int,
                  skip: int = 0) -> list[tuple[float, float] | None]:
    """Per position: (baseline median, score) against the previous `window` values, or None when
    fewer than MIN_HISTORY_DAYS values precede it (or the position is before `skip`). Full windows
    are scored at once with numpy (the same arithmetic as `baseline`); shorter ones one by one."""
    import numpy as np

    values = [float(v) for v in series]
    n = len(values)
    out: list[tuple[float, float] | None] = []
    for i in range(min(n, window)):
        history = values[:i]
        if i < skip or len(history) < MIN_HISTORY_DAYS:
            out.append(None)
            continue
        med, scale = baseline(history)
        out.append((med, (values[i] - med) / scale))
    if n > window:
        arr = np.asarray(values)
        windows = np.lib.stride_tricks.sliding_window_view(arr[:-1], window)   # row j: arr[j:j+window]
        med = np.median(windows, axis=1)
        mad = np.median(np.abs(windows - med[:, None]), axis=1)
        scale = np.maximum(MAD_TO_SD * mad, 1.0)
        scores = (arr[window:] - med) / scale
        out.extend(zip(med.tolist(), scores.tolist()))
    return out


Partial = tuple[date, Sequence[float]]   # a day not over, and the same stretch of its baseline days


def _rescored(days: Sequence[date], series: Sequence[float], scored: list, partial: Partial | None,
              ) -> list[tuple[float, float] | None]:
    """`scored` with the day of `partial` (when it is among `days` and scored at all) scored
    against the baseline values `partial` gives instead of the whole days before it."""
    if partial is None or not days:
        return scored
    day, history = partial
    i = (day - days[0]).days
    if 0 <= i < len(days) and scored[i] is not None and len(history) >= MIN_HISTORY_DAYS:
        med, scale = baseline(history)
        scored[i] = (med, (series[i] - med) / scale)
    return scored


def find_spikes(days: Sequence[date], series: Sequence[float], *, first: date, window: int,
                threshold: float = SPIKE_THRESHOLD, min_count: int = 3,
                partial: Partial | None = None) -> list[dict]:
    """Spike days (>= `first`) of one dense daily series; one per run of consecutive spike days.
    `partial`: a day not over, scored against the same stretch of its baseline days."""
    scored = _rescored(days, series, robust_scores(series, window), partial)
    hits = [(days[i], series[i], s[0], s[1]) for i, s in enumerate(scored)
            if s is not None and days[i] >= first and s[1] >= threshold and series[i] >= min_count]
    runs: list[list[tuple]] = []
    for hit in hits:
        if runs and (hit[0] - runs[-1][-1][0]).days == 1:
            runs[-1].append(hit)
        else:
            runs.append([hit])
    out = []
    for run in runs:
        day, count, med, score = max(run, key=lambda h: h[3])
        out.append({"day": day, "count": int(count), "baseline": med, "score": round(score, 2),
                    "days": len(run)})
    return out


def onset(days: Sequence[date], series: Sequence[float], around: date, *, window: int,
          partial: Partial | None = None) -> date | None:
    """First day within ONSET_RADIUS_DAYS of `around` where this series rose above its baseline
    (`partial`: a day not over, as in `find_spikes`)."""
    lo, hi = around - timedelta(days=ONSET_RADIUS_DAYS), around + timedelta(days=ONSET_RADIUS_DAYS)
    skip = 0
    if days:   # score only the stretch that matters: the radius and its baseline before it
        first = max(0, (lo - days[0]).days - window)
        last = min(len(days), (hi - days[0]).days + 1)
        days, series = days[first:last], series[first:last]
        skip = max(0, (lo - days[0]).days) if days else 0
    scored = _rescored(days, series, robust_scores(series, window, skip=skip), partial)
    for day, value, s in zip(days, series, scored):
        if lo <= day <= hi and s is not None and value >= 1 and s[1] >= ONSET_THRESHOLD:
            return day
    return None


def lead_lag(onsets: dict[str, date | None]) -> tuple[str | None, int | None]:
    """(leader, lag_days) from the zh and en onsets: "same" when both reacted the same day."""
    zh, en = onsets.get("zh"), onsets.get("en")
    if zh and en:
        if zh == en:
            return "same", 0
        return ("zh", (en - zh).days) if zh < en else ("en", (zh - en).days)
    if zh:
        return "zh", None
    if en:
        return "en", None
    return None, None


LEADS = ("same_day", "zh_first", "en_first", "zh_only", "en_only", "zh_only_rose", "en_only_rose")


def lead(leader: str | None, lag_days: int | None, by_lang: dict[str, int]) -> str | None:
    """How the two languages met a spike, one of LEADS (None: neither rose above its baseline),
    for every output to word alike: "same_day"; "zh_first" (English rose `lag_days` later);
    "zh_only" when only Chinese rose and English had no story that day; "zh_only_rose" when
    English had a few that never rose. A language without an onset did not follow, so it is
    never "first" (and the mirror cases for English)."""
    if leader == "same":
        return "same_day"
    if leader not in ("zh", "en"):
        return None
    if lag_days is not None:
        return f"{leader}_first"
    other = "en" if leader == "zh" else "zh"
    return f"{leader}_only" if not by_lang.get(other) else f"{leader}_only_rose"


def log_odds(current: dict[str, int], previous: dict[str, int], *,
             prior_total: float = LOG_ODDS_PRIOR) -> list[dict]:
    """Weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    The prior is the two periods pooled, scaled to `prior_total` pseudo-counts, so a term's expected
    rate is its pooled rate and rare terms are shrunk towards it. Returns every term with its
    z-score (positive: more frequent now than before), sorted by z descending."""
    n_cur, n_prev = sum(current.values()), sum(previous.values())
    pooled = {t: current.get(t, 0) + previous.get(t, 0) for t in set(current) | set(previous)}
    n_pool = n_cur + n_prev
    if n_cur == 0 or n_pool == 0:
        return []
    scale = prior_total / n_pool
    out = []
    for term, pool in pooled.items():
        a = pool * scale
        y1, y2 = current.get(term, 0), previous.get(term, 0)
        rest1, rest2 = n_cur + prior_total - y1 - a, n_prev + prior_total - y2 - a
        if rest1 <= 0 or rest2 <= 0:
            # the term is every count of both periods (a window whose stories hold one keyword):
            # its share cannot change, and its odds against the others have no value
            z = 0.0
        else:
            z = (math.log((y1 + a) / rest1) - math.log((y2 + a) / rest2)) / math.sqrt(
                1.0 / (y1 + a) + 1.0 / (y2 + a))
        out.append({"term": term, "current": y1, "previous": y2, "z": round(z, 3)})
    out.sort(key=lambda r: (-r["z"], r["term"]))
    return out


def js_divergence(p: Sequence[float], q: Sequence[float]) -> float | None:
    """Jensen-Shannon divergence in bits (0 = same mix, 1 = disjoint) of two weight vectors; None
    when either holds nothing (no mix to compare: not "the same mix")."""
    sp, sq = sum(p), sum(q)
    if sp <= 0 or sq <= 0:
        return None
    p = [v / sp for v in p]
    q = [v / sq for v in q]

    def kl(a, b):
        return sum(x * math.log2(x / y) for x, y in zip(a, b) if x > 0)

    mix = [(x + y) / 2 for x, y in zip(p, q)]
    return round(0.5 * kl(p, mix) + 0.5 * kl(q, mix), 4)


def dense(days_counts: dict[date, float], start: date, end: date) -> tuple[list[date], list[float]]:
    """Every day start..end inclusive with its count (0 where absent)."""
    n = (end - start).days + 1
    days = [start + timedelta(days=i) for i in range(max(n, 0))]
    return days, [days_counts.get(d, 0) for d in days]
