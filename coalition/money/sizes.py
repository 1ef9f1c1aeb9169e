"""The size that counts for a category: EUR for funding, the count for the rest.

Every total in the app (headline, map, timeline, delivery, ranking) adds up this size, and
leaves loans and guarantees out of funding. NaN stays NaN: a size never published is counted
as unknown, never summed as zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.vocabulary import LENDING_INSTRUMENTS


def is_lending(pledges: pd.DataFrame) -> pd.Series:
    """Funding given as a loan or a guarantee (export credit included): money that comes back
    or may never be drawn, so never added into a total of grants and in-kind aid."""
    return pledges["category"].eq("funding") & pledges["instrument"].isin(LENDING_INSTRUMENTS)


def counted_size(funding, amount_eur, quantity):
    """The size each row adds to its category's total, given which rows are funding: the
    amount in EUR for funding, the quantity for the rest. Series give a Series, arrays an
    array."""
    if isinstance(amount_eur, pd.Series):
        return amount_eur.where(funding, quantity)
    return np.where(funding, amount_eur, quantity)


def measured_size(pledges: pd.DataFrame) -> pd.Series:
    """The figure a pledge adds to its category's total: EUR for funding, the count for the
    rest; NaN where the size was never published."""
    return counted_size(
        pledges["category"].eq("funding"), pledges["amount_eur"], pledges["quantity"]
    )
