"""Variation operators, grouped by genome kind."""
