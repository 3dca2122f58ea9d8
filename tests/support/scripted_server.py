"""A loopback HTTP server whose answers each test scripts.

Usage::

    from tests.support.scripted_server import Reply, scripted_server

    with scripted_server() as srv:
        srv.route("/feed", Reply(500), Reply(200, body=b"<rss/>", content_type="application/rss+xml"))
        srv.serve_dir("/files/", tests_data_dir)      # GET /files/a.xml -> tests_data_dir/a.xml
        url = srv.url("/feed")
        ...                                           # the first GET gets 500, every later one 200
        assert srv.requests("/feed")[0].header("user-agent").startswith("aigcwatch/")

As a pytest fixture::

    @pytest.fixture
    def srv():
        with scripted_server() as s:
            yield s

Behaviour:

- The server is a ``ThreadingHTTPServer`` on 127.0.0.1, port 0 (a free port), serving in a daemon
  thread; it speaks HTTP/1.1 with keep-alive and is shut down when the ``with`` block ends.
- ``route(path, *replies)`` scripts a path (the query string is ignored for matching): replies are
  consumed in order and the last one repeats. Routing a path again replaces its script.
- ``serve_dir(prefix, directory)`` serves files under ``directory`` for paths starting with
  ``prefix``, with ETag / Last-Modified and 304 on a matching If-None-Match or If-Modified-Since,
  so conditional GET works end to end. Scripted routes win over directories.
- Anything else gets 404 with a short text body.
- Every request is recorded per path (``requests(path)``, ``all_requests()``); the highest number of
  requests handled at the same time is ``max_concurrent`` (``reset_stats()`` clears both).
- A ``Reply`` can wait before answering (``delay_s``, for timeouts and concurrency), gzip its body,
  send it chunked (no Content-Length), lie about Content-Length, or drop the connection without
  answering (``drop=True``, the client sees a reset / remote-protocol error).
"""
from __future__ import annotations

import contextlib
import email.utils
import gzip as gzip_lib
import mimetypes
import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["Reply", "RecordedRequest", "ScriptedServer", "scripted_server", "refused_url"]

_CHUNK = 16 * 1024

mimetypes.add_type("application/rss+xml", ".rss")
mimetypes.add_type("application/atom+xml", ".atom")


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``body`` may be ``str`` (sent as UTF-8). ``headers`` are sent as given, after ``content_type``.
    ``content_length``: None = the true length (or none at all when ``chunked``); an int is sent
    as is, even when it is wrong.
    """

    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None
    delay_s: float = 0.0
    gzip: bool = False
    chunked: bool = False
    content_length: int | None = None
    drop: bool = False

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str                   # as sent, with the query string
    headers: dict[str, str]     # keys lower-cased
    at: float                   # time.monotonic() when it arrived

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class ScriptedServer:
    """The object ``scripted_server()`` yields. Thread-safe."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, list[Reply]] = {}
        self._dirs: list[tuple[str, Path]] = []
        self._requests: list[RecordedRequest] = []
        self._active = 0
        self.max_concurrent = 0
        self._httpd = ThreadingHTTPServer((host, 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.host = host
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="scripted-server",
                                        kwargs={"poll_interval": 0.01}, daemon=True)

    # -- scripting -------------------------------------------------------------------------
    def url(self, path: str = "/") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{self.host}:{self.port}{path}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def route(self, path: str, *replies: Reply) -> ScriptedServer:
        if not replies:
            raise ValueError("route() needs at least one Reply")
        with self._lock:
            self._routes[path] = list(replies)
        return self

    def serve_dir(self, prefix: str, directory: str | os.PathLike[str]) -> ScriptedServer:
        root = Path(directory).resolve()
        if not root.is_dir():
            raise ValueError(f"not a directory: {root}")
        with self._lock:
            self._dirs.append((prefix if prefix.endswith("/") else prefix + "/", root))
        return self

    # -- inspection ------------------------------------------------------------------------
    def requests(self, path: str) -> list[RecordedRequest]:
        """Requests whose path (without query string) is ``path``, in arrival order."""
        with self._lock:
            return [r for r in self._requests if urlsplit(r.path).path == path]

    def all_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def reset_stats(self) -> None:
        with self._lock:
            self._requests.clear()
            self.max_concurrent = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=2)

    # -- used by the handler ---------------------------------------------------------------
    def _enter(self, req: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(req)
            self._active += 1
            self.max_concurrent = max(self.max_concurrent, self._active)

    def _leave(self) -> None:
        with self._lock:
            self._active -= 1

    def _next_reply(self, path: str) -> Reply | None:
        with self._lock:
            script = self._routes.get(path)
            if not script:
                return None
            return script.pop(0) if len(script) > 1 else script[0]

    def _find_file(self, path: str) -> Path | None:
        with self._lock:
            dirs = list(self._dirs)
        for prefix, root in dirs:
            if path.startswith(prefix):
                candidate = (root / unquote(path[len(prefix):])).resolve()
                if candidate.is_file() and candidate.is_relative_to(root):
                    return candidate
        return None


def _file_reply(path: Path, request_headers: Mapping[str, str]) -> Reply:
    st = path.stat()
    etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
    last_modified = email.utils.formatdate(int(st.st_mtime), usegmt=True)
    headers = {"ETag": etag, "Last-Modified": last_modified}
    inm = request_headers.get("if-none-match")
    ims = request_headers.get("if-modified-since")
    if (inm is not None and etag in [t.strip() for t in inm.split(",")]) or \
            (inm is None and ims is not None and _not_modified_since(ims, st.st_mtime)):
        return Reply(304, headers=headers)
    ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Reply(200, body=path.read_bytes(), headers=headers, content_type=ctype)


def _not_modified_since(ims: str, mtime: float) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    return int(mtime) <= since.timestamp()


def _make_handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10   # idle keep-alive connections do not hold a thread for ever
        disable_nagle_algorithm = True   # headers and body go out at once (no 40 ms stalls)

        def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
            self._handle(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._handle(send_body=False)

        def _handle(self, *, send_body: bool) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            server._enter(RecordedRequest(self.command, self.path, headers, time.monotonic()))
            try:
                path = urlsplit(self.path).path
                reply = server._next_reply(path)
                if reply is None:
                    found = server._find_file(path)
                    reply = _file_reply(found, headers) if found else Reply(
                        404, body=f"no route for {path}\n", content_type="text/plain")
                self._send(reply, send_body=send_body)
            finally:
                server._leave()

        def _send(self, reply: Reply, *, send_body: bool) -> None:
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.drop:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            body = reply.body_bytes()
            if reply.gzip:
                body = gzip_lib.compress(body)
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            if reply.gzip:
                self.send_header("Content-Encoding", "gzip")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            no_body = reply.status in (204, 304) or 100 <= reply.status < 200
            if reply.chunked and not no_body:
                self.send_header("Transfer-Encoding", "chunked")
            elif reply.content_length is not None:
                self.send_header("Content-Length", str(reply.content_length))
            elif not no_body:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not send_body or no_body:
                return
            if reply.chunked:
                for i in range(0, len(body), _CHUNK):
                    part = body[i:i + _CHUNK]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(body)
            if reply.content_length is not None and reply.content_length != len(body):
                self.close_connection = True

        def handle_one_request(self) -> None:
            # A client that gave up (timeout test) makes our late write fail: not a test failure.
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@contextlib.contextmanager
def scripted_server(host: str = "127.0.0.1") -> Iterator[ScriptedServer]:
    """Start a ScriptedServer for the duration of the ``with`` block."""
    srv = ScriptedServer(host)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def refused_url(path: str = "/") -> str:
    """A loopback URL nothing listens on (connecting to it is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
