"""Coalition Tracker: entry point. Run with ``streamlit run app.py``, which serves the ASGI app
below: the Streamlit script (ui/main.py) plus the plain HTTP routes of entry/server.py."""

import streamlit as st

from entry.server import MAIN_SCRIPT, MIDDLEWARE, ROUTES, lifespan

app = st.App(MAIN_SCRIPT, routes=ROUTES, middleware=MIDDLEWARE, lifespan=lifespan)
