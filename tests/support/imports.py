"""Import files for tests: rows of the fixture's own shape, and a database with the fixture's
reference data but no pledges."""

from __future__ import annotations

import csv
import io
import shutil

from tests.factories import pledge
from tests.support.data import FIXTURE_DATA


def new_rows(*rows: dict) -> bytes:
    columns = [
        "participant_code",
        "category",
        "status",
        "description",
        "quantity",
        "currency",
        "announced_on",
        "source_title",
        "confidence",
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" for c in columns} | row)
    return out.getvalue().encode("utf-8")


ROW = pledge(
    description="Logistics company",
    quantity="150",
    announced_on="2026-02-01",
    source_title="UK MoD",
)


def seed_without_pledges(tmp_path):
    """A copy of the fixture seed data whose pledges file has its header only."""
    data_dir = tmp_path / "no-pledges"
    shutil.copytree(FIXTURE_DATA, data_dir)
    header = (FIXTURE_DATA / "pledges.csv").read_text().splitlines()[0]
    (data_dir / "pledges.csv").write_text(header + "\n")
    return data_dir
