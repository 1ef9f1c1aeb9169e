"""Streamlit glue shared by the pages: cached resources, cached reads and common widgets."""
