"""Scripts that open big graphs in a fresh window process while a 10 ms timer ticks, and print
what they saw as one JSON line. The window tests assert the window never freezes; the window
benchmark times them.

``OPENING_PROBE`` opens the expanded [30, 10, 10, 1] PerceptronNet: the longest gap between
ticks (seconds), the seconds until the picture was drawn, the items drawn, the graph's nodes and
whether progress was shown."""

_WINDOW = """
import json, time
import numpy as np
from contextlib import ExitStack
from PySide6.QtCore import QTimer
from graphviz_nn.gui.app import application, scratch_settings, wait_until
from graphviz_nn.gui.main_window import MainWindow

stack = ExitStack()
app = application()
window = MainWindow(None, settings=stack.enter_context(scratch_settings()), autosave=False)
window.resize(1280, {height})
window.show()
wait_until(lambda: False, 0.3)
ticks, drawn = [], []
probe = QTimer()
probe.setInterval(10)
probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
window.view.picture_ready.connect(lambda: drawn.append(time.perf_counter()))
"""

OPENING_PROBE = _WINDOW.format(height=800) + """
from graphviz_nn.session import big_perceptron_net
probe.start()
start = time.perf_counter()
window.loading.load(big_perceptron_net, "PerceptronNet [30, 10, 10, 1]", expanded=True)
progress_shown = window.progress.isVisibleTo(window)
done = lambda: drawn and window.view.presenter is not None and window.idle
QTimer.singleShot(60000, app.quit)
def check():  # until the picture is drawn, and a little after (the Jacobian panel's turn)
    if done():
        QTimer.singleShot(200, app.quit)
    else:
        QTimer.singleShot(20, check)
check()
app.exec()
print(json.dumps({"gap": float(max(np.diff(ticks))), "drawn": drawn[0] - start, "items": len(window.view.nodes),
                  "nodes": len(window.model.graph), "progress_shown": progress_shown}))
"""

#: Opens a [40, 40, 40, 1] PerceptronNet (about 10,000 nodes, its scopes collapsed as the window
#: opens it) and then expands one scope; prints the seconds to the first picture, the nodes, the
#: boxes drawn, the seconds from the expansion to its picture, and the longest gap between ticks
#: while it opens (``open_gap``) and while the scope expands (``gap``).
EXPANDING_PROBE = _WINDOW.format(height=720) + """
from graphviz_nn.nn import PerceptronNet
from graphviz_nn.session import Built

def build():
    rng = np.random.default_rng(0)
    net = PerceptronNet([40, 40, 40, 1], rng=rng)
    net.set_data(rng.normal(size=(8, 40)), net.encode_targets(rng.integers(0, 2, size=8)))
    net.graph.forward()
    return Built(net.graph, net.loss, None, net.parameters[:1], "PerceptronNet [40, 40, 40, 1]", net)

probe.start()
start = time.perf_counter()
window.loading.load(build, "PerceptronNet [40, 40, 40, 1]")
wait_until(lambda: drawn and window.idle, 120)
opened = drawn[-1] - start
wait_until(lambda: False, 0.1)
open_gap = float(max(np.diff(ticks)))
boxes = len(window.view.nodes)
scope = sorted(window.model.collapsed)[0]
ticks.clear()
wait_until(lambda: False, 0.1)
drawn.clear()
start = time.perf_counter()
window.loading.toggle_scope(scope)
wait_until(lambda: drawn and window.idle, 120)
wait_until(lambda: False, 0.1)
print(json.dumps({"opened": opened, "nodes": len(window.model.graph), "boxes": boxes, "scope": list(scope),
                  "expanded": drawn[-1] - start, "boxes_after": len(window.view.nodes),
                  "gap": float(max(np.diff(ticks))), "open_gap": open_gap}))
"""

#: Opens an unrolled LSTM of 50 steps (721 nodes) expanded, plays its backward pass at 60 steps
#: a second for 1.5 s, then opens one time step with the steps collapsed; prints the seconds to
#: the first picture, the nodes and boxes, the steps played, and the longest gap between ticks
#: while it opens (``open_gap``), while it plays (``play_gap``) and while the steps collapse and
#: one opens again (``toggle_gap``).
LOOP_PROBE = _WINDOW.format(height=720) + """
from graphviz_nn.session.architecture_examples import long_lstm

probe.start()
start = time.perf_counter()
window.loading.load(long_lstm, "LSTM of 50 steps", expanded=True)
wait_until(lambda: drawn and window.idle, 120)
opened = drawn[-1] - start
wait_until(lambda: False, 0.1)
open_gap = float(max(np.diff(ticks)))
boxes = len(window.view.nodes)
window.stepping.set_phase("backward")
window.stepping.set_speed(60)
ticks.clear()
window.stepping.toggle_play()
wait_until(lambda: False, 1.5)
window.stepping.stop()
played = window.model.cursor.position + 1
play_gap = float(max(np.diff(ticks)))
ticks.clear()
built = window.model.built
window.loading.relayout(built.collapsed)
wait_until(lambda: window.idle and len(window.view.nodes) < boxes, 60)
window.loading.toggle_scope(sorted(built.collapsed)[0])
wait_until(lambda: window.idle and sorted(built.collapsed)[0] not in window.model.collapsed, 60)
wait_until(lambda: False, 0.1)
print(json.dumps({"opened": opened, "nodes": len(window.model.graph), "boxes": boxes, "played": played,
                  "boxes_after": len(window.view.nodes), "open_gap": open_gap, "play_gap": play_gap,
                  "toggle_gap": float(max(np.diff(ticks)))}))
"""
