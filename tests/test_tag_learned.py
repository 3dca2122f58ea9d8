"""The learned layers: linear models shipped as JSON, applied in pure Python, equal to what
scikit-learn fitted; the theme layer replaces the fixed thresholds, the lexicons still find cues."""
from __future__ import annotations

import json
import random

import pytest

from ingest.tag import relevance, themes
from ingest.tag.doc import make_doc
from ingest.tag.linear import dumps, load, model_from_dict, to_dict


def _sample(n: int, classes: tuple[str, ...], seed: int = 3):
    rng = random.Random(seed)
    rows, labels = [], []
    for _ in range(n):
        label = rng.choice(classes)
        k = classes.index(label)
        rows.append({"a": rng.gauss(k, 1.0), "b": rng.gauss(-k, 1.0), f"w:{rng.randint(0, 5)}": 1.0})
        labels.append(label)
    return rows, labels


@pytest.mark.parametrize("classes", [("negative", "neutral", "positive"), ("absent", "present")])
def test_json_model_predicts_what_scikit_learn_fitted(classes):
    sklearn = pytest.importorskip("sklearn")
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows, labels = _sample(300, classes)
    vec = DictVectorizer()
    clf = LogisticRegression(C=1.0, max_iter=500).fit(vec.fit_transform(rows), labels)
    if len(classes) == 2:   # binary: one row of weights for the second class, the first scores 0
        coef = [[0.0] * len(vec.feature_names_), list(clf.coef_[0])]
        bias = [0.0, float(clf.intercept_[0])]
    else:
        coef, bias = clf.coef_, clf.intercept_
    model = model_from_dict(json.loads(dumps(to_dict(list(clf.classes_), bias, vec.feature_names_, coef))))
    test_rows, _ = _sample(80, classes, seed=11)
    expected = clf.predict(vec.transform(test_rows))
    assert [model.label(r) for r in test_rows] == list(expected)
    proba = clf.predict_proba(vec.transform(test_rows[:5]))
    for r, p in zip(test_rows[:5], proba):
        got = model.probabilities(r)
        # weights are stored to 5 decimals
        assert [got[c] for c in clf.classes_] == pytest.approx([float(x) for x in p], abs=1e-3)
    assert sklearn


def test_a_weight_row_of_the_wrong_length_is_refused_with_the_file_name():
    with pytest.raises(ValueError, match="theme_model.json"):
        model_from_dict({"classes": ["absent", "present"], "bias": [0, 1],
                         "weights": {"x": [1.0]}}, "theme_model.json")


def test_shipped_layers_load_and_unknown_features_are_ignored():
    model = load(themes.THEME_MODEL)
    assert model is not None and model.classes == themes.THEMES and model.meta["per_theme"]
    assert model.scores({"no such feature": 5.0}) == model.scores({})
    rel = load(relevance.RELEVANCE_MODEL)
    assert rel is not None and rel.classes == ("not_relevant", "relevant")


def test_learned_theme_layer_accepts_a_real_article_the_fixed_thresholds_miss():
    doc = make_doc("", "Sora can generate clips up to 20 seconds at 1080p. The model uses a diffusion "
                       "transformer. It was trained on licensed and public data.", "en")
    assert "tech" not in themes.detect(doc, learned=False).themes
    assert "tech" in themes.detect(doc).themes


def test_a_theme_without_any_cue_is_never_learned_into_a_document():
    doc = make_doc("", "The weather in the mountains was lovely and we walked for hours.", "en")
    assert themes.detect(doc).themes == ()


_TEXTS = [("", "Sora can generate clips up to 20 seconds at 1080p. The model uses a diffusion "
               "transformer. It was trained on licensed and public data.", "en"),
          ("AI短剧冲击影视行业", "导演和编剧担心被取代，剧组开始用可灵生成镜头，片酬被压低，"
                            "平台的付费会员和分成收入却在增长。", "zh"),
          ("Runway wins a studio deal", "Lionsgate will train a custom video model on its film "
           "library; VFX artists fear the layoffs that follow, and the union calls for rules.", "en")]


def _with_cue_word_rows(model):
    """The shipped model with an "l:" row of weight +-3 in every column for each cue-sentence word
    of _TEXTS: the fast path's sum of those rows is then sure to decide some themes."""
    from ingest.tag.linear import LinearModel

    rows = dict(model.weights)
    for title, text, lang in _TEXTS:
        doc = make_doc(title, text, lang)
        for skip in (False, True):
            st, found, _ = themes.stats(doc, skip_title=skip)
            for theme in st:
                for w in themes.cue_words(doc, found[theme]):
                    rows["l:" + w] = (3.0 if len(w) % 2 else -3.0,) * len(model.classes)
    return LinearModel(model.classes, model.bias, rows, model.meta)


@pytest.mark.parametrize("strong_cue_rows", [False, True])
def test_unrolled_theme_decision_equals_the_feature_dict_decision(strong_cue_rows):
    """The fast path (document words summed once, cue-sentence words read from the document's
    token offsets and kept per sentence across themes) decides what the model's feature dict
    decides: column > 0 for per_theme_features with the document's words and the theme's
    cue-sentence words, the title read or skipped (a spam title)."""
    from ingest.tag.linear import load as load_linear
    from ingest.tag.words import word_set

    model = load_linear(themes.THEME_MODEL)
    if strong_cue_rows:
        model = _with_cue_word_rows(model)
    fast = themes._fast_weights(model)
    checked = changed = 0
    for title, text, lang in _TEXTS:
        doc = make_doc(title, text, lang)
        words = word_set(doc)
        sums = themes._word_sums(fast, words)
        for skip in (False, True):
            st, found, _ = themes.stats(doc, skip_title=skip)
            seen: dict = {}
            for theme, s in st.items():
                local = themes.cue_words(doc, found[theme])
                feats = themes.per_theme_features(s, lang, len(doc.spans), words, local)
                column = model.classes.index(theme)
                expected = model.scores(feats)[column] > 0.0
                assert themes._present(fast, theme, s, lang, doc, found[theme], sums, seen) == expected
                without = themes.per_theme_features(s, lang, len(doc.spans), words)
                changed += (model.scores(without)[column] > 0.0) != expected
                checked += 1
    assert checked >= 6
    if strong_cue_rows:
        assert changed > 0


def test_relevance_word_layer_equals_the_feature_dict_decision():
    """decide() adds the words' margins (log counts, apart by the title flag, as the shipped
    layer was trained) to the figures of decision_features: the same label as the model over the
    trainer's own feature dict for the item (relevance_train._row), the cut folded into the bias."""
    from ingest.tag import relevance_train as rt
    from ingest.tag.engine import signals_and_models
    from ingest.tag.linear import load as load_linear
    from ingest.tag.words import known_words

    model = load_linear(relevance.RELEVANCE_MODEL)
    assert model.meta.get("words")
    setting = rt.Setting(words=True, log_counts=bool(model.meta.get("log_counts")),
                         cross_title=bool(model.meta.get("cross_title")))
    texts = _TEXTS + [("", "The runway at the airport was closed for repairs.", "en"),
                      ("Sora 2 上线", "OpenAI 发布 Sora 2，视频生成更稳定。视频里的人物动作自然，视频时长更长。", "zh"),
                      ("", "Veo 3 video, video, video: the new video model makes video with sound. "
                           "Editors say the video looks real.", "en")]
    labels = set()
    for title, text, lang in texts:
        doc = make_doc(title, text, lang)
        signals, found = signals_and_models(doc)
        it = rt.item({"title": title, "text": text, "lang": lang}, "test")
        row = rt._row(it, set(known_words()), setting)
        expected = model.label(row) == "relevant" and it.grounded
        labels.add(expected)
        assert relevance.decide(doc, signals, found).relevant == expected, text
    assert labels == {True, False}


def test_relevance_word_margin_weighs_log_counts_when_the_layer_was_trained_on_counts():
    import math

    from ingest.tag.words import known_words

    doc = make_doc("", "Video here. The video again, and one more video.", "en")
    assert "video" in known_words()
    assert relevance.word_margin(doc, {"video": 2.0}, False) == 2.0
    assert relevance.word_margin(doc, {"video": 2.0}, True) == pytest.approx(2.0 * math.log1p(3))
    assert relevance.word_margin(doc, {"no-such-word": 2.0}, True) == 0.0


def test_relevance_layer_file_keeps_the_trainers_cut_and_counts():
    """What relevance_train writes decides as its own predict() does: p >= cut, the words as
    log counts and apart by the title flag."""
    from ingest.tag import relevance_train as rt
    from ingest.tag.linear import model_from_dict

    rng = random.Random(5)
    items = []
    for n in range(120):
        gold = n % 3 != 0
        words = {"video": rng.randint(1, 4)} if gold or rng.random() < 0.3 else {}
        words.update({"chatbot": rng.randint(1, 3)} if not gold or rng.random() < 0.3 else {})
        feats = {"all:score": rng.random() + (0.5 if gold else 0.0), "all:title": float(rng.random() < 0.5)}
        items.append(rt.Item(f"i{n}", gold, feats, False, "tune", frozenset(words), True, words))
    for cut in (0.3, 0.5, 0.7):
        setting = rt.Setting(1.0, 1.0, True, 1, log_counts=True, cross_title=True, cut=cut)
        fitted = rt.fit(items, setting)
        layer = model_from_dict(rt.model_data(fitted))
        vocab = fitted[2]
        assert any(k.startswith("X1:t:") for k in layer.weights)
        assert [layer.label(rt._row(i, vocab, setting)) == "relevant" for i in items] == \
            rt.predict(fitted, items)


def test_each_trainer_keeps_the_check_round_out_of_training():
    """The audit set's check round decides whether a refitted layer replaces the shipped one, for the
    relevance, theme and sentiment layers alike: it is never trained on, and each trainer reports
    the refit's figure on it beside the shipped one's."""
    from ingest.tag import relevance_train as rt
    from ingest.tag import sentiment_train as st
    from ingest.tag import theme_train as tt

    labels = {"lang": "en", "kind": "news", "split": "tune", "models": ["sora"],
              "themes": ["launch_access"], "sentiment": "positive", "spam": False}
    records = [{"id": "en1", "relevant": True, **labels},
               {"id": "en2", "relevant": False, "round": 7, **labels},
               {"id": "en3", "relevant": True, "round": rt.CHECK_ROUND, **labels},
               {"id": "en4", "relevant": False, "split": "test", **{k: v for k, v in labels.items() if k != "split"}}]
    texts = {i: {"id": i, "title": "Sora 2 opens to all", "text": "OpenAI's video model Sora 2 is out."}
             for i in ("en1", "en2", "en3", "en4")}
    sources = rt.load_sources(records=records, texts=texts)
    assert [i.id for i in sources["tune"]] == ["en1", "en2"]
    assert [i.id for i in sources["check"]] == ["en3"]
    assert [i.id for i in rt.load_sources(None, records, texts)["tune"]] == ["en1", "en2", "en3"]
    # the theme and sentiment layers train on relevant items only (en2 is a distractor)
    for trainer in (tt, st):
        kept = trainer.load_sources(check_round=rt.CHECK_ROUND, records=records, texts=texts)
        assert [d.id for d in kept["tune"]] == ["en1"] and [d.id for d in kept["check"]] == ["en3"]
        every = trainer.load_sources(check_round=None, records=records, texts=texts)
        assert [d.id for d in every["tune"]] == ["en1", "en3"] and not every["check"]


def test_a_refit_that_does_worse_on_the_check_round_is_not_written():
    from ingest.tag.trainer import on_check, refit_verdict

    assert refit_verdict(0.80, 0.82) is not None and "0.800 < 0.820" in refit_verdict(0.80, 0.82)
    assert refit_verdict(0.82, 0.82) is None and refit_verdict(0.85, 0.82) is None
    assert refit_verdict(0.80, None) is None      # no shipped layer: nothing to do worse than
    check, said = ["a", "b"], []
    refused = on_check(check, lambda items: 0.80, lambda items: 0.82, "macro-F1", said.append)
    assert "0.800 < 0.820" in refused and said == ["shipped layer on check: macro-F1 0.820"]
    assert on_check(check, lambda items: 0.85, lambda items: 0.82, "micro-F1") is None
    assert on_check(check, lambda items: 0.5, lambda items: None, "macro-F1") is None
    assert on_check([], lambda items: 0.5, lambda items: 0.9, "macro-F1") is None


@pytest.mark.parametrize("classes", [("negative", "neutral", "positive"), ("absent", "present")])
def test_bagged_fits_ship_as_one_linear_model_scoring_their_mean(classes):
    pytest.importorskip("sklearn")
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from ingest.tag.trainer import bootstrap_fits, mean_linear

    rows, labels = _sample(200, classes)
    items = [(r, y, "tune") for r, y in zip(rows, labels)] + [({"a": 9.0, "only_outside": 1.0}, classes[-1], "dev")]

    def fit_one(sample):
        vec = DictVectorizer()
        clf = LogisticRegression(max_iter=500).fit(vec.fit_transform([r for r, _, _ in sample]),
                                                   [y for _, y, _ in sample])
        return vec, clf, sample

    fits = bootstrap_fits(items, fit_one, 5, resampled=lambda it: it[2] == "tune", seed=1)
    samples = [s for _, _, s in fits]
    assert all(len(s) == len(items) and s.count(items[-1]) == 1 for s in samples)   # outside kept whole
    assert len({tuple(map(id, s)) for s in samples}) == 5                              # five different draws
    assert [tuple(map(id, s)) for _, _, s in bootstrap_fits(items, fit_one, 5, lambda it: it[2] == "tune", 1)] \
        == [tuple(map(id, s)) for s in samples]                                        # seeded
    vec, clf = mean_linear([(v, c) for v, c, _ in fits])
    test_rows, _ = _sample(60, classes, seed=11)
    mean_score = np.mean([c.decision_function(v.transform(test_rows)) for v, c, _ in fits], axis=0)
    assert clf.decision_function(vec.transform(test_rows)) == pytest.approx(mean_score)
    assert "only_outside" in vec.feature_names_
    model = model_from_dict(json.loads(dumps(to_dict(
        list(clf.classes_), clf.intercept_ if len(classes) > 2 else [0.0, float(clf.intercept_[0])],
        vec.feature_names_, clf.coef_ if len(classes) > 2 else [[0.0] * clf.coef_.shape[1], list(clf.coef_[0])]))))
    assert [model.label(r) for r in test_rows] == list(clf.predict(vec.transform(test_rows)))


def test_mean_linear_refuses_models_fitted_on_different_classes():
    pytest.importorskip("sklearn")
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from ingest.tag.trainer import mean_linear

    def fitted(classes):
        rows, labels = _sample(60, classes)
        vec = DictVectorizer()
        return vec, LogisticRegression(max_iter=300).fit(vec.fit_transform(rows), labels)

    with pytest.raises(ValueError, match="different classes"):
        mean_linear([fitted(("a", "b")), fitted(("a", "c"))])


def test_the_shipped_sentiment_layer_was_trained_on_the_shipped_themes():
    # the sentiment layer weighs the themes the tagger finds: a theme refit or a cue edit without
    # a sentiment refit would leave it reading themes it was not trained on
    from ingest.tag import sentiment_train as st

    model = load(st.MODEL_FILE)
    assert model is not None
    assert model.meta["trained_on"].get("themes_from") == st.themes_fingerprint(), (
        "the theme layer or its cues changed since the sentiment layer was fitted: "
        "run python -m ingest.tag.sentiment_train --write")
