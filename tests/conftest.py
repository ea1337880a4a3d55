"""Test configuration: make `tests/` importable so test modules can share helper programs."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
