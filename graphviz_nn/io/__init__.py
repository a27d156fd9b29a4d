"""Files: atomic writes and graph exports. Qt-free."""

from .atomic import write_atomic
from .exports import FORMATS, export_format, export_graph

__all__ = ["FORMATS", "export_format", "export_graph", "write_atomic"]
