"""A spec model's run as a session holds it: saved with its spec, settings and weights, and
the model rebuilt from them exactly. The window does not draw these runs yet: reopening one
there is refused in words (:data:`NOT_DRAWN`), never half-done. Qt-free."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..engine import Constant, Graph
from ..io.session_file import ModelState, SessionState
from ..nn import EpochRecord
from ..nn.model_setup import ModelSettings
from ..nn.model_spec import SpecModel, build

#: Why the window refuses a spec model's session, for now.
NOT_DRAWN = ("this run's model cannot be drawn yet: the window trains the dense networks; train a spec "
             "model from the command line (graphviz-nn train --model or --spec) or from Python")


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
