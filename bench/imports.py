"""Memory of refusing and previewing large imports, against a baseline measured in the same run.

- Refusing a 1,000,000-row file (about 83 MB) on the command line: the peak RSS of
  `python -m coalition import FILE --dry-run`, against the peak RSS of the same command on a
  one-row file (the interpreter and the app's imports: the floor any import costs).
- Previewing a 20 MB upload as the Import page does: the RSS the preview adds to a process
  that has the app loaded and the database open (the upload's bytes included).

Targets (issue "Nothing changes that nobody saw"): refusal at most 300 MB peak; preview at
most +150 MB. Run: `.venv/bin/python -m bench.imports` (writes its section of RESULTS.md).
"""

from __future__ import annotations

import csv
import io
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from bench.report import machine, write_section
from core.settings import PROJECT_ROOT

HEADER = [
    "participant_code",
    "category",
    "status",
    "description",
    "quantity",
    "announced_on",
    "source_title",
    "confidence",
    "notes",
]


def rows_csv(rows: int, note_length: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    note = "n" * note_length
    for n in range(rows):
        writer.writerow(
            ["GBR", "troops", "announced", f"Company {n}", "150", "2025-09-04", "MoD", "high", note]
        )
    return out.getvalue().encode("utf-8")


def peak_rss_mb(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Peak RSS (MB) of a child process, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=600)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest so far: run the bigger case second.
    return max(after, before) / 1024, result.returncode


PREVIEW_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from coalition.bootstrap import initialise_database
    from coalition.write.importer import preview_import
    from db.engine import create_db_engine, read_session
    from tests.support.data import FIXTURE_DATA

    def rss_mb():
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    engine = create_db_engine("sqlite:///" + sys.argv[1])
    initialise_database(engine, FIXTURE_DATA)
    with read_session(engine) as session:
        preview_import(session, b"participant_code\\n")  # warm: imports, caches
    before = rss_mb()
    data = Path(sys.argv[2]).read_bytes()
    with read_session(engine) as session:
        preview = preview_import(session, data)
    peak = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    print(f"{before:.1f} {rss_mb():.1f} {peak:.1f} {len(preview.rows)} {len(preview.problems)}")
    """
)


def main() -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        small, big = folder / "one.csv", folder / "million.csv"
        small.write_bytes(rows_csv(1, 0))
        big.write_bytes(rows_csv(1_000_000, 28))  # about 83 MB, as in the red-team's file
        env["DATABASE_URL"] = f"sqlite:///{folder / 'cli.db'}"
        env["COALITION_DATA_DIR"] = str(PROJECT_ROOT / "tests" / "fixtures" / "seed")
        command = [sys.executable, "-m", "coalition", "import", "--dry-run", "--reason", "bench"]
        floor, _ = peak_rss_mb([*command, str(small)], env)
        refused, code = peak_rss_mb([*command, str(big)], env)
        big_mb = big.stat().st_size / 2**20

        upload = folder / "upload.csv"
        upload.write_bytes(rows_csv(19_000, 1_000))  # about 20 MB, under the row limit
        child = subprocess.run(
            [sys.executable, "-c", PREVIEW_CHILD, str(folder / "preview.db"), str(upload)],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if child.returncode != 0:
            raise SystemExit(child.stderr)
        before, _after, peak, rows, problems = child.stdout.split()
        upload_mb = upload.stat().st_size / 2**20
    added = float(peak) - float(before)
    refusal_ok = "✓" if refused <= 300 else "✗"
    preview_ok = "✓" if added <= 150 else "✗"
    report = f"""
## Large imports: memory

{machine()}. Command: `.venv/bin/python -m bench.imports`.

| measure | baseline (same run) | measured | ratio | target |
|---|---|---|---|---|
| refuse a 1,000,000-row file ({big_mb:.0f} MB), CLI peak RSS | {floor:.0f} MB (one-row \
file) | {refused:.0f} MB (exit code {code}) | {refused / floor:.2f}x | at most 300 MB {refusal_ok} |
| preview a {upload_mb:.1f} MB upload ({rows} rows, {problems} problems), RSS added | \
{float(before):.0f} MB (app loaded) | +{added:.0f} MB (peak {float(peak):.0f} MB) | \
{float(peak) / float(before):.2f}x | at most +150 MB {preview_ok} |

The large file is refused from its size before a byte of it is read; a file under the limit
is read one row at a time, and the Import page checks an upload once (per upload and data
version), not on every rerun.
"""
    write_section("imports", report)
    print(report)


if __name__ == "__main__":
    main()
