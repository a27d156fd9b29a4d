"""``python -m graphviz_nn`` runs the command line, as ``graphviz-nn`` does."""

from .cli import main

raise SystemExit(main())
