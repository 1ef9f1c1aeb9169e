"""Ranking: participants ordered by a chosen measure, and who has offered what."""

import streamlit as st

from coalition.figures import ranking
from coalition.figures.view import build_view
from ui.resources import read, shared
from ui.run_context import this_run
from ui.widgets.as_of import as_of_banner
from ui.widgets.tables import table

filters = this_run().filters
st.title("Ranking of participants")
as_of_banner(filters)
st.caption(f"Showing {filters.describe()}.")

measures = ranking.measures_for(filters)
if not measures:
    st.info(
        "A ranking needs funding, troops, aircraft or ships among the chosen categories. "
        "Add one in the sidebar."
    )
else:
    measure_key = st.selectbox(
        "Rank by",
        measures,
        format_func=lambda key: ranking.RANK_MEASURES[key].label,
        key="ranking_measure",
        bind="query-params",  # in the address: a shared link ranks by the same measure
    )
    measure = ranking.RANK_MEASURES[measure_key]
    order = shared(ranking.ranking, read(build_view, filters), measure_key)

    st.subheader("Contributing countries")
    countries = ranking.countries(order)
    if (countries["group"] == ranking.KNOWN).any():
        st.plotly_chart(
            shared(ranking.ranking_chart, order, measure_key),
            key="ranking_chart",
        )
        st.caption(
            f"The {ranking.CHART_TOP} countries with the largest published figures at most; "
            "the table below lists every country and what each figure leaves out."
        )
    else:
        st.caption("No country has a published figure for this measure under these filters.")
    table(
        ranking.ranking_for_display(countries, measure_key, ranked=True),
        file_name=f"ranking-{measure_key}.csv",
        key="ranking_countries",
    )
    st.caption(
        "Published figures come first, largest first; “≥” means some of the country's pledges "
        "have no published size. Then countries whose sizes were never published (not zero), "
        "then those with nothing reported. Loans and guarantees are not counted in funding."
        + (
            " GDP in current US$ (World Bank, with its year); EUR converted at the ECB rate."
            if measure_key == "funding_pct_gdp"
            else ""
        )
    )

    st.subheader("Institutions and Ukraine")
    table(
        ranking.ranking_for_display(
            ranking.institutions_and_ukraine(order), measure_key, ranked=False
        ),
        file_name=f"ranking-{measure_key}-institutions-and-ukraine.csv",
        key="ranking_others",
    )
    st.caption("The EU, NATO and Ukraine pledge unlike countries, so they are not ranked.")

st.subheader("Coverage: who has offered what")
matrix = shared(
    ranking.coverage,
    read(build_view, filters),
    filters.categories,
)
categories = [c for c in matrix.columns if c not in ("code", "name", "kind")]
asked = st.selectbox(
    "Who has not offered",
    categories,
    index=categories.index("troops") if "troops" in categories else 0,
    format_func=str.capitalize,
    key="ranking_gap_category",
    bind="query-params",  # in the address, as every choice that changes the page
)
st.markdown(f"**{ranking.not_offered(matrix, asked)}**")
table(
    ranking.coverage_for_display(matrix),
    file_name="coverage.csv",
    key="ranking_coverage",
)
st.caption(
    "Each cell is the first that holds: size known (a live pledge with a published size), "
    "size unknown (live, no size published), considering, ruled out, nothing reported. "
    "Stated refusals are shown here whatever the status filter; withdrawn pledges count as none."
)
