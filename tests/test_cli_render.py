"""``graphviz-nn render``: expressions and networks to files, and one-line errors."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET


def _render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphviz_nn", "render", *args],
                          capture_output=True, text=True, timeout=120)


def test_expression_to_svg_with_values_and_gradients(tmp_path) -> None:
    out = tmp_path / "z.svg"
    done = _render("sin(x1 + x2) + x2**2 * x3", "--set", "x1=0.5", "x2=-1.2", "x3=2",
                   "-o", str(out), "--values", "--gradients")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {out} (svg, 9 nodes)"
    text = " ".join(t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
    assert "= 2.236" in text and "∇ -4.035" in text


def test_network_to_png(tmp_path) -> None:
    out = tmp_path / "net.png"
    done = _render("--net", "layer", "--hidden", "5", "--dataset", "breast_cancer", "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    width, height = struct.unpack(">II", data[16:24])
    assert data[:4] == b"\x89PNG" and width > 400 and height > 100


def test_format_flag_overrides_the_suffix(tmp_path) -> None:
    out = tmp_path / "graph.out"
    assert _render("x * y", "-o", str(out), "--format", "dot").returncode == 0
    assert out.read_text().startswith('digraph "graph"')


def test_a_syntax_error_points_at_its_position(tmp_path) -> None:
    done = _render("sin(x1 +* x2)", "-o", str(tmp_path / "a.svg"))
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0] == "graphviz-nn render: error: invalid syntax"
    assert lines[2].index("^") - 2 == "sin(x1 +* x2)".index("*")
    assert not (tmp_path / "a.svg").exists()


def test_refused_and_bad_input(tmp_path) -> None:
    for args, message in [
        (["__import__('os')", "-o", str(tmp_path / "a.svg")], "the name '__import__' is not allowed"),
        (["x", "--set", "y=1", "-o", str(tmp_path / "a.svg")], "does not use"),
        (["x", "--set", "x=abc", "-o", str(tmp_path / "a.svg")], "'abc' is not a number"),
        (["x", "-o", str(tmp_path / "a.bmp")], "cannot tell the format"),
        (["-o", str(tmp_path / "a.svg")], "give an expression to draw"),
    ]:
        done = _render(*args)
        assert done.returncode == 2, args
        assert message in done.stderr, (args, done.stderr)
