"""Coalition Tracker: entry point. Run with ``streamlit run app.py``."""

from ui.shell import run_app

run_app()
