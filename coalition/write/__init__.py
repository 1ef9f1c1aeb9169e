"""Writing: the one write path for pledges (a pledge and its revision in one transaction) and what
feeds it: validation, bulk import, admins' reference edits."""
