"""One error tree. Library code raises these; the CLI turns them into one-line messages and exit codes."""
from __future__ import annotations


class AigcwatchError(Exception):
    """Root of every error aigcwatch raises on purpose."""

    exit_code = 1

    def one_line(self) -> str:
        return " ".join(str(self).split())


class ConfigError(AigcwatchError):
    """Bad configuration: names the file, the source and the field."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, source: str | None = None,
                 field: str | None = None) -> None:
        where = []
        if file:
            where.append(str(file))
        if source:
            where.append(f"source {source!r}")
        if field:
            where.append(f"field {field!r}")
        prefix = ": ".join([", ".join(where)]) if where else ""
        super().__init__(f"{prefix}: {message}" if prefix else message)
        self.file, self.source, self.field = file, source, field


class DatabaseError(AigcwatchError):
    """Database unreachable or unusable: names the URL without its password and the reason."""

    exit_code = 3

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"database {url}: {reason}")
        self.url, self.reason = url, reason


class SourceError(AigcwatchError):
    """A problem with one source (fetch or parse); carries the source id and the failure class."""

    def __init__(self, source_id: str, message: str, error_class=None) -> None:
        super().__init__(f"source {source_id!r}: {message}")
        self.source_id, self.error_class = source_id, error_class


class InputError(AigcwatchError):
    """Bad input file (JSONL for tag/eval): names the file and line."""

    exit_code = 2
