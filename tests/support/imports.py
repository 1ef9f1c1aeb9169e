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


def seed_with_more_participants(tmp_path):
    """A copy of the fixture seed data with two more participants: one whose name is far from
    its code (Belgium, BEL) and one written with an accent and known by another name (Türkiye,
    also Turkey)."""
    data_dir = tmp_path / "more-participants"
    shutil.copytree(FIXTURE_DATA, data_dir)
    participants = data_dir / "participants.csv"
    france = next(
        line
        for line in participants.read_text(encoding="utf-8").splitlines()
        if line.startswith("FRA,")
    )
    added = [
        france.replace("FRA,France,", "BEL,Belgium,", 1),
        france.replace("FRA,France,", "TUR,Türkiye,", 1),
    ]
    with participants.open("a", encoding="utf-8") as out:
        out.write("\n".join(added) + "\n")
    with (data_dir / "aliases.csv").open("a", encoding="utf-8") as out:
        out.write("TUR,Turkey\n")
    return data_dir
