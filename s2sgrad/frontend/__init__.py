"""Front end: from a function object to a located, resolved, checked gast tree."""
