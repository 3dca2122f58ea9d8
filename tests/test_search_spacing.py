"""A search's spacing is loose (db.spacing, applied by db.filters): any white space in a phrase is
any run of white space in the text, and a space beside a Chinese character or between a letter and
a digit may be there or not ("可灵 AI" = "可灵AI", "Sora 2" = "Sora2"). Read through db.queries on
SQLite and PostgreSQL, the read side the dashboard, the digest and the exports share."""
from __future__ import annotations

import pytest

from db import queries
from db.filters import ItemFilter

from readside_data import BACKENDS, found_by_search, searched_db, utc

AT = utc(2025, 3, 10, 9)
# name: (lang, title, text)
STORIES = {
    "kling_tight": ("zh", "可灵AI上线首尾帧功能", "快手发布新版本。"),
    "kling_spaced": ("zh", "快手更新视频模型", "今天的可灵 AI 支持更长的时长。"),
    "kling_trad_wide": ("zh", "影片生成評測", "網友試用可靈\u3000AI，細節仍有瑕疵。"),
    "kling_apart": ("zh", "可灵发布会", "现场演示了 AI 剪辑。"),
    "sora2_tight": ("en", "Sora2 reaches Europe", "Plus users first."),
    "sora2_spaced": ("en", "Hands on with SORA 2", "The app is invite only."),
    "sora20": ("en", "Sora\n20 minutes in", "A long clip."),
    "world_break": ("en", "Labs race ahead", "A new world\nmodel from the lab."),
    "world_double": ("en", "Another lab", "Its WORLD  MODEL ships\u00a0soon, the world\tmodel says."),
    "world_glued": ("en", "Worldmodel startup", "One word in its name."),
    "world_apart": ("en", "The model of the world", "No phrase here."),
    "gen_hyphen": ("en", "Runway Gen-4 tested", "Better motion."),
    "gen_spaced": ("en", "Gen 4 versus Veo", "Side by side."),
    "gen_tight": ("en", "Gen4 pricing", "Credits explained."),
    "eclair": ("en", "ÉCLAIR\n2 arrives", "A model from a French lab."),
}


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    with searched_db(request, tmp_path_factory, STORIES, AT, {"zh": ("kling",), "en": ("sora",)}) as session:
        yield session


def found(session, q: str) -> set[str]:
    return found_by_search(session, STORIES, q)


def test_the_stories_keep_their_white_space(db):
    # what the tests below rely on: the store keeps line breaks, tabs and runs of spaces
    texts = {r["title"]: r["text"] for r in queries.items(db, ItemFilter(), limit=100)}
    assert texts["Another lab"] == STORIES["world_double"][2]


def test_a_space_beside_a_chinese_character_may_be_there_or_not(db):
    # Before: "可灵 AI" found only the text with one space, "可灵AI" only the one without.
    kling = {"kling_tight", "kling_spaced", "kling_trad_wide"}
    assert found(db, '"可灵 AI"') == found(db, "可灵AI") == found(db, "可靈ai") == kling
    assert found(db, "可灵 AI") == kling | {"kling_apart"}         # two words: anywhere
    assert found(db, '"发布 会"') == {"kling_apart"}                # a space between Chinese characters
    assert found(db, '可灵 -"可灵 AI"') == {"kling_apart"}


def test_a_letter_and_a_digit_may_be_spaced_or_not(db):
    # Before: "Sora 2" missed "Sora2" and "sora2" missed "SORA 2".
    sora2 = {"sora2_tight", "sora2_spaced"}     # not "Sora\n20": a number is whole, as a word is
    assert found(db, "sora2") == found(db, '"Sora 2"') == sora2
    assert found(db, "sora2*") == found(db, '"Sora 2*"') == sora2 | {"sora20"}
    assert found(db, '"éclair 2"') == found(db, "Éclair2") == {"eclair"}   # letters with a case, folded
    # a hyphen is written: "gen-4" is that, "gen 4" is the spaced or joined one
    assert found(db, "gen-4") == {"gen_hyphen"}
    assert found(db, '"gen 4"') == found(db, "gen4") == {"gen_spaced", "gen_tight"}


def test_a_phrase_finds_its_words_across_line_breaks_and_runs_of_white_space(db):
    # Before: "world model" missed "world\nmodel", "WORLD  MODEL" and "world\tmodel".
    assert found(db, '"world model"') == {"world_break", "world_double"}
    assert found(db, '-"world model" world') == {"world_apart"}      # "worldmodel" is another word
    assert found(db, '-"world model" world*') == {"world_glued", "world_apart"}
    assert found(db, '"world model" OR worldmodel') == {"world_break", "world_double", "world_glued"}
    assert found(db, '"model from"') == {"world_break", "eclair"}


def test_two_latin_words_stay_two(db):
    # a space between two words of letters is some white space: "world model" is not "worldmodel"
    assert "world_glued" not in found(db, '"world model"')
    assert found(db, '"model of the world"') == {"world_apart"}


def test_the_rule_of_the_gaps():
    from db import spacing

    assert spacing.split("world model") == (("world", "model"), (True,))
    assert spacing.split("可灵AI") == (("可灵", "AI"), (False,))
    assert spacing.split("可灵 AI") == (("可灵", "AI"), (False,))
    assert spacing.split("Sora2") == (("Sora", "2"), (False,))
    assert spacing.split("4K") == (("4K",), ())                     # a digit then a letter: as written
    assert spacing.split("视频生成") == (("视频生成",), ())            # Chinese characters: as written
    assert spacing.split("gen-4") == (("gen-4",), ())
    assert spacing.split("1 000") == (("1", "000"), (True,))
    assert spacing.split("c++ 教程") == (("c++", "教程"), (False,))      # a typed space beside Chinese
    assert spacing.split("4 K") == (("4", "K"), (False,))
    assert spacing.split("ai , video") == (("ai", ",", "video"), (True, True))
    assert spacing.written("AI 漫剧") == ("AI 漫剧", "AI漫剧") and spacing.written("Sora2") == ("Sora2", "Sora 2")
    assert spacing.written("world model") == ("world model",)
    assert not spacing.loose("sora") and spacing.loose("world model") and spacing.loose("Veo3")
