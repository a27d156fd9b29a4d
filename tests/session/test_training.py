"""Training runs without Qt: thinned snapshots, boundaries, restoring an epoch."""

from __future__ import annotations

import numpy as np

from graphviz_nn.nn import EpochRecord, Trainer, make_optimiser
from graphviz_nn.nn.builder import build_network, output_width
from graphviz_nn.session.training import DEFAULTS, SnapshotStore, TrainingRun, boundary, defaults_for


def _record(epoch: int) -> EpochRecord:
    return EpochRecord(epoch, 1.0 / epoch, None, None, None, (), 0.0)


def test_snapshots_stay_bounded_over_ten_thousand_epochs() -> None:
    store = SnapshotStore(capacity=200, keep_early=20)
    weights = [np.zeros((30, 30))]
    for epoch in range(1, 10_001):
        store.offer(epoch, weights, _record(epoch))
    epochs = [s.epoch for s in store.snapshots]
    assert len(epochs) <= 201
    assert epochs[:20] == list(range(1, 21))  # every early epoch
    assert epochs == sorted(epochs) and epochs[-1] > 9_900
    assert store.nearest(5_000).epoch in epochs and abs(store.nearest(5_000).epoch - 5_000) <= store.spacing


def test_snapshots_are_copies() -> None:
    store = SnapshotStore()
    w = np.ones(3)
    store.offer(1, [w], _record(1))
    w[:] = 7
    assert store.snapshots[0].parameters[0].tolist() == [1.0, 1.0, 1.0]


def test_every_default_builds_and_trains_an_epoch() -> None:
    for name in DEFAULTS:
        run = TrainingRun.create(defaults_for(name))
        record = next(run.trainer.fit(run.train, run.test, 1))
        assert record.epoch == 1 and np.isfinite(record.train_loss), name


def test_restoring_an_epoch_puts_exactly_its_weights_back() -> None:
    settings = defaults_for("xor")
    run = TrainingRun.create(settings)
    for record in run.trainer.fit(run.train, run.test, 40):
        run.snapshots.offer(record.epoch, [p.value for p in run.network.parameters], record)
        run.history.append(record)
    run.restore(run.snapshots.nearest(12))
    # The same settings trained headless for 12 epochs give the very same weights.
    rng = np.random.default_rng(settings.seed)
    fresh = build_network(settings.spec, 2, output_width(run.data, settings.spec.output_activation), rng)
    trainer = Trainer(fresh, make_optimiser(settings.optimiser, fresh.parameters, settings.lr), None, rng)
    for _ in trainer.fit(run.train, None, 12):
        pass
    for restored, expected in zip(run.network.parameters, fresh.parameters):
        np.testing.assert_array_equal(restored.value, expected.value)
    # Going back keeps the history; training on from there sets the later epochs aside.
    assert run.at_epoch == 12 and len(run.history) == 40 and run.trainer.epochs_done == 40
    aside = run.branch()
    assert run.trainer.epochs_done == 12 and len(run.history) == 12 and not run.rewound
    assert [r.epoch for r in aside.history] == list(range(13, 41))


def _trained(epochs: int) -> TrainingRun:
    run = TrainingRun.create(defaults_for("xor"))
    for record in run.trainer.fit(run.train, run.test, epochs):
        run.snapshots.offer(record.epoch, [p.value for p in run.network.parameters], record)
        run.history.append(record)
    return run


def test_going_back_and_forth_in_time_keeps_the_latest_weights() -> None:
    run = _trained(30)
    latest = [p.copy() for p in run.network.parameter_values()]
    run.restore(run.snapshots.nearest(5))
    assert run.rewound and run.at_epoch == 5
    run.restore(run.snapshots.nearest(30))  # the last epoch: the latest weights come back
    assert not run.rewound and len(run.history) == 30
    for got, want in zip(run.network.parameter_values(), latest):
        np.testing.assert_array_equal(got, want)


def test_training_on_from_the_past_can_be_undone_exactly() -> None:
    run = _trained(30)
    latest = [p.copy() for p in run.network.parameter_values()]
    expected = _trained(35)  # what training on from the latest epoch gives
    records_before = list(run.history)
    run.restore(run.snapshots.nearest(10))
    aside = run.branch()
    run.history.extend(run.trainer.fit(run.train, run.test, 7))  # a different future
    assert [r.epoch for r in run.history][-1] == 17
    run.undo_branch(aside)
    assert run.history == records_before and run.trainer.epochs_done == 30 and not run.rewound
    for got, want in zip(run.network.parameter_values(), latest):
        np.testing.assert_array_equal(got, want)
    # Optimiser and shuffling are back too: training on gives what it would have given.
    more = list(run.trainer.fit(run.train, run.test, 5))
    assert [r._replace(seconds=0) for r in more] == [r._replace(seconds=0) for r in expected.history[30:]]


def test_boundary_classifies_the_grid_as_the_network_does() -> None:
    run = TrainingRun.create(defaults_for("moons"))
    for _ in run.trainer.fit(run.train, None, 50):
        pass
    shown = boundary(run.network, *run.grid)
    gx, gy = np.meshgrid(shown.xs, shown.ys)
    direct = run.network.classify(run.network.predict(np.column_stack([gx.ravel(), gy.ravel()])))
    np.testing.assert_array_equal(shown.classes.ravel(), direct)
