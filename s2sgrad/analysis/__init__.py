"""Analyses: they read the tree and report facts; they never rewrite it."""
