"""Offline demo through the real path: generated feeds on a loopback HTTP server -> the same
fetch/parse/store code as production -> a fresh SQLite file -> summary (and the dashboard)."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path


def demo_db_url(explicit: str | None) -> str:
    """The explicit URL, else a FRESH demo.db beside the default database. Never
    AIGCWATCH_DATABASE_URL: that is the analyst's own archive, and the demo's stories are made up."""
    from db.engine import database_url, default_db_path

    if explicit:
        return database_url(explicit)
    path = default_db_path().with_name("demo.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def run_demo(*, database_url: str | None, dashboard: bool, port: int,
             report: Callable, echo: Callable[[str], None]) -> int:
    """Ingest the demo feeds and the demo social APIs twice (the second run finds only what is
    new), print each run's summary and what the social side adds, then open the dashboard."""
    from aigcwatch.apiserver import serve_social
    from aigcwatch.config import load_sources
    from aigcwatch.demo_data import build_demo_feeds, demo_sources_toml
    from aigcwatch.demo_social import (DemoSocial, social_report, social_sources_toml,
                                       write_social_files)
    from aigcwatch.localserver import serve_directory
    from aigcwatch.serve import DEFAULT_HOST, check_port, dashboard_app, prepare_dashboard, serve_dashboard
    from db import engine as dbe

    if dashboard and dashboard_app() is not None:
        check_port(DEFAULT_HOST, port)   # before the ingest, not after it
    url = demo_db_url(database_url)
    with tempfile.TemporaryDirectory(prefix="aigcwatch-demo-") as tmp:
        feed_dir = Path(tmp) / "feeds"
        feed_dir.mkdir()
        feeds = build_demo_feeds(feed_dir)
        types = {f.filename: f.content_type for f in feeds}
        types.update(write_social_files(feed_dir))
        with serve_directory(feed_dir, content_types=types) as base_url:
            social = DemoSocial(base_url)
            # the first Reddit request is told to wait a second: the run honours Retry-After
            social.api.fail_next("/reddit/", 429, '{"message": "Too Many Requests", "error": 429}',
                                 {"Retry-After": "1", "Content-Type": "application/json"})
            with serve_social(social.api) as api_url:
                toml_path = Path(tmp) / "demo-sources.toml"
                toml_path.write_text(demo_sources_toml(feeds, base_url) + "\n"
                                     + social_sources_toml(api_url, base_url), encoding="utf-8")
                sources = load_sources(toml_path)
                echo(f"demo: {len(feeds)} generated feeds, article pages and edited copies (demo data, "
                     f"not real news) served at {base_url}; social APIs (HN, Reddit, Mastodon, "
                     f"Bluesky shapes, demo posts) at {api_url}")
                echo(f"demo: database {dbe.safe_url(url)}")
                engine = dbe.ensure_schema(url)
                sf = dbe.session_factory(engine)
                report(sf, sources)
                social.advance()
                echo("demo: second run: the APIs now hold a few newer posts and higher counts; "
                     "feeds are unchanged (304)")
                code = report(sf, sources)
                with sf() as session:
                    for line in social_report(session):
                        echo(line)
                engine.dispose()
    from ingest import offload

    offload.shutdown()      # the ingest is over: no idle workers beside the dashboard
    if not dashboard:
        return code
    if dashboard_app() is None:
        echo("demo: the dashboard is not part of this version yet; the summary above is the demo's output.")
        return code
    prepare_dashboard(url, host=DEFAULT_HOST, port=port)
    echo(f"demo: opening the dashboard on http://{DEFAULT_HOST}:{port} (Ctrl+C to stop)")
    return serve_dashboard(url, host=DEFAULT_HOST, port=port)
