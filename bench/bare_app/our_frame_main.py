"""ui/main.py with the bare app's two pages added to the navigation (bench/bare_app/our_frame.py
serves it)."""

from ui import shell

FRAME_PAGES = (
    ("bench/bare_app/frame_text.py", "Bare text in our frame", ":material/notes:", "viewer"),
    ("bench/bare_app/frame_chart.py", "Bare chart in our frame", ":material/show_chart:", "viewer"),
)
# The module stays loaded between runs: add the pages once.
if FRAME_PAGES[0] not in shell.PAGES:
    shell.PAGES = (*shell.PAGES, *FRAME_PAGES)
shell.run_app()
