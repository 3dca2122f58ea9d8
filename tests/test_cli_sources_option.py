"""`--source ID` (a source to fetch, or a digest's focus) and the sources file, one letter apart:
the file is `--sources-file FILE` on every command that reads it (ingest, sources list|check,
schedule); the old `--sources` still reads a file, with a one-line warning, and refuses anything
else pointing to `--source`. Through the real command group, on a real SQLite path and a loopback
feed."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from aigcwatch.cli import main
from tests.support.scripted_server import Reply, scripted_server
from tests.test_cli_ingest import sources_file
from tests.test_pipeline import ZH_NEWS

FILE_COMMANDS = [("ingest",), ("sources", "list"), ("sources", "check"), ("schedule",)]
# every command with a --source option (a source to fetch, or the focus of what is counted)
SOURCE_COMMANDS = [("ingest",), ("sources", "check"), ("schedule",), ("digest",), ("alerts",),
                   ("export", "trends"), ("export", "items")]


def _run(args, tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    monkeypatch.delenv("AIGCWATCH_SOURCES", raising=False)
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_a_source_id_given_to_sources_is_one_line_pointing_to_source(tmp_path, monkeypatch, command):
    # Before: "error: kr36: cannot read sources file (No such file or directory)" from ingest and
    # sources, and nothing at all from a scheduler with its ingest off: it took the file as unused
    # and went on to send the unfocused digest.
    extra = ["--every", "off", "--digest-at", "08:30"] if command == ("schedule",) else []
    result = _run([*command, *extra, "--sources", "kr36"], tmp_path, monkeypatch)
    assert result.exit_code == 2, result.output
    assert result.output == ("error: --sources: 'kr36' is not a file (a source is picked with --source kr36; "
                             "the sources file is --sources-file FILE)\n"), result.output
    assert not (tmp_path / "never.db").exists()


def test_the_old_sources_name_still_reads_a_file_with_a_one_line_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_TIMEOUT", "5")
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        p = sources_file(tmp_path, srv, ["good"])
        old = _run(["ingest", "--sources", str(p)], tmp_path, monkeypatch)
        listed = _run(["sources", "list", "--sources", str(p)], tmp_path, monkeypatch)
        new = _run(["ingest", "--sources-file", str(p)], tmp_path, monkeypatch)
    warning = "warning: --sources is now --sources-file (the sources file); --source ID picks a source\n"
    assert old.exit_code == 0 and old.stderr.startswith(warning), old.output
    assert "✓ good: 3 entries, 1 new" in old.output
    assert listed.exit_code == 0 and listed.stderr == warning and "1 source, 1 enabled" in listed.stdout
    assert new.exit_code == 0 and "warning" not in new.stderr and "0 new, 0 updated, 1 duplicate" in new.output


def test_both_names_of_the_sources_file_at_once_is_one_line(tmp_path, monkeypatch):
    p = tmp_path / "a.toml"
    p.write_text('[[source]]\nid = "a"\nurl = "https://example.org/a.xml"\n', encoding="utf-8")
    result = _run(["sources", "list", "--sources-file", str(p), "--sources", str(p)], tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert result.output == "error: --sources is the old name of --sources-file: give --sources-file alone\n"


@pytest.mark.parametrize("command", FILE_COMMANDS)
def test_help_shows_the_sources_file_option_apart_from_source(command):
    shown = CliRunner().invoke(main, [*command, "--help"]).output
    assert "--sources-file FILE" in shown and "Sources TOML file" in shown
    assert "--sources " not in shown and "--sources\n" not in shown       # the old name is hidden


@pytest.mark.parametrize("command", SOURCE_COMMANDS)
def test_no_command_has_an_option_one_letter_from_source_but_the_sources_file(command):
    cmd = main
    for name in command:
        cmd = cmd.commands[name]
    names = {o for p in cmd.params for o in p.opts if not getattr(p, "hidden", False)}
    near = {o for o in names if o != "--source" and o.startswith("--source")}
    assert "--source" in names and near <= {"--sources-file"}, sorted(names)


def test_the_schedulers_source_says_it_focuses_the_digest_not_the_ingest():
    # `ingest --source kr36` fetches kr36 alone; `schedule --source kr36` ingests every source and
    # counts the digest within kr36: its --help says so.
    shown = " ".join(CliRunner().invoke(main, ["schedule", "--help"]).output.split())
    assert "--source TEXT Focus: the digest (and --alerts) count within these source ids; every " \
           "enabled source is still ingested." in shown, shown
