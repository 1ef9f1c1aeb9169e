"""Widgets shared by the pages: the sidebar's as-of date and filters, legends, tables and
downloads."""
