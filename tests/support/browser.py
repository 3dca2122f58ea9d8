"""Headless Chromium for the browser tests (the dashboard, the digest's HTML): where it is, how it
is started, and the rule when it is missing: skip with the reason, or fail under CI=true (CI
installs it, so a missing browser there is a broken setup, not a reason to skip)."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("AIGCWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-default-apps", "--disable-sync", "--no-first-run",
                 "--no-default-browser-check", "--mute-audio"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_browser() -> None:
    """Skip (fail under CI=true) unless Chromium and the playwright wheel are there."""
    problem = None
    if not Path(CHROMIUM).is_file():
        problem = f"no Chromium at {CHROMIUM} (apt-get install -y chromium; .ci/run does it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright wheel is not installed (pip install -e '.[dev]')"
    if problem:
        if in_ci():
            pytest.fail(f"CI=true: the browser test must run, but {problem}")
        pytest.skip(problem)


@contextmanager
def pages_at(path: Path, widths: Iterable[int], height: int = 900) -> Iterator[Iterator]:
    """A local HTML file opened in headless Chromium once per viewport width (skipped, or failed
    under CI=true, without a browser): `with pages_at(f, (375, 1000)) as pages: for width, page in
    pages: ...`. Each page is closed when the loop moves on, the browser when the block ends."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def pages():
            for width in widths:
                page = browser.new_page(viewport={"width": width, "height": height})
                try:
                    page.goto(Path(path).as_uri())
                    yield width, page
                finally:
                    page.close()
        try:
            yield pages()
        finally:
            browser.close()
