"""Who may do what: accounts and roles, sign-in sessions, API tokens, staff pseudonyms, and the
typed audit log every write and refusal leaves."""
