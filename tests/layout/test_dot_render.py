"""A drawing saved with ``Dot.render`` is written as every save is, though the layout layer
sits below io: through the writer the package root hands it (io's write_atomic)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import graphviz_nn as gn


def test_a_failed_render_keeps_the_previous_drawing_whole(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "sine.svg"
    target.write_bytes(b"<svg>the previous drawing</svg>")

    def refused(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refused)  # the last step of an atomic write
    with pytest.raises(OSError, match="disk full"):
        gn.draw(gn.sin(gn.Variable(1.0, "x"))).render(tmp_path / "sine", format="svg")
    assert target.read_bytes() == b"<svg>the previous drawing</svg>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sine", "sine.svg"]  # no temporary left


def test_importing_the_layout_alone_can_render_without_loading_io(tmp_path: Path) -> None:
    """The root hands layout its writer without importing io (66 ms of codecs and nn) until
    the first drawing is saved."""
    code = (
        "import sys\n"
        "from graphviz_nn.layout.dot import draw\n"
        "from graphviz_nn.engine import Variable, sin\n"
        "loaded = 'graphviz_nn.io' in sys.modules\n"
        f"path = draw(sin(Variable(1.0, 'x'))).render({str(tmp_path / 'sine')!r}, format='svg')\n"
        "print(loaded, 'graphviz_nn.io.atomic' in sys.modules, path)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    loaded, after, path = out.stdout.split()
    assert (loaded, after) == ("False", "True")
    assert "<svg" in Path(path).read_text()
