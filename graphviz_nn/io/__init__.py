"""Files: atomic writes, graph exports and session files. Qt-free."""

from .atomic import write_atomic
from .exports import FORMATS, export_format, export_graph
from .history_csv import export_history, history_csv
from .session_file import (SessionError, SessionState, TrainerState, ViewState, can_embed,
                           load_session, save_session)

__all__ = [
    "FORMATS", "SessionError", "SessionState", "TrainerState", "ViewState", "can_embed",
    "export_format", "export_graph", "export_history", "history_csv", "load_session", "save_session", "write_atomic",
]
