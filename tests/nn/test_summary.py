"""summary(): seed 003's table for its SimpleMLP, and the counts of other models."""

from __future__ import annotations

import numpy as np
import pytest

from graphviz_nn import nn
from graphviz_nn.engine import Constant


class SimpleMLP(nn.Module):
    """Seed 003's model: three Linear layers with ReLU between."""

    def __init__(self, input_size: int = 128, hidden_size: int = 516, output_size: int = 1):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, hidden_size)
        self.relu2 = nn.ReLU()
        self.fc3 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        x = self.relu1(self.fc1(x))
        x = self.relu2(self.fc2(x))
        return self.fc3(x)


SEED_TABLE = """\
======================================================================
        Layer (type)              Output Shape         Param #
======================================================================
            Linear-1                 [64, 516]          66,564
              ReLU-2                 [64, 516]               0
            Linear-3                 [64, 516]         266,772
              ReLU-4                 [64, 516]               0
            Linear-5                   [64, 1]             517
         SimpleMLP-6                   [64, 1]               0
======================================================================
Total params: 333,853
Trainable params: 333,853
Non-trainable params: 0
======================================================================"""


def test_seed_003_simple_mlp_table() -> None:
    table = nn.summary(SimpleMLP(128, 516, 1), input_size=(64, 128))
    assert table.total_params == 333_853
    assert table.trainable_params == 333_853 and table.non_trainable_params == 0
    assert str(table) == SEED_TABLE
    assert [row.layer for row in table.rows][-1] == "SimpleMLP-6"


def test_counts_equal_torchs_for_an_lstm_model() -> None:
    model = nn.Sequential(nn.Embedding(20, 8), nn.LSTM(8, 16, num_layers=2))
    table = nn.summary(model, input_data=np.zeros((5, 3), dtype=np.int64))
    # Embedding 20·8; LSTM layer 0: 4·16·(8 + 16) + 2·4·16; layer 1: 4·16·(16 + 16) + 2·4·16.
    assert table.total_params == 160 + (1536 + 128) + (2048 + 128)
    assert [(row.layer, row.output_shape, row.params) for row in table.rows] == [
        ("Embedding-1", (5, 3, 8), 160), ("LSTM-2", (5, 3, 16), 3840), ("Sequential-3", (5, 3, 16), 0)]
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(torch.nn.Embedding(20, 8), torch.nn.LSTM(8, 16, num_layers=2))
    assert table.total_params == sum(p.numel() for p in theirs.parameters())


def test_summary_leaves_no_observer_behind_even_when_the_model_fails() -> None:
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    with pytest.raises(ValueError, match="must have 3 features"):
        nn.summary(model, (4, 5))
    assert all(m._observer is None for m in model.modules())
    y = model(Constant(np.ones((1, 3))))
    assert y.shape == (1, 2)


@pytest.mark.parametrize("kwargs, message", [
    ({}, "give the input's shape"),
    ({"input_size": (2, 3), "input_data": np.zeros((2, 3))}, "give the input's shape"),
    ({"input_size": (0, 3)}, "input_size must be whole numbers >= 1"),
    ({"input_size": (2.5, 3)}, "input_size must be whole numbers >= 1"),
])
def test_bad_sizes_are_refused(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        nn.summary(nn.Linear(3, 1), **kwargs)


def test_a_summary_leaves_the_model_as_it_was() -> None:
    """Batch norm's running statistics and every layer's mode are the same after a summary."""
    from graphviz_nn.nn import BatchNorm2d, Conv2d, Dropout, Flatten, Linear, ReLU, Sequential

    model = Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), Dropout(0.5), Flatten(),
                       Linear(4 * 8 * 8, 3))
    model[3].eval()  # one child in another mode than the rest: kept so
    before = {k: v.copy() for k, v in model.state_dict().items()}
    modes = [m.training for m in model.modules()]
    table = nn.summary(model, (2, 1, 8, 8))
    assert table.total_params == sum(v.size for k, v in before.items() if "running" not in k and "num_batches" not in k)
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert [m.training for m in model.modules()] == modes
