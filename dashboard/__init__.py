"""Show: Streamlit dashboard over db.queries."""
