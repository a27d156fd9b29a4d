"""Controllers: QObjects that drive a model and the widgets that show it, for the window."""
