"""Coalition Tracker's domain: plain Python, no Streamlit. Its sub-packages, from the bottom
up (each imports only those below it; tests/test_import_rules.py holds them to it):

- text: words and numbers as people read them, and the checks on text people type
- money: conversion to EUR at ECB rates, and the size that counts
- access: accounts, roles, sessions, API tokens, privacy and the audit log
- read: reads of the record: queries, filters, the as-of rules, states over time, history,
  what changed, search
- write: the one write path (pledges) and what feeds it: validation, import, reference edits
- figures: the View behind every figure, and the figures, charts and maps built from it
- seed: the public record the app starts from (checked, loaded, synced)
- output: what leaves the app: citable snapshots and their Excel workbook, safe CSV, the
  briefing pack, the Atom feed of what changed
- notify: email digests of what changed: subscriptions, the mail server, sending

bootstrap (migrate, seed, first admin) sits above them; errors below them all.
"""

__version__ = "0.2.0"
