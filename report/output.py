"""Where an export goes: the format from --format / -o, and writing it to a file (under a partial
name until complete, with its method sidecar for CSV) or to stdout (`-o -` for xlsx and Parquet,
through a temporary file).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from aigcwatch.errors import InputError


def check_output(path: str | None, option: str) -> None:
    """An output file can be written where it is named: its folder exists. Checked before the database is read, so a typo costs no long query (a traceback, before)."""
    if path is None:
        return
    try:
        if Path(path).is_dir():         # here, not by click.Path: one line, not a usage error
            raise InputError(f"{option} {path}: is a folder, not a file")
        if Path(path).exists() and not os.access(path, os.W_OK):
            raise InputError(f"{option} {path}: file is not writable")
        parent = Path(path).parent      # "." for a bare file name
        if not parent.is_dir():
            raise InputError(f"{option} {path}: folder {parent} does not exist")
        with tempfile.TemporaryFile(dir=parent):   # it takes new files (not /proc, a read-only mount)
            pass
    except OSError as e:                # a name the file system refuses (too long, ...)
        raise cannot_write(option, path, e) from None


def cannot_write(option: str, path: str, error: OSError) -> InputError:
    """The one-line error for an output file the system would not create or write (the reason
    without the file name: the partial name written first is not the one the user gave)."""
    reason = error.strerror or (os.strerror(error.errno) if error.errno else None) or str(error)
    return InputError(f"{option} {path}: cannot write it ({' '.join(reason.split())})")


def output_format(fmt: str | None, output: str | None) -> tuple[str, str | None]:
    """The format and the file to write (None: stdout, which `-o -` also names, as in most tools).
    A binary format goes to stdout only when asked with `-o -`, and never to a terminal."""
    to_stdout = output in (None, "-")
    if fmt is None:
        suffix = Path(output).suffix.lower().lstrip(".") if not to_stdout else ""
        fmt = {"csv": "csv", "xlsx": "xlsx", "parquet": "parquet", "pq": "parquet",
               "json": "json"}.get(suffix, "csv")
    if fmt in ("xlsx", "parquet") and output is None:
        raise InputError(f"--format {fmt} is binary: give -o FILE (or -o - to write it to stdout)")
    if fmt in ("xlsx", "parquet") and to_stdout and _stdout_is_terminal():
        raise InputError(f"--format {fmt} is binary: not written to a terminal (redirect stdout "
                         "to a file or a pipe, or give -o FILE)")
    if to_stdout:
        return fmt, None
    check_output(output, "-o")
    return fmt, output


def _stdout_is_terminal() -> bool:
    import sys

    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def method_path(output: str) -> Path:
    return Path(output).with_suffix(".method.json")


def write_export(fmt: str, output: str | None, columns, rows, meta: dict, *, expected: int) -> int:
    """Write the export to `output` (stdout when None). A file is written beside it under a
    partial name and takes its name only when complete: an export that fails part-way leaves no
    truncated file, and an earlier file of that name as it was."""
    if output is None:
        return _write_export(fmt, None, columns, rows, meta, expected=expected)
    final = Path(output)
    partial = final.with_name(f"{final.stem}.partial{final.suffix}")
    try:
        n = _write_export(fmt, str(partial), columns, rows, meta, expected=expected)
        partial.replace(final)
        if fmt == "csv":
            from report import formats

            method_path(output).write_text(
                json.dumps(meta, ensure_ascii=False, indent=2, default=formats.json_default) + "\n",
                encoding="utf-8")
    except OSError as e:    # the folder takes no new file (/proc, read-only), the disk is full ...
        raise cannot_write("-o", output, e) from None
    finally:
        try:
            partial.unlink(missing_ok=True)
        except OSError:     # it could not be made either
            pass
    return n


def _write_export(fmt: str, output: str | None, columns, rows, meta: dict, *, expected: int) -> int:
    from report import formats

    if fmt in ("xlsx", "parquet") and output is None:
        return _binary_to_stdout(fmt, columns, rows, meta, expected=expected)
    if fmt == "xlsx":
        return formats.write_xlsx(output, columns, rows, meta, expected_rows=expected)
    if fmt == "parquet":
        return formats.write_parquet(output, columns, rows, meta)
    out = formats.open_text(output)
    try:
        if fmt == "json":
            return formats.write_json(out, columns, rows, meta)
        return formats.write_csv(out, columns, rows)
    finally:
        out.flush()
        if output:
            out.close()
        else:
            out.detach()


def _binary_to_stdout(fmt: str, columns, rows, meta: dict, *, expected: int) -> int:
    """xlsx and Parquet are zip / footer formats their writers finish by seeking back: written
    to a temporary file first, then copied to stdout (nothing reaches stdout if it fails)."""
    import shutil
    import sys
    import tempfile

    with tempfile.TemporaryDirectory(prefix="aigcwatch-export-") as tmp:
        path = str(Path(tmp) / f"export.{fmt}")
        n = _write_export(fmt, path, columns, rows, meta, expected=expected)
        with open(path, "rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer, 1 << 20)
        sys.stdout.buffer.flush()
    return n
