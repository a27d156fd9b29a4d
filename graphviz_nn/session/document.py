"""What the window shows, as a session file's state, and back.

:func:`capture` gathers a :class:`~graphviz_nn.io.SessionState` from the graph on screen (and
the training run it belongs to, if any); :func:`reopen` turns a loaded state into what the
window shows again: the graph, the training run rebuilt with the saved weights and history,
the expression and its values, the playback position and the view. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..engine import Function, Graph, Variable
from ..io import SessionState, TrainerState, ViewState
from ..io.session_schema import MAX_DATASET_BYTES, ModelState
from ..nn.datasets import BUILTIN, Dataset, DatasetError
from ..nn.shaped_data import SOURCES
from .built import Built
from .model_training import MAX_DRAWN_STEPS, ModelRun
from .named_dataset import resolve
from .training import TrainingRun


@dataclass(frozen=True, eq=False)
class Reopened:
    """A session made ready to show.

    Attributes
    ----------
    built : Built
        The graph, its output and the inputs a tangent pass can start from.
    run : TrainingRun or None
        The training run, when the session holds a network whose dataset could be loaded.
    expression : str or None
        The text the graph was parsed from.
    values : dict
        The expression's variables by name, for the editor's table.
    state : SessionState
        Everything the file held (title, phase, position, view...).
    problem : str or None
        Why part of the session could not be restored (the graph is still shown).
    """

    built: Built
    run: TrainingRun | None
    expression: str | None
    values: dict[str, Any] = field(default_factory=dict)
    state: SessionState | None = None
    problem: str | None = None


def trainer_state(run: TrainingRun) -> TrainerState:
    trainer = run.trainer
    return TrainerState(trainer.epochs_done, trainer.rng.bit_generator.state, trainer.optimiser.state())


def capture(built: Built, title: str = "", *, expression: str | None = None, run: TrainingRun | None = None,
            phase: str | None = None, position: int = -1, view: ViewState = ViewState()) -> SessionState:
    """The session state of a graph on screen; ``run`` is stored only when ``built`` shows it
    (a spec model's run as its settings and its weights under torch's keys)."""
    graph = built.graph
    output_id = graph.id_of(built.output) if built.output in graph else None
    trained = run is not None and run.network.graph is graph
    dense = trained and not isinstance(run, ModelRun)
    return SessionState(
        graph=graph,
        output_id=output_id,
        title=title,
        expression=expression,
        training=run.settings if dense else None,
        dataset=str(run.settings.dataset) if dense else None,
        history=tuple(run.history) if trained else (),
        trainer=trainer_state(run) if trained else None,
        phase=phase,
        position=position,
        view=view,
        embedded_dataset=travelling_copy(run) if dense else None,
        model=ModelState(run.settings, run.network.model.state_dict()) if trained and not dense else None,
    )


def travelling_copy(run: TrainingRun) -> Dataset | None:
    """The dataset to store in the file, so that the session opens on another machine: a CSV
    file's rows (a built-in set ships with the program), when they fit the file's limit. A
    spec model's data is made again from its name."""
    if isinstance(run, ModelRun) or str(run.settings.dataset) in BUILTIN:
        return None
    if embedded_bytes(run.data) > MAX_DATASET_BYTES:
        return None
    return run.data


def embedded_bytes(data: Dataset) -> int:
    return int(np.asarray(data.X).nbytes + np.asarray(data.y).nbytes)


def left_behind(run: TrainingRun | None) -> str | None:
    """Why a session saved now would not carry its dataset (it refers to the file instead)."""
    if run is None or travelling_copy(run) is not None or isinstance(run, ModelRun):
        return None
    if str(run.settings.dataset) in BUILTIN:
        return None
    return (f"the dataset ({embedded_bytes(run.data) / 2**20:.0f} MiB) is larger than the "
            f"{MAX_DATASET_BYTES // 2**20} MiB a session file carries: the file refers to "
            f"{run.settings.dataset} instead")


def _plain(state: SessionState, note: str) -> Built:
    graph = state.graph
    output = graph[state.output_id] if state.output_id is not None else graph.outputs[0]
    return Built.of(output, (n for n in graph.nodes if isinstance(n, Variable)), note, graph)


def _same_structure(a: Graph, b: Graph) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a.nodes, b.nodes):
        if type(x) is not type(y) or np.shape(x.value) != np.shape(y.value):
            return False
        if isinstance(x, Function) and (x.op.name != y.op.name or
                                        [a.id_of(i) for i in x.inputs] != [b.id_of(i) for i in y.inputs]):
            return False
    return True


def _restore_run(state: SessionState, data: Dataset | None, folder: Path | None,
                 unread: str | None) -> tuple[TrainingRun | None, str | None]:
    settings = state.training
    path = resolve(settings.dataset, folder) if folder is not None else None
    if path is not None:  # the run names the file itself, not a path relative to wherever it runs
        settings = replace(settings, dataset=str(path))
    # The copy in the file first: the path may not exist here (another machine).
    data = state.embedded_dataset if state.embedded_dataset is not None else data
    if data is None and str(settings.dataset) not in BUILTIN:
        # A path inside a file is never read here: the caller asks, reads, and hands the rows.
        why = unread or f"its dataset {path or settings.dataset} was not read"
        return None, f"the network could not be rebuilt ({why}); its graph is shown as saved"
    try:
        run = TrainingRun.create(settings, data)
    except (DatasetError, ValueError, OSError) as error:
        return None, f"the network could not be rebuilt ({error}); its graph is shown as saved"
    graph = run.network.graph
    if not _same_structure(graph, state.graph):
        return None, (f"the saved graph does not match a {run.network} on {state.dataset} "
                      "(the dataset may have changed); it is shown as saved")
    run.network.load_parameter_values([state.graph[graph.id_of(p)].value for p in run.network.parameters])
    graph.forward()
    return run, _take_history(run, state)


def _restore_model_run(state: SessionState) -> tuple[ModelRun | None, str | None]:
    """A spec model's run rebuilt from its spec and data by name, with the saved weights (read
    and checked against the spec when the file was read) and history."""
    settings = state.model.settings
    source = SOURCES.get(settings.dataset)
    if source is None:  # a path inside a file is never read here
        return None, (f"the model could not be rebuilt (its dataset {settings.dataset} is not one the window "
                      "makes by name); its graph is shown as saved")
    # An unrolled step is a few nodes of the saved graph: a file asking for more steps than it
    # holds nodes would cost far more to rebuild than to read.
    steps = settings.length or source.default_length or 0
    if steps > max(MAX_DRAWN_STEPS, len(state.graph)):
        return None, (f"the model could not be rebuilt: its sequences of {steps} steps are more than the "
                      f"{len(state.graph)} nodes its graph holds; its graph is shown as saved")
    try:
        run = ModelRun.create(settings)
    except (DatasetError, ValueError, OSError) as error:
        return None, f"the model could not be rebuilt ({error}); its graph is shown as saved"
    run.network.model.load_state_dict(state.model.weights)
    run.show_rows()
    return run, _take_history(run, state)


def _take_history(run: TrainingRun, state: SessionState) -> str | None:
    """The saved history, its last epoch's snapshot and where training stood, into ``run``;
    why the optimiser's state was not taken, if it was not."""
    run.history.extend(state.history)
    problem = None
    if state.history:
        last = state.history[-1]
        run.trainer.epochs_done = last.epoch
        run.snapshots.offer(last.epoch, run.network.parameter_values(), last)
    if state.trainer is not None:
        try:
            run.resume(state.trainer.epochs_done, state.trainer.rng, state.trainer.optimiser)
        except ValueError as error:
            problem = f"the optimiser's saved state does not fit ({error}); training goes on from fresh averages"
    return problem


def reopen(state: SessionState, data: Dataset | None = None, folder: str | Path | None = None,
           unread: str | None = None) -> Reopened:
    """What the window needs to show a loaded session (builds a network: run it off the UI
    thread). A network whose dataset is not at hand opens as its saved graph, with ``problem``
    set.

    Parameters
    ----------
    state : SessionState
    data : Dataset, optional
        The dataset file the session names (``named_dataset.dataset_path``), read by the
        caller once the user agreed. No file is ever read here: a session that names one and
        carries no copy of its rows opens without its network when ``data`` is None.
    folder : path, optional
        The session file's folder: the run's dataset path is taken relative to it.
    unread : str, optional
        Why ``data`` is missing (the user chose not to read it, the file could not be read),
        for ``problem``.

    A spec model's run is rebuilt from its spec, its data (made again by name) and its
    weights; when the saved graph is not the one the run draws (a session saved from Python
    with :func:`~.model_run.model_session`), the run's graph is shown from the start.
    """
    title = state.title or "session"
    run, problem = (None, None)
    if state.training is not None:
        run, problem = _restore_run(state, data, Path(folder) if folder is not None else None, unread)
    elif state.model is not None:
        run, problem = _restore_model_run(state)
        if run is not None and not _same_structure(run.network.graph, state.graph):
            state = replace(state, phase=None, position=-1)
    if run is not None:
        built = run.built()
    else:
        built = _plain(state, title)
    values = {}
    if state.expression is not None:
        values = {n.name: n.value.tolist() if np.ndim(n.value) else float(n.value)
                  for n in state.graph.nodes if isinstance(n, Variable) and n.name}
    return Reopened(built, run, state.expression, values, state, problem)
