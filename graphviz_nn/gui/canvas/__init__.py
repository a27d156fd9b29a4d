"""The graph's canvas: the view, its items, the level of detail, the camera, the theme,
heatmaps, and what paints the pass onto it."""
