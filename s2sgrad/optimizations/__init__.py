"""Optimizations of generated code that preserve what it computes."""
