"""What leaves the app: citable CSV snapshots pinned by as-of and known-at, formula-safe CSV,
and the briefing pack (PDF)."""
