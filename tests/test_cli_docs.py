"""Every command has --help, and the README documents every command and setting."""
from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from aigcwatch.cli import main
from aigcwatch.config import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))


COMMANDS = list(_commands(main))


@pytest.mark.parametrize("path, cmd", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help(path, cmd):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert cmd.help and len(cmd.help.strip()) > 15


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_readme_documents_every_command(path):
    assert f"aigcwatch {path[0]}" in README


@pytest.mark.parametrize("env", [s.env for s in SETTINGS])
def test_readme_documents_every_setting(env):
    assert env in README


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    blocks = [b.split("```", 1)[0].strip() for b in README.split("```sh\n")[1:3]]
    assert "aigcwatch demo" in blocks[0]
    assert "pytest" in blocks[1] and blocks[1] in ci


def test_bad_sources_file_is_one_line_and_exit_code_2(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('[[source]]\nid = "a"\nurl = "gopher://x"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "list", "--sources-file", str(p)])
    assert result.exit_code == 2
    assert "field 'url'" in result.output or "field 'url'" in (result.stderr if result.stderr_bytes else "")


def test_unreachable_database_exits_3_naming_url_without_password(monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", "postgresql://analyst:s3cret@127.0.0.1:1/aigcwatch")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 3
    out = result.output
    assert "s3cret" not in out and "analyst:***@127.0.0.1:1/aigcwatch" in out
    assert "cannot connect" in out and len(out.strip().splitlines()) == 1


def test_tag_command_keeps_good_lines_and_names_the_bad_one():
    lines = ('{"id": "a", "title": "Runway Gen-4 adds camera controls", "text": "Runway released Gen-4."}\n'
             "{broken\n"
             '{"id": "b", "title": "可灵2.1上线", "text": "快手可灵视频生成模型发布2.1版本。"}\n')
    result = CliRunner().invoke(main, ["tag"], input=lines)
    assert result.exit_code == 2
    assert '"id": "a"' in result.output and '"id": "b"' in result.output and "line 2" in result.output


def test_tag_command_names_the_input_file_of_a_bad_line(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_bytes('{"id": "a", "title": "Runway Gen-4 adds camera controls", "text": "Runway released Gen-4."}\n'
                     '{"id": "b", "title": "可灵2.1上线", "text": "快手可灵视频生成模型发布2.1版本。"}\n'
                     .encode("utf-8") + '{"id": "c", "title": "即梦"}\n'.encode("gbk"))
    result = CliRunner().invoke(main, ["tag", "--input", str(path)])
    assert result.exit_code == 2
    assert '"id": "a"' in result.output and '"id": "b"' in result.output
    assert f"error: {path}, line 3: not UTF-8" in result.output


def test_tag_command_with_a_broken_alias_file_is_one_error_not_one_per_line(tmp_path, monkeypatch):
    (tmp_path / "aliases.toml").write_text("not = toml = x\n", encoding="utf-8")
    monkeypatch.setenv("AIGCWATCH_ALIASES", str(tmp_path / "aliases.toml"))
    lines = '{"id": "a", "title": "Sora 2", "text": "AI video"}\n' * 3
    result = CliRunner().invoke(main, ["tag"], input=lines)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {tmp_path / 'aliases.toml'}: invalid TOML: "
                                                  "Invalid value (at line 1, column 7)"]


ENV_OPTIONS = [(path, p) for path, cmd in COMMANDS for p in cmd.params
               if isinstance(p, click.Option) and p.envvar]


def _help_of(path, option: str) -> str:
    """The --help entry of `option` (as `--help` prints it, before click wraps it)."""
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    cmd = main
    for name in path:
        cmd = cmd.commands[name]
    param = next(p for p in cmd.params if option in p.opts)
    entry = " ".join(param.get_help_record(click.Context(cmd)))
    assert " ".join(entry.split()) in " ".join(result.output.split())
    return entry


def test_env_backed_options_are_declared_by_one_helper():
    from aigcwatch.options import SettingOption

    assert {" ".join(path) for path, _ in ENV_OPTIONS} >= {"digest", "schedule", "ingest", "retag",
                                                          "export trends", "export items"}
    assert [(path, p.name) for path, p in ENV_OPTIONS if not isinstance(p, SettingOption)] == []


@pytest.mark.parametrize("path, option, env, value, builtin", [
    (("digest",), "--tz", "AIGCWATCH_TIMEZONE", "Europe/Paris", "Asia/Shanghai"),
    (("export", "trends"), "--tz", "AIGCWATCH_TIMEZONE", "Europe/Paris", "Asia/Shanghai"),
    (("schedule",), "--every", "AIGCWATCH_INGEST_EVERY", "2h", "30m"),
    (("schedule",), "--digest-at", "AIGCWATCH_DIGEST_AT", "07:15", "08:30"),
    (("schedule",), "--period", "AIGCWATCH_DIGEST_PERIOD", "week", "day"),
    (("ingest",), "--workers", "AIGCWATCH_WORKERS", "3", "auto"),
    (("retag",), "--workers", "AIGCWATCH_WORKERS", "3", "auto"),
    (("digest",), "--lang", "AIGCWATCH_DIGEST_LANG", "zh", "both"),
])
def test_help_shows_the_value_an_environment_variable_puts_in_force(monkeypatch, path, option, env, value,
                                                                     builtin):
    # Before: `AIGCWATCH_TIMEZONE=Europe/Paris aigcwatch digest --help` said "[default: Asia/Shanghai]",
    # while the command ran in Europe/Paris.
    monkeypatch.delenv(env, raising=False)
    assert f"default: {builtin}" in _help_of(path, option) and env in _help_of(path, option)
    monkeypatch.setenv(env, value)
    shown = _help_of(path, option)
    assert f"now: {value} from {env}" in shown and f"default: {builtin}" in shown, shown


def test_help_names_the_variable_of_an_option_without_a_default_and_hides_a_password(monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", "postgresql://me:s3cret@db.example/aigc")
    shown = _help_of(("digest",), "--database-url")
    assert "now: postgresql://me:***@db.example/aigc from AIGCWATCH_DATABASE_URL" in shown
    assert "s3cret" not in CliRunner().invoke(main, ["digest", "--help"]).output
    monkeypatch.delenv("AIGCWATCH_SOURCES", raising=False)
    assert "env var: AIGCWATCH_SOURCES" in _help_of(("ingest",), "--sources-file")
