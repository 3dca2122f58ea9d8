"""`aigcwatch retag` end to end on a real SQLite file: an item the tagger cannot read costs only
itself, and progress shows when stderr is not a terminal."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from aigcwatch.cli import main
from db import engine as dbe
from db import models as m
from db import store
from tests.factories import T0, make_intent, make_item, make_source


def _archive(tmp_path, n: int):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    sf = dbe.session_factory(dbe.ensure_schema(url))
    with sf() as s:
        store.sync_sources(s, [make_source("s1")])
        store.store_intents(s, None, "s1", [make_intent(make_item(i)) for i in range(n)], T0)
        s.commit()
    return url, sf


def _versions(sf) -> dict[int, str | None]:
    with sf() as s:
        return dict(s.execute(select(m.Item.id, m.Item.tagger_version)).all())


@pytest.mark.parametrize("workers", ["0", "1"])
def test_an_item_the_tagger_cannot_read_is_one_line_and_the_rest_are_tagged(tmp_path, monkeypatch, workers):
    # Before: the first such item stopped the run with a traceback; later items kept their old tags.
    url, sf = _archive(tmp_path, 5)
    with sf() as s:
        ids = sorted(_versions(sf))
        bad = ids[1]
        # SQLite keeps what another writer put in a column: here bytes (a BLOB) as the title
        s.execute(text("UPDATE items SET title = X'536f726120766964656f' WHERE id = :id"), {"id": bad})
        s.commit()
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["retag", "--workers", workers])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors[0].startswith(f"error: item {bad}: cannot tag (TypeError: ")
    assert errors[1] == "error: 1 item could not be tagged (listed above)"
    assert len(errors) == 2 and "Traceback" not in result.output
    assert "re-tagged 4 items" in result.output
    versions = _versions(sf)
    assert versions[bad] is None and all(versions[i] for i in ids if i != bad)


def test_retag_prints_a_line_per_batch_when_stderr_is_not_a_terminal(tmp_path, monkeypatch):
    # Before: the progress bar was disabled off a terminal, so a long retag in a log said nothing.
    url, sf = _archive(tmp_path, 3)
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["retag", "--workers", "0"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("retag: ")]
    assert [line.rsplit(",", 1)[0] for line in lines] == ["retag: 0/3 items", "retag: 3/3 items"]
    assert "re-tagged 3 items" in result.output


def test_retag_progress_counts_every_item_it_retags_story_members_too(tmp_path, monkeypatch):
    # Before: the total counted stories only, while every item is re-tagged: an edited copy
    # filed in another's story made the log say "retag: 3/2 items".
    url, sf = _archive(tmp_path, 3)
    with sf() as s:
        first, second = sorted(_versions(sf))[:2]
        s.execute(text("UPDATE items SET cluster_id = :c WHERE id = :id"), {"c": first, "id": second})
        s.commit()
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["retag", "--workers", "0"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("retag: ")]
    assert [line.rsplit(",", 1)[0] for line in lines] == ["retag: 0/3 items", "retag: 3/3 items"]
