"""Fetch stage: one conditional GET per source, a FetchResult per source, never an exception.

- ``fetch_one`` does the GET (conditional headers from FetchState, redirects, size cap enforced while
  streaming and after decompression, retries with exponential back-off on 5xx / timeouts / connect
  errors, one polite retry on a short 429) and classifies what went wrong as a FailureClass.
- ``fetch_all`` runs many sources on one shared client with bounded concurrency and yields results
  in job order as they complete.
- ``next_state`` / ``should_fetch`` are the pure back-off policy between runs: a failing source
  waits 15 min, 30 min, 1 h ... up to a day, and recovers by itself on the next success.
"""
from __future__ import annotations

import random
import re
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from aigcwatch import __version__
from ingest.politeness import HostLimiter
from ingest.types import FailureClass, FetchResult, FetchState, Source

__all__ = [
    "FetchSettings", "make_client", "fetch_one", "fetch_all", "run_pool", "unexpected_error",
    "ACCEPT", "ACCEPT_JSON", "ACCEPT_HTML", "next_state", "should_fetch", "redact_url", "parse_retry_after", "looks_like_challenge",
    "BACKOFF_BASE", "BACKOFF_MAX",
]

T = TypeVar("T")
MiB = 1024 * 1024
DEFAULT_USER_AGENT = f"aigcwatch/{__version__} (+https://github.com/aigcwatch/aigcwatch; feed monitor)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
ACCEPT_JSON = "application/json, */*;q=0.5"
ACCEPT_HTML = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

BACKOFF_BASE = timedelta(minutes=15)     # first wait after a failure
BACKOFF_MAX = timedelta(hours=24)        # cap of the doubling
RETRY_AFTER_MAX = timedelta(days=7)      # a server's Retry-After is honoured up to this

_BLOCKED_STATUSES = frozenset({403, 418, 432, 451})
_SNIFF_BYTES = 64 * 1024                 # how much of an HTML / error page is read to classify it
_CHALLENGE_MARKERS = (
    "captcha", "验证码", "安全验证", "人机验证", "访问验证", "cf-challenge", "challenge-platform",
    "cf-browser-verification", "just a moment...", "attention required! | cloudflare",
    "ddos-guard", "are you a robot",
)
# Markers as bytes in the encodings Chinese and English pages use (the body is not decoded here).
_CHALLENGE_BYTES = tuple(sorted({m.encode(enc) for m in _CHALLENGE_MARKERS
                                 for enc in ("utf-8", "gb18030")}))
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.\-]*:)?//)[^/?#]*@")


@dataclass(frozen=True)
class FetchSettings:
    timeout_s: float = 20.0          # connect and each read
    retries: int = 2                 # extra attempts on 5xx, timeouts, connect errors
    backoff_base_s: float = 1.0      # first retry waits ~this, then doubling (with jitter)
    max_bytes: int = 10 * MiB        # cap on the (decompressed) body
    user_agent: str = DEFAULT_USER_AGENT
    max_concurrency: int = 8
    max_retry_after_s: float = 120.0  # longer 429 Retry-After: not slept, RATE_LIMITED (a 5xx
    #                                   Retry-After up to this stretches that retry's back-off)
    max_redirects: int = 5
    deadline_s: float = 120.0        # one attempt (headers and body) must finish within this
    page_interval_s: float = 1.0     # full text: seconds between two article pages of one host
    workers: int = 0                 # processes that parse, tag and sign beside the store
    #                                  (ingest.offload); 0: in the fetch threads; -1: auto


# -- small pure helpers ------------------------------------------------------------------------

def redact_url(url: str) -> str:
    """The URL without ``user:password@`` (for errors, logs and stored URLs)."""
    return _USERINFO.sub(r"\1", url, count=1) if isinstance(url, str) else ""


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from ``now``: delta-seconds or an HTTP-date; None if absent/invalid."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - _utc(now)).total_seconds())
    return max(0.0, seconds) if seconds == seconds else None   # NaN -> None


def looks_like_challenge(content_type: str | None, body: bytes) -> bool:
    """True for an HTML captcha / anti-bot interstitial (not for a feed that mentions captchas)."""
    ctype = (content_type or "").lower()
    head = body[:_SNIFF_BYTES].lower()
    if "html" not in ctype and not head.lstrip().startswith((b"<!doctype html", b"<html")):
        return False
    if any(root in head for root in _FEED_ROOTS):
        return False
    return any(marker in head for marker in _CHALLENGE_BYTES)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError as e:
        return f"invalid URL ({e})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"unsupported URL scheme {parts.scheme.lower() or '(none)'!r} (only http and https)"
    if not parts.hostname:
        return "invalid URL (no host)"
    return None


# -- the back-off policy (pure) ----------------------------------------------------------------

def next_state(state: FetchState, result: FetchResult, now: datetime) -> FetchState:
    """The source's FetchState after ``result``: reset on success, exponential back-off on error."""
    if result.status == "ok":
        return FetchState(etag=result.etag, last_modified=result.last_modified, cursor=state.cursor)
    if result.status == "not_modified":
        return FetchState(etag=result.etag or state.etag,
                          last_modified=result.last_modified or state.last_modified,
                          cursor=state.cursor)
    if result.status != "error":
        raise ValueError(f"unknown fetch status {result.status!r}")
    failures = state.consecutive_failures + 1
    wait_s = min(BACKOFF_BASE.total_seconds() * 2.0 ** min(failures - 1, 32),
                 BACKOFF_MAX.total_seconds())
    if result.error_class is FailureClass.RATE_LIMITED and result.retry_after_s:
        wait_s = max(wait_s, min(result.retry_after_s, RETRY_AFTER_MAX.total_seconds()))
    return FetchState(etag=state.etag, last_modified=state.last_modified, cursor=state.cursor,
                      consecutive_failures=failures,
                      next_attempt_at=_utc(now) + timedelta(seconds=wait_s))


def should_fetch(state: FetchState, now: datetime, force: bool = False) -> bool:
    """False while the source is backing off (unless forced)."""
    return force or state.next_attempt_at is None or _utc(now) >= _utc(state.next_attempt_at)


# -- one attempt -------------------------------------------------------------------------------

class _TooLarge(Exception):
    pass


class _Deadline(Exception):
    pass


class _Decoder:
    """Content-Encoding decoder that never inflates more than ``limit`` + 1 bytes per call."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._gzip = encoding in ("gzip", "x-gzip")
        self._d = self._new()
        self._first = True

    def _new(self):  # noqa: ANN202 (zlib's Decompress type is not public)
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, limit: int) -> bytes:
        out = bytearray()
        while data and len(out) <= limit:
            try:
                out += self._d.decompress(data, limit + 1 - len(out))
            except zlib.error:
                if self._gzip or not self._first:
                    raise
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)   # "deflate" sent without zlib header
                out += self._d.decompress(data, limit + 1 - len(out))
            self._first = False
            if self._d.eof:
                rest = self._d.unused_data
                if not (self._gzip and rest.startswith(b"\x1f\x8b")):
                    break                                     # trailing garbage: ignore
                self._d, data = self._new(), rest             # next gzip member
            else:
                data = self._d.unconsumed_tail
        return bytes(out)


def _read_body(response: httpx.Response, limit: int, deadline: float, *, strict: bool) -> bytes:
    """Read the decoded body, at most ``limit`` bytes. Over the cap: _TooLarge if strict, else cut."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    decoder = _Decoder(encoding) if encoding in ("gzip", "x-gzip", "deflate") else None
    chunks: Iterator[bytes]
    if decoder is None and encoding not in ("identity", ""):
        chunks = response.iter_bytes()        # an encoding we did not ask for: let httpx decode
    else:
        chunks = response.iter_raw()
    buf = bytearray()
    for raw in chunks:
        piece = decoder.feed(raw, limit - len(buf)) if decoder else raw
        buf += piece
        if len(buf) > limit:
            if strict:
                raise _TooLarge
            return bytes(buf[:limit])
        if time.monotonic() > deadline:
            raise _Deadline
    return bytes(buf)


@dataclass(frozen=True)
class _Attempt:
    http_status: int | None = None
    headers: httpx.Headers | None = None
    body: bytes | None = None
    final_url: str | None = None
    failure: FailureClass | None = None
    reason: str | None = None
    retryable: bool = False


def _attempt(client: httpx.Client, url: str, headers: dict[str, str],
             settings: FetchSettings) -> _Attempt:
    deadline = time.monotonic() + settings.deadline_s
    base: dict[str, object] = {}
    try:
        with client.stream("GET", url, headers=headers, follow_redirects=True) as response:
            code = response.status_code
            base = dict(http_status=code, headers=response.headers,
                        final_url=redact_url(str(response.url)))
            declared = response.headers.get("content-length", "")
            if (200 <= code < 300 and declared.isdigit() and int(declared) > settings.max_bytes
                    and "content-encoding" not in response.headers):
                return _Attempt(**base, failure=FailureClass.TOO_LARGE,
                                reason=f"body of {int(declared)} bytes is over the "
                                       f"{settings.max_bytes}-byte cap")
            if 200 <= code < 300:
                body = _read_body(response, settings.max_bytes, deadline, strict=True)
            elif code == 304:
                body = b""
            else:
                body = _read_body(response, _SNIFF_BYTES, deadline, strict=False)
            return _Attempt(**base, body=body)
    except _TooLarge:
        return _Attempt(**base, failure=FailureClass.TOO_LARGE,
                        reason=f"body is over the {settings.max_bytes}-byte cap (stopped reading)")
    except _Deadline:
        return _Attempt(failure=FailureClass.NETWORK, retryable=True,
                        reason=f"download took longer than {settings.deadline_s:g}s")
    except zlib.error as e:
        return _Attempt(**base, failure=FailureClass.DECODE, reason=f"corrupt compressed body ({e})")
    except httpx.TooManyRedirects:
        return _Attempt(failure=FailureClass.NETWORK,
                        reason=f"too many redirects (more than {settings.max_redirects})")
    except httpx.TimeoutException as e:
        return _Attempt(failure=FailureClass.NETWORK, retryable=True,
                        reason=f"timed out ({type(e).__name__})")
    except httpx.ConnectError as e:
        return _Attempt(failure=FailureClass.NETWORK, retryable=True,
                        reason=f"cannot connect ({e or type(e).__name__})")
    except httpx.UnsupportedProtocol as e:
        return _Attempt(failure=FailureClass.NETWORK, reason=f"unsupported URL scheme ({e})")
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as e:
        return _Attempt(failure=FailureClass.NETWORK, reason=f"{type(e).__name__}: {e}")


def _classify(a: _Attempt) -> tuple[FailureClass | None, str | None]:
    """Failure class and reason for a completed HTTP exchange (None: success or 304)."""
    code = a.http_status or 0
    ctype = a.headers.get("content-type") if a.headers is not None else None
    body = a.body or b""
    phrase = httpx.codes.get_reason_phrase(code)
    label = f"HTTP {code} {phrase}".strip()
    if code == 304:
        return None, None
    if 200 <= code < 300:
        if not body:
            return FailureClass.EMPTY, f"{label} with an empty body"
        if looks_like_challenge(ctype, body):
            return FailureClass.BLOCKED, f"{label} is a captcha / anti-bot page, not a feed"
        return None, None
    if code in _BLOCKED_STATUSES:
        return FailureClass.BLOCKED, f"{label} (blocked by the site)"
    if code == 429:
        return FailureClass.RATE_LIMITED, f"{label} (rate limited)"
    if code >= 400 and looks_like_challenge(ctype, body):
        return FailureClass.BLOCKED, f"{label}: a captcha / anti-bot page"
    return FailureClass.HTTP_STATUS, label


# -- fetch_one / fetch_all ---------------------------------------------------------------------

def make_client(settings: FetchSettings) -> httpx.Client:
    """The httpx client fetch_one expects: UA, timeouts, redirect cap, connection limits."""
    return httpx.Client(
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT,
                 "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(settings.timeout_s),
        max_redirects=settings.max_redirects,
        limits=httpx.Limits(max_connections=max(1, settings.max_concurrency) * 2,
                            max_keepalive_connections=max(1, settings.max_concurrency)),
        follow_redirects=True,
    )


def _request_headers(state: FetchState, settings: FetchSettings,
                     accept: str = ACCEPT) -> dict[str, str]:
    headers = {"User-Agent": settings.user_agent, "Accept": accept,
               "Accept-Encoding": "gzip, deflate"}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def fetch_one(source: Source, state: FetchState, settings: FetchSettings, *,
              client: httpx.Client, now: datetime | None = None,
              sleep: Callable[[float], None] = time.sleep,
              limiter: HostLimiter | None = None, accept: str = ACCEPT) -> FetchResult:
    """GET one source. Never raises for network or HTTP problems: those become error results.

    ``client`` should come from ``make_client`` (its max_redirects and timeouts apply).
    ``now`` stamps ``fetched_at`` and anchors HTTP-date Retry-After values. With a ``limiter``,
    every attempt waits for the host's next slot (``source.min_interval_s`` apart) and a 429's
    Retry-After holds back the whole host. An error result keeps the start of the error body
    (an API's error object names the problem).
    """
    started = time.monotonic()
    now = _utc(now) if now is not None else datetime.now(UTC)
    safe_url = redact_url(source.url)

    def done(**kw: object) -> FetchResult:
        if kw.get("error") is not None:
            kw["error"] = _one_line(f"{safe_url}: {_scrub(str(kw['error']), source.url)}")
        return FetchResult(source_id=source.id, url=source.url, fetched_at=now,
                           elapsed_ms=int((time.monotonic() - started) * 1000), **kw)

    problem = _url_problem(source.url)
    if problem:
        return done(status="error", error_class=FailureClass.NETWORK, error=problem)

    headers = _request_headers(state, settings, accept)
    retries_left = max(0, settings.retries)
    backoff_step = 0
    rate_limit_retried = False
    while True:
        if limiter is not None:
            held = limiter.blocked_for(source.url)
            if held > 0:     # another source of this host was told to come back much later
                return done(status="error", error_class=FailureClass.RATE_LIMITED,
                            error=f"not asked: the host answered another source with 429 "
                                  f"and a long Retry-After; retry after {held:.0f}s",
                            retry_after_s=held)
            limiter.wait(source.url, source.min_interval_s)
        a = _attempt(client, source.url, headers, settings)
        failure, reason = (a.failure, a.reason) if a.failure else _classify(a)
        hdrs = a.headers if a.headers is not None else httpx.Headers()
        retry_after = parse_retry_after(hdrs.get("retry-after"), now)

        if failure is None:
            common = dict(final_url=a.final_url, http_status=a.http_status,
                          content_type=hdrs.get("content-type"))
            if a.http_status == 304:
                return done(status="not_modified", **common,
                            etag=hdrs.get("etag") or state.etag,
                            last_modified=hdrs.get("last-modified") or state.last_modified)
            return done(status="ok", body=a.body, **common, etag=hdrs.get("etag"),
                        last_modified=hdrs.get("last-modified"), link=hdrs.get("link"))

        if failure is FailureClass.RATE_LIMITED and limiter is not None and retry_after is not None:
            if retry_after <= settings.max_retry_after_s:
                limiter.defer(source.url, retry_after)
            else:
                limiter.block(source.url, retry_after)
        if failure is FailureClass.RATE_LIMITED and not rate_limit_retried \
                and retry_after is not None and retry_after <= settings.max_retry_after_s:
            rate_limit_retried = True
            sleep(retry_after)
            continue

        is_5xx = a.http_status is not None and a.http_status >= 500 \
            and failure is FailureClass.HTTP_STATUS
        if (a.retryable or is_5xx) and retries_left > 0:
            retries_left -= 1
            delay = settings.backoff_base_s * 2 ** backoff_step * (0.5 + random.random() / 2)
            if is_5xx and retry_after is not None and retry_after <= settings.max_retry_after_s:
                delay = max(delay, retry_after)
            backoff_step += 1
            sleep(delay)
            continue

        if failure is FailureClass.RATE_LIMITED and retry_after is not None:
            reason = f"{reason}; retry after {retry_after:g}s"
        return done(status="error", error_class=failure, error=reason,
                    http_status=a.http_status, final_url=a.final_url, body=a.body or None,
                    content_type=hdrs.get("content-type"), retry_after_s=retry_after)


def _scrub(text: str, url: str) -> str:
    """Remove the URL's credentials from a foreign library's message."""
    if not isinstance(url, str) or not url:
        return text
    text = text.replace(url, redact_url(url))
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return text.replace(password, "***") if password else text


def fetch_all(jobs: Iterable[tuple[Source, FetchState]], settings: FetchSettings, *,
              now: datetime | None = None) -> Iterator[FetchResult]:
    """Fetch every job with at most ``settings.max_concurrency`` at a time; yield in job order.

    Fetches every job given (the caller filters with ``should_fetch``). An unexpected exception
    inside one job becomes that source's NETWORK error result; the others carry on.
    """
    def one(source: Source, state: FetchState, client: httpx.Client) -> FetchResult:
        return fetch_one(source, state, settings, client=client, now=now)

    def broken(source: Source, exc: BaseException) -> FetchResult:
        return unexpected_error(source, exc, now)

    yield from run_pool(jobs, settings, one, broken)


def run_pool(jobs: Iterable[tuple[Source, FetchState]], settings: FetchSettings,
             work: Callable[[Source, FetchState, httpx.Client], T],
             broken: Callable[[Source, BaseException], T]) -> Iterator[T]:
    """Run ``work`` for every job on one shared client, ``settings.max_concurrency`` at a time,
    yielding the results in job order (each as soon as it and every earlier job are done: a
    later job that finishes first waits). The store then sees the sources in the same order on
    every run, so which copy of a syndicated story is kept does not depend on network timing.
    A job that raises yields ``broken(source, exc)``."""
    workers = max(1, settings.max_concurrency)
    with make_client(settings) as client, ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="aigcwatch-fetch") as pool:
        pending: deque[tuple[Future[T], Source]] = deque()
        try:
            for source, state in jobs:
                pending.append((pool.submit(work, source, state, client), source))
            while pending:
                fut, source = pending[0]
                wait([fut])
                pending.popleft()
                exc = fut.exception()
                yield broken(source, exc) if exc is not None else fut.result()
        finally:
            for fut, _ in pending:
                fut.cancel()


def unexpected_error(source: Source, exc: BaseException, now: datetime | None) -> FetchResult:
    """A NETWORK error result for an exception nobody expected inside one source's job."""
    reason = _scrub(f"unexpected error: {type(exc).__name__}: {exc}", source.url)
    return FetchResult(source_id=source.id, url=source.url, status="error",
                       error_class=FailureClass.NETWORK,
                       error=_one_line(f"{redact_url(source.url)}: {reason}"),
                       fetched_at=_utc(now) if now is not None else datetime.now(UTC))
