"""ingest.paging: what a run reads from a newest-first API, decided in plain code.

The walk is driven here by a list of canned pages served through a function: the decisions
(stop at the mark, respect the cap, remember and later fill gaps, stop at a failure) are what is
tested; the HTTP side is tested end to end in test_social_ingest.py.
"""
from __future__ import annotations

import json

from ingest.connectors import hn
from ingest.connectors.base import Mark, param
from ingest.paging import MAX_GAPS, Cursor, Gap, next_cursor, reached, walk
from ingest.types import FailureClass, FetchResult, Source

URL = "https://hn.example/api/v1/search_by_date?query=veo&tags=story&hitsPerPage=2"


def story(i: int) -> dict:
    return {"objectID": str(i), "created_at_i": 1000 + i, "created_at": f"2025-01-01T00:{i:02d}:00Z",
            "author": f"u{i}", "title": f"Veo story {i}", "url": None, "points": i, "num_comments": 0,
            "_tags": ["story"]}


class Api:
    """Stories newest first, two a page, answering Algolia-style page and time filters."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = sorted(ids, reverse=True)
        self.asked: list[str] = []
        self.fail_at: dict[int, FetchResult] = {}

    def __call__(self, url: str) -> FetchResult:
        self.asked.append(url)
        if len(self.asked) in self.fail_at:
            return self.fail_at[len(self.asked)]
        ids = self.ids
        bound = param(url, "numericFilters")
        if bound:
            ids = [i for i in ids if 1000 + i <= int(bound.split("<=")[1])]
        page = int(param(url, "page") or 0)
        pages = (len(ids) + 1) // 2
        doc = {"hits": [story(i) for i in ids[page * 2:page * 2 + 2]], "page": page, "nbPages": pages}
        return FetchResult(source_id="s", url=url, status="ok", http_status=200,
                           body=json.dumps(doc).encode())


def source(max_pages: int = 3) -> Source:
    return Source(id="s", name="s", kind="hn", url=URL, max_pages=max_pages, category="social")


def ids_of(w) -> list[int]:
    return [int(e.guid) for e in w.entries]


def test_a_first_run_reads_the_newest_pages_up_to_the_cap_and_leaves_no_gap():
    api = Api(list(range(1, 11)))
    w = walk(hn, source(max_pages=3), Cursor(), api)
    assert ids_of(w) == [10, 9, 8, 7, 6, 5] and w.pages == 3
    assert w.cursor == Cursor(Mark(1010.0, "10"), ())       # older history is not backfilled


def test_a_later_run_stops_at_the_page_holding_the_mark():
    api = Api(list(range(1, 14)))
    w = walk(hn, source(), Cursor(Mark(1010.0, "10")), api)
    assert ids_of(w) == [13, 12, 11, 10] and w.pages == 2     # 10 is known: its page is the last
    assert w.cursor.mark == Mark(1013.0, "13") and w.cursor.gaps == ()


def test_nothing_new_costs_one_request():
    api = Api(list(range(1, 11)))
    w = walk(hn, source(), Cursor(Mark(1010.0, "10")), api)
    assert w.pages == 1 and ids_of(w) == [10, 9]            # page 1 refreshes known posts' counts
    assert w.cursor.mark == Mark(1010.0, "10")


def test_a_capped_run_remembers_the_gap_and_the_next_run_fills_it():
    api = Api(list(range(1, 21)))
    first = walk(hn, source(max_pages=2), Cursor(Mark(1010.0, "10")), api)
    assert ids_of(first) == [20, 19, 18, 17]
    assert first.cursor == Cursor(Mark(1020.0, "20"), (Gap(Mark(1017.0, "17"), Mark(1010.0, "10")),))
    api.asked.clear()
    second = walk(hn, source(max_pages=3), first.cursor, api)
    assert api.asked[1].endswith("numericFilters=created_at_i%3C%3D1017")   # resumes below the gap
    assert ids_of(second) == [20, 19, 17, 16, 15, 14]     # page 1 meets the mark, then the gap
    assert second.cursor.gaps == (Gap(Mark(1014.0, "14"), Mark(1010.0, "10")),)   # narrower
    third = walk(hn, source(max_pages=3), second.cursor, api)
    assert {11, 12, 13} <= set(ids_of(third))
    fourth = walk(hn, source(max_pages=3), third.cursor, api)     # meets 10: the gap is closed
    assert fourth.cursor == Cursor(Mark(1020.0, "20"), ()) and fourth.pages == 2


def test_a_failure_after_the_first_page_keeps_what_was_read_and_reports_the_class():
    api = Api(list(range(1, 21)))
    api.fail_at[2] = FetchResult(source_id="s", url="u", status="error",
                                 error_class=FailureClass.RATE_LIMITED, error="HTTP 429; retry after 600s")
    w = walk(hn, source(), Cursor(Mark(1010.0, "10")), api)
    assert not w.failed and ids_of(w) == [20, 19]
    assert w.error_class is FailureClass.RATE_LIMITED and w.error.startswith("page 2: HTTP 429")
    assert w.cursor.gaps == (Gap(Mark(1019.0, "19"), Mark(1010.0, "10")),)


def test_a_failing_first_page_reads_nothing_and_keeps_the_cursor():
    api = Api([1, 2])
    api.fail_at[1] = FetchResult(source_id="s", url="u", status="ok", http_status=200, body=b"{oops")
    old = Cursor(Mark(1001.0, "1"))
    w = walk(hn, source(), old, api)
    assert w.failed and w.error_class is FailureClass.PARSE and w.cursor == old


def test_an_empty_answer_ends_the_walk_without_failing():
    w = walk(hn, source(), Cursor(), Api([]))
    assert not w.failed and w.entries == () and w.pages == 1 and w.cursor == Cursor()


def test_cursor_survives_json_and_garbage_means_a_fresh_start():
    c = Cursor(Mark(5.5, "a"), (Gap(Mark(4.0, "b"), Mark(1.0, "c")),))
    assert Cursor.from_json(c.to_json()) == c
    assert Cursor().to_json() is None
    for bad in ("", "not json", "[1,2]", '{"mark": "x", "gaps": [[1]]}'):
        assert Cursor.from_json(bad) == Cursor()


def test_marks_of_the_same_second_with_another_id_count_as_new():
    mark = Mark(100.0, "b")
    assert Mark(99.0, "z").at_or_below(mark) and Mark(100.0, "b").at_or_below(mark)
    assert not Mark(100.0, "a").at_or_below(mark) and not Mark(101.0, "a").at_or_below(mark)
    assert reached((None, Mark(100.0, "b")), mark) and not reached((None,), mark)


def test_too_many_gaps_keep_the_newest():
    gaps = [Gap(Mark(float(i + 1), "x"), Mark(float(i), "y")) for i in range(MAX_GAPS + 2)]
    cursor, warnings = next_cursor(Cursor(), Mark(99.0, "z"), gaps)
    assert len(cursor.gaps) == MAX_GAPS and cursor.gaps[0].before == Mark(float(MAX_GAPS + 2), "x")
    assert "2 unfinished older ranges given up" in warnings[0]
