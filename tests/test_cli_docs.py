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
    result = CliRunner().invoke(main, ["sources", "list", "--sources", str(p)])
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
