"""Where students already are: a node displays its graph, drawings render with the bundled
Graphviz, and the example notebook runs from top to bottom."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import graphviz_nn as gn
from graphviz_nn.nn import PerceptronNet

ROOT = Path(__file__).resolve().parents[1]


def test_a_node_displays_its_graph() -> None:
    x = gn.Variable(0.5, "x")
    y = gn.sin(x) * 2
    y.name = "y"
    svg = y._repr_svg_()
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert ">x<" in svg and ">y<" in svg


def test_a_big_graph_displays_collapsed() -> None:
    graph = PerceptronNet([30, 10, 10, 1]).graph
    drawing = gn.draw(graph)
    assert len(drawing.source) < len(gn.draw(graph, collapsed=()).source) / 4


@pytest.mark.parametrize("engine", ["dot", "neato"])
def test_render_and_other_engines_use_the_bundled_graphviz(tmp_path: Path, engine: str, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no system Graphviz to fall back on
    drawing = gn.draw(gn.sin(gn.Variable(1.0, "x")))
    drawing.engine = engine
    written = Path(drawing.render(tmp_path / "sine", format="svg"))
    assert written == tmp_path / "sine.svg" and "<svg" in written.read_text()
    assert (tmp_path / "sine").read_text().startswith("digraph")  # the DOT source beside it


def test_the_example_notebook_runs_top_to_bottom(tmp_path: Path) -> None:
    notebook = ROOT / "examples" / "tour.ipynb"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "JUPYTER_PLATFORM_DIRS": "1"}
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--ExecutePreprocessor.timeout=300", "--output-dir", str(tmp_path), str(notebook)],
                          capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    executed = json.loads((tmp_path / "tour.ipynb").read_text())
    outputs = [o for cell in executed["cells"] for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/svg+xml" in o.get("data", {}) for o in outputs)  # the node showed its graph
    assert any("loss " in "".join(o.get("text", "")) for o in outputs)
