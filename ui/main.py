"""The Streamlit script every session runs (app.py serves it). It sits in ui/, with no pages/
folder beside it, so Streamlit never starts its legacy multipage mode: pages are registered
only through st.navigation (ui/shell.py)."""

from ui.shell import run_app

run_app()
