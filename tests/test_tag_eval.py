"""Evaluation report: sections, arithmetic, and the targets on the labelled dev set."""
from __future__ import annotations

import glob

import pytest

from ingest.tag.evaluate import DEFAULT_GLOB, PRF, evaluate, format_report, load_items, predict

HAVE_DEVSET = bool(glob.glob(DEFAULT_GLOB))


def test_prf_arithmetic():
    p = PRF(tp=3, fp=1, fn=2)
    assert p.precision == 0.75 and p.recall == 0.6
    assert abs(p.f1 - 2 * 0.75 * 0.6 / 1.35) < 1e-9


def test_report_on_tiny_set_has_every_section():
    items = [
        {"id": 1, "lang": "en", "relevant": True, "models": ["sora"], "themes": ["jobs"],
         "sentiment": "negative", "spam": False},
        {"id": 2, "lang": "zh", "relevant": False, "models": [], "themes": [],
         "sentiment": "neutral", "spam": True},
    ]
    preds = {1: {"relevant": True, "models": ["sora"], "themes": [], "sentiment": "negative",
                 "spam": False},
             2: {"relevant": False, "models": [], "themes": [], "sentiment": "positive",
                 "spam": True}}
    report = evaluate(items, preds)
    assert report.relevance_macro_f1 == 1.0
    assert report.model_micro.f1 == 1.0 and report.theme_micro.recall == 0.0
    assert report.sentiment_confusion["neutral"]["positive"] == 1
    report.extra_sections.append("== Extra\nhello")
    text = format_report(report)
    for section in ("== Summary", "== Relevance", "== Models", "== Themes",
                    "== Sentiment confusion", "== Language en", "== Language zh", "== Extra"):
        assert section in text


@pytest.fixture(scope="module")
def dev_report():
    if not HAVE_DEVSET:
        pytest.skip("dev set tests/data/devset_*.jsonl absent")
    items = load_items()
    return evaluate(items, predict(items))


def test_dev_set_report_prints_all_sections(dev_report):
    text = format_report(dev_report)
    assert "== Language en" in text and "== Language zh" in text
    assert "relevance macro-F1" in text and "sentiment macro-F1" in text


def test_dev_set_meets_targets_with_margin(dev_report):
    assert dev_report.relevance_macro_f1 >= 0.92
    assert dev_report.model_micro.f1 >= 0.95
    assert dev_report.theme_micro.f1 >= 0.78


def test_no_theme_below_half_on_dev_set(dev_report):
    weak = {k: round(v.f1, 2) for k, v in dev_report.themes.items() if v.tp + v.fn >= 5 and v.f1 < 0.5}
    assert not weak


def test_default_eval_reports_the_held_out_set_beside_the_dev_set():
    from ingest.tag.evaluate import HOLDOUT, run_eval

    if not HOLDOUT.is_file():
        pytest.skip("held-out set absent")
    text = run_eval()
    dev, _, rest = text.partition("== Held-out set")
    assert "relevance macro-F1" in dev and rest
    held_out = rest.split("== Real-text audit set")[0]
    assert "items 100," in held_out and "== Language zh" in held_out and "Sentiment confusion" in held_out


@pytest.mark.parametrize("line, message", [
    (b'[1, 2]\n', "line 1: expected a JSON object, got list"),
    (b'{"id": 1, "title": "\xff", "text": "y", "relevant": true}\n', "line 1: not UTF-8"),
    (b'{"id": 1, "title": 5, "text": "y", "relevant": true}\n', "line 1: field 'title' is not a string"),
    (b'{"id": 1, "title": "Sora 2", "text": "", "relevant": true, "models": "sora"}\n',
     "line 1: field 'models' must be a list of strings"),
    (b'{"id": 1, "title": "Sora 2 video", "text": "AI video."}\n', "line 1: no gold 'relevant' label"),
])
def test_eval_of_a_file_that_is_not_a_labelled_set_says_why_in_one_line(tmp_path, line, message):
    # Before: a traceback (AttributeError, UnicodeDecodeError, TypeError), a label string split into
    # letters ("s", "o", "r", "a" as models), or an unlabelled file scored as if all were off topic.
    from click.testing import CliRunner

    from aigcwatch.cli import main

    path = tmp_path / "set.jsonl"
    path.write_bytes(line)
    result = CliRunner().invoke(main, ["eval", str(path), "--no-public"])
    assert result.exit_code == 2, result.output
    assert f"set.jsonl: {message}" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_default_eval_reports_each_hard_probe_set_with_how_it_was_used():
    from ingest.tag.evaluate import PROBES, run_eval

    text = run_eval()
    for name, use in PROBES:
        section = text.split(f"== Hard probes {name} ({use})")[1].split("\n== ")[0]
        assert "items 80," in section and "== Language zh" in section and "Sentiment confusion" in section


@pytest.mark.parametrize("name, floor", [("probes_a.jsonl", 0.93), ("probes_c.jsonl", 0.93), ("probes_d.jsonl", 0.9)])
def test_relevance_holds_on_the_hard_probes(name, floor):
    # collisions beside video words, faked clips that name no model, voice/VFX/image boundary cases
    from ingest.tag.evaluate import HOLDOUT

    items = load_items(str(HOLDOUT.parent / name))
    assert evaluate(items, predict(items)).relevance_macro_f1 >= floor


def test_eval_reports_the_tune_parts_check_round_apart_when_its_texts_are_present():
    from ingest.tag.audit import CHECK_ROUND
    from ingest.tag.evaluate import audit_sections

    labels = {"lang": "en", "kind": "news", "split": "tune", "models": [], "themes": [],
              "sentiment": "neutral", "spam": False}
    records = [{"id": "en1", "relevant": True, **labels},
               {"id": "en2", "relevant": True, "round": CHECK_ROUND, **labels},
               {"id": "en3", "relevant": False, "round": CHECK_ROUND, **labels}]
    texts = {"en2": {"id": "en2", "title": "OpenAI opens Sora 2", "text": "The video model Sora 2 makes clips."},
             "en3": {"id": "en3", "title": "Paris runway", "text": "The spring collection walked the runway."}}
    sections = audit_sections(("test",), records, texts)
    assert sections[0].startswith("== Real-text audit set, test part: texts absent")
    assert sections[1].startswith(f"== Real-text audit set, round {CHECK_ROUND} of the tune part (2 of 2 texts present")
    assert "items 2, gold relevant 1" in sections[1]
    assert len(audit_sections(("test",), records[:1], {})) == 1
