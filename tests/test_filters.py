"""db.filters: one ItemFilter for every read query: multi-valued facets, category, zh/en text
search (Simplified and Traditional, LIKE wildcards literal), spam/off-topic defaults, local day
windows."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from db import queries
from db.filters import ItemFilter, day_window
from sqlalchemy import select, text

from readside_data import BACKENDS, Corpus, module_db, utc

AT = utc(2025, 3, 10, 9)
# name: (source, lang, title, text, models, themes, sentiment, flags)
STORIES = {
    "sora": ("en-news", "en", "OpenAI Sora gets a wider release",
             "The SORA model now reaches Plus users in Europe.", ("sora",), ("launch_access",),
             "positive", {}),
    "kling_zh": ("zh-news", "zh", "快手可灵发布新版本", "可灵视频生成价格下调，创作者表示欢迎。版本(2.1)",
                 ("kling",), ("markets",), "neutral", {}),
    "kling_trad": ("zh-social", "zh", "可靈影片生成體驗分享", "網友評測可靈的視頻效果，細節仍有瑕疵。",
                   ("kling",), ("tech",), "negative", {}),
    "percent": ("en-social", "en", "Runway: 50% off for students", "Runway cuts plan prices in half.",
                ("runway",), ("markets",), "positive", {}),
    "five_hundred": ("en-news", "en", "Runway gives 500 free credits", "Credits expire in 50 days.",
                     ("runway", "veo"), ("markets", "jobs"), "neutral", {}),
    "underscore": ("en-news", "en", "Veo settings explained", "Set render_mode in the config file.",
                   ("veo",), ("tech",), "neutral", {}),
    "no_underscore": ("en-social", "en", "Veo renders explained", "The renderXmode flag is gone.",
                      ("veo",), ("tech",), "negative", {}),
    "backslash": ("en-social", "en", "Pika saves to C:\\videos by default", "Windows paths.",
                  ("pika",), (), "neutral", {}),
    "spam": ("zh-news", "zh", "体育app下载官网入口 可灵", "可灵 彩票 下载。", ("kling",), (),
             "neutral", {"spam": True}),
    "offtopic": ("en-news", "en", "Sora the videogame character returns", "A sora game story.",
                 (), (), "neutral", {"relevant": False}),
    "untagged": ("en-social", "en", "Untagged sora thread", "Someone asks about sora access.",
                 (), (), None, {"tagged": False}),
    "other_lang": ("zh-social", "other", "Sora en français", "Le modèle Sora arrive.", ("sora",), (),
                   "positive", {}),
}


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory):
    with module_db(request, tmp_path_factory) as session:
        corpus = Corpus()
        for i, (src, lang, title, text, models, themes, sent, flags) in enumerate(STORIES.values()):
            corpus.add(AT + timedelta(minutes=i), src, lang=lang, title=title, text=text,
                       models=models, themes=themes, sentiment=sent, keywords=models, **flags)
        corpus.save(session)
        yield session


def found(session, flt: ItemFilter | None = None, **kw) -> set[str]:
    by_title = {v[2]: k for k, v in STORIES.items()}
    flt = (flt or ItemFilter()).replace(**kw) if kw else (flt or ItemFilter())
    names = {by_title[r["title"]] for r in queries.items(session, flt, limit=100)}
    assert queries.count_items(session, flt) == len(names)   # the count agrees with the list
    return names


DEFAULT = set(STORIES) - {"spam", "offtopic"}


# --- the filter object -------------------------------------------------------------------------

def test_multi_valued_fields_accept_a_string_or_any_iterable_and_are_hashable():
    a = ItemFilter(lang="zh", model=["veo", "sora", "veo"], theme=("jobs",))
    assert (a.lang, a.model, a.theme) == (("zh",), ("sora", "veo"), ("jobs",))
    b = ItemFilter(lang=("zh",), model=("sora", "veo"), theme="jobs")
    assert a == b and hash(a) == hash(b)
    assert ItemFilter(lang="", model=None).lang == () and ItemFilter(model=None).model == ()
    assert {a: 1}[b] == 1


def test_search_text_is_normalised_to_single_spaces():
    flt = ItemFilter(q="  可灵 \t 价格\n")
    from db.search_syntax import All, Term

    assert flt.q == "可灵 价格" and flt.search() == All((Term("可灵"), Term("价格")))
    assert ItemFilter(q="   ").search() is None


@pytest.mark.parametrize("field", ["since", "until"])
def test_a_tz_naive_window_is_rejected_naming_the_field(field):
    with pytest.raises(ValueError, match=f"ItemFilter.{field} must be tz-aware"):
        ItemFilter(**{field: datetime(2025, 3, 1)})
    with pytest.raises(ValueError, match=f"ItemFilter.{field}"):
        ItemFilter().replace(**{field: datetime(2025, 3, 1)})


def test_replace_returns_a_new_filter_and_as_dict_is_plain():
    base = ItemFilter(lang="zh")
    wide = base.replace(lang=("zh", "en"), since=utc(2025, 3, 1))
    assert base.lang == ("zh",) and wide.lang == ("en", "zh")
    assert wide.as_dict()["lang"] == ["en", "zh"]
    assert wide.as_dict()["since"] == "2025-03-01T00:00:00+00:00"


# --- facets ------------------------------------------------------------------------------------

def test_default_filter_leaves_out_spam_and_off_topic_but_keeps_untagged(db):
    assert found(db) == DEFAULT
    assert found(db, include_spam=True) == DEFAULT | {"spam"}
    assert found(db, include_irrelevant=True) == DEFAULT | {"offtopic"}


def test_language_filter_takes_any_of_several(db):
    assert found(db, lang="zh") == {"kling_zh", "kling_trad"}
    assert found(db, lang=("zh", "other")) == {"kling_zh", "kling_trad", "other_lang"}


def test_model_filter_matches_stories_naming_any_of_the_models(db):
    assert found(db, model="veo") == {"five_hundred", "underscore", "no_underscore"}
    assert found(db, model=("sora", "runway")) == {"sora", "percent", "five_hundred", "other_lang"}
    # a story with two of the models is listed once
    assert [r["title"] for r in queries.items(db, ItemFilter(model=("runway", "veo")))].count(
        STORIES["five_hundred"][2]) == 1


def test_theme_and_sentiment_filters_take_any_of_several(db):
    assert found(db, theme=("jobs", "launch_access")) == {"sora", "five_hundred"}
    assert found(db, sentiment=("negative", "positive")) == {
        "kling_trad", "no_underscore", "sora", "percent", "other_lang"}


def test_source_and_category_filters(db):
    assert found(db, source_id=("zh-news", "zh-social")) == {"kling_zh", "kling_trad", "other_lang"}
    assert found(db, category="social") == {
        "kling_trad", "percent", "no_underscore", "backslash", "untagged", "other_lang"}
    assert found(db, category=("news", "social")) == DEFAULT


def test_facets_combine_with_and(db):
    assert found(db, lang="zh", model="kling", sentiment="negative") == {"kling_trad"}
    assert found(db, category="news", model="runway") == {"five_hundred"}
    assert found(db, model="sora", theme="markets") == set()


# --- text search -------------------------------------------------------------------------------

def test_chinese_search_finds_a_word_inside_unspaced_text(db):
    assert found(db, q="价格下调") == {"kling_zh"}
    assert found(db, q="创作者") == {"kling_zh"}


def test_every_search_term_must_occur_in_title_or_text(db):
    assert found(db, q="可灵 价格") == {"kling_zh"}        # 可灵 in the title, 价格 in the text
    assert found(db, q="runway students") == {"percent"}
    assert found(db, q="runway nothing-like-this") == set()


def test_english_search_ignores_case(db):
    assert found(db, q="sora") == {"sora", "untagged", "other_lang"}
    assert found(db, q="SORA") == found(db, q="Sora") == found(db, q="sora")
    assert found(db, q="openai SORA") == {"sora"}


def test_traditional_query_finds_simplified_text_and_vice_versa(db):
    assert found(db, q="可靈") == {"kling_zh", "kling_trad"}
    assert found(db, q="可灵") == {"kling_zh", "kling_trad"}
    assert found(db, q="視頻") == {"kling_zh", "kling_trad"}
    assert found(db, q="视频") == {"kling_zh", "kling_trad"}
    assert found(db, q="细节") == {"kling_trad"}      # only written in Traditional (細節)


def test_a_full_width_query_finds_half_width_text(db):
    assert found(db, q="ＳＯＲＡ") == found(db, q="sora") == {"sora", "untagged", "other_lang"}
    assert found(db, q="ｏｐｅｎａｉ　ＳＯＲＡ") == {"sora"}       # an ideographic space splits terms too
    assert found(db, q="可靈") == found(db, q="可灵")


def test_a_control_character_in_a_query_separates_terms_and_is_no_database_error(db):
    # Before: a NUL (a pasted "sora%00" in the URL) made PostgreSQL refuse the query, shown as
    # "cannot reach the database".
    assert ItemFilter(q="sora\x00openai\x7f").q == "sora openai"
    assert found(db, q="sora\x00") == found(db, q="sora") == {"sora", "untagged", "other_lang"}


def test_like_wildcards_in_a_query_are_literal(db):
    assert found(db, q="50%") == {"percent"}          # not "500" nor "50 days"
    assert found(db, q="%") == {"percent"}
    assert found(db, q="render_mode") == {"underscore"}   # not "renderXmode"
    assert found(db, q="_") == {"underscore"}
    assert found(db, q="C:\\videos") == {"backslash"}
    assert found(db, q="\\") == {"backslash"}


def test_a_term_without_cased_letters_is_matched_literally(db):
    # such terms (Chinese) take strpos() on PostgreSQL instead of a regular expression; digits
    # and marks have full-width forms ("２", "（"), which count as them
    from db import textfold

    assert textfold.caseless("可灵") and textfold.caseless("视频生成")
    assert not textfold.caseless("版本(2.1)") and not textfold.caseless("50%")
    assert not textfold.caseless("可灵AI") and not textfold.caseless("Σ") and not textfold.caseless("é")
    assert found(db, q="版本(2.1)") == found(db, q="(2.1)") == {"kling_zh"}
    assert found(db, q="(2x1)") == found(db, q="2.?1") == found(db, q="[2]") == set()


def test_search_combines_with_facets_and_flags(db):
    assert found(db, q="可灵", lang="zh", sentiment="neutral") == {"kling_zh"}
    assert found(db, q="可灵", include_spam=True) == {"kling_zh", "kling_trad", "spam"}


# --- local day windows -------------------------------------------------------------------------

def test_day_window_covers_local_days_inclusively():
    since, until = day_window(date(2025, 3, 10), date(2025, 3, 12), "Asia/Shanghai")
    assert (since, until) == (utc(2025, 3, 9, 16), utc(2025, 3, 12, 16))
    assert day_window(date(2025, 3, 10), date(2025, 3, 10), "UTC") == (utc(2025, 3, 10),
                                                                        utc(2025, 3, 11))


def elapsed(since: datetime, until: datetime) -> timedelta:
    return until.astimezone(timezone.utc) - since.astimezone(timezone.utc)


def test_day_window_follows_dst_days_of_23_and_25_hours():
    since, until = day_window(date(2025, 3, 9), date(2025, 3, 9), "America/New_York")
    assert (since, elapsed(since, until)) == (utc(2025, 3, 9, 5), timedelta(hours=23))
    since, until = day_window(date(2025, 10, 26), date(2025, 10, 26), "Europe/Berlin")
    assert (since, elapsed(since, until)) == (utc(2025, 10, 25, 22), timedelta(hours=25))


def test_day_window_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match=r"ends \(2025-03-09\) before it starts \(2025-03-10\)"):
        day_window(date(2025, 3, 10), date(2025, 3, 9), "UTC")


def test_day_window_includes_its_first_instant_and_excludes_the_next_days_first(session):
    tz = ZoneInfo("Asia/Shanghai")
    corpus = Corpus()
    start = datetime(2025, 3, 10, tzinfo=tz)
    for label, at in [("before", start - timedelta(microseconds=1)), ("first", start),
                      ("last", datetime(2025, 3, 11, 23, 59, 59, 999_999, tzinfo=tz)),
                      ("after", datetime(2025, 3, 12, tzinfo=tz))]:
        corpus.add(at.astimezone(timezone.utc), title=f"Window edge story {label} of the test")
    corpus.save(session)
    since, until = day_window(date(2025, 3, 10), date(2025, 3, 11), "Asia/Shanghai")
    titles = {r["title"] for r in queries.items(session, ItemFilter(since=since, until=until))}
    assert titles == {"Window edge story first of the test", "Window edge story last of the test"}


# --- letter case beyond ASCII: the same stories on every backend, whatever its locale -----------

CASED = {   # name: (lang, title, text)
    "eclair": ("other", "Un éclair de génie pour Sora", "Le modèle arrive en France."),
    "ueber": ("other", "Über die neuen KI-Videos", "Kling ÜBERZEUGT die Kritiker."),
    "strasse": ("other", "Die Straße der Videomodelle", "Veo und Sora im Vergleich."),
    "greek_upper": ("other", "ΝΕΟΣ ΚΑΝΟΝΑΣ ΓΙΑ ΤΟ SORA", "Ένα νέο μοντέλο βίντεο."),
    "greek_lower": ("other", "νεος κανονας για το veo", "Η αγορά αλλάζει."),
    "cyrillic_upper": ("other", "НОВАЯ МОДЕЛЬ СОРА", "Видео по тексту."),
    "cyrillic_lower": ("other", "Модель сора вышла", "Обзор видеомодели."),
    "full_width": ("other", "ｓｏｒａ　ｍｏｄｅｌ 评测", "全角字母的标题。"),
    "ascii_sora": ("en", "OpenAI Sora ships", "Plus users get it first."),
    "dotted_i": ("other", "İstanbul'da Kling tanıtıldı", "Yeni video modeli."),
    "symbols": ("en", "Runway C++ SDK [beta] (v2.0) ^$ {3} a|b \\d é.*", "Notes."),
    "wide_kling": ("other", "Ｋｌｉｎｇ２ 上线（２０２６）", "全角字母与数字，Ｃ＋＋。"),
}
CASED_QUERIES = {
    "ÉCLAIR": {"eclair"}, "éclair": {"eclair"}, "Éclair": {"eclair"},
    "Ü": set(), "Ü*": {"ueber"}, "über": {"ueber"}, "überzeugt": {"ueber"},   # whole words
    "STRAẞE": {"strasse"}, "straße": {"strasse"}, "STRASSE": set(),   # ß is not "ss"
    "νεος": {"greek_upper", "greek_lower"}, "ΚΑΝΟΝΑΣ": {"greek_upper", "greek_lower"},
    "κανονας": {"greek_upper", "greek_lower"},                         # final sigma either way
    "СОРА": {"cyrillic_upper", "cyrillic_lower"}, "сора": {"cyrillic_upper", "cyrillic_lower"},
    "ＳＯＲＡ": {"full_width", "ascii_sora", "eclair", "strasse", "greek_upper"},
    "ｓｏｒａ": {"full_width", "ascii_sora", "eclair", "strasse", "greek_upper"},
    # full-width letters, digits and marks in the text count as their ASCII forms, as they do in
    # the query: "sora" finds "ｓｏｒａ", "kling2" "Ｋｌｉｎｇ２", "(2026)" "（２０２６）"
    "sora": {"full_width", "ascii_sora", "eclair", "strasse", "greek_upper"},
    "SORA": {"full_width", "ascii_sora", "eclair", "strasse", "greek_upper"},
    # words are whole: "model" is not in "Videomodelle" or "modeli" unless asked for as a part
    "sora model": {"full_width"}, '"sora model"': {"full_width"}, "model": {"full_width"},
    "*model*": {"full_width", "strasse", "dotted_i"}, "sora *model*": {"full_width", "strasse"},
    "kling": {"ueber", "dotted_i", "wide_kling"}, "kling2": {"wide_kling"}, "Kling 2": {"wide_kling"},
    "2026": {"wide_kling"}, "（2026）": {"wide_kling"}, "上线（2026）": {"wide_kling"},
    "上线(2026)": set(), "Ｃ＋＋": {"symbols", "wide_kling"},        # full-width marks are only themselves
    "ｋｌｉｎｇ": {"ueber", "dotted_i", "wide_kling"}, "éclair２": set(),
    "İSTANBUL'DA": {"dotted_i"}, "istanbul": set(),                    # İ is only itself
    # the characters of a regular expression or a LIKE pattern are only themselves
    "c++": {"symbols"}, "[BETA]": {"symbols"}, "(v2.0)": {"symbols"}, "v2x0": set(), "^$": {"symbols"},
    "{3}": {"symbols"}, "A|B": {"symbols"}, "\\d": {"symbols"}, "É.*": {"symbols"}, "é.x": set(),
}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres),
                                        pytest.param("postgresql-utf8", marks=pytest.mark.postgres)])
def cased(request, tmp_path_factory):
    """The stories above on SQLite, on PostgreSQL in the C locale (the test server's), and on
    PostgreSQL in a C.UTF-8 database, where ILIKE folds every letter."""
    import uuid

    from db.engine import make_engine, session_factory, upgrade

    if request.param != "postgresql-utf8":
        ctx = module_db(request, tmp_path_factory, backend=request.param)
        session = ctx.__enter__()

        def drop():
            ctx.__exit__(None, None, None)
    else:
        server = request.getfixturevalue("pg_server")
        name = f"u8_{uuid.uuid4().hex[:12]}"
        with server.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                         f"LC_CTYPE 'C.UTF-8' TEMPLATE template0")
            assert conn.execute("SELECT lower('ÉΣ')").fetchone()  # the server runs
        url = server.url(name)
        upgrade(url)
        engine = make_engine(url)
        session = session_factory(engine)()
        assert session.execute(text("SELECT 'éclair' ILIKE 'ÉCLAIR'")).scalar() is True

        def drop():
            session.close()
            engine.dispose()
            server.drop_database(name)
    corpus = Corpus()
    for i, (lang, title, body) in enumerate(CASED.values()):
        corpus.add(AT + timedelta(minutes=i), "en-news", lang=lang, title=title, text=body,
                   models=("sora",), themes=(), sentiment="neutral")
    corpus.save(session)
    try:
        yield session
    finally:
        drop()


@pytest.mark.parametrize("query", list(CASED_QUERIES))
def test_a_search_ignores_the_case_of_every_letter_alike_on_every_backend(cased, query):
    # Before: PostgreSQL's ILIKE folded é, Ü, Σ, С, ｓ in a UTF-8 locale (and only ASCII in the C
    # locale) while SQLite's LIKE folds ASCII only: "ÉCLAIR" found the story on one backend only.
    by_title = {v[1]: k for k, v in CASED.items()}
    flt = ItemFilter(q=query)
    got = {by_title[r["title"]] for r in queries.items(cased, flt, limit=100)}
    assert got == CASED_QUERIES[query]
    assert queries.count_items(cased, flt) == len(got)


def _count_calls(conn, name: str, fn) -> list[str]:
    """Register `fn` as SQLite function `name` on `conn`, noting the first text of each call: the
    rows that reached the Python side."""
    seen: list[str] = []

    def counted(first, *texts):
        seen.append(texts[0])
        return fn(first, *texts)

    conn.connection.dbapi_connection.create_function(name, -1, counted)
    return seen


def _searched_counting_calls(path, titles, q: str, name: str, fn) -> tuple[set[str], list[str]]:
    """The titles a search `q` finds in a SQLite file of `titles` (`_sqlite_with_titles`), and
    the rows that reached the SQLite function `name` (`_count_calls`) while it searched."""
    from sqlalchemy.orm import Session

    engine = _sqlite_with_titles(path, titles)
    try:
        with engine.connect() as conn:
            called = _count_calls(conn, name, fn)
            with Session(bind=conn) as s:
                found = {r["title"] for r in queries.items(s, ItemFilter(q=q), limit=10)}
    finally:
        engine.dispose()
    return found, called


def _sqlite_with_titles(path, titles):
    """A SQLite file holding one English news story per title, a minute apart."""
    from db.engine import ensure_schema, session_factory

    engine = ensure_schema(f"sqlite:///{path}")
    corpus = Corpus()
    for i, title in enumerate(titles):
        corpus.add(AT + timedelta(minutes=i), "en-news", lang="other", title=title, text="…",
                   models=("sora",), themes=(), sentiment="neutral")
    with session_factory(engine)() as s:
        corpus.save(s)
        s.commit()
    return engine


def test_sqlite_folds_in_python_only_rows_holding_a_form_of_the_terms_first_cased_letter(tmp_path):
    # Before: every row of the window went through the Python fold function (2-3x a LIKE's time
    # over 1M stories); now instr() in C first passes on only rows holding Σ, σ or ς for "ΣΟΡΑ".
    from db import textfold

    rows = {"upper": "ΝΕΟ ΣΟΡΑ", "lower": "νεο σορα", "final": "το ςορα", "greek": "νέος κανόνας",
            "en": "OpenAI Sora ships", "zh": "可灵发布新模型"}
    found, folded = _searched_counting_calls(tmp_path / "fold.db", rows.values(), "ΣΟΡΑ",
                                             textfold.CONTAINS_SQL, textfold.contains)
    assert found == {rows["upper"], rows["lower"], rows["final"]}
    assert sorted(folded) == sorted([rows["upper"], rows["lower"], rows["final"], rows["greek"]])
    assert textfold.first_letter_forms("ΣΟΡΑ") == ("Σ", "ς", "σ")
    assert textfold.first_letter_forms("sora 可灵") == ()


def test_sqlite_matches_in_python_only_stories_stored_with_full_width_letters_or_digits(tmp_path):
    # LIKE (in C) finds "sora" written in ASCII; the regular expression (in Python) runs only for
    # the stories LIKE missed that ingest marked as holding full-width letters or digits
    # (items.fullwidth): the Chinese story with full-width brackets is not one of them. (A term
    # open at both ends, `*sora*`: no word edges to check, see the next test.)
    from sqlalchemy.orm import Session

    from db import models as m
    from db import spacing
    from db.engine import session_factory

    rows = {"ascii": "OpenAI Sora ships", "wide": "ＳＯＲＡ 上线", "mixed": "Ｓｏra 评测", "near": "ＳＯＲＥ",
            "kling": "Ｋｌｉｎｇ２", "zh": "可灵发布新模型（完整版），Ｓ"[:-1]}
    engine = _sqlite_with_titles(tmp_path / "wide.db", rows.values())
    with session_factory(engine)() as s:
        flagged = set(s.scalars(select(m.Item.title).where(m.Item.fullwidth)))
    assert flagged == {rows["wide"], rows["mixed"], rows["near"], rows["kling"]}
    with engine.connect() as conn:
        matched = _count_calls(conn, spacing.MATCH_SQL, spacing.match)
        with Session(bind=conn) as s:
            found = {r["title"] for r in queries.items(s, ItemFilter(q="*sora*"), limit=10)}
            assert sorted(matched) == sorted(flagged)
            matched.clear()
            found_2 = {r["title"] for r in queries.items(s, ItemFilter(q='"*kling 2*"'), limit=10)}
    assert found == {rows["ascii"], rows["wide"], rows["mixed"]}
    assert found_2 == {rows["kling"]} and sorted(matched) == sorted(flagged)
    engine.dispose()


def test_a_keyword_keeps_the_stories_whose_stored_keywords_hold_it_as_the_rising_terms_count(db):
    from db.trends import term_counts

    langs = queries.facets(db)["langs"]
    per_lang = term_counts(db, ItemFilter(), steps={lang: 1 for lang in langs})
    per_term: dict[str, int] = {}
    for terms in per_lang.values():
        for term, n in terms.items():
            per_term[term] = per_term.get(term, 0) + n
    assert per_term
    for term, n in per_term.items():
        assert queries.count_items(db, ItemFilter(keyword=term)) == n, term
    # not a text search: the untagged thread says "sora" but holds no keyword
    assert "untagged" in found(db, q="sora") and "untagged" not in found(db, keyword="sora")
    assert found(db, keyword="no such keyword") == set()


def test_as_of_cuts_a_window_not_over_and_is_dropped_from_one_over_by_then():
    since = datetime(2025, 3, 10, tzinfo=timezone.utc)
    until = since + timedelta(days=1)
    noon = since + timedelta(hours=12)
    assert ItemFilter(since=since, until=until, as_of=noon).as_of == noon
    # over by then: nothing to cut, the same filter (and cache key) as without it
    assert ItemFilter(since=since, until=until, as_of=until) == ItemFilter(since=since, until=until)
    assert ItemFilter(as_of=noon).as_of == noon          # an open window is cut too
    with pytest.raises(ValueError, match="as_of must be tz-aware"):
        ItemFilter(as_of=datetime(2025, 3, 10, 12))


def test_as_of_lists_and_counts_no_story_dated_at_or_after_it(db):
    at = {k: AT + timedelta(minutes=i) for i, k in enumerate(STORIES)}
    cut = sorted(at.values())[3]
    assert found(db, as_of=cut) == {k for k in DEFAULT if at[k] < cut}


# --- search syntax: phrases, OR, exclusion -----------------------------------------------------

def test_or_finds_either_term_and_binds_before_and(db):
    # Before: "runway OR 可灵" asked for three terms, "OR" among them, and found nothing.
    assert found(db, q="runway OR 可灵") == {"percent", "five_hundred", "kling_zh", "kling_trad"}
    assert found(db, q="runway | 可灵 价格") == {"kling_zh"}            # (runway or 可灵) and 价格
    assert found(db, q="students OR 500 runway") == {"percent", "five_hundred"}


def test_brackets_group_and_not_excludes_a_group(db):
    # Before: "(runway OR 可灵)" read "(runway" and "可灵)" as terms, brackets and all: nothing matched.
    assert found(db, q="(runway OR 可灵) (students OR 价格)") == {"percent", "kling_zh"}
    assert found(db, q="（runway OR 可灵） 价格") == {"kling_zh"}
    assert found(db, q="(runway students) OR 价格") == {"percent", "kling_zh"}
    assert found(db, q="sora -(europe OR français)") == {"untagged"}
    assert found(db, q="sora NOT europe NOT français") == {"untagged"}
    assert found(db, q="版本(2.1)") == {"kling_zh"}            # a bracket inside a word is a letter


def test_a_quoted_phrase_must_occur_as_written(db):
    assert found(db, q="runway cuts") == {"percent"}
    assert found(db, q='"runway cuts"') == {"percent"}
    assert found(db, q='"cuts runway"') == set()                          # words apart: no phrase
    assert found(db, q="cuts runway") == {"percent"}
    assert found(db, q="“可灵视频”") == found(db, q="「可靈視頻」") == {"kling_zh"}


def test_a_leading_dash_excludes_a_term_in_any_spelling_and_case(db):
    assert found(db, q="sora -europe") == {"untagged", "other_lang"}
    assert found(db, q="可灵 -瑕疵") == {"kling_zh"}
    assert found(db, q="可灵 -瑕疪") == {"kling_zh", "kling_trad"}       # not a spelling of 瑕疵
    assert found(db, q="可灵 -瑕疵 -价格") == set()
    assert found(db, q='sora -"plus users"') == {"untagged", "other_lang"}
    assert found(db, q="-sora", lang="en") == {"percent", "five_hundred", "underscore",
                                               "no_underscore", "backslash"}
    assert found(db, q="gen-4") == set() and found(db, q="render_mode -") == {"underscore"}


def test_a_search_with_or_and_exclusion_counts_the_same_in_the_tally(db):
    # the Overview's counts of a search come from the tally, which matches the stories once
    from db import tally

    flt = ItemFilter(since=AT - timedelta(days=1), until=AT + timedelta(days=1),
                     q="sora OR runway -students")
    t = tally.build(db, flt, "UTC")
    assert sum(row[-1] for row in t.rows if row[0] == "") == queries.count_items(db, flt) == 4


def test_items_come_newest_first_or_by_reach_or_by_engagement(db):
    from sqlalchemy import update

    from db import models

    def title(name):
        return STORIES[name][2]

    def set_(name, **values):
        db.execute(update(models.Item).where(models.Item.title == title(name)).values(**values))

    try:
        set_("percent", likes=40, reposts=2)
        set_("five_hundred", points=10)
        set_("underscore", reach=3)
        newest = [r["title"] for r in queries.items(db)]
        engaged = [r["title"] for r in queries.items(db, order="engaged")]
        assert engaged[:2] == [title("percent"), title("five_hundred")]
        assert engaged[2:] == [t for t in newest if t not in engaged[:2]]      # then newest first
        reach = queries.items(db, order="reach", limit=2)
        assert reach[0]["title"] == title("underscore") == queries.top_stories(db, limit=1)[0]["title"]
        with pytest.raises(ValueError, match="unknown order 'random'"):
            queries.items(db, order="random")
    finally:
        db.rollback()


def test_migration_0014_marks_the_stored_stories_holding_full_width_letters_and_goes_back(empty_db_url):
    import sqlalchemy as sa

    from db import engine as dbe
    from tests.test_openings import _downgrade

    dbe.upgrade(empty_db_url, "0013")
    engine = dbe.make_engine(empty_db_url)
    items = sa.table("items", *[sa.column(c) for c in ("source_id", "title", "text", "lang", "published_at",
                                                       "fetched_at", "spam", "date_is_fallback", "keywords")])
    rows = {("ＳＯＲＡ 上线", "…"): True, ("可灵 Ｋｌｉｎｇ２", "…"): True, ("Plain title", "正文提到 ｓｏｒａ"): True,
            ("可灵发布（完整版），价格下调！", "…"): False, ("OpenAI Sora ships", "…"): False}
    titles = {t: v for (t, _), v in rows.items()}
    try:
        with engine.begin() as c:
            c.execute(sa.text("INSERT INTO sources (id, name, kind, url, lang, category, topical, timezone, enabled, "
                              "stale_days, consecutive_failures, created_at) VALUES ('s', 's', 'rss', 'http://x', "
                              "'zh', 'news', FALSE, 'UTC', TRUE, 14, 0, :at)"), {"at": AT})
            c.execute(sa.insert(items), [dict(source_id="s", title=t, text=body, lang="zh", published_at=AT,
                                              fetched_at=AT, spam=False, date_is_fallback=False, keywords="[]")
                                         for t, body in rows])
        dbe.upgrade(empty_db_url)
        with engine.connect() as c:
            got = dict(c.execute(sa.text("SELECT title, fullwidth FROM items")).all())
        assert {t: bool(v) for t, v in got.items()} == titles
        engine.dispose()
        _downgrade(empty_db_url, "0013")
        assert "fullwidth" not in {c["name"] for c in sa.inspect(engine).get_columns("items")}
    finally:
        engine.dispose()


def test_sqlite_checks_word_edges_in_python_only_for_the_stories_holding_the_term(tmp_path):
    # "wan" as a word: LIKE (in C) keeps the stories holding "wan" anywhere (and those with
    # full-width letters), and only those reach the regular expression with the word edges
    from db import spacing

    rows = {"model": "Wan 2.2 goes open source", "glued": "Wan2.2 上线", "want": "I want it now",
            "zh": "通义万相发布新模型", "other": "Sora ships", "wide": "Ｗａｎ 评测"}
    found, matched = _searched_counting_calls(tmp_path / "edges.db", rows.values(), "wan",
                                              spacing.MATCH_SQL, spacing.match)
    assert found == {rows["model"], rows["glued"], rows["wide"]}
    assert sorted(matched) == sorted([rows["model"], rows["glued"], rows["want"], rows["wide"]])
