"""Store: SQLAlchemy 2.x models, engine, write side (store.py) and THE read side (queries.py)."""
