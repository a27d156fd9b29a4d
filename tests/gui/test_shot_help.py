"""``graphviz-nn shot --help`` documents every field its report writes, and every level of
detail a box can be drawn at."""

from __future__ import annotations

import re

import pytest

from graphviz_nn import cli
from graphviz_nn.gui.canvas.screen_report import screen_report
from graphviz_nn.session.box_detail import Detail


def _help(capsys) -> str:
    with pytest.raises(SystemExit):
        cli.main(["shot", "--help"])
    return capsys.readouterr().out


def _fields(report: dict) -> set[str]:
    """Every key of the report, those of its per-node and per-scope entries included (not
    the node ids and scope names that key those entries)."""
    fields = set()
    for key, value in report.items():
        fields.add(key)
        if key in ("nodes", "scopes"):
            for entry in value.values():
                fields |= set(entry)
        elif isinstance(value, dict):
            fields |= set(value)
    return fields - {"format"}


@pytest.mark.parametrize("example", ["scalar", "layer_net"])
def test_the_manual_names_every_field_of_the_report(open_window, qtbot, capsys, example) -> None:
    window = open_window(example, size=(1280, 720))
    window.stepping.set_phase("backward", 2)
    qtbot.wait(100)
    report = screen_report(window)
    assert report["nodes"] and report["current"] is not None
    words = set(re.findall(r"[a-z_]+", _help(capsys)))
    assert _fields(report) - words == set()


def test_the_manual_names_every_level_of_detail(capsys) -> None:
    manual = _help(capsys)
    assert [d.value for d in Detail if f'"{d.value}"' not in manual] == []
