"""A quiet loopback HTTP server for a directory of files (demo, ingest benchmark, tests).

    with serve_directory(feed_dir, content_types={"a.xml": "application/rss+xml; charset=GBK"}) as base:
        httpx.get(f"{base}/a.xml")

It behaves like a well-configured feed host: per-file Content-Type, an ETag derived from the
content and a Last-Modified from the file's mtime (both answered with 304), gzip when the client
asks for it, 404 for anything missing. Files are read on every request, so a test may rewrite one
between two fetches. Nothing is logged.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_DEFAULT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".toml": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def default_content_type(name: str) -> str:
    """The Content-Type served for a file name when the caller gave none."""
    suffix = Path(name).suffix.lower()
    if suffix in _DEFAULT_TYPES:
        return _DEFAULT_TYPES[suffix]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def etag_for(body: bytes) -> str:
    """Strong ETag of a file's bytes (quoted, as sent in the header)."""
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _accepts_gzip(header: str | None) -> bool:
    """True when Accept-Encoding allows gzip (explicitly or by "*") with q > 0."""
    for part in (header or "").split(","):
        token, *params = [p.strip() for p in part.split(";")]
        if token.lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            return True
    return False


def _etag_matches(header: str, etag: str) -> bool:
    candidates = [c.strip() for c in header.split(",")]
    weak_free = etag.removeprefix("W/")
    return "*" in candidates or any(c.removeprefix("W/") == weak_free for c in candidates)


def _not_modified_since(header: str, mtime: int) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None:
        return False
    return mtime <= int(since.timestamp())


def _make_handler(root: Path, content_types: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "aigcwatch-localserver"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            pass  # quiet: no request log on stderr

        def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
            self._serve(send_body=False)

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            self._serve(send_body=True)

        def _resolve(self) -> tuple[str, Path] | None:
            rel = unquote(urlsplit(self.path).path).lstrip("/")
            if not rel:
                return None
            path = (root / rel).resolve()
            if not path.is_relative_to(root) or not path.is_file():
                return None
            return path.relative_to(root).as_posix(), path

        def _serve(self, *, send_body: bool) -> None:
            found = self._resolve()
            if found is None:
                self._send(404, b"not found\n", {"Content-Type": "text/plain; charset=utf-8"}, send_body)
                return
            name, path = found
            body = path.read_bytes()
            mtime = int(path.stat().st_mtime)
            headers = {
                "Content-Type": content_types.get(name) or default_content_type(name),
                "ETag": etag_for(body),
                "Last-Modified": formatdate(mtime, usegmt=True),
                "Vary": "Accept-Encoding",
            }
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if inm is not None:
                not_modified = _etag_matches(inm, headers["ETag"])
            else:
                not_modified = ims is not None and _not_modified_since(ims, mtime)
            if not_modified:
                headers.pop("Content-Type")
                self._send(304, b"", headers, send_body=False)
                return
            if _accepts_gzip(self.headers.get("Accept-Encoding")):
                body = gzip.compress(body, mtime=0)
                headers["Content-Encoding"] = "gzip"
            self._send(200, body, headers, send_body)

        def _send(self, status: int, body: bytes, headers: dict[str, str], send_body: bool) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body and body:
                self.wfile.write(body)

    return Handler


@contextmanager
def serve_directory(directory: Path, *, content_types: dict[str, str] | None = None,
                    host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `directory` on host:port (0 = a free port) in a daemon thread.

    Yields the base URL without a trailing slash, e.g. "http://127.0.0.1:50123"; a file
    `directory/a.xml` is at f"{base}/a.xml". `content_types` maps file names (relative,
    "/"-separated) to the Content-Type header to send; others get a type from their suffix.
    The server is shut down when the block exits.
    """
    root = Path(directory).resolve()
    with serve_handler(_make_handler(root, dict(content_types or {})), host=host, port=port) as base:
        yield base


@contextmanager
def serve_handler(handler, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve an HTTP request handler class on host:port (0 = a free port) in a daemon thread;
    yields the base URL without a trailing slash and shuts the server down on exit."""
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"aigcwatch-localserver-{server.server_address[1]}", daemon=True)
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    try:
        yield f"http://{shown}:{bound_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
