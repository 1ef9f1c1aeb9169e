"""Derive data/attendance.csv from the source keys in data/participants.csv.

The reference facts key each participant to the attendance lists that name them; the keys that
are meetings on the timeline map to dates here. Re-run after editing participants.csv.
"""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
MEETING_SOURCES = {
    "A": ("2025-03-02", "London summit attendance (kyivindependent.com)"),
    "C": ("2025-03-11", "Paris chiefs-of-defence meeting (uisjournal.com)"),
    "D": ("2025-03-15", "Virtual leaders' call (indiannewslink.co.nz; anews.com.tr)"),
    "E": ("2025-03-27", "Paris summit, 31 delegations (LaPresse via zazoom.it)"),
    "G": ("2025-09-04", "Paris meeting attendance (pravda.com.ua)"),
}

with open(DATA / "participants.csv", newline="", encoding="utf-8") as f:
    participants = list(csv.DictReader(f))
rows = [
    (held_on, p["code"], source)
    for p in participants
    for key in p["first_reported_sources"].split(";")
    if key in MEETING_SOURCES
    for held_on, source in [MEETING_SOURCES[key]]
]
rows.sort()
with open(DATA / "attendance.csv", "w", newline="", encoding="utf-8") as f:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(["held_on", "participant_code", "source_title"])
    writer.writerows(rows)
print(f"wrote {len(rows)} rows")
