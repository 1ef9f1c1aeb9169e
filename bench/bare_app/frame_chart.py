"""The bare app's chart page, as a page of our app (bench/bare_app/our_frame_main.py)."""

from bench.bare_app.floor import chart_page

chart_page()
