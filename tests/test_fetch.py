"""Fetch stage against a real loopback server: statuses, failure classes, retries, back-off."""
from __future__ import annotations

import gzip
import threading
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from aigcwatch import __version__
from ingest.fetch import (
    BACKOFF_BASE, BACKOFF_MAX, FetchSettings, fetch_all, fetch_one, looks_like_challenge,
    make_client, next_state, parse_retry_after, redact_url, should_fetch,
)
from ingest.types import FailureClass, FetchResult, FetchState, Source
from tests.support.scripted_server import Reply, refused_url, scripted_server

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
FAST = FetchSettings(timeout_s=2.0, retries=2, backoff_base_s=0.01, max_bytes=64 * 1024,
                     max_concurrency=4, deadline_s=5.0)


@pytest.fixture
def srv():
    with scripted_server() as s:
        yield s


class Sleeps(list):
    """Injected sleep: records the requested waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def source(url: str, sid: str = "s1") -> Source:
    return Source(id=sid, name=sid, kind="rss", url=url)


def fetch(url: str, state: FetchState = FetchState(), settings: FetchSettings = FAST,
          sleeps: Sleeps | None = None, now: datetime | None = NOW) -> FetchResult:
    with make_client(settings) as client:
        return fetch_one(source(url), state, settings, client=client, now=now,
                         sleep=sleeps if sleeps is not None else Sleeps())


# -- success paths -----------------------------------------------------------------------------

def test_ok_records_body_validators_content_type_and_times(srv):
    srv.route("/feed", Reply(200, body=RSS, content_type="application/rss+xml; charset=utf-8",
                             headers={"ETag": '"v1"', "Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT"}))
    r = fetch(srv.url("/feed"), now=None)
    assert r.ok and r.status == "ok" and r.error is None and r.error_class is None
    assert r.body == RSS
    assert r.http_status == 200
    assert r.content_type == "application/rss+xml; charset=utf-8"
    assert r.etag == '"v1"' and r.last_modified == "Sun, 01 Mar 2026 10:00:00 GMT"
    assert r.final_url == srv.url("/feed") and r.url == srv.url("/feed")
    assert r.fetched_at.tzinfo is not None and r.fetched_at.utcoffset() == timedelta(0)
    assert abs((datetime.now(UTC) - r.fetched_at).total_seconds()) < 5
    assert r.elapsed_ms >= 0


def test_request_carries_descriptive_user_agent_and_accepts_gzip(srv):
    srv.route("/feed", Reply(200, body=RSS))
    fetch(srv.url("/feed"))
    req = srv.requests("/feed")[0]
    assert req.header("user-agent").startswith(f"aigcwatch/{__version__} (+https://")
    assert "gzip" in req.header("accept-encoding")
    assert req.header("if-none-match") is None and req.header("if-modified-since") is None


def test_conditional_get_sends_validators_and_304_keeps_state_validators(srv):
    srv.route("/feed", Reply(304))
    state = FetchState(etag='"v1"', last_modified="Sun, 01 Mar 2026 10:00:00 GMT")
    r = fetch(srv.url("/feed"), state)
    req = srv.requests("/feed")[0]
    assert req.header("if-none-match") == '"v1"'
    assert req.header("if-modified-since") == "Sun, 01 Mar 2026 10:00:00 GMT"
    assert r.status == "not_modified" and r.http_status == 304 and r.body is None
    assert r.etag == '"v1"' and r.last_modified == "Sun, 01 Mar 2026 10:00:00 GMT"


def test_304_with_new_etag_replaces_the_old_one(srv):
    srv.route("/feed", Reply(304, headers={"ETag": '"v2"'}))
    r = fetch(srv.url("/feed"), FetchState(etag='"v1"'))
    assert r.status == "not_modified" and r.etag == '"v2"'


def test_served_directory_round_trip_becomes_not_modified_with_next_state(srv, tmp_path: Path):
    (tmp_path / "a.xml").write_bytes(RSS)
    srv.serve_dir("/files/", tmp_path)
    first = fetch(srv.url("/files/a.xml"))
    assert first.ok and first.body == RSS and first.etag
    second = fetch(srv.url("/files/a.xml"), next_state(FetchState(), first, NOW))
    assert second.status == "not_modified" and second.etag == first.etag


@pytest.mark.parametrize("chunked", [False, True])
def test_gzip_body_is_decompressed(srv, chunked):
    body = RSS * 200
    srv.route("/feed", Reply(200, body=body, gzip=True, chunked=chunked))
    r = fetch(srv.url("/feed"))
    assert r.ok and r.body == body


def test_multi_member_gzip_body_is_decompressed_whole(srv):
    raw = gzip.compress(b"<rss>first") + gzip.compress(b" second</rss>")
    srv.route("/feed", Reply(200, body=raw, headers={"Content-Encoding": "gzip"}))
    assert fetch(srv.url("/feed")).body == b"<rss>first second</rss>"


@pytest.mark.parametrize("compress", [zlib.compress, lambda b: zlib.compress(b)[2:-4]],
                         ids=["zlib-wrapped", "raw-deflate"])
def test_deflate_body_is_decompressed(srv, compress):
    srv.route("/feed", Reply(200, body=compress(RSS), headers={"Content-Encoding": "deflate"}))
    assert fetch(srv.url("/feed")).body == RSS


def test_corrupt_gzip_body_is_a_decode_error(srv):
    srv.route("/feed", Reply(200, body=b"\x1f\x8b\x08\x00garbage-not-gzip" * 4,
                             headers={"Content-Encoding": "gzip"}))
    r = fetch(srv.url("/feed"))
    assert r.status == "error" and r.error_class is FailureClass.DECODE


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_redirect_is_followed_and_final_url_recorded(srv, code):
    srv.route("/old", Reply(code, headers={"Location": "/hop"}))
    srv.route("/hop", Reply(302, headers={"Location": srv.url("/new")}))
    srv.route("/new", Reply(200, body=RSS, headers={"ETag": '"n"'}))
    r = fetch(srv.url("/old"))
    assert r.ok and r.body == RSS and r.etag == '"n"'
    assert r.url == srv.url("/old") and r.final_url == srv.url("/new")


def test_redirect_loop_is_a_network_error_naming_too_many_redirects(srv):
    srv.route("/loop", Reply(302, headers={"Location": "/loop"}))
    r = fetch(srv.url("/loop"), settings=FetchSettings(max_redirects=3, timeout_s=0.5))
    assert r.error_class is FailureClass.NETWORK and "too many redirects" in r.error
    assert len(srv.requests("/loop")) == 4


def test_redirect_to_a_file_url_is_refused(srv):
    srv.route("/r", Reply(302, headers={"Location": "file:///etc/passwd"}))
    r = fetch(srv.url("/r"))
    assert r.error_class is FailureClass.NETWORK and "unsupported URL scheme" in r.error
    assert r.body is None


# -- HTTP status failures and retries ----------------------------------------------------------

def test_404_is_http_status_with_the_code_and_not_retried(srv):
    sleeps = Sleeps()
    r = fetch(srv.url("/missing"), sleeps=sleeps)
    assert r.status == "error" and r.error_class is FailureClass.HTTP_STATUS
    assert r.http_status == 404 and "404" in r.error and srv.url("/missing") in r.error
    assert "\n" not in r.error
    assert len(srv.requests("/missing")) == 1 and sleeps == []


def test_500_then_200_is_retried_and_ok(srv):
    srv.route("/feed", Reply(500), Reply(200, body=RSS))
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), sleeps=sleeps)
    assert r.ok and r.body == RSS
    assert len(srv.requests("/feed")) == 2 and len(sleeps) == 1


def test_500_forever_gives_http_status_after_retries_with_growing_backoff(srv):
    srv.route("/feed", Reply(500))
    settings = FetchSettings(timeout_s=0.5, retries=3, backoff_base_s=1.0)
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), settings=settings, sleeps=sleeps)
    assert r.error_class is FailureClass.HTTP_STATUS and r.http_status == 500
    assert len(srv.requests("/feed")) == 4
    assert len(sleeps) == 3
    for k, s in enumerate(sleeps):          # base * 2**k, jittered into [50%, 100%]
        assert 0.5 * 2 ** k <= s <= 2 ** k


def test_timeout_is_network_error_after_retries(srv):
    srv.route("/slow", Reply(200, body=RSS, delay_s=0.6))
    settings = FetchSettings(timeout_s=0.15, retries=1, backoff_base_s=0.0)
    sleeps = Sleeps()
    r = fetch(srv.url("/slow"), settings=settings, sleeps=sleeps)
    assert r.error_class is FailureClass.NETWORK and "timed out" in r.error
    assert len(srv.requests("/slow")) == 2 and len(sleeps) == 1
    assert r.elapsed_ms >= 250


def test_connection_refused_is_network_error_after_retries():
    url = refused_url("/feed")
    sleeps = Sleeps()
    r = fetch(url, sleeps=sleeps)
    assert r.status == "error" and r.error_class is FailureClass.NETWORK
    assert r.error.startswith(url) and "connect" in r.error
    assert len(sleeps) == FAST.retries


def test_dropped_connection_is_network_error_without_retry(srv):
    srv.route("/drop", Reply(drop=True))
    sleeps = Sleeps()
    r = fetch(srv.url("/drop"), sleeps=sleeps)
    assert r.error_class is FailureClass.NETWORK and sleeps == []


@pytest.mark.parametrize("code", [403, 418, 432, 451])
def test_anti_crawl_statuses_are_blocked_and_not_retried(srv, code):
    srv.route("/feed", Reply(code, body="no", content_type="text/plain"))
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), sleeps=sleeps)
    assert r.error_class is FailureClass.BLOCKED and r.http_status == code
    assert len(srv.requests("/feed")) == 1 and sleeps == []


def test_503_cloudflare_challenge_is_blocked_without_retry(srv):
    page = "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"
    srv.route("/feed", Reply(503, body=page, content_type="text/html"))
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), sleeps=sleeps)
    assert r.error_class is FailureClass.BLOCKED and sleeps == []


def test_429_with_zero_retry_after_is_retried_once(srv):
    srv.route("/feed", Reply(429, headers={"Retry-After": "0"}), Reply(200, body=RSS))
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), sleeps=sleeps)
    assert r.ok and sleeps == [0.0] and len(srv.requests("/feed")) == 2


def test_429_with_http_date_retry_after_sleeps_until_then(srv):
    when = format_datetime(NOW + timedelta(seconds=30), usegmt=True)
    srv.route("/feed", Reply(429, headers={"Retry-After": when}), Reply(200, body=RSS))
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), sleeps=sleeps, now=NOW)
    assert r.ok and sleeps == [30.0]


def test_429_with_long_retry_after_gives_up_rate_limited(srv):
    srv.route("/feed", Reply(429, headers={"Retry-After": "3600"}))
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), sleeps=sleeps)
    assert r.error_class is FailureClass.RATE_LIMITED and r.retry_after_s == 3600
    assert r.http_status == 429 and sleeps == [] and len(srv.requests("/feed")) == 1


def test_repeated_429_gives_up_after_one_polite_retry(srv):
    srv.route("/feed", Reply(429, headers={"Retry-After": "1"}))
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), sleeps=sleeps)
    assert r.error_class is FailureClass.RATE_LIMITED and r.retry_after_s == 1
    assert sleeps == [1.0] and len(srv.requests("/feed")) == 2


# -- body checks -------------------------------------------------------------------------------

def test_declared_oversized_body_is_too_large(srv):
    srv.route("/big", Reply(200, body=b"x" * (FAST.max_bytes + 1)))
    r = fetch(srv.url("/big"))
    assert r.error_class is FailureClass.TOO_LARGE and r.body is None
    assert str(FAST.max_bytes) in r.error


def test_streamed_oversized_body_without_length_is_too_large(srv):
    srv.route("/big", Reply(200, body=b"x" * (FAST.max_bytes * 3), chunked=True))
    r = fetch(srv.url("/big"))
    assert r.error_class is FailureClass.TOO_LARGE and r.body is None


def test_body_exactly_at_the_cap_is_ok(srv):
    srv.route("/edge", Reply(200, body=b"x" * FAST.max_bytes, chunked=True))
    r = fetch(srv.url("/edge"))
    assert r.ok and len(r.body) == FAST.max_bytes


def test_gzip_bomb_is_too_large_by_decompressed_size(srv):
    srv.route("/bomb", Reply(200, body=b"\0" * (8 * 1024 * 1024), gzip=True))
    r = fetch(srv.url("/bomb"))
    assert r.error_class is FailureClass.TOO_LARGE


def test_gzip_bomb_is_never_inflated_in_memory(srv):
    bomb = gzip.compress(b"\0" * (32 * 1024 * 1024))          # ~32 KiB on the wire
    srv.route("/bomb", Reply(200, body=bomb, headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        r = fetch(srv.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.error_class is FailureClass.TOO_LARGE
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes: the body was inflated past the cap"


def test_empty_200_is_empty(srv):
    srv.route("/feed", Reply(200, body=b"", content_type="application/rss+xml"))
    r = fetch(srv.url("/feed"))
    assert r.status == "error" and r.error_class is FailureClass.EMPTY and r.http_status == 200


@pytest.mark.parametrize("page, encoding", [
    ("<html><body><div class='g-recaptcha'>captcha</div></body></html>", "utf-8"),
    ("<html><title>安全验证</title><body>请输入验证码</body></html>", "utf-8"),
    ("<html><title>安全验证</title><body>请输入验证码</body></html>", "gbk"),
    ("<!DOCTYPE html><html><title>Just a moment...</title></html>", "utf-8"),
    ("<html><div id='cf-challenge-running'></div></html>", "utf-8"),
])
def test_captcha_html_page_is_blocked(srv, page, encoding):
    srv.route("/feed", Reply(200, body=page.encode(encoding), content_type="text/html"))
    r = fetch(srv.url("/feed"))
    assert r.error_class is FailureClass.BLOCKED and "captcha" in r.error


def test_feed_that_mentions_captcha_is_not_blocked_even_served_as_html(srv):
    feed = b"<rss><channel><item><title>AI video beats captcha tests</title></item></channel></rss>"
    srv.route("/feed", Reply(200, body=feed, content_type="text/html"))
    assert fetch(srv.url("/feed")).ok


def test_looks_like_challenge_ignores_non_html_bodies():
    assert not looks_like_challenge("application/rss+xml", b"<rss>captcha</rss>")
    assert looks_like_challenge(None, b"<!DOCTYPE html><html>captcha</html>")


# -- URLs and credentials ----------------------------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x.org/feed",
                                 "feed.xml", "http:///nohost"])
def test_non_http_urls_are_rejected_without_a_request(url):
    sleeps = Sleeps()
    r = fetch(url, sleeps=sleeps)
    assert r.status == "error" and r.error_class is FailureClass.NETWORK
    assert "unsupported URL scheme" in r.error or "invalid URL" in r.error
    assert sleeps == [] and r.http_status is None


def test_file_and_javascript_urls_name_the_scheme():
    assert "unsupported URL scheme 'javascript'" in fetch("javascript:alert(1)").error
    assert "unsupported URL scheme 'file'" in fetch("file:///etc/passwd").error


@pytest.mark.parametrize("url, expected", [
    ("https://bob:s3cret@example.com/feed?x=1", "https://example.com/feed?x=1"),
    ("http://bob@example.com:8080/a", "http://example.com:8080/a"),
    ("http://u:p@ss@example.com/a@b", "http://example.com/a@b"),
    ("https://example.com/feed", "https://example.com/feed"),
    ("//u:p@example.com/x", "//example.com/x"),
])
def test_redact_url_removes_user_and_password(url, expected):
    assert redact_url(url) == expected


def test_credentials_never_appear_in_errors_or_final_url(srv):
    srv.route("/private", Reply(401))
    url = srv.url("/private").replace("http://", "http://bob:hunter2@")
    r = fetch(url)
    assert r.error_class is FailureClass.HTTP_STATUS and r.http_status == 401
    assert srv.requests("/private")[0].header("authorization").startswith("Basic ")
    assert "hunter2" not in r.error and "bob" not in r.error
    assert "hunter2" not in (r.final_url or "")
    refused = fetch(refused_url("/x").replace("http://", "http://bob:hunter2@"))
    assert refused.error_class is FailureClass.NETWORK and "hunter2" not in refused.error


# -- fetch_all ---------------------------------------------------------------------------------

def test_fetch_all_returns_every_source_when_one_is_broken(srv):
    srv.route("/a", Reply(200, body=RSS))
    srv.route("/b", Reply(200, body=RSS))
    jobs = [(source(srv.url("/a"), "a"), FetchState()),
            (source(refused_url(), "broken"), FetchState()),
            (source(srv.url("/b"), "b"), FetchState())]
    results = {r.source_id: r for r in fetch_all(jobs, FetchSettings(timeout_s=2.0, retries=0))}
    assert set(results) == {"a", "b", "broken"}
    assert results["a"].ok and results["b"].ok
    assert results["broken"].error_class is FailureClass.NETWORK


def test_fetch_all_turns_an_unexpected_exception_into_that_sources_error(srv):
    srv.route("/a", Reply(200, body=RSS))
    bad_state = FetchState(etag=12345)       # not a str: the HTTP library raises TypeError
    jobs = [(source(srv.url("/a"), "bad"), bad_state), (source(srv.url("/a"), "good"), FetchState())]
    results = {r.source_id: r for r in fetch_all(jobs, FAST, now=NOW)}
    assert results["good"].ok
    assert results["bad"].error_class is FailureClass.NETWORK
    assert "unexpected error: TypeError" in results["bad"].error
    assert results["bad"].fetched_at == NOW


def test_fetch_all_bounds_concurrency(srv):
    for i in range(6):
        srv.route(f"/f{i}", Reply(200, body=RSS, delay_s=0.15))
    jobs = [(source(srv.url(f"/f{i}"), f"s{i}"), FetchState()) for i in range(6)]
    settings = FetchSettings(timeout_s=1.0, max_concurrency=2)
    results = list(fetch_all(jobs, settings))
    assert len(results) == 6 and all(r.ok for r in results)
    assert srv.max_concurrent == 2


def test_fetch_all_yields_in_job_order_while_fetching_concurrently(srv):
    # the store must see sources in the same order on every run (which copy of a syndicated
    # story is kept depends on it), but a slow source must not serialise the fetching
    srv.route("/slow", Reply(200, body=RSS, delay_s=0.4))
    srv.route("/slow2", Reply(200, body=RSS, delay_s=0.4))
    srv.route("/fast", Reply(200, body=RSS))
    jobs = [(source(srv.url("/slow"), "slow"), FetchState()),
            (source(srv.url("/fast"), "fast"), FetchState()),
            (source(srv.url("/slow2"), "slow2"), FetchState())]
    order = [r.source_id for r in fetch_all(jobs, FetchSettings(timeout_s=2.0, max_concurrency=3))]
    assert order == ["slow", "fast", "slow2"]
    assert srv.max_concurrent >= 2                # the fetches overlapped


def test_fetch_all_can_be_abandoned_midway(srv):
    srv.route("/a", Reply(200, body=RSS))
    jobs = [(source(srv.url("/a"), f"s{i}"), FetchState()) for i in range(5)]
    gen = fetch_all(jobs, FetchSettings(timeout_s=1.0, max_concurrency=1))
    first = next(gen)
    gen.close()
    assert first.ok
    assert threading.active_count() < 20


# -- back-off policy ---------------------------------------------------------------------------

def _error(cls: FailureClass = FailureClass.NETWORK, retry_after: float | None = None) -> FetchResult:
    return FetchResult(source_id="s", url="http://x", status="error", error_class=cls,
                       error="boom", retry_after_s=retry_after)


def test_backoff_doubles_from_15_minutes_and_caps_at_a_day():
    state, waits = FetchState(etag='"e"'), []
    for _ in range(9):
        state = next_state(state, _error(), NOW)
        waits.append(state.next_attempt_at - NOW)
    assert waits[:4] == [BACKOFF_BASE * 1, BACKOFF_BASE * 2, BACKOFF_BASE * 4, BACKOFF_BASE * 8]
    assert waits[-1] == BACKOFF_MAX and max(waits) == BACKOFF_MAX
    assert state.consecutive_failures == 9 and state.etag == '"e"'
    assert next_state(FetchState(consecutive_failures=10_000), _error(), NOW).next_attempt_at \
        == NOW + BACKOFF_MAX


def test_rate_limited_backoff_waits_at_least_retry_after():
    state = next_state(FetchState(), _error(FailureClass.RATE_LIMITED, retry_after=3600), NOW)
    assert state.next_attempt_at == NOW + timedelta(hours=1)
    short = next_state(FetchState(), _error(FailureClass.RATE_LIMITED, retry_after=5), NOW)
    assert short.next_attempt_at == NOW + BACKOFF_BASE


def test_success_resets_backoff_and_takes_new_validators():
    failing = FetchState(etag='"old"', last_modified="x", consecutive_failures=4,
                         next_attempt_at=NOW + timedelta(hours=2))
    ok = FetchResult(source_id="s", url="http://x", status="ok", etag='"new"', last_modified=None)
    assert next_state(failing, ok, NOW) == FetchState(etag='"new"', last_modified=None)
    nm = FetchResult(source_id="s", url="http://x", status="not_modified")
    assert next_state(failing, nm, NOW) == FetchState(etag='"old"', last_modified="x")


def test_should_fetch_waits_out_the_backoff_unless_forced():
    state = next_state(FetchState(), _error(), NOW)
    assert should_fetch(FetchState(), NOW)
    assert not should_fetch(state, NOW + timedelta(minutes=14))
    assert should_fetch(state, NOW + timedelta(minutes=14), force=True)
    assert should_fetch(state, NOW + BACKOFF_BASE)


def test_failing_source_backs_off_then_recovers_by_itself(srv):
    srv.route("/feed", Reply(404), Reply(404), Reply(200, body=RSS))
    state, t = FetchState(), NOW
    for expected_failures in (1, 2):
        state = next_state(state, fetch(srv.url("/feed")), t)
        assert state.consecutive_failures == expected_failures
        assert not should_fetch(state, t)
        t = state.next_attempt_at
    assert should_fetch(state, t)
    state = next_state(state, fetch(srv.url("/feed")), t)
    assert state == FetchState() and should_fetch(state, t)


@pytest.mark.parametrize("value, expected", [
    ("120", 120.0), (" 0 ", 0.0), ("-5", 0.0), ("1.5", 1.5), ("", None), (None, None),
    ("soon", None), ("nan", None),
    (format_datetime(NOW + timedelta(minutes=2), usegmt=True), 120.0),
    (format_datetime(NOW - timedelta(minutes=2), usegmt=True), 0.0),
])
def test_parse_retry_after_reads_seconds_and_http_dates(value, expected):
    assert parse_retry_after(value, NOW) == expected


def test_503_retry_after_stretches_the_backoff_of_that_retry(srv):
    srv.route("/feed", Reply(503, headers={"Retry-After": "7"}), Reply(200, body=RSS))
    sleeps = Sleeps()
    r = fetch(srv.url("/feed"), sleeps=sleeps)
    assert r.ok and sleeps == [7.0]
