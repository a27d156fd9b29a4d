"""The Model builder and Summary docks: a Sequential edited layer by layer on the training
form's dataset, its summary table kept up to date off the window's thread, and Build drawing the
last model that fitted, ready to train."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import QObject

from ...nn.model_setup import ModelSettings, load_data
from ...nn.model_spec import ModelSpec
from ...nn.presets import preset_for
from ...session.model_choice import datasets_for
from ...session.model_training import ModelRun
from ...session.spec_summary import spec_summary
from ...session.window_model import WindowModel
from ..jobs import Job

SUMMARY_BATCH = 64  # the N the summary's shapes are shown at (seed 003's table is at 64)


class BuilderController(QObject):
    """Keeps the builder on the training form's dataset, the summary on the builder's model,
    and turns Build into a graph on screen whose run the training form then trains.

    Parameters
    ----------
    model : WindowModel
        Owns the builder document (``model.builder``).
    builder_dock : BuilderDock
        Its ``build_requested(spec)`` draws the model; shown, it takes the form's dataset.
    summary_dock : SummaryDock
    training_dock : TrainingDock
        The form whose settings (dataset, steps, optimiser...) a built model trains with.
    """

    def __init__(self, model: WindowModel, builder_dock, summary_dock, training_dock, parent: QObject | None = None):
        super().__init__(parent)
        self.model, self.dock, self.summary, self.form = model, builder_dock, summary_dock, training_dock
        self.settings: ModelSettings | None = None  # the dataset and options the builder's model is for
        self._job: Job | None = None
        model.builder.events.spec_changed.connect(lambda _spec: self.summarise())
        builder_dock.build_requested.connect(self._on_builder_build_requested)
        builder_dock.visibilityChanged.connect(self._on_builder_visibility_changed)

    def _on_builder_visibility_changed(self, visible: bool) -> None:
        if visible and self.summary.isHidden():
            self.summary.show()  # its tab beside the builder's
            self.dock.raise_()
        if visible and self.settings is None:
            self.take_form()

    def take_form(self) -> None:
        """Start the builder from the training form: its spec model as it is, or the preset
        for its dataset (a CNN for images, an LSTM for sequences, an MLP for tables)."""
        chosen = self.form.settings()
        try:
            if isinstance(chosen, ModelSettings):
                settings = chosen
                data = load_data(settings.dataset, settings.length, settings.seed, settings.batch_first)
            else:
                settings, data = self._preset_settings(chosen.dataset)
        except (ValueError, OSError) as error:  # a table file gone, a set no preset takes
            self.model.say(f"Model builder: {error}")
            settings, data = self._preset_settings("digits")
        self.settings = settings
        self.model.builder.set_input(data=data, spec=settings.spec)
        self.summarise()

    @staticmethod
    def _preset_settings(dataset: str):
        """The first preset that takes ``dataset``, sized for it (known from the presets' lists,
        so the data is read once; a table of the user's gets an MLP)."""
        kind = next((k for k in ("cnn", "mlp", "lstm", "transformer") if dataset in datasets_for(k)), "mlp")
        spec, data, batch_first = preset_for(kind, dataset)
        return ModelSettings(dataset, spec, batch_first=batch_first), data

    def summarise(self) -> None:
        """The summary of the builder's last good model, computed off the window's thread;
        a result a newer spec overtook is dropped."""
        builder = self.model.builder
        spec, shape, tokens = builder.spec, builder.input_shape, builder.tokens
        if self._job is not None:
            self._job.cancelled = True
        self._job = job = Job(lambda: spec_summary(spec, shape, tokens, {"N": SUMMARY_BATCH}), self)
        shown = tuple(SUMMARY_BATCH if d == "N" else d for d in shape)
        job.finished.connect(lambda summary: self._summarised(job, summary, shown))
        job.failed.connect(lambda message: self.model.say(f"Summary: {message}"))
        job.start()

    def _summarised(self, job: Job, summary, shape) -> None:
        if job is self._job:
            self.summary.show_summary(summary, f"Sequential at {shape}")

    def _on_builder_build_requested(self, spec: ModelSpec) -> None:
        if self.settings is None:
            self.take_form()
        if self.model.training_running:
            self.model.say("A network is training: stop it before drawing another")
            return
        settings = self.settings = dataclasses.replace(self.settings, spec=spec)
        self.form.show_settings(settings)
        title = f"Sequential of {len(spec.layers)} layers on {settings.dataset}"
        self.model.open(lambda: dataclasses.replace(ModelRun.create(settings).built(), network=settings), title)
