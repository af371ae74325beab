"""Issued releases: typed release records and their lock files, frozen texts, history and verify."""
