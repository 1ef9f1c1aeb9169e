"""The app's own stylesheet, sent once per run from the shell: what the theme
(.streamlit/config.toml) cannot say for WCAG 2.2 AA contrast, and how pages print.

Every rule here is checked in a browser: tests/e2e/whole_app/test_accessibility.py (axe-core) and
tests/e2e/whole_app/test_print.py (print media, A4 PDF)."""

from __future__ import annotations

import streamlit as st

# Screen. Streamlit fades captions (st.caption: sources, notes, "Signed in as", "An empty filter
# means all") with opacity 0.6, which left their text at 3.8:1 on the sidebar and 3.9:1 on
# white, their links at 3.0:1 and their inline code at 3.7:1; WCAG 1.4.3 asks 4.5:1. Instead the
# text alone is lighter (the theme's text colour at 78%: 6.3:1 on the sidebar, 6.7:1 on white),
# and links and code keep their own colours.
SCREEN = """
/* This stylesheet's own element and the print script's: they show nothing, so take no room. */
[data-testid="stElementContainer"]:has(#app-style, #print-fit) { display: none; }
/* Tables for paper (ui/widgets/tables.py): hidden on screen, where the grid shows the rows. */
[data-testid="stElementContainer"]:has(.print-later) { display: none; }
[data-testid="stCaptionContainer"] {
  opacity: 1; color: color-mix(in srgb, currentColor 78%, transparent);
}
[data-testid="stCaptionContainer"] code { color: inherit; }
/* The page links showed keyboard focus only as their faint hover tint (1.1:1, WCAG 2.4.7). */
[data-testid="stSidebarNavLink"]:focus-visible {
  outline: 2px solid currentColor; outline-offset: -2px;
}
/* st.json (react-json-view) colours values and list indices inline in Solarized tones, 3.1:1 to
   4.6:1 on white or on its grey chips: the text colour instead (quotes and chips still tell the
   types apart). */
[data-testid="stJson"] .variable-value > div,
[data-testid="stJson"] .variable-row > span:not(.object-key) { color: inherit !important; }
/* Phones and narrow windows (tests/e2e/whole_app/test_phone.py): the title took half the first
   screen; plotly's toolbar sat on chart titles; a table's toolbar (search, full screen) sat on
   the text above it. */
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding: 3.5rem 1rem 4rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.75rem; line-height: 1.2; padding-top: 0; }
  [data-testid="stMainBlockContainer"] h2 { font-size: 1.35rem; }
  .modebar-container { display: none !important; }
  /* Tables, charts and maps carry their toolbar 44 px above their top edge. */
  [data-testid="stElementContainer"]:has(> [data-testid="stFullScreenFrame"]) { margin-top: 44px; }
}
"""

# Paper: only the page itself, the width of an A4 sheet, nothing cut inside a chart.
PRINT = """
@property --print-fit { syntax: "<number>"; inherits: false; initial-value: 1; }
@media print {
  @page { size: A4; margin: 12mm 10mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  [data-testid="stSidebar"],
  [data-testid="stSidebarCollapsedControl"],
  [data-testid="stExpandSidebarButton"],
  [data-testid="stHeader"],
  [data-testid="stToolbar"],
  [data-testid="stDecoration"],
  [data-testid="stStatusWidget"],
  [data-testid="stAppDeployButton"],
  [data-testid="stSkipToContent"],
  [data-testid="stHeaderActionElements"],
  [data-testid="stElementToolbar"],
  [data-testid="stDownloadButton"],
  [data-testid="stTooltipIcon"],
  [data-testid="stBottom"],
  .modebar-container { display: none !important; }
  /* The app scrolls inside a full-height box; on paper everything flows onto pages. */
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMain"] > div {
    position: static !important; height: auto !important; min-height: 0 !important;
    overflow: visible !important; background: #fff !important;
  }
  [data-testid="stMainBlockContainer"] {
    padding: 0 !important; max-width: none !important; width: auto !important;
  }
  [data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"], [data-testid="stDataFrame"],
  [data-testid="stTable"], [data-testid="stMetric"], [data-testid="stImage"],
  [data-testid="stAlert"] { break-inside: avoid; page-break-inside: avoid; }
  [data-testid="stElementContainer"] { zoom: var(--print-fit); }
  /* Streamlit stacks columns that hold a chart when printing; side by side, as on screen, the
     overview fits two pages. */
  [data-testid="stHorizontalBlock"] { display: flex !important; }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    width: auto !important; margin-bottom: 0 !important;
  }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  /* Every row on paper: the grid prints only its scrolling window, so the plain table made
     beside it (ui/widgets/tables.py) is printed instead. */
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]):has(
    + [data-testid="stElementContainer"] .print-later) { display: none !important; }
  [data-testid="stElementContainer"]:has(.print-later) { display: block !important; }
  .print-table { width: 100%; border-collapse: collapse; font-size: 7.5pt; }
  /* Long words wrap inside their column rather than push the table off the page (links carry
     break points after their slashes, see coalition/text/safe_csv.print_cells). */
  .print-table th, .print-table td {
    border-bottom: 1px solid #ccc; padding: 2px 3px; text-align: left; vertical-align: top;
    overflow-wrap: break-word;
  }
  .print-table tr { break-inside: avoid; page-break-inside: avoid; }
}
"""


# Charts, tables and maps are drawn at a width in pixels measured on screen, and nothing redraws
# them for paper. Just before printing, this measures how much narrower the A4 page is than the
# page's content column on screen; the print stylesheet shrinks each of them by that much (their
# columns shrink in the same proportion).
PRINT_FIT = """
<span id="print-fit" hidden></span>
<script>
(() => {
  if (window.coalitionPrintFit) return;
  window.coalitionPrintFit = true;
  const paper = (210 - 2 * 10) / 25.4 * 96;  // A4 less the @page margins, in CSS pixels
  const drawn = '[data-testid="stPlotlyChart"], [data-testid="stDataFrame"], '
    + '[data-testid="stDeckGlJsonChart"]';
  // Each table for paper arrives as its cells (ui/widgets/tables.py, printed) and is built
  // only now, every cell as text: on screen it is one empty element, not a table of every row.
  const buildTables = () => {
    for (const holder of document.querySelectorAll(".print-later")) {
      if (holder.querySelector("table")) continue;
      const {columns, rows} = JSON.parse(holder.dataset.table);
      const table = document.createElement("table");
      table.className = "print-table";
      const head = table.createTHead().insertRow();
      for (const column of columns) {
        const cell = document.createElement("th");
        cell.textContent = column;
        head.append(cell);
      }
      const body = table.createTBody();
      for (const row of rows) {
        const line = body.insertRow();
        for (const value of row) line.insertCell().textContent = value;
      }
      holder.append(table);
    }
  };
  addEventListener("beforeprint", () => {
    buildTables();
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!main) return;
    const style = getComputedStyle(main);
    const width = main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // A little spare for the gaps between columns, which do not shrink.
    const fit = Math.min(1, (0.98 * paper) / width).toFixed(3);
    for (const element of document.querySelectorAll(drawn)) {
      const box = element.closest('[data-testid="stElementContainer"]') || element;
      box.style.setProperty("--print-fit", fit);
    }
  });
})();
</script>
"""


def apply_style() -> None:
    """The stylesheet, once per run, at the top of the page (a style-only block shows nothing)."""
    st.markdown(f'<style id="app-style">{SCREEN}{PRINT}</style>', unsafe_allow_html=True)


def print_fit() -> None:
    """The script that builds the tables for paper and fits charts, tables and maps to the
    printed page, just before printing; in the sidebar (hidden: it shows nothing)."""
    st.sidebar.html(PRINT_FIT, unsafe_allow_javascript=True)
