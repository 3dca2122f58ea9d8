"""JSON arrays in SQL on both backends: a stored list (an item's keywords, a tag's evidence) as
rows, one per element."""
from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.orm import Session


def json_elements(session: Session, column):
    """A table-valued function over a JSON array column, per dialect (its column is `value`):
    PostgreSQL's json_array_elements_text, SQLite's json_each."""
    if session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(column).table_valued("value")
    return func.json_each(column).table_valued("value")
