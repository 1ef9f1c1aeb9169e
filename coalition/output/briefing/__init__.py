"""The briefing pack: the current view on one or two A4 pages, to hand to someone who will not
open the app. content gathers and works out what it says; page, sections and drawings draw
it; pdf puts them together."""
