"""The dashboard pages, one script each, run by st.navigation in dashboard/app.py (or alone under AppTest)."""
