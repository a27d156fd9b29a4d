"""Exports are read back: DOT text, SVG as XML naming every node, PNG of the right size, PDF."""

from __future__ import annotations

import os
import stat
import struct
import xml.etree.ElementTree as ET

import pytest

from graphviz_nn.io import export_graph, write_atomic
from graphviz_nn.layout import build_view
from graphviz_nn.nn import LayerNet, PerceptronNet
from tests.layout.conftest import scalar_example

SVG = "{http://www.w3.org/2000/svg}"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_svg_parses_and_names_every_node(tmp_path) -> None:
    graph = scalar_example()
    path = export_graph(graph, tmp_path / "z.svg", values=True)
    root = ET.parse(path).getroot()
    titles = {t.text for t in root.iter(f"{SVG}title")}
    assert {f"n{i}" for i in range(9)} <= titles
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "x1" in texts and "= 0.5" in texts


def test_png_decodes_with_the_size_of_the_drawing(tmp_path) -> None:
    graph = scalar_example()
    svg_root = ET.parse(export_graph(graph, tmp_path / "z.svg")).getroot()
    width_pt = float(svg_root.get("width").removesuffix("pt"))
    height_pt = float(svg_root.get("height").removesuffix("pt"))
    width, height = _png_size((export_graph(graph, tmp_path / "z.png")).read_bytes())
    assert abs(width - width_pt * 96 / 72) <= 2 and abs(height - height_pt * 96 / 72) <= 2


def test_pdf_and_dot(tmp_path) -> None:
    graph = LayerNet([3, 2, 1]).graph
    assert export_graph(graph, tmp_path / "net.pdf").read_bytes().startswith(b"%PDF")
    dot = export_graph(graph, tmp_path / "net.gv").read_text(encoding="utf-8")
    assert dot.startswith('digraph "graph"') and 'label="layer 1"' in dot


def test_collapsed_export_names_the_scope_node(tmp_path) -> None:
    graph = PerceptronNet([3, 2, 1]).graph
    scopes = [("layer 1",)]
    root = ET.parse(export_graph(graph, tmp_path / "p.svg", collapsed=scopes)).getroot()
    titles = {t.text for t in root.iter(f"{SVG}title")}
    assert {n.id for n in build_view(graph, scopes).nodes} <= titles
    assert "scope/layer 1" in titles


def test_unknown_format_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="cannot tell the format"):
        export_graph(scalar_example(), tmp_path / "z.bmp")


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path, monkeypatch) -> None:
    path = tmp_path / "f.txt"
    write_atomic(path, b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("graphviz_nn.io.atomic.os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_write_gives_ordinary_permissions(tmp_path) -> None:
    """A new file gets read-write less the umask, not a temporary file's owner-only mode;
    a replaced file keeps its own mode."""
    mask = os.umask(0o027)
    try:
        new = write_atomic(tmp_path / "new.txt", b"x")
        assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~0o027
    finally:
        os.umask(mask)
    kept = tmp_path / "kept.txt"
    kept.write_bytes(b"old")
    kept.chmod(0o604)
    write_atomic(kept, b"new")
    assert kept.read_bytes() == b"new" and stat.S_IMODE(kept.stat().st_mode) == 0o604
