"""A script that opens the expanded [30, 10, 10, 1] PerceptronNet in a fresh window process while
a 10 ms timer ticks, and prints what it saw as one JSON line: the longest gap between ticks
(seconds), the seconds until the picture was drawn, the items drawn, the graph's nodes and whether
progress was shown. The window tests assert it never freezes; the window benchmark times it."""

OPENING_PROBE = """
import json, time
import numpy as np
from contextlib import ExitStack
from PySide6.QtCore import QTimer
from graphviz_nn.gui.app import application, scratch_settings, wait_until
from graphviz_nn.gui.main_window import MainWindow
from graphviz_nn.session import big_perceptron_net

stack = ExitStack()
app = application()
window = MainWindow(None, settings=stack.enter_context(scratch_settings()))
window.resize(1280, 800)
window.show()
wait_until(lambda: False, 0.3)
ticks, drawn = [], []
probe = QTimer()
probe.setInterval(10)
probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
probe.start()
window.view.picture_ready.connect(lambda: drawn.append(time.perf_counter()))
start = time.perf_counter()
window.loading.load(big_perceptron_net, "PerceptronNet [30, 10, 10, 1]", expanded=True)
progress_shown = window.progress.isVisibleTo(window)
done = lambda: drawn and window.presenter is not None and window.idle
QTimer.singleShot(60000, app.quit)
def check():  # until the picture is drawn, and a little after (the Jacobian panel's turn)
    if done():
        QTimer.singleShot(200, app.quit)
    else:
        QTimer.singleShot(20, check)
check()
app.exec()
print(json.dumps({"gap": float(max(np.diff(ticks))), "drawn": drawn[0] - start, "items": len(window.view.nodes),
                  "nodes": len(window.graph), "progress_shown": progress_shown}))
"""
