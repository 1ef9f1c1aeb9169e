"""The force gap: known troop offers against each planning figure, as numbers, sentences, a
table and a bullet chart, and the overview section that shows them."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest

from coalition.figures import force_gap
from coalition.figures.charts import CATEGORY_COLOURS, REFERENCE_COLOUR
from coalition.figures.metrics import CategoryFigures
from tests.support.app import open_sections, start_app
from tests.support.data import plotly_array


def troops(known: float, known_pledges: int, unknown: int = 0) -> CategoryFigures:
    return CategoryFigures(
        category="troops",
        pledges=known_pledges + unknown,
        participants=known_pledges + unknown,
        known_total=known,
        unknown_size=unknown,
    )


def targets(*rows: tuple) -> pd.DataFrame:
    """Planning figures as queries.targets_frame gives them: (name, low, high, stated_on)."""
    return pd.DataFrame(
        [
            {
                "id": i,
                "name": name,
                "category": "troops",
                "low": low,
                "high": high,
                "stated_on": stated_on,
                "source_title": f"Source of {name}",
                "source_url": "https://example.org/" + str(i),
                "source_published_on": None,
                "notes": None,
            }
            for i, (name, low, high, stated_on) in enumerate(rows)
        ]
    )


RANGE = ("Planners", 15000.0, 30000.0, date(2026, 1, 6))
BRIGADE = ("Brigade", 10000.0, 10000.0, date(2025, 4, 1))
AT_LEAST = ("Floor only", 15000.0, None, date(2025, 5, 1))
UP_TO = ("Ceiling only", None, 30000.0, date(2025, 3, 17))
NO_NUMBER = ("No number", None, None, date(2025, 2, 1))


def test_the_gap_to_each_end_in_troops_and_share_met():
    gap = force_gap.force_gap(troops(8500, 2, unknown=13), targets(RANGE)).iloc[0]
    assert gap["text"] == (
        "6,500 short of 15,000 (57% of the low end met); "
        "21,500 short of 30,000 (28% of the high end met); "
        "+ 13 offers of unknown size, not counted"
    )
    assert (gap["known"], gap["gap_low"], gap["gap_high"]) == (8500, 6500, 21500)
    assert gap["met_low"] == pytest.approx(8500 / 15000)
    assert gap["met_high"] == pytest.approx(8500 / 30000)
    assert gap["unknown_offers"] == 13
    assert gap["range_text"] == "15,000–30,000"


def test_two_percent_of_the_range_still_reads_as_a_number_and_a_share():
    gap = force_gap.force_gap(troops(300, 1, unknown=13), targets(RANGE)).iloc[0]
    assert gap["text"].startswith(
        "14,700 short of 15,000 (2% of the low end met); "
        "29,700 short of 30,000 (1% of the high end met)"
    )
    assert gap["text"].endswith("+ 13 offers of unknown size, not counted")
    # A share below 1% is never rounded to nothing, and a shortfall never to 100%.
    assert force_gap.percent(100 / 64000) == "0.2%"
    assert force_gap.percent(0.0004) == "under 0.1%"
    assert force_gap.percent(0.998) == "99%"
    assert force_gap.percent(1.2) == "120%"


def test_a_single_figure_and_an_end_reached():
    exact, over = (
        force_gap.force_gap(troops(known, 3), targets(BRIGADE)).iloc[0]["text"]
        for known in (10000, 12500)
    )
    assert exact == "10,000 reached exactly"
    assert over == "10,000 reached, 2,500 over"
    between = force_gap.force_gap(troops(20000, 3), targets(RANGE)).iloc[0]
    assert between["text"] == (
        "low end of 15,000 reached, 5,000 over; 10,000 short of 30,000 (67% of the high end met)"
    )
    assert between["gap_low"] == -5000  # negative: over
    table = force_gap.table(force_gap.force_gap(troops(20000, 3), targets(RANGE)))
    assert table.loc[0, "Short of the low end"] == 0
    assert table.loc[0, "Short of the high end"] == 10000


def test_one_sided_and_unstated_planning_figures():
    gaps = force_gap.force_gap(
        troops(5000, 2, unknown=1), targets(AT_LEAST, UP_TO, NO_NUMBER)
    ).set_index("name")
    assert gaps.loc["Floor only", "range_text"] == "at least 15,000"
    assert gaps.loc["Floor only", "text"] == (
        "at least 15,000: 10,000 short of 15,000 (33% of the low end met); no high end "
        "stated; + 1 offer of unknown size, not counted"
    )
    assert math.isnan(gaps.loc["Floor only", "gap_high"])
    assert gaps.loc["Ceiling only", "range_text"] == "up to 30,000"
    assert gaps.loc["Ceiling only", "text"] == (
        "up to 30,000: 25,000 short of 30,000 (17% of the high end met); no low end stated; "
        "+ 1 offer of unknown size, not counted"
    )
    assert math.isnan(gaps.loc["Ceiling only", "gap_low"])
    assert gaps.loc["No number", "range_text"] == "no number stated"
    assert gaps.loc["No number", "text"] == (
        "No number stated, so no gap can be measured; + 1 offer of unknown size"
    )
    assert gaps[["gap_low", "gap_high"]].loc["No number"].isna().all()


def test_offers_of_unknown_size_alone_never_read_as_zero_troops():
    gaps = force_gap.force_gap(troops(0, 0, unknown=13), targets(RANGE, BRIGADE, UP_TO))
    for text in gaps["text"]:
        assert text.startswith("No troop offer has a published size (13 offers of unknown size)")
        assert "cannot" in text or "no gap" in text
        assert "0 troops" not in text and "0%" not in text and " 0 " not in text
    assert gaps[["known", "gap_low", "gap_high", "met_low", "met_high"]].isna().all().all()
    assert force_gap.known_label(troops(0, 0, unknown=13)) == "13 offers, size not published"
    table = force_gap.table(gaps)
    assert table["Known troops offered"].isna().all()
    assert (table["Offers of unknown size"] == 13).all()
    # On the page it is said once, above the planning figures.
    assert force_gap.sentences(gaps).splitlines() == [
        "No troop offer has a published size (13 offers of unknown size), so no gap can be "
        "measured against any planning figure:",
        "- **Planners**: 15,000–30,000",
        "- **Brigade**: 10,000",
        "- **Ceiling only**: up to 30,000",
    ]


def test_no_offer_at_all_leaves_the_whole_figure_to_find():
    gaps = force_gap.force_gap(troops(0, 0), targets(RANGE, AT_LEAST)).set_index("name")
    assert gaps.loc["Planners", "text"] == "No troop offer recorded: 15,000–30,000 still to find"
    assert gaps.loc["Floor only", "text"] == (
        "No troop offer recorded: at least 15,000 still to find"
    )
    assert gaps.loc["Planners", "gap_low"] == 15000


def test_only_troop_figures_stated_by_the_date_newest_first():
    frame = targets(RANGE, BRIGADE, UP_TO)
    frame.loc[len(frame)] = {**frame.iloc[0].to_dict(), "name": "Ships", "category": "ships"}
    names = list(force_gap.force_gap(troops(100, 1), frame)["name"])
    assert names == ["Planners", "Brigade", "Ceiling only"]
    assert list(force_gap.force_gap(troops(100, 1), frame, date(2025, 4, 1))["name"]) == [
        "Brigade",
        "Ceiling only",
    ]
    assert force_gap.force_gap(troops(100, 1), frame, date(2025, 3, 1)).empty


def test_the_table_carries_every_figure_and_the_sentence():
    gaps = force_gap.force_gap(troops(300, 1, unknown=13), targets(RANGE, UP_TO))
    table = force_gap.table(gaps)
    assert list(table["Planning figure"]) == ["Planners", "Ceiling only"]
    first = table.iloc[0]
    assert (first["Low end"], first["High end"], first["Known troops offered"]) == (
        15000,
        30000,
        300,
    )
    assert (first["Short of the low end"], first["Low end met (%)"]) == (14700, 2.0)
    assert (first["Short of the high end"], first["High end met (%)"]) == (29700, 1.0)
    assert first["Gap"] == gaps.iloc[0]["text"]
    assert set(force_gap.TROOP_COLUMNS) <= set(table.columns)
    lines = force_gap.sentences(gaps).splitlines()
    assert lines[0].startswith("- **Planners** (15,000–30,000): 14,700 short of 15,000")
    assert lines[1].startswith("- **Ceiling only** (up to 30,000): ")


def test_names_are_literal_in_the_sentences():
    gaps = force_gap.force_gap(troops(100, 1), targets(("A $5 *plan*", 10.0, 20.0, RANGE[3])))
    assert force_gap.sentences(gaps).startswith(r"- **A \$5 \*plan\*** (10–20)")


def spec(figure) -> dict:
    return json.loads(figure.to_json())


def trace(chart: dict, name: str) -> dict:
    return next(t for t in chart["data"] if t.get("name") == name)


def test_the_bullet_chart_draws_each_range_and_a_labelled_known_marker():
    figures = troops(300, 1, unknown=13)
    gaps = force_gap.force_gap(figures, targets(RANGE, BRIGADE, AT_LEAST, UP_TO, NO_NUMBER))
    chart = spec(force_gap.chart(gaps, figures))
    assert chart["layout"]["title"]["text"] == force_gap.TITLE
    axis = chart["layout"]["xaxis"]
    assert axis["title"]["text"] == "Troops"
    assert axis["type"] == "linear" and axis["tickformat"] == ",d"
    assert isinstance(axis["dtick"], int) and axis["dtick"] >= 1
    assert axis["range"][0] == 0
    # One row per planning figure, in the table's order, top down.
    rows = ["Planners", "Floor only", "Brigade", "Ceiling only", "No number"]
    assert chart["layout"]["yaxis"]["categoryarray"] == rows
    assert chart["layout"]["yaxis"]["autorange"] == "reversed"

    band = trace(chart, force_gap.RANGE_TRACE)
    assert band["marker"]["color"] == force_gap.tint(REFERENCE_COLOUR, 0.35)
    drawn = dict(
        zip(
            band["y"],
            zip(plotly_array(band["base"]), plotly_array(band["x"]), strict=True),
            strict=True,
        )
    )
    assert drawn["Planners"] == (15000, 15000)
    assert drawn["Ceiling only"] == (0, 30000)  # "up to" starts at zero
    low, span = drawn["Floor only"]  # "at least" runs on to the axis's end
    assert low == 15000 and low + span == pytest.approx(axis["range"][1])
    assert "Brigade" not in drawn and "No number" not in drawn
    ends = trace(chart, force_gap.ENDS_TRACE)
    assert ("Brigade", 10000) in zip(ends["y"], plotly_array(ends["x"]), strict=True)

    stated = ["Planners", "Floor only", "Brigade", "Ceiling only"]  # newest first
    bar = trace(chart, force_gap.KNOWN_TRACE)
    assert bar["y"] == stated and plotly_array(bar["x"]) == [300] * 4
    assert bar["marker"]["color"] == CATEGORY_COLOURS["troops"]
    marker = trace(chart, force_gap.MARKER_TRACE)
    assert marker["marker"]["symbol"] == "diamond"
    assert marker["mode"] == "markers+text"
    assert marker["y"] == stated and plotly_array(marker["x"]) == [300] * 4
    assert marker["text"] == ["≥ 300 troops"] * 4
    assert marker["textposition"] == "middle right"  # outside the bar
    unstated = trace(chart, "No number stated")
    assert unstated["y"] == ["No number"] and unstated["text"] == ["no number stated"]


def test_offers_of_unknown_size_alone_draw_no_bar_at_zero():
    figures = troops(0, 0, unknown=13)
    chart = spec(force_gap.chart(force_gap.force_gap(figures, targets(RANGE)), figures))
    names = {t.get("name") for t in chart["data"]}
    assert force_gap.KNOWN_TRACE not in names and force_gap.MARKER_TRACE not in names
    notes = [a["text"] for a in chart["layout"]["annotations"]]
    assert notes == ["No offer has a published size (13 offers of unknown size)"]


# The overview, through the real Streamlit runtime.


@pytest.fixture
def overview(monkeypatch, sqlite_url):
    return start_app(monkeypatch, sqlite_url).run()


def test_the_overview_shows_the_force_gap_with_its_figures(overview):
    assert not overview.exception
    assert DOWNLOAD not in download_keys(overview)  # its figures: built once opened
    open_sections(overview, "overview_force_gap_section").run()
    assert "The force gap" in [h.value for h in overview.subheader]
    gap_lines = next(m.value for m in overview.markdown if "Fixture planning range" in m.value)
    # The fixture's only published troop figure is New Zealand's 100 trainers.
    assert "14,900 short of 15,000 (0.7% of the low end met)" in gap_lines
    assert "offers of unknown size, not counted" in gap_lines
    table = next(d.value for d in overview.dataframe if "Gap" in d.value.columns)
    assert list(table["Planning figure"]) == ["Fixture planning range", "Fixture brigade option"]
    assert list(table["Known troops offered"]) == [100, 100]
    assert DOWNLOAD in download_keys(overview)


DOWNLOAD = "overview_force_gap_figures_download"


def download_keys(at) -> set[str]:
    return {b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")}


def test_the_force_gap_says_so_when_troops_are_filtered_out_or_not_yet_planned(overview):
    overview.sidebar.multiselect(key="filter_categories").set_value(["funding"]).run()
    assert not overview.exception
    assert any("force gap is not shown" in i.value for i in overview.info)
    assert not any(
        json.loads(c.proto.spec)["layout"]["title"]["text"] == force_gap.TITLE
        for c in overview.get("plotly_chart")
    )
    overview.sidebar.multiselect(key="filter_categories").set_value([]).run()
    # "As of" winds back both sides: the offers and the planning figures stated by then.
    overview.sidebar.text_input(key="filter_as_of").input("2025-05-01").run()
    gap_lines = next(m.value for m in overview.markdown if "Fixture brigade option" in m.value)
    assert "Fixture planning range" not in gap_lines
    assert "9,900 short of 10,000 (1% met); + 1 offer of unknown size, not counted" in gap_lines
    overview.sidebar.text_input(key="filter_as_of").input("2025-03-20").run()
    assert not overview.exception
    assert any("No planning figure for the force" in i.value for i in overview.info)
