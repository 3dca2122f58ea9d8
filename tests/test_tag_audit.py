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
