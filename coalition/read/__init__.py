"""Reads of the record: the queries, the sidebar's filters, the as-of rules, states over time,
a pledge's history in words, what changed between two dates, and search."""
