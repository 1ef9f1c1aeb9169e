"""The ways in besides the pages: the command line (python -m coalition) and the HTTP server
around the Streamlit script (start-up, sign-in route, sessions middleware, /api/v1, /healthz)."""
