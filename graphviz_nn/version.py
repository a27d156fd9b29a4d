"""The version of graphviz-nn, the one place it is written (pyproject.toml reads it here).

A leaf module that imports nothing, so that the training process (which checks that it runs
the window's version) and the command line read it without loading the package's layers.
"""

__version__ = "0.1.0"
