"""The dashboard's router: page config and navigation over one file per page (dashboard/views/).

Run it with `aigcwatch dashboard`, or `streamlit run dashboard/app.py --client.disableDataExport true`
(without that flag Streamlit's own table export writes feed titles such as "=HYPERLINK(...)" as
live spreadsheet formulas; the pages' Download CSV buttons neutralise them). Each page sets up the
shared sidebar itself, so it also runs alone (tests load the page files directly).

The folder is not called `pages`: Streamlit treats a `pages/` folder beside the entry script as an
old-style multipage app until `st.navigation` has run once in the server, so a bookmarked page
opened first after a start would run alone with file names as its navigation.
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
# The default page is served at `/`, but it reserves its own path, so it gets one nobody types
# ("home"), and the same file is registered again, hidden, at `/overview`: a typed or bookmarked
# `/overview?...` shows the page with its filters (Streamlit would say "Page not found"), and the
# browser's Back button still leaves it (a forwarding page would send Back to it again).
pages = [st.Page(f"views/{name}.py", title=i18n.t(f"page_{name}", lang), icon=icon,
                 url_path="home" if name == "overview" else name, default=(name == "overview"))
         for name, icon in PAGES]
pages.append(st.Page("views/overview.py", title=pages[0].title, icon=pages[0].icon,
                     url_path="overview", visibility="hidden"))
pg = st.navigation(pages)
pg.run()
