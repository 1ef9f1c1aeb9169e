"""Coalition Tracker domain package: plain Python, no Streamlit imports."""

__version__ = "0.1.0"
