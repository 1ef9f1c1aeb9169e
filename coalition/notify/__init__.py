"""Telling people what changed without their opening the app: email digests of What changed
for the participants and categories an account follows (subscriptions, the mail server, the
digests themselves)."""
