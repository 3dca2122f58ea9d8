"""The audit set keeps fingerprints, not texts: a text is rebuilt from a re-fetched copy of its page."""
import json

from ingest.tag.audit import AUDIT_FILE, canonical, fingerprint, rebuild, sha256

PAGE = ("Menu | Login\nKling 2.1 launched today, the company said.  It generates 1080p clips;\n"
        "pricing starts at 35 credits.\n“Creators love it,” one user wrote. Footer text here.")
EXCERPT = "Kling 2.1 launched today, the company said.\n“Creators love it,” one user wrote."


def _record(text):
    return {"id": "x1", **fingerprint(text)}


def test_text_is_rebuilt_exactly_from_its_page():
    rec = _record(EXCERPT)
    got = rebuild(rec, PAGE)
    assert got is not None and got.exact
    assert got.text == canonical(EXCERPT)
    assert sha256(got.text) == rec["sha256"]


def test_rebuild_tolerates_reflowed_white_space_and_skipped_clauses():
    rec = _record("Kling 2.1 launched today, pricing starts at 35 credits.")
    got = rebuild(rec, PAGE.replace("\n", "  "))
    assert got is not None and got.exact


def test_a_changed_word_does_not_verify():
    rec = _record(EXCERPT)
    assert rebuild(rec, PAGE.replace("launched", "announced")) is None


def test_committed_records_hold_labels_and_fingerprints_but_no_text():
    for line in AUDIT_FILE.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert rec["split"] in ("tune", "test")
        assert len(rec["sha256"]) == 64 and rec["units"]
        assert "text" not in rec and "title" not in rec


def test_real_spam_titled_copies_of_film_industry_articles_are_spam_and_keep_their_theme():
    """The issue's case on real pages: a betting site's keyword line (zh1663), a stock-lending
    site's (zh1661) and a porn suffix (zh1662) over copied articles on AI video and film/TV work.
    Needs the git-ignored texts (python -m ingest.tag.audit fill)."""
    import pytest

    from ingest.tag.audit import labelled_items
    from ingest.tag.engine import tag

    items = {i["id"]: i for i in labelled_items("tune") if i["id"] in ("zh1661", "zh1662", "zh1663")}
    if not items:
        pytest.skip("audit texts not filled")
    for item in items.values():
        tags = tag(item["title"], item["text"], item["lang"])
        assert tags.spam and tags.relevant, item["id"]
        assert "creative_industry" in tags.themes, item["id"]
