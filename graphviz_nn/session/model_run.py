"""A spec model's run as a session holds it, from Python: saved with its spec, settings and
weights, and the model rebuilt from them exactly (the window reopens such a session as a run
it trains on: :mod:`graphviz_nn.session.document`). Qt-free."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import Constant, Graph
from ..io.session_file import ModelState, SessionState
from ..nn import EpochRecord
from ..nn.model_setup import ModelSettings
from ..nn.model_spec import SpecModel, build

def model_session(settings: ModelSettings, model: SpecModel, sample: np.ndarray,
                  history: Sequence[EpochRecord] = (), title: str = "") -> SessionState:
    """A session holding ``model``'s run: its settings, its weights under torch's keys, its
    history, and the graph of its output on ``sample`` (a few inputs, in evaluation mode)."""
    training = model.training
    model.eval()
    try:
        out = model(Constant(np.asarray(sample), "x"))
    finally:
        model.train(training)
    graph = Graph(out)
    return SessionState(graph, graph.id_of(out), title=title, dataset=None, history=tuple(history),
                        model=ModelState(settings, model.state_dict()))


def rebuild(state: SessionState) -> SpecModel:
    """The model a session's run saved, with its weights (ValueError when it holds none)."""
    if state.model is None:
        raise ValueError("the session holds no spec model's run")
    model = build(state.model.settings.spec)
    model.load_state_dict(state.model.weights)
    return model
