"""A search term of letters or digits is a whole word or number (db.wordedge, applied by
db.filters): "wan" finds Wan 2.2 and Wan2.2 but not "want", "art" not "start" or "artists",
"Sora 2" not "Sora 20"; a Chinese term is found anywhere; a `*` at an end of a term opens that
edge ("model*", "*art"). Read through db.queries on SQLite and PostgreSQL, the read side the
dashboard, the digest and the exports share."""
from __future__ import annotations

import pytest

from db import wordedge

from readside_data import BACKENDS, found_by_search, searched_db, utc

AT = utc(2025, 3, 10, 9)
# name: (lang, title, text)
STORIES = {
    "wan_model": ("en", "Wan 2.2 goes open source", "Alibaba's weights are out."),
    "wan_glued": ("zh", "Wan2.2上线", "通义万相开源。"),
    "want": ("en", "I want a cheaper plan", "Creators WANT lower prices."),
    "ai_zh": ("zh", "可灵AI视频上线", "快手发布新版本。"),
    "ai_en": ("en", "AI video is here", "Models everywhere."),
    "ai_inside": ("en", "A trailer made on a waitlist", "Air over the mountains."),
    "art": ("en", "Start of a new part", "Artists react."),
    "models": ("en", "Two models compared", "Side by side."),
    "sora2": ("en", "Sora 2 arrives", "Invite only."),
    "sora20": ("en", "Sora 20 minutes in", "A long clip."),
    "eclair": ("en", "Éclairage for video", "Lighting tips."),
}


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    with searched_db(request, tmp_path_factory, STORIES, AT, {"zh": ("wan",), "en": ("wan",)}) as session:
        yield session


def found(session, q: str) -> set[str]:
    return found_by_search(session, STORIES, q)


def test_a_latin_term_is_a_whole_word(db):
    # Before: "wan" found "want" (and "WANT"), "ai" "trailer" and "Air", "art" "Start" and "Artists"
    assert found(db, "wan") == {"wan_model", "wan_glued"}
    assert found(db, "ai") == {"ai_zh", "ai_en"}           # a Chinese character is no letter of a word
    assert found(db, "art") == set()
    assert found(db, "model") == set()
    assert found(db, "éclair") == set()


def test_a_number_is_whole_and_a_letter_may_touch_it(db):
    assert found(db, '"sora 2"') == found(db, "sora2") == {"sora2"}
    assert found(db, "2.2") == {"wan_model", "wan_glued"}   # "Wan2.2": a letter touches the number


def test_a_star_opens_an_edge(db):
    assert found(db, "model*") == {"models", "ai_en"}
    assert found(db, "*art") == {"art"}                      # "Start", "part"
    assert found(db, "art*") == {"art"}                      # "Artists"
    assert found(db, "*wan*") == {"wan_model", "wan_glued", "want"}
    assert found(db, '"sora 2*"') == {"sora2", "sora20"}
    assert found(db, "éclair*") == {"eclair"}
    assert found(db, "wan -*want*") == {"wan_model", "wan_glued"}


def test_a_chinese_term_is_found_anywhere(db):
    assert found(db, "万相") == {"wan_glued"}
    assert found(db, "可灵 AI") == {"ai_zh"}


def test_the_edges_of_a_term():
    assert wordedge.edges("wan") == ("wan", "letter", "letter")
    assert wordedge.edges("sora 2") == ("sora 2", "letter", "digit")
    assert wordedge.edges("可灵AI") == ("可灵AI", None, "letter")
    assert wordedge.edges("c++") == ("c++", "letter", None)
    assert wordedge.edges("model*") == ("model", "letter", None)
    assert wordedge.edges("*") == ("*", None, None) and wordedge.edges("**") == ("*", None, None)
    assert wordedge.edges("ＳＯＲＡ") == ("ＳＯＲＡ", "letter", "letter")
