"""The bare app's text page, as a page of our app (bench/bare_app/our_frame_main.py)."""

from bench.bare_app.floor import text_page

text_page()
