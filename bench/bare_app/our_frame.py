"""The app as users get it (app.py: the same routes, sign-in and script), with the bare app's two
pages added to its navigation: for bench/charts.py, what our frame costs around a page (the
sidebar's filters, search box, account box and navigation, the stylesheet and the print
script), measured as a switch between those two pages against the bare app's own."""

import streamlit as st

from core.settings import PROJECT_ROOT
from entry.server import MIDDLEWARE, ROUTES, lifespan

app = st.App(
    str(PROJECT_ROOT / "bench" / "bare_app" / "our_frame_main.py"),
    routes=ROUTES,
    middleware=MIDDLEWARE,
    lifespan=lifespan,
)
