"""Tables that several pages show the same way, each with a safe CSV download of all its rows.

A long table is shown a page of rows at a time: the browser gets only what is on screen, and
the download (built only when clicked) still holds every row."""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import streamlit as st

from coalition.read import queries
from coalition.text import file_names, formatting
from coalition.text.safe_csv import print_cells, to_csv
from ui.resources import SharedResults, read, shared
from ui.run_context import this_run

ROWS_PER_PAGE = 500
# A pledge on paper: what, how much, when and who reported it. The other columns (links,
# rates, conditions, notes) are in the CSV download and on screen; all seventeen across an A4
# sheet read as nothing, and a column of web addresses took half its width.
PRINTED_PLEDGE_COLUMNS = (
    "Participant",
    "Category",
    "Status",
    "What",
    "Size",
    "Announced",
    "Source",
)


def file_download(
    label: str,
    data: Any,
    *,
    file_name: str,
    mime: str,
    key: str,
    where: Any = st,
    **options: Any,
) -> None:
    """A button that downloads ``data`` and does nothing else, in ``where`` (a column, say).
    Streamlit's default also reruns the page, and for a file made on click (``data`` a
    callable) the rerun raced the file and sometimes won: no download. Pass ``on_click`` only
    for a callback that must run (the snapshot's log)."""
    options.setdefault("on_click", "ignore")
    where.download_button(label, data=data, file_name=file_name, mime=mime, key=key, **options)


def stamped(name: str) -> str:
    """A table's file name that says what it holds: "force-gap.csv" becomes
    "coalition-force-gap_as-of-2025-09-30_known-2026-12-06T1710Z.csv", the day shown and the
    record's last write (text.file_names)."""
    stem, _, extension = name.rpartition(".")
    filters = this_run().filters
    return file_names.file_name(
        stem,
        as_of=filters.when.shown,
        known_at=read(queries.last_recorded),
        categories=filters.categories,
        extension=extension,
    )


def csv_download(
    frame: pd.DataFrame | Callable[[], pd.DataFrame], *, file_name: str, key: str, label: str = ""
) -> None:
    """The table as shown, as UTF-8 CSV with formula-looking text neutralised, named for what
    it holds (``stamped``). The file is made when the button is clicked, not on every rerun."""
    file_download(
        label or "Download this table (CSV)",
        lambda: to_csv(frame() if callable(frame) else frame),
        file_name=stamped(file_name),
        mime="text/csv",
        key=key,
    )


def page_of_rows(frame: pd.DataFrame, *, key: str) -> pd.DataFrame:
    """The rows of the chosen page, with a page picker and a note, when there are more rows
    than fit on one page."""
    start, end = page_bounds(len(frame), key=key)
    return frame if (start, end) == (0, len(frame)) else frame.iloc[start:end]


def page_bounds(total: int, *, key: str) -> tuple[int, int]:
    """Where the chosen page of ``total`` rows starts and ends, with a page picker and a note
    when there are more rows than fit on one page."""
    if total <= ROWS_PER_PAGE:
        return 0, total
    pages = math.ceil(total / ROWS_PER_PAGE)
    page = st.number_input(
        f"Page of rows (1–{pages})", min_value=1, max_value=pages, value=1, key=f"{key}_page"
    )
    start = (int(page) - 1) * ROWS_PER_PAGE
    end = min(start + ROWS_PER_PAGE, total)
    st.caption(f"Rows {start + 1:,}–{end:,} of {total:,}. The download holds all {total:,}.")
    return start, end


def printed(rows: pd.DataFrame) -> None:
    """The same rows for a table that only paper shows: the grid above it prints only what
    fits its scrolling window. On screen it is one empty element holding the cells; the
    browser builds the table from them just before printing (ui/style.py). Sent as a table,
    every row of it on every page switch, it had cost more to draw than the grid."""
    st.html(print_later(print_data(rows)))


def print_later(cells: str) -> str:
    """The element that holds a table's cells until the browser prints them (see printed)."""
    return f'<div class="print-later" data-table="{html.escape(cells)}"></div>'


# The cells for paper, by their rows' content: made on every rerun of every page with a table,
# they cost a tenth of a warm rerun's time, for tables that rarely change.
_PRINTED = SharedResults(size=256)


def print_data(rows: pd.DataFrame) -> str:
    """print_cells(rows), made once per distinct content (columns, types, every cell)."""
    try:
        cells = pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes()
    except TypeError:  # a cell pandas cannot hash (a list, say): made each time
        return print_cells(rows)
    shape = repr((list(rows.columns), [str(t) for t in rows.dtypes])).encode()
    key = hashlib.blake2b(shape + b"\0" + cells, digest_size=20).digest()
    return _PRINTED.get(key, lambda: print_cells(rows))


# What a reader looks for first, leftmost on screen (a phone shows three or four columns; a
# laptop lost when and where from off to the right). Files keep their own column order.
PLEDGE_LEAD = ("Participant", "What", "Size", "Announced", "Source", "Link", "Last verified")


def leading(columns: Iterable[str], lead: tuple[str, ...]) -> list[str]:
    """The columns with those in ``lead`` first, in its order."""
    columns = list(columns)
    return [c for c in lead if c in columns] + [c for c in columns if c not in lead]


def table(
    frame: pd.DataFrame,
    *,
    file_name: str,
    key: str,
    download: pd.DataFrame | None = None,
    lead: tuple[str, ...] = (),
    **options,
) -> None:
    """A table to read, and its CSV: ``download`` where the file holds more than the screen
    shows (numbers at full precision where the screen has them in words); ``lead`` names the
    columns shown first."""
    rows = page_of_rows(frame, key=key)
    if lead:
        options["column_order"] = leading(rows.columns, lead)
    st.dataframe(rows, hide_index=True, placeholder="—", **options)
    printed(rows)
    csv_download(
        frame if download is None else download, file_name=file_name, key=f"{key}_download"
    )


def pledge_table(
    pledges: pd.DataFrame, *, key: str, hide: tuple[str, ...] = (), file_name: str = "pledges.csv"
) -> None:
    """Pledges as analysts read them: sizes in words, sources as links, blanks as a dash.
    ``pledges`` comes from a read() or a shared() build: each page of rows is made once per
    data version for every session, not on every rerun."""
    start, end = page_bounds(len(pledges), key=key)
    shown, cells = shared(displayed_pledges, pledges, start, end, hide)
    st.dataframe(
        shown,
        hide_index=True,
        placeholder="—",
        key=key,
        column_order=leading(shown.columns, PLEDGE_LEAD),
        column_config={
            "Link": st.column_config.LinkColumn("Link", display_text="open source"),
            "What": st.column_config.TextColumn(width="medium"),
        },
    )
    st.html(print_later(cells))
    csv_download(
        lambda: formatting.pledges_for_display(pledges).drop(columns=list(hide)),
        file_name=file_name,
        key=f"{key}_download",
    )


def displayed_pledges(
    pledges: pd.DataFrame, start: int, end: int, hide: tuple[str, ...]
) -> tuple[pd.DataFrame, str]:
    """Rows ``start`` to ``end`` of the pledges as pledge_table shows them (the euro figures
    in words), and their cells for paper."""
    shown = formatting.pledges_for_display(pledges.iloc[start:end]).drop(columns=list(hide))
    shown = shown.assign(EUR=formatting.money_words(shown["EUR"]))
    return shown, print_cells(shown[[c for c in PRINTED_PLEDGE_COLUMNS if c in shown]])
