"""The trainer for any model: the loss its task asks for, with gradients that equal central
differences; the graph of a batch shape built once and fed again; the same losses as torch
trains from the same weights; a model whose output does not fit its targets refused in words."""

from __future__ import annotations

import numpy as np
import pytest

from graphviz_nn.engine import NonFiniteError, Variable, check_gradients
from graphviz_nn.nn import Linear, Module, ReLU
from graphviz_nn.nn.model_spec import ModelSpec, build
from graphviz_nn.nn.model_trainer import ModelTrainer
from graphviz_nn.nn.optimisers import make_optimiser
from graphviz_nn.nn.presets import preset
from graphviz_nn.nn.shaped_data import ShapedData


def rows(n: int = 20, seed: int = 0) -> ShapedData:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    return ShapedData("rows", x, (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1), "classes", classes=3)


def sums(n: int = 12, steps: int = 5, seed: int = 0) -> ShapedData:
    x = np.random.default_rng(seed).uniform(-1, 1, (steps, n, 2))
    return ShapedData("sums", x, x.sum(axis=(0, 2))[:, None] / steps, "regression", x_axis=1)


def echo(n: int = 10, steps: int = 4, seed: int = 0) -> ShapedData:
    x = np.random.default_rng(seed).integers(0, 5, (steps, n))
    return ShapedData("echo", x, np.roll(x, 1, axis=0), "classes", x_axis=1, y_axis=1, classes=5, tokens=True,
                      vocab=5)


SETS = {"rows": (rows, "mlp"), "sums": (sums, "lstm"), "echo": (echo, "gru")}


def _trainer(name: str, optimiser: str = "gd", lr: float = 0.1, batch_size: int | None = None,
             seed: int = 0) -> tuple[ModelTrainer, ShapedData]:
    make, model_name = SETS[name]
    data = make()
    spec, data = preset(model_name, data)
    model = build(spec, np.random.default_rng(seed))
    trainable = [p for p in model.parameters() if isinstance(p, Variable)]
    return ModelTrainer(model, make_optimiser(optimiser, trainable, lr), data.task, batch_size), data


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_loss_of_the_task_has_the_gradients_of_central_differences(name):
    trainer, data = _trainer(name)
    fed = trainer.graph_for(data.take(slice(0, 4)), training=True)
    for variable, check in check_gradients(fed.loss).items():
        assert check.ok(1e-6), (variable.label, check.relative_error)


def test_the_graph_of_a_batch_shape_is_built_once_and_fed_again():
    trainer, data = _trainer("sums", batch_size=5)
    calls = []
    trainer.model.observe(lambda module, output: calls.append(output.shape))
    test = sums(7, seed=1)
    records = list(trainer.fit(data, test, epochs=4))
    # batches of 5, 5 and 2 and the test set: three shapes in training mode, one in evaluation
    assert sorted(set(calls)) == [(2, 1), (5, 1), (7, 1)] and len(calls) == 3
    assert [r.epoch for r in records] == [1, 2, 3, 4]
    assert all(r.train_accuracy is None and r.test_loss is not None for r in records)


def test_tokens_build_their_graph_for_each_batch_and_score_every_step():
    trainer, data = _trainer("echo", optimiser="adam", lr=0.05, batch_size=5)
    calls = []
    trainer.model.observe(lambda module, output: calls.append(output.shape))
    records = list(trainer.fit(data, echo(6, seed=1), epochs=3))
    assert len(calls) == 3 * (2 + 1)  # an Embedding's lookup holds its indices
    assert all(0.0 <= r.train_accuracy <= 1.0 and 0.0 <= r.test_accuracy <= 1.0 for r in records)
    assert [name for name, _ in records[0].gradient_norms] == ["0: Embedding", "1: GRU", "2: Linear"]


def test_a_class_with_layers_and_a_forward_trains_as_a_spec_does():
    class Net(Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.act, self.fc2 = Linear(3, 8), ReLU(), Linear(8, 3, rng=np.random.default_rng(1))

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    net = Net()
    trainer = ModelTrainer(net, make_optimiser("adam", list(net.parameters()), 0.05), "classes", 8)
    records = list(trainer.fit(rows(60), rows(30, seed=2), epochs=30))
    assert records[-1].train_loss < records[0].train_loss / 2
    assert [name for name, _ in records[0].gradient_norms] == ["fc1: Linear", "fc2: Linear"]


def test_an_output_that_does_not_fit_the_targets_is_refused_naming_both_shapes():
    model = build(ModelSpec.of({"type": "Linear", "in_features": 3, "out_features": 2}))
    trainer = ModelTrainer(model, make_optimiser("gd", list(model.parameters()), 0.1), "classes")
    with pytest.raises(ValueError, match=r"the model gives \(20, 2\) for inputs \(20, 3\); rows's targets \(20,\) "
                                         r"need one score for each of 3 classes"):
        next(trainer.fit(rows(), epochs=1))
    regression = ModelTrainer(model, make_optimiser("gd", list(model.parameters()), 0.1), "regression")
    data = ShapedData("targets", np.zeros((4, 3)), np.zeros((4, 1)), "regression")
    with pytest.raises(ValueError, match=r"the model gives \(4, 2\) for inputs \(4, 3\); targets's targets are \(4, 1\)"):
        next(regression.fit(data, epochs=1))


def test_a_loss_that_becomes_infinite_names_the_epoch():
    trainer, data = _trainer("sums", lr=1e6)
    data = ShapedData("sums", data.x * 1e3, data.y * 1e150, "regression", x_axis=1)
    with np.errstate(all="ignore"), pytest.raises(NonFiniteError, match="^epoch [0-9]+: "):
        list(trainer.fit(data, epochs=50))


# --- against torch ----------------------------------------------------------------------------------
def _torch_model(torch, name, model):
    nn = torch.nn
    if name == "rows":
        net = nn.Sequential(nn.Linear(3, 32), nn.ReLU(), nn.Linear(32, 3)).double()
    else:
        class Recurrent(nn.Module):
            def __init__(self):
                super().__init__()
                if name == "sums":
                    self.add_module("0", nn.LSTM(2, 16))
                    self.add_module("2", nn.Linear(16, 1))
                else:
                    self.add_module("0", nn.Embedding(5, 16))
                    self.add_module("1", nn.GRU(16, 16))
                    self.add_module("2", nn.Linear(16, 5))

            def forward(self, x):
                if name == "sums":
                    out, _ = getattr(self, "0")(x)
                    return getattr(self, "2")(out[-1])
                out, _ = getattr(self, "1")(getattr(self, "0")(x))
                return getattr(self, "2")(out)

        net = Recurrent().double()
    net.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    return net


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_losses_of_full_batch_descent_equal_torchs(name):
    torch = pytest.importorskip("torch")
    trainer, data = _trainer(name, lr=0.05)
    net = _torch_model(torch, name, trainer.model)
    step = torch.optim.SGD(net.parameters(), lr=0.05)
    x = torch.from_numpy(data.x)
    y = torch.from_numpy(data.y)
    expected = []
    for _ in range(3):
        step.zero_grad()
        out = net(x)
        if data.task == "classes":
            loss = torch.nn.functional.cross_entropy(out.reshape(-1, data.classes), y.reshape(-1))
        else:
            loss = torch.nn.functional.mse_loss(out, y)
        expected.append(loss.item())
        loss.backward()
        step.step()
    got = [r.train_loss for r in trainer.fit(data, epochs=3)]
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_an_lstm_learns_the_sums_it_is_shown():
    trainer, data = _trainer("sums", optimiser="adam", lr=0.02, batch_size=16)
    data = sums(200, steps=5)
    records = list(trainer.fit(data, sums(50, steps=5, seed=3), epochs=30))
    assert records[-1].test_loss < 0.1 * records[0].test_loss


def test_layers_that_draw_masks_draw_new_ones_for_each_training_batch():
    class Masked(Module):
        """Stands for Dropout: its graph's masks are redrawn by resample()."""

        def __init__(self):
            super().__init__()
            object.__setattr__(self, "drawn", 0)

        def resample(self):
            object.__setattr__(self, "drawn", self.drawn + 1)

        def forward(self, x):
            return x

    class Net(Module):
        def __init__(self):
            super().__init__()
            self.fc, self.drop = Linear(3, 3), Masked()

        def forward(self, x):
            return self.drop(self.fc(x))

    net = Net()
    trainer = ModelTrainer(net, make_optimiser("gd", list(net.parameters()), 0.1), "classes", 8)
    list(trainer.fit(rows(20), rows(5, seed=1), epochs=2))
    assert net.drop.drawn == 2 * 3  # three training batches an epoch; none when measuring
