"""Command options backed by a setting (an environment variable), declared by one helper.

`setting_option("--tz", setting="timezone", help=...)` takes the variable and the default from
`aigcwatch.config.SETTINGS`, so an option and `aigcwatch settings` never disagree. Its `--help`
entry names the variable and, when the variable is set, the value in force
(`[now: Europe/Paris from AIGCWATCH_TIMEZONE; default: Asia/Shanghai]`; a file's default is the
file used, e.g. the SQLite database in the data directory): click's own
`[default: ...]` showed the built-in default even while the variable put another value in force.
"""
from __future__ import annotations

import functools

import click

from aigcwatch.config import SETTINGS, derived_default


def _shown(name: str, value: str) -> str:
    """A setting's value as --help may print it: a database URL without its password, a secret masked."""
    if name == "database_url":
        from db.engine import safe_url

        return safe_url(value)
    if any(s.name == name and s.secret for s in SETTINGS):
        return "********"
    return value


class SettingOption(click.Option):
    """A click option read from its setting's variable when not given; see the module docstring."""

    def __init__(self, *args, setting: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.setting = setting

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)       # show_default is off: the brackets are ours
        if record is None:
            return None
        spec, text = record
        env = self.envvar if isinstance(self.envvar, str) else self.envvar[0]
        value = self.resolve_envvar_value(ctx)       # None when unset or empty, as click reads it
        extra = [f"now: {_shown(self.setting, value)} from {env}" if value else f"env var: {env}"]
        default = self.default if self.default is not None else derived_default(self.setting)
        if default is not None:           # a file's setting: the file used when the variable is unset
            extra.append(f"default: {default}")
        return spec, f"{text}  [{'; '.join(extra)}]" if text else f"[{'; '.join(extra)}]"


def setting_option(*decls: str, setting: str, **kwargs):
    """`click.option` for an option backed by the setting named `setting` (its variable and default)."""
    s = next(x for x in SETTINGS if x.name == setting)
    return click.option(*decls, cls=SettingOption, setting=setting, envvar=s.env, default=s.default,
                        show_default=False, **kwargs)


def given_as(option: str) -> str:
    """How the user gave an option's value, for an error about it: the environment variable when it
    was read from there (a bad AIGCWATCH_TIMEZONE in a cron job was reported as a bad --tz), else the
    option. `option` is the option ("--tz") or its parameter's name ("tz")."""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return option
    for param in ctx.command.params:
        if option in getattr(param, "opts", ()) or option == param.name:
            if param.envvar and ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT:
                return param.envvar if isinstance(param.envvar, str) else param.envvar[0]
            return param.opts[-1]
    return option


OLD_SOURCES = "--sources"


def _old_sources_file(value: str) -> str:
    """The old `--sources FILE`'s value, read as before when it is a file (with a one-line warning);
    anything else is refused, pointing to `--source`: one letter apart, `--sources kr36` was read as
    a file named kr36 (or, by a scheduler with its ingest off, not read at all)."""
    from pathlib import Path

    from aigcwatch.consoles import err_console
    from aigcwatch.errors import InputError

    if click.get_current_context().get_parameter_source("sources_file") is click.core.ParameterSource.COMMANDLINE:
        raise InputError(f"{OLD_SOURCES} is the old name of --sources-file: give --sources-file alone")
    if not Path(value).is_file():
        raise InputError(f"{OLD_SOURCES}: {value!r} is not a file (a source is picked with --source {value}; "
                         "the sources file is --sources-file FILE)")
    err_console.print(f"warning: {OLD_SOURCES} is now --sources-file (the sources file); --source ID picks a source",
                      markup=False, highlight=False, soft_wrap=True)
    return value


def sources_file_option(f):
    """`--sources-file FILE` (AIGCWATCH_SOURCES) as the command's `sources_file`, and its old name
    `--sources`, hidden from --help and read by `_old_sources_file`."""
    @functools.wraps(f)
    def command(*args, old_sources_file: str | None = None, **kwargs):
        if old_sources_file is not None:
            kwargs["sources_file"] = _old_sources_file(old_sources_file)
        return f(*args, **kwargs)

    command = click.option(OLD_SOURCES, "old_sources_file", hidden=True, metavar="FILE")(command)
    return setting_option("--sources-file", "sources_file", setting="sources", metavar="FILE",
                          help="Sources TOML file (default: the shipped list).")(command)
