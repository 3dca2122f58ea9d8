"""The theme layer's cuts: each theme's own cut (chosen on out-of-fold probabilities, shrunk toward
the common one) and the shipped logit columns that apply it."""
from __future__ import annotations

import math

import pytest

from ingest.tag import theme_train as tt
from ingest.tag.themes import THEMES

A, B = THEMES[0], THEMES[1]


def test_each_theme_gets_the_cut_that_suits_it_shrunk_halfway_to_the_common_one():
    # theme A: its positives score 0.2-0.25, its negatives 0.1 -> best cut 0.2
    # theme B: its negatives reach 0.55, its positives 0.6 -> best cut 0.6
    gold = [frozenset({A}), frozenset({A}), frozenset(), frozenset({B}), frozenset()]
    probs = [{A: 0.25}, {A: 0.2}, {A: 0.1}, {B: 0.6}, {B: 0.55}]
    cuts = tt.own_cuts(gold, probs, common=0.35)
    assert cuts[A] == pytest.approx(0.5 * 0.35 + 0.5 * 0.2)
    assert cuts[B] == pytest.approx(0.5 * 0.35 + 0.5 * 0.6)
    assert cuts[THEMES[2]] == pytest.approx(0.35)     # no example: no reason to move
    probe = [{A: 0.28, B: 0.47}]
    assert tt.present(probe, 0.35, cuts) == [frozenset({A})]     # each theme against its own cut
    assert tt.present(probe, 0.35) == [frozenset({B})]            # the common cut alone


def test_the_shipped_column_is_positive_exactly_when_the_probability_reaches_the_themes_cut():
    pytest.importorskip("sklearn")
    docs = [tt.Doc(id=str(i), gold=frozenset({A}) if i % 3 else frozenset(),
                   candidates={A: {"x": i / 10.0}}, words=frozenset(), by_rule=frozenset(),
                   source="tune") for i in range(30)]
    setting = tt.Setting(c=1.0, words=False, cut=0.35)
    model = tt.fit(docs, setting)
    cuts = {A: 0.6}
    data = tt.to_json(model, setting, {}, cuts)
    k = data["classes"].index(A)
    probs = tt.probabilities(model, docs)
    for d, p in zip(docs, probs):
        margin = data["bias"][k] + sum(data["weights"].get(n, [0.0] * len(THEMES))[k] * v
                                       for n, v in d.candidates[A].items())
        if abs(p[A] - 0.6) > 1e-6:
            assert (margin > 0) == (p[A] >= 0.6), (p[A], margin)
    assert data["cuts"] == cuts
    assert math.isclose(tt.to_json(model, setting, {})["bias"][k] - data["bias"][k],
                        math.log(0.6 / 0.4) - math.log(0.35 / 0.65), rel_tol=1e-3)


def test_a_setting_reads_back_from_its_description():
    for setting in tt.grid():
        assert tt.Setting.parse(setting.describe()) == setting
    assert tt.Setting.parse("C=0.1") == tt.Setting(c=0.1)
    with pytest.raises(ValueError, match="unknown field"):
        tt.Setting.parse("C=0.1 gamma=2")
