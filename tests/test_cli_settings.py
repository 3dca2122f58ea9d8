"""`aigcwatch settings` and setting-backed options as a first-time user meets them: real files, CliRunner."""
from __future__ import annotations

from click.testing import CliRunner

from aigcwatch.cli import main
from aigcwatch.config import default_sources_path


def _rows(output: str, column: int = 1) -> dict[str, str]:
    """variable -> its cell in `column` (1: value, 2: default), folded lines joined."""
    rows: dict[str, str] = {}
    last = None
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) != 4:
            continue
        if cells[0]:
            last = cells[0]
            rows[last] = cells[column]
        elif last:
            rows[last] += cells[column]
    return rows


def test_settings_shows_where_the_database_data_and_sources_are_when_no_variable_is_set(tmp_path, monkeypatch):
    # Before: AIGCWATCH_DATABASE_URL, AIGCWATCH_HOME (unset) and AIGCWATCH_SOURCES had empty value
    # and default cells: a new user could not tell where `aigcwatch ingest` had stored anything.
    for env in ("AIGCWATCH_DATABASE_URL", "AIGCWATCH_SOURCES", "AIGCWATCH_EVENTS", "XDG_DATA_HOME"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("AIGCWATCH_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(main, ["settings"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.output)
    assert rows["AIGCWATCH_DATABASE_URL"] == f"sqlite:///{tmp_path / 'home' / 'aigcwatch.db'}", result.output
    assert rows["AIGCWATCH_HOME"] == str(tmp_path / "home")
    assert rows["AIGCWATCH_SOURCES"] == str(default_sources_path())
    assert rows["AIGCWATCH_EVENTS"] == str(default_sources_path().with_name("events.toml"))
    assert not (tmp_path / "home").exists()          # listing settings creates nothing
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    defaults = _rows(CliRunner().invoke(main, ["settings"]).output, column=2)
    assert defaults["AIGCWATCH_HOME"] == str(tmp_path / "xdg" / "aigcwatch")   # where it is when unset


def test_settings_without_aigcwatch_home_shows_the_xdg_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("AIGCWATCH_HOME", raising=False)
    monkeypatch.delenv("AIGCWATCH_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    rows = _rows(CliRunner().invoke(main, ["settings"]).output)
    assert rows["AIGCWATCH_HOME"] == str(tmp_path / "xdg" / "aigcwatch")
    assert rows["AIGCWATCH_DATABASE_URL"] == f"sqlite:///{tmp_path / 'xdg' / 'aigcwatch' / 'aigcwatch.db'}"


def test_a_bad_workers_variable_is_named_as_the_variable_not_the_option(tmp_path, monkeypatch):
    # Before: `AIGCWATCH_WORKERS=two aigcwatch retag` said "error: --workers: ...", an option the
    # user never typed.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("AIGCWATCH_WORKERS", "two")
    from_env = CliRunner().invoke(main, ["retag"])
    assert from_env.exit_code == 2, from_env.output
    assert from_env.output.strip().startswith("error: AIGCWATCH_WORKERS: "), from_env.output
    assert "'two'" in from_env.output
    typed = CliRunner().invoke(main, ["retag", "--workers", "three"])
    assert typed.exit_code == 2 and typed.output.strip().startswith("error: --workers: "), typed.output
    assert not (tmp_path / "w.db").exists()


def test_help_of_the_database_and_sources_options_names_the_files_used_when_unset(tmp_path, monkeypatch):
    # Before: "--database-url TEXT  SQLAlchemy URL (default: SQLite file).  [env var: ...]": which
    # file, the help did not say.
    def bare(text: str) -> str:        # click breaks a long path anywhere: compare without spaces
        return "".join(text.split())

    for env in ("AIGCWATCH_DATABASE_URL", "AIGCWATCH_SOURCES"):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("AIGCWATCH_HOME", str(tmp_path / "home"))
    for path in (["ingest"], ["retag"], ["digest"], ["export", "items"]):
        shown = CliRunner().invoke(main, [*path, "--help"]).output
        assert bare(f"AIGCWATCH_DATABASE_URL; default: sqlite:///{tmp_path / 'home' / 'aigcwatch.db'}]") in bare(shown), \
            (path, shown)
    shown = CliRunner().invoke(main, ["sources", "check", "--help"]).output
    assert bare(f"AIGCWATCH_SOURCES; default: {default_sources_path()}]") in bare(shown), shown
    assert not (tmp_path / "home").exists()
