"""``graphviz-nn export-code``: a saved session's network as scripts that predict as the window does."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graphviz_nn.cli import main
from graphviz_nn.io import save_session
from graphviz_nn.nn.builder import NetworkSpec
from graphviz_nn.session.document import capture
from graphviz_nn.session.training import TrainingRun, defaults_for


def _saved(tmp_path: Path, kind: str, features=None) -> tuple[Path, TrainingRun]:
    spec = NetworkSpec(kind, (5,), "tanh", "sigmoid", "mse", normalise=True)
    run = TrainingRun.create(dataclasses.replace(defaults_for("moons"), spec=spec, seed=4, features=features))
    run.history.extend(run.trainer.fit(run.train, run.test, 5))
    run.show_rows()
    return save_session(tmp_path / "net.gnn", capture(run.built(), "moons", run=run)), run


@pytest.mark.parametrize("kind", ["layer", "perceptron"])
def test_exported_script_prints_the_windows_predictions(kind, tmp_path: Path, capsys) -> None:
    path, run = _saved(tmp_path, kind)
    assert main(["export-code", str(path), "--numpy", str(tmp_path / "m.py"),
                 "--torch", str(tmp_path / "m_torch.py")]) == 0
    assert "wrote" in capsys.readouterr().out
    X = run.data.X
    window = run.network.predict(run.scaling.apply(X) if run.scaling is not None else X)
    csv = tmp_path / "rows.csv"
    csv.write_text("\n".join(",".join(repr(float(v)) for v in row) for row in X), encoding="utf-8")
    env = {key: os.environ[key] for key in ("PATH", "SYSTEMROOT") if key in os.environ}
    done = subprocess.run([sys.executable, "-I", str(tmp_path / "m.py"), str(csv)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    got = np.array([[float(v) for v in line.split(",")] for line in done.stdout.splitlines()])
    np.testing.assert_allclose(got, window, rtol=1e-12, atol=1e-12)
    if importlib.util.find_spec("torch") is not None:
        spec = importlib.util.spec_from_file_location(f"m_torch_{kind}", tmp_path / "m_torch.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        np.testing.assert_allclose(module.predict(X), window, rtol=1e-12, atol=1e-12)


def test_nothing_to_write_and_no_network_are_one_line_errors(tmp_path: Path, capsys) -> None:
    path, _ = _saved(tmp_path, "layer")
    assert main(["export-code", str(path)]) == 2
    assert "--numpy FILE.py" in capsys.readouterr().err
    (tmp_path / "bad.gnn").write_bytes(b"not a session")
    assert main(["export-code", str(tmp_path / "bad.gnn"), "--numpy", str(tmp_path / "m.py")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("graphviz-nn export-code: error:") and err.count("\n") == 1
    assert not (tmp_path / "m.py").exists()


def test_a_folder_as_the_output_is_refused(tmp_path: Path, capsys) -> None:
    path, _ = _saved(tmp_path, "layer")
    assert main(["export-code", str(path), "--numpy", str(tmp_path)]) == 2
    assert "not a file" in capsys.readouterr().err


def test_a_network_fed_feature_columns_exports_scripts_that_read_those_columns(tmp_path: Path, capsys) -> None:
    features = ("x1", "x2", "sin_x1", "sin_x2")
    path, run = _saved(tmp_path, "layer", features)
    assert main(["export-code", str(path), "--numpy", str(tmp_path / "m.py")]) == 0
    assert "sin_x1, sin_x2" in capsys.readouterr().err
    columns = run.network_inputs(run.data.X)
    spec = importlib.util.spec_from_file_location("m_features", tmp_path / "m.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    np.testing.assert_allclose(module.predict(columns), run.network.predict(columns), rtol=1e-12, atol=1e-12)
