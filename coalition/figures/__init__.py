"""Figures: the View (one read behind every figure) and what is built from it: headline
figures, per-participant measures, charts, maps, timeline, ranking, force gap, delivery."""
