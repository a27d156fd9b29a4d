"""The docks and panels around the graph, one widget per file."""
