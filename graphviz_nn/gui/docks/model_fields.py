"""The training form's Model choice: the dense network or a spec model, the datasets it lists,
the fields it shows, and the :class:`~graphviz_nn.nn.model_setup.ModelSettings` it reads and
shows (the rules are :mod:`graphviz_nn.session.model_choice`'s)."""

from __future__ import annotations

from ...nn.checks import SettingsError
from ...nn.model_setup import ModelSettings
from ...session.model_choice import (DENSE, SPEC, datasets_for, model_defaults, model_of, model_settings,
                                     takes_steps)
from ...session.training_sequence import settings_for


class ModelFields:
    """What :class:`~.training_settings.TrainingSettingsForm` does with its Model box (a part
    of the form, sharing its widgets: ``model``, ``steps``, ``dataset`` and the rest)."""

    @property
    def model_key(self) -> str:
        """The Model box's choice: "dense", a preset's name, or "spec"."""
        return self.model.currentData() or DENSE

    def _on_model_chosen(self, *_) -> None:
        """Another model: its own settings, on the first dataset it takes (the dense network
        keeps a dataset it takes)."""
        key = self.model_key
        if key == DENSE:
            current = self._dense_items[self._dense_index][1] if self._dense_items else "xor"
            self.show_settings(settings_for(current, self.kind.currentData() or "layer"))
        elif key == SPEC:
            self._show_model_settings(self._spec, SPEC)
        else:
            self._show_model_settings(model_defaults(key), key)

    def choose_model(self, key: str, spec: ModelSettings | None = None) -> None:
        """The Model box at ``key`` (without asking for its defaults), the datasets it takes
        listed, the fields it reads shown; ``spec`` the spec of another making (SPEC)."""
        if key == SPEC:
            self._spec = spec
            text = f"Spec ({len(spec.spec.layers)} layers)"
            if self.model.findData(SPEC) < 0:
                self.model.addItem(text, SPEC)
            self.model.setItemText(self.model.findData(SPEC), text)
        before = self._listed
        self.model.blockSignals(True)
        self.model.setCurrentIndex(self.model.findData(key))
        self.model.blockSignals(False)
        if key != before or key == SPEC:
            self._list_datasets(before, key)
        self._show_fields(key == DENSE)

    def _list_datasets(self, before: str, key: str) -> None:
        """The Dataset box lists what ``key`` takes, none chosen (the caller chooses one, so
        that the dock hears of it); the dense network's list, CSV files included, comes back."""
        box, self._listed = self.dataset, key
        if before == DENSE:
            self._dense_items = [(box.itemText(i), box.itemData(i)) for i in range(box.count())]
            self._dense_index = max(box.currentIndex(), 0)
        items = self._dense_items if key == DENSE and self._dense_items else [(d, d) for d in datasets_for(key)]
        box.blockSignals(True)
        box.clear()
        for text, data in items:
            box.addItem(text, data)
        box.setCurrentIndex(-1)
        box.blockSignals(False)

    def _show_fields(self, dense: bool) -> None:
        for name in ("kind", "hidden", "activation", "output_activation", "loss", "train_rows", "init", "target",
                     "normalise", "bias", "open_csv"):
            getattr(self, name).setVisible(dense)
            if name in self._labels:
                self._labels[name].setVisible(dense)
        self.steps.setVisible(not dense)
        self._labels["length"].setVisible(not dense)
        self.steps.setEnabled(takes_steps(self.dataset.currentData()))

    # --- a spec model's settings -----------------------------------------------------------------
    def _model_settings(self) -> ModelSettings:
        """The spec model's settings as the widgets show them; SettingsError naming the field by
        its label, ValueError or DatasetError when the preset does not take the dataset."""
        dataset = self.dataset.currentData()
        length = self.steps.value() if takes_steps(dataset) and self.steps.value() else None
        spec = self._spec if self.model_key == SPEC else None
        try:
            return model_settings(self.model_key, dataset, length, spec and spec.spec,
                                  bool(spec and spec.batch_first), optimiser=self.optimiser.currentData(),
                                  lr=self.lr.value(), batch_size=self.batch.value() or None,
                                  epochs=self.epochs.value(), seed=self.seed.value(),
                                  test_fraction=self.test_fraction.value(), weight_decay=self.weight_decay.value())
        except SettingsError as error:
            raise self._labelled(error) from None

    def _show_model_settings(self, settings: ModelSettings, key: str | None = None) -> None:
        """``settings`` in the widgets; ``key`` the model they are known to be (else worked out
        from the spec: the preset that made it, or SPEC)."""
        key = key or model_of(settings)
        self.choose_model(key, settings if key == SPEC else None)
        dataset = str(settings.dataset)
        if self.dataset.findData(dataset) < 0:
            self.dataset.addItem(dataset, dataset)
        self.dataset.setCurrentIndex(self.dataset.findData(dataset))
        if self.optimiser.findData(settings.optimiser) < 0:
            self.optimiser.addItem(settings.optimiser, settings.optimiser)
        self.optimiser.setCurrentIndex(self.optimiser.findData(settings.optimiser))
        self.lr.setValue(settings.lr)
        self.weight_decay.setValue(settings.weight_decay)
        self.batch.setValue(settings.batch_size or 0)
        self.epochs.setValue(settings.epochs)
        self.seed.setValue(settings.seed)
        self.test_fraction.setValue(settings.test_fraction)
        self.steps.setValue(settings.length or 0)
        self.steps.setEnabled(takes_steps(dataset))
        self._refresh_summary()

    def _model_summary(self) -> str:
        """The folded settings of a spec model in one line."""
        dataset = self.dataset.currentData() or ""
        steps = f" of {self.steps.value()} steps" if takes_steps(dataset) and self.steps.value() else ""
        extras = [f"weight decay {self.weight_decay.value():g}"] * bool(self.weight_decay.value())
        if self.test_fraction.value() != ModelSettings.test_fraction:
            extras.append(f"test fraction {self.test_fraction.value():g}")
        return (f"{self.model.currentText()} on {dataset}{steps}, {self.optimiser.currentText()} lr "
                f"{self.lr.value():g}, batch {self.batch.value() or 'full'}, {self.epochs.value()} epochs, "
                f"seed {self.seed.value()}" + "".join(f", {e}" for e in extras))
