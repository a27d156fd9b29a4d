"""Every graph is readable on a 1280 × 720 projector: text is drawn at least 12 pixels high or
not at all, and stepping a pass keeps its current node on screen, measured by the same report
``graphviz-nn shot --report`` writes."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsScene

from graphviz_nn import cli
from graphviz_nn.engine import Variable
from graphviz_nn.gui.canvas.camera import MAX_FIT_SCALE, fit_scale
from graphviz_nn.gui.canvas.items import Looks, NodeItem
from graphviz_nn.gui.canvas.level_of_detail import Detail, TextFit, detail_at, fit_text, font_pixels, text_pixels
from graphviz_nn.gui.canvas.theme import DARK, LIGHT, PALETTES, palette_theme, system_theme
from graphviz_nn.layout import NodeBox
from graphviz_nn.gui.canvas.screen_report import screen_report
from graphviz_nn.session.box_detail import PRESENTING_PIXELS, box_number, brief_quantity, symbol_line
from graphviz_nn.session.symbols import short_names
from graphviz_nn.session import EXAMPLES, Built
from graphviz_nn.session.training import DEFAULTS, TrainingRun

from .conftest import ready

PROJECTOR = (1280, 720)
READABLE_PIXELS = 12.0  # the least text height read from the back of a room
ZOOMED_IN = 1.0  # the scale a lecturer zooms to for the numbers: labels at their full 14 pixels
MOST_STEPS = 80  # longer passes are checked at this many evenly spread steps, first and last included


def _unreadable(report: dict) -> dict[str, float]:
    """Texts drawn, but smaller than readable: {id or scope name: height in pixels}."""
    heights = {k: e["text_pixels"] for k, e in report["nodes"].items()}
    for name, e in report["scopes"].items():
        heights.update({f"{name} label": e["label_pixels"], f"{name} caption": e["caption_pixels"]})
    return {k: h for k, h in heights.items() if 0 < h < READABLE_PIXELS}


def _positions(steps: int) -> list[int]:
    if steps <= MOST_STEPS:
        return list(range(steps))
    return sorted({round(i * (steps - 1) / (MOST_STEPS - 1)) for i in range(MOST_STEPS)})


def _sweep_backward_pass(window, zoom: float | None) -> list[dict]:
    """Step the backward pass as a lecturer does (the playback controller's seek and step), at
    the fitted view or zoomed in on its first node; a report after every step checked."""
    window.view.camera.smooth = False  # each report shows where the camera ends
    window.stepping.set_phase("backward")
    if zoom is None:
        window.view.fit()
    else:
        first = window.view.item_for(window.model.player.recording("backward").steps[0].node_id)
        centre = first.sceneBoundingRect().center()
        window.view.place(zoom, (centre.x(), centre.y()))
    reports = []
    positions = _positions(len(window.model.cursor.recording))
    for position in positions:
        if position == window.model.cursor.position + 1:
            window.stepping.step_forward()
        else:
            window.stepping.seek(position)
        report = screen_report(window)
        assert report["step"] == position + 1
        assert not _unreadable(report), f"step {position + 1}: text too small {_unreadable(report)}"
        assert report["current"]["inside"], f"step {position + 1}: {report['current']} is off screen"
        if zoom is not None:
            assert report["view"]["scale"] == pytest.approx(zoom)  # the camera pans, it never zooms
        reports.append(report)
    return reports


def _digits_network() -> Built:
    """A LayerNet 64-32-10 trained for two epochs on the handwritten digits."""
    run = TrainingRun.create(replace(DEFAULTS["digits"], epochs=2))
    for _ in run.trainer.fit(run.train, run.test, epochs=2):
        pass
    run.show_rows()
    return run.built()


@pytest.mark.parametrize("example", [*EXAMPLES, "digits"])
def test_every_graph_is_readable_at_1280x720_at_every_step(open_window, example) -> None:
    if example == "digits":
        window = open_window("scalar", size=PROJECTOR)
        built = _digits_network()
        window.loading.load(lambda: built, "digits")
        _wait(window)
        assert window.model.graph is built.graph
    else:
        window = open_window(example, size=PROJECTOR)
    fitted = _sweep_backward_pass(window, None)
    assert all(r["view"]["fitted"] for r in fitted)
    # Something is readable at the fitted view: names, captions, or the whole labels.
    assert fitted[0]["smallest_text_pixels"] is not None
    zoomed = _sweep_backward_pass(window, ZOOMED_IN)
    assert any(r["nodes"][r["current"]["item"]]["detail"] == "full" for r in zoomed)


def _wait(window) -> None:
    from graphviz_nn.gui.app import wait_until

    assert wait_until(lambda: window.jobs.job is None and ready(window), 60)


def test_the_level_of_detail_never_draws_small_text() -> None:
    fits = [TextFit(full, title) for full in (7, 9, 12, 14) for title in (0.0, 10.0, 20.0, 45.0, 200.0)]
    scales = np.geomspace(0.05, 4.0, 200)
    for fit in fits:
        for scale in scales:
            height = text_pixels(fit, float(scale))
            assert height == 0 or height >= READABLE_PIXELS, (fit, scale, height)
            assert (height == 0) == (detail_at(fit, float(scale)) is Detail.MARKER)


def test_the_level_of_detail_goes_from_full_labels_to_names_to_markers() -> None:
    fit = TextFit(full=14, title=30.0)
    assert detail_at(fit, 1.0) is Detail.FULL and text_pixels(fit, 1.0) == 14
    assert detail_at(fit, 0.8) is Detail.TITLE  # 11.2-pixel labels would be too small
    assert font_pixels(fit, 0.8) == 18 and text_pixels(fit, 0.8) == pytest.approx(14.4)  # the name, enlarged
    assert detail_at(fit, 0.3) is Detail.MARKER  # its box cannot hold a 12-pixel name
    shrunk = TextFit(full=9, title=30.0)  # a wide value shrank the label to fit its box
    assert detail_at(shrunk, 1.0) is Detail.TITLE and detail_at(shrunk, 1.4) is Detail.FULL


def test_text_shrinks_to_stay_inside_its_box_across_and_down(qapp) -> None:
    roomy = fit_text(("x1",), ("= 0.5",), 60, 50, "variable")
    assert roomy.full == 14 and roomy.title > 14  # the name alone may be drawn larger
    narrow = fit_text(("x1",), ("= [0.962, -0.775, 0.266]",), 60, 50, "variable")
    assert 7 <= narrow.full < 14
    crowded = fit_text(("a", "b", "c", "d", "e"), (), 60, 50, "variable")  # five lines in a box for two
    assert crowded.full < 14


def test_a_collapsed_scope_shows_its_name_and_its_progress_in_one_line_each(qapp) -> None:
    box = NodeBox("scope/layer 1/perceptron 3", 0, 0, 110, 40, ("perceptron 3", "31 nodes"), "scope", ("layer 1",),
                  tuple(f"n{i}" for i in range(31)))
    scene = QGraphicsScene()  # owns the item: kept alive for the test
    item = NodeItem(box, system_theme(), scene)
    item.set_quantities("31 nodes", "3/31 done")
    assert item.titles == ("perceptron 3",) and item.quantity_lines() == ["3/31 done"]
    assert item.detail is Detail.FULL and item.text_pixels_at(1.0) == 14  # the box holds both lines whole
    item.set_quantities("31 nodes", "")
    assert item.quantity_lines() == ["31 nodes"]


def test_fitting_enlarges_a_small_graph_but_not_without_limit(open_window) -> None:
    assert fit_scale(100, 50, 800, 400) == MAX_FIT_SCALE
    assert fit_scale(1000, 500, 800, 400) == pytest.approx(0.8)
    window = open_window("scalar", size=PROJECTOR)
    assert window.view.transform().m11() > 1.2  # the first example's graph is drawn larger than life
    one = Variable(2.0, "x")
    window.loading.load(lambda: Built.of(one), "one node")
    _wait(window)
    view = window.view
    assert view.transform().m11() == pytest.approx(MAX_FIT_SCALE)
    report = screen_report(window)
    (entry,) = report["nodes"].values()
    assert entry["inside"] and entry["detail"] == "full" and entry["text_pixels"] == pytest.approx(14 * MAX_FIT_SCALE)


def _zoomed_in(window, node_id: str):
    view = window.view
    centre = view.nodes[node_id].sceneBoundingRect().center()
    view.place(ZOOMED_IN, (centre.x(), centre.y()))
    return view


def test_follow_pans_smoothly_to_a_node_off_screen_keeping_the_zoom(open_window, qtbot) -> None:
    window = open_window("layer_net", size=PROJECTOR)
    ids = list(window.view.nodes)
    view = _zoomed_in(window, ids[0])
    far = max(ids, key=lambda k: view.nodes[k].pos().x())
    assert far not in view.nodes_on_screen()
    assert view.follow(far)
    assert far not in view.nodes_on_screen()  # under way: a pan, not a jump
    qtbot.waitUntil(lambda: not view.camera.panning, timeout=3000)
    assert far in view.nodes_on_screen()
    assert view.transform().m11() == pytest.approx(ZOOMED_IN)
    centre = view.mapToScene(view.viewport().rect().center())
    assert not view.follow(far)  # in view already: the camera stays put
    assert view.mapToScene(view.viewport().rect().center()) == centre


def test_follow_jumps_when_smooth_panning_is_off_and_never_moves_a_fitted_view(open_window) -> None:
    window = open_window("layer_net", size=PROJECTOR)
    ids = list(window.view.nodes)
    view = window.view
    fitted = view.mapToScene(view.viewport().rect().center())
    assert not view.follow(ids[-1])  # fitted: everything is on screen
    assert view.mapToScene(view.viewport().rect().center()) == fitted
    _zoomed_in(window, ids[0])
    view.camera.smooth = False
    far = max(ids, key=lambda k: view.nodes[k].pos().x())
    assert view.follow(far) and far in view.nodes_on_screen()


def test_stepping_brings_the_current_node_into_view(open_window, qtbot) -> None:
    window = open_window("layer_net", size=PROJECTOR)
    window.stepping.set_phase("backward")
    last = window.model.player.recording("backward").steps[0].node_id
    view = _zoomed_in(window, min(window.view.nodes, key=lambda k: window.view.nodes[k].pos().x()))
    assert view.item_for(last).node_id not in view.nodes_on_screen()
    window.stepping.step_forward()  # a key press or a clicker: the camera glides there
    qtbot.waitUntil(lambda: not view.camera.panning, timeout=3000)
    assert screen_report(window)["current"]["inside"]
    assert view.transform().m11() == pytest.approx(ZOOMED_IN)


def test_shot_writes_a_report_of_what_is_on_screen(tmp_path, layout_worker) -> None:
    png, report = tmp_path / "step6.png", tmp_path / "step6.json"
    code = cli.main(["shot", "--example", "layer_net", "--phase", "backward", "--step", "6", "--size", "1280x720",
                     "--zoom", "1", "--report", str(report), "-o", str(png)])
    assert code == 0 and png.read_bytes().startswith(b"\x89PNG")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["format"] == 1 and data["phase"] == "backward" and data["step"] == 6
    assert data["view"]["scale"] == pytest.approx(1.0) and not data["view"]["fitted"]
    assert data["current"]["inside"] and data["nodes"][data["current"]["item"]]["detail"] == "full"
    assert data["smallest_text_pixels"] >= READABLE_PIXELS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step6.json", "step6.png"]  # no partial file left


def test_a_report_follows_a_pan(open_window) -> None:
    window = open_window("scalar", size=PROJECTOR)
    view = window.view
    before = screen_report(window)
    assert before["view"]["fitted"] and all(e["inside"] for e in before["nodes"].values())
    view.place(3.0, (0.0, 0.0))
    after = screen_report(window)
    assert not after["view"]["fitted"] and not all(e["inside"] for e in after["nodes"].values())


@pytest.mark.parametrize("example", ["layer_net", "perceptron_net"])
def test_each_outermost_scope_is_named_at_the_fitted_view_and_no_name_covers_another(open_window, example) -> None:
    window = open_window(example, size=PROJECTOR)
    view = window.view
    report = screen_report(window)
    outermost = {name: e for name, e in report["scopes"].items() if " / " not in name}
    assert outermost and all(e["caption_pixels"] >= 17 and e["label_pixels"] == 0 for e in outermost.values())
    boxes = [c.boundingRect() for c in view.captions]
    assert all(not a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    if example == "layer_net":  # room enough: no caption hides a node
        assert not any(box.intersects(item.sceneBoundingRect()) for box in boxes for item in view.nodes.values())
    window.view.place(ZOOMED_IN, (0.0, 0.0))
    zoomed = screen_report(window)["scopes"]
    assert all(e["caption_pixels"] == 0 and e["label_pixels"] == 13 for e in zoomed.values())


def test_zooming_in_with_the_keys_enlarges_the_graph_and_its_text_together(open_window) -> None:
    window = open_window("layer_net", size=PROJECTOR)
    before = screen_report(window)
    assert not any(e["detail"] == "full" for e in before["nodes"].values())  # too far out for the numbers
    for _ in range(7):
        window.actions["zoom_in"].trigger()  # Ctrl+plus
    after = screen_report(window)
    assert after["view"]["scale"] == pytest.approx(before["view"]["scale"] * 1.15 ** 7, abs=1e-3)
    assert not _unreadable(after)
    assert any(e["detail"] == "full" for e in after["nodes"].values())
    window.actions["zoom_reset"].trigger()
    assert screen_report(window)["view"] == before["view"]


def _contrast(text: QColor, fill: QColor, background: QColor) -> float:
    """The WCAG contrast ratio of text over a fill over the background (alphas blended)."""
    def over(colour: QColor, under: list[float]) -> list[float]:
        a = colour.alphaF()
        return [a * c + (1 - a) * u for c, u in zip(colour.getRgbF()[:3], under)]

    def luminance(rgb: list[float]) -> float:
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    behind = over(fill, list(background.getRgbF()[:3]))
    high, low = sorted((luminance(over(text, behind)), luminance(behind)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", [LIGHT, DARK, *(palette_theme(p) for p in PALETTES)], ids=lambda t: t.name + str(t.dark))
def test_every_label_contrasts_with_its_fill_even_before_the_pass_reaches_it(qapp, theme) -> None:
    looks = Looks(theme)
    for kind in ("variable", "function", "constant", "output", "scope"):
        for state in ("pending", "done", "current"):
            look = looks.node(kind, state, None, False)
            assert _contrast(look.text, look.brush.color(), theme.background) >= 4.5, (kind, state)


def test_held_flow_gives_the_same_picture_whenever_it_is_taken(open_window, qtbot) -> None:
    window = open_window("scalar", size=PROJECTOR)
    window.stepping.set_phase("backward")
    window.stepping.seek(3)  # edges lit, their dashes flowing
    qtbot.wait(150)
    window.view.hold_flow(10)
    first = window.view.grab().toImage()
    window.stepping.seek(2)
    window.stepping.seek(3)  # lit again: flowing for a while longer, as on a slower machine
    qtbot.wait(250)
    window.view.hold_flow(10)
    assert window.view.grab().toImage() == first


def test_a_collapsed_scope_too_small_to_read_shows_a_heatmap_of_its_values(open_window, qtbot) -> None:
    window = open_window("perceptron_net", size=(1280, 720))
    scope = ("layer 1", "perceptron 1")
    window.loading.toggle_scope(scope)
    qtbot.waitUntil(lambda: scope in window.model.collapsed and ready(window), timeout=20000)
    box = window.view.nodes["scope/" + "/".join(scope)]
    window.view.place(3.0, (box.pos().x(), box.pos().y()))  # close in: its name and progress
    assert box.detail is not Detail.MARKER and not box.summary_shown
    window.view.place(0.05, (box.pos().x(), box.pos().y()))  # far out: its values as colours
    assert box.detail is Detail.MARKER and box.summary_shown
    window.actions["reveal"].trigger()  # numbers hidden until the pass reaches them: colours too
    assert not box.summary_shown


def _every_box_says_what_it_is(window, least: float) -> dict:
    report = screen_report(window)
    blank = {k: e for k, e in report["nodes"].items() if e["detail"] == "marker" or e["text_pixels"] < least}
    assert not blank, f"boxes with no readable symbol or name: {blank}"
    return report


@pytest.mark.parametrize("example", list(EXAMPLES))
def test_every_box_shows_its_symbol_or_name_at_fit_at_1280x720_and_presenting(open_window, qtbot, example) -> None:
    window = open_window(example, size=PROJECTOR)
    window.stepping.set_phase("backward")
    window.stepping.seek(len(window.model.cursor.recording) // 2)
    window.view.fit()
    _every_box_says_what_it_is(window, READABLE_PIXELS)
    # The short names the chain rule uses for long expressions are on their boxes (those drawn:
    # a node inside a collapsed scope has none of its own).
    for node_id, name in short_names(window.model.graph).items():
        assert node_id not in window.view.nodes or window.view.nodes[node_id].titles[0] == name
    window.presentation.toggle_presentation()
    qtbot.waitUntil(lambda: window.view.width() >= window.width() - 4, timeout=3000)
    qtbot.wait(50)
    _every_box_says_what_it_is(window, PRESENTING_PIXELS)
    window.presentation.toggle_presentation()


def test_a_box_shows_its_numbers_in_one_line_when_all_its_lines_cannot_be_read(qapp) -> None:
    box = NodeBox("n3", 0, 0, 90, 54, ("z2", "+"), "function", (), ("n3",))
    scene = QGraphicsScene()
    item = NodeItem(box, system_theme(), scene)
    item.set_quantities("= 0.5", "∇ -1.25")
    assert item.brief_line() == "0.5 | ∇ -1.25"
    scales = np.geomspace(0.1, 3.0, 60)
    details = [detail_at(item._fit, float(s)) for s in scales]
    assert Detail.BRIEF in details and details[-1] is Detail.FULL
    for scale in scales:
        item.set_view_scale(float(scale))
        assert item.value_shown == (item.detail in (Detail.FULL, Detail.BRIEF))


def test_the_symbol_is_the_short_name_else_the_shorter_of_name_and_op() -> None:
    assert symbol_line(("z2", "+")) == "z2" and symbol_line(("t16", "×")) == "t16"
    assert symbol_line(("normalised X", "÷")) == "÷" and symbol_line(("prediction", "softmax")) == "softmax"
    assert symbol_line(("w1.11",)) == "w1.11"


def test_an_array_shows_its_shape_and_range_and_a_scalar_its_data_and_grad() -> None:
    assert box_number(np.array([[0.5, -1.25], [2.0, 3.0]])) == "2×2, ±3"
    assert box_number(np.array([[0.5, 1.25], [2.0, 3.0]])) == "2×2, 0.5…3"
    assert brief_quantity("= 0.5", "∇ -1.2") == "0.5 | ∇ -1.2"
    assert brief_quantity("= 12×3, ±2", "∇ ±0.08") == "12×3 | ∇ ±0.08"
    assert box_number(np.ones((2, 2)), shape=False) == "all 1"
