"""Transforms: passes that rewrite the tree (normalization, reverse mode)."""
