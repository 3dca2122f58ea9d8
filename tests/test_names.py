"""Model and theme filter values in any case and under any name the tagger knows map to its
canonical ids (db.names), read from the shipped lexicon and the user's alias file."""
from __future__ import annotations

import pytest

from db.names import canonical_id, canonical_ids


@pytest.mark.parametrize("typed, model", [
    ("kling", "kling"), ("Kling", "kling"), ("KLING", "kling"), ("可灵", "kling"), ("可靈", "kling"),
    ("ＫＬＩＮＧ", "kling"), ("Seedance", "jimeng"), ("即梦", "jimeng"), ("Gen-3 Alpha", "runway"),
    ("Hunyuan Video", "hunyuan_video"), ("hunyuan-video", "hunyuan_video"), ("海螺", "hailuo"),
    ("  Sora ", "sora"),
])
def test_a_model_is_found_by_its_id_or_any_of_its_names_in_any_case(typed, model):
    assert canonical_id("model", typed) == model


@pytest.mark.parametrize("typed, theme", [
    ("jobs", "jobs"), ("JOBS", "jobs"), ("Creative Industry", "creative_industry"),
    ("creative-industry", "creative_industry"), ("Agi_World_Model", "agi_world_model"),
])
def test_a_theme_is_found_by_its_id_in_any_case_and_spacing(typed, theme):
    assert canonical_id("theme", typed) == theme


def test_values_naming_nothing_known_stay_as_given_and_each_id_comes_once():
    assert canonical_id("model", "dalle") is None and canonical_id("theme", "kling") is None
    assert canonical_ids("model", ["Kling", "可灵", " dalle ", "", "sora"]) == ("kling", "dalle", "sora")


def test_the_users_alias_file_names_models_too(tmp_path, monkeypatch):
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[kling]\naliases = ["快影AI"]\n\n[zeta]\naliases = ["zeta video"]\n',
                       encoding="utf-8")
    monkeypatch.setenv("AIGCWATCH_ALIASES", str(aliases))
    assert canonical_ids("model", ["快影ai", "Zeta Video", "ZETA"]) == ("kling", "zeta")
