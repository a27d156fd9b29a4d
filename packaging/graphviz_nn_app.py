"""The desktop app's entry point: the ``graphviz-nn`` command line, frozen.

With no arguments it opens the window; ``--self-test`` checks the build; the layout worker
is this same program started with ``--layout-worker`` (see graphviz_nn/layout/worker.py).
"""

import sys

from graphviz_nn.cli import main

if __name__ == "__main__":
    sys.exit(main())
