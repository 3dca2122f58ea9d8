"""Streaming writers for exports: CSV (UTF-8 with BOM), JSON, xlsx and Parquet.

Each writer takes typed columns, an iterator of row dicts and the method notes, writes as the rows
arrive (bounded memory however many there are) and returns how many rows it wrote.

- CSV: UTF-8 with a byte-order mark (Excel then reads Chinese correctly), a header row, lists
  joined with `|`, booleans `true`/`false`, empty for missing. Feed text (and a list) that starts
  with = + - @ gets a leading `'` so a spreadsheet never runs it as a formula. The method goes to
  a sidecar file.
- JSON: `{"meta": {...}, "rows": [...]}`, written incrementally; lists stay arrays.
- xlsx: the data on the first sheet (`data`), the method on a second (`method`); strings are
  always stored as text, never as formulas; times are UTC (Excel has no time zones), every time
  cell formatted to show it, `2025-10-22 07:20:00 UTC` (`XLSX_TIME_FORMAT`); text longer
  than a cell holds (32,767 characters) is cut, ending in `…`, and control characters a worksheet
  cannot hold are dropped.
- Parquet: typed columns (timestamps in UTC, lists as list<string>), row groups of `PARQUET_BATCH`
  rows, the method as JSON in the file's key-value metadata under `aigcwatch.method`.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from datetime import date, datetime, timezone
from typing import IO, Any, Literal

from aigcwatch.errors import InputError

Kind = Literal["int", "float", "str", "text", "bool", "date", "datetime", "list"]
# str: values aigcwatch controls (ids, enumerations, versions); text: feed text (titles, names, URLs)
FORMATS = ("csv", "xlsx", "parquet", "json")
LIST_SEP = "|"
BOM = "\ufeff"
PARQUET_BATCH = 50_000
XLSX_MAX_ROWS = 1_048_575          # Excel's sheet limit minus the header row
XLSX_MAX_CHARS = 32_767            # Excel's limit of characters in a cell (UTF-16 code units)
METHOD_KEY = "aigcwatch.method"
_FORMULA_SET = frozenset("=+-@\t\r")
# a time cell's display: Excel stores no zone, so the zone is part of what every cell shows (the
# value stays a date-time: it sorts, filters and computes; `+8/24` gives Asia/Shanghai)
XLSX_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    help: str = ""


def _iso(value: datetime) -> str:
    if value.tzinfo is not timezone.utc:      # the read side returns UTC: this is the rare path
        value = value.astimezone(timezone.utc)
    return value.isoformat().replace("+00:00", "Z")


def json_default(value: Any):
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# --- CSV ----------------------------------------------------------------------------------------

def _csv_text(v: str) -> str:
    return "'" + v if v[:1] in _FORMULA_SET else v


_CSV_CONVERT: dict[str, Callable[[Any], Any] | None] = {
    "int": None, "float": None,                     # csv writes numbers (repr) and None ("") itself
    "str": None,
    "text": lambda v: _csv_text(str(v)),
    "bool": lambda v: "true" if v else "false",
    "datetime": _iso,
    "date": date.isoformat,
    "list": lambda v: _csv_text(LIST_SEP.join(v)),
}


def csv_cell(value: Any, kind: Kind) -> Any:
    """One value as the CSV writer gets it."""
    fn = _CSV_CONVERT[kind]
    return value if value is None or fn is None else fn(value)


def write_csv(out: IO[str], columns: list[Column], rows: Iterable[dict]) -> int:
    """`out` is a text stream opened with newline=''. Writes the BOM, the header and the rows."""
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    get = itemgetter(*[c.name for c in columns])
    convert = [(i, fn) for i, c in enumerate(columns) if (fn := _CSV_CONVERT[c.kind]) is not None]
    n = 0
    buf = []
    for row in rows:
        values = list(get(row))
        for i, fn in convert:
            v = values[i]
            if v is not None:
                values[i] = fn(v)
        buf.append(values)
        if len(buf) >= 2000:
            writer.writerows(buf)
            n += len(buf)
            buf.clear()
    writer.writerows(buf)
    return n + len(buf)


# --- JSON ---------------------------------------------------------------------------------------

def write_json(out: IO[str], columns: list[Column], rows: Iterable[dict], meta: dict) -> int:
    """`{"meta": meta, "rows": [...]}`, the rows streamed one per line."""
    names = [c.name for c in columns]
    dumps = json.JSONEncoder(ensure_ascii=False, default=json_default).encode
    out.write('{"meta": ' + dumps(meta) + ',\n "rows": [')
    n = 0
    for row in rows:
        out.write(("\n  " if n == 0 else ",\n  ") + dumps({k: row.get(k) for k in names}))
        n += 1
    out.write(("\n ]" if n else "]") + "\n}\n")
    return n


# --- xlsx ---------------------------------------------------------------------------------------

def _xlsx_value(value: Any, kind: Kind):
    if value is None:
        return None
    if kind == "list":      # evidence lists hold feed text: kept within what a cell can hold
        return xlsx_text(LIST_SEP.join(str(v) for v in value))
    if kind == "datetime":
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    if kind in ("str", "text"):
        return xlsx_text(str(value))
    return value


def xlsx_text(value: str) -> str:
    """`value` as a worksheet cell can hold it: without the control characters openpyxl refuses,
    and cut to Excel's 32,767 characters (Excel counts UTF-16 code units; a longer cell makes it
    report the whole file as damaged), ending in `…` when cut."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if len(text) <= XLSX_MAX_CHARS // 2 or len(text.encode("utf-16-le")) // 2 <= XLSX_MAX_CHARS:
        return text
    room, cut = XLSX_MAX_CHARS - 1, 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if width > room:
            break
        room -= width
        cut += 1
    return text[:cut] + "…"


def write_xlsx(path: str, columns: list[Column], rows: Iterable[dict], method: dict,
               *, expected_rows: int | None = None) -> int:
    """Data on the first sheet, the method on the second. openpyxl's write-only mode streams rows
    to a temporary file, so memory stays flat."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if expected_rows is not None and expected_rows > XLSX_MAX_ROWS:
        raise InputError(f"{path}: {expected_rows:,} rows do not fit in one Excel sheet "
                         f"(at most {XLSX_MAX_ROWS:,}); use --format csv or parquet, or narrow the filters")
    wb = Workbook(write_only=True)
    data = wb.create_sheet("data")
    meth = wb.create_sheet("method")
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(data, value=c.name)
        cell.font = bold
        header.append(cell)
    data.append(header)
    spec = [(c.name, c.kind) for c in columns]
    n = 0
    for row in rows:
        values = []
        for name, kind in spec:
            v = _xlsx_value(row.get(name), kind)
            if isinstance(v, str) and v.startswith("="):
                cell = WriteOnlyCell(data, value=v)
                cell.data_type = "s"     # text, never a formula
                v = cell
            elif kind == "datetime" and v is not None:
                cell = WriteOnlyCell(data, value=v)
                cell.number_format = XLSX_TIME_FORMAT
                v = cell
            values.append(v)
        data.append(values)
        n += 1
        if n > XLSX_MAX_ROWS:
            raise InputError(f"{path}: more than {XLSX_MAX_ROWS:,} rows do not fit in one Excel sheet; "
                             "use --format csv or parquet, or narrow the filters")
    for key, value in method_rows(method):
        k = WriteOnlyCell(meth, value=key)
        k.font = bold
        cell = WriteOnlyCell(meth, value=xlsx_text(value))   # filters are typed text
        cell.data_type = "s"
        meth.append([k, cell])
    wb.save(path)
    return n


def method_rows(method: dict, prefix: str = "") -> Iterator[tuple[str, str]]:
    """The method flattened to (key, text) pairs for the xlsx `method` sheet."""
    for key, value in method.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from method_rows(value, f"{name}.")
        elif isinstance(value, (list, tuple)):
            yield name, ", ".join(json_default(v) if isinstance(v, (date, datetime)) else str(v)
                                  for v in value)
        elif isinstance(value, (date, datetime)):
            yield name, json_default(value)
        else:
            yield name, "" if value is None else str(value)


# --- Parquet ------------------------------------------------------------------------------------

def _arrow_type(kind: Kind):
    import pyarrow as pa

    return {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "text": pa.string(),
            "bool": pa.bool_(),
            "date": pa.date32(), "datetime": pa.timestamp("us", tz="UTC"),
            "list": pa.list_(pa.string())}[kind]


def arrow_schema(columns: list[Column], method: dict):
    import pyarrow as pa

    meta = {METHOD_KEY: json.dumps(method, ensure_ascii=False, default=json_default)}
    return pa.schema([pa.field(c.name, _arrow_type(c.kind)) for c in columns], metadata=meta)


def write_parquet(path: str, columns: list[Column], rows: Iterable[dict], method: dict) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(columns, method)
    names = [c.name for c in columns]
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        cols: dict[str, list] = {k: [] for k in names}
        count = 0
        for row in rows:
            for k in names:
                cols[k].append(row.get(k))
            count += 1
            if count >= PARQUET_BATCH:
                writer.write_table(pa.table(cols, schema=schema))
                n += count
                cols, count = {k: [] for k in names}, 0
        if count or n == 0:
            writer.write_table(pa.table(cols, schema=schema))
            n += count
    return n


def open_text(path: str | None) -> IO[str]:
    """A text stream for `path`, or over stdout's bytes when None (the caller then detaches it)."""
    if path is None:
        import sys

        return io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    return open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)
