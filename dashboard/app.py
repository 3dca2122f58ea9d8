"""The dashboard's router: page config and navigation over one file per page (dashboard/pages/).

Run it with `aigcwatch dashboard` (or `streamlit run dashboard/app.py`). Each page sets up the
shared sidebar itself, so it also runs alone (tests load the page files directly).
"""
from __future__ import annotations

import streamlit as st

from dashboard import i18n
from dashboard.state import ui_lang

PAGES = (("overview", ":material/dashboard:"), ("models", ":material/movie:"),
         ("themes", ":material/forum:"), ("gap", ":material/compare_arrows:"),
         ("keywords", ":material/trending_up:"), ("explorer", ":material/search:"),
         ("sources", ":material/rss_feed:"))

st.set_page_config(page_title="aigcwatch", page_icon=":material/movie:", layout="wide")
lang = ui_lang()
pg = st.navigation([st.Page(f"pages/{name}.py", title=i18n.t(f"page_{name}", lang), icon=icon,
                            url_path=name, default=(name == "overview")) for name, icon in PAGES])
pg.run()
