"""The "Forward vs reverse" tab in front keeps the window within a 1280 × 720 projector's
screen, frame included, on every example of the gallery and with the panels' text enlarged
three times (Ctrl+]). Run in a child process whose offscreen screen is that projector."""

from __future__ import annotations

import textwrap

from .projector_screen import run_on_projector

WIDEST = 400  # pixels the panel may ask for: the right-hand dock beside the graph

SCRIPT = textwrap.dedent("""
    from graphviz_nn.session.examples import EXAMPLES

    seen = []

    def look(window, where):
        frame, free = placed(window)
        panel = window.jacobian
        seen.append(dict(where=where, frame=frame.getRect(), screen=free.getRect(), inside=free.contains(frame),
                         problem=panel.current_plan is not None,
                         minimum=panel.minimumSizeHint().width(), hint=panel.sizeHint().width()))

    with scratch_settings() as settings:
        window = MainWindow(None, settings=settings, autosave=False)
        window.show()
        window.jacobian.show()
        window.jacobian.raise_()
        for key in EXAMPLES:
            window.load_example(key)
            assert wait_until(lambda: window.view.presenter is not None and window.idle, 60), key
            assert wait_until(lambda: window.jacobian.current_plan is not None, 10), key
            look(window, key)
        for _ in range(3):
            window.actions["panel_larger"].trigger()
        look(window, f"{key}, the panels' text x{window.presentation.panel_scale:g}")
        window.close()
    print(json.dumps(seen))
""")


def test_the_jacobian_tab_keeps_the_window_within_a_1280x720_screen(tmp_path) -> None:
    seen = run_on_projector(SCRIPT, tmp_path)
    from graphviz_nn.session.examples import EXAMPLES

    assert len(seen) == len(EXAMPLES) + 1 and all(s["problem"] for s in seen)
    assert [s for s in seen if s["screen"][2:] != [1280, 720]] == []
    assert [s for s in seen if not s["inside"]] == []
    assert [s for s in seen if max(s["minimum"], s["hint"]) > WIDEST] == []
