"""Files: atomic writes, graph exports and session files. Qt-free."""

from .atomic import write_atomic
from .exports import FORMATS, export_format, export_graph
from .session_file import SessionError, SessionState, TrainingOptions, ViewState, load_session, save_session

__all__ = [
    "FORMATS", "SessionError", "SessionState", "TrainingOptions", "ViewState", "export_format", "export_graph",
    "load_session", "save_session", "write_atomic",
]
