"""``graphviz-nn`` with no command opens the window; ``graphviz-nn shot`` renders it offscreen."""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from ..session import EXAMPLES, PHASES
from .display import qt_platform_problem
from .manual import add_command
from .output import is_stdout, write_stdout

INTERRUPTED = 130  # what a shell reports for a program ended by Ctrl+C (128 + SIGINT)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub, "window", summary="open the window (the default when no command is given)",
        description="""\
Open graphviz-nn's window on an example of the gallery: the computational graph
laid out by Graphviz, the forward and backward passes to play or step through
(Space, the arrow keys, or a presentation clicker), the inspector with each
node's chain rule, the gradient check, the expression editor and training.""",
        examples=[("graphviz-nn window --example layer_net", "open on a small network with softmax"),
                  ("graphviz-nn", "the same as graphviz-nn window")],
        exit_status=[("0", "the window was closed"), ("1", "no display to open it on (the reason is printed)"),
                     ("130", "closed by Ctrl+C in the terminal")],
    )
    p.add_argument("--example", choices=tuple(EXAMPLES), default="scalar", metavar="NAME",
                   help=f"the gallery example to open: {', '.join(EXAMPLES)} (default: scalar)")
    p.set_defaults(run=open_window)
    o = add_command(
        sub, "open", summary="open a saved session (.gnn) in the window",
        description="""\
Open a session file saved from the window (File > Save session): the graph and
its values, the network with its weights, settings and training history, the
pass and step being shown, the zoom and the collapsed scopes. A file that
cannot be read is reported in one line and the window is not opened.""",
        examples=[("graphviz-nn open lecture3.gnn", "carry on where the last lecture stopped"),
                  ("graphviz-nn open", "the window on the first example, as graphviz-nn alone")],
        exit_status=[("0", "the window was closed"), ("1", "no display, or the file could not be read"),
                     ("130", "closed by Ctrl+C in the terminal")],
    )
    o.add_argument("file", metavar="FILE.gnn", nargs="?",
                   help="the session file (without one, the window opens on the first example: "
                        "what a file manager's launcher runs)")
    o.set_defaults(run=open_file)
    s = add_command(
        sub, "shot", summary="save a PNG of the window at a point of the animation, rendered offscreen",
        description="""\
Render the window offscreen at a step of a pass: for slides, the README, tests.

Labels are drawn at least 12 pixels high on screen or not at all: zoomed out,
a node shows one line of numbers under its symbol, or its name alone, enlarged
inside its box, or its symbol alone, or only its shape in its kind's colour,
and each outermost scope's name shows in large type. --zoom 1
draws every label at its full 14 pixels, centred on the current step's node.

--report FILE.json writes, beside the PNG, what the graph view shows:
  view      width and height (pixels), scale (screen pixels per scene unit),
            fitted (true when the whole graph is shown)
  phase, step, steps
            the pass, the steps done (from 0) and the steps in all
  current   the current step's node: id, item (the box that draws it, its
            collapsed scope's when it is inside one) and inside (true when that
            box is wholly in view); null before the first step
  nodes     for each box drawn, by id: kind; detail, the richest label that
            is readable at this zoom ("full": every line, name, op, value and
            gradient; "brief": the symbol over one line of numbers, "0.5 | ∇ −1.2";
            "title": the name alone; "symbol": the op's symbol or a short name
            alone, on a plate that may outgrow a tiny box; "marker": no text, a
            solid shape in its kind's colour); text_pixels (the text's height on
            screen, 0 when none is drawn); value_shown (true when its numbers are
            drawn, in every line or the brief one) and inside
  scopes    for each scope's box, by name ("layer 1", "layer 1 / perceptron 2"):
            label_pixels (its label's height), caption_pixels (its large caption's,
            drawn zoomed out; 0 when none is) and inside (the box meets the view)
  smallest_text_pixels
            the least height of any text drawn (null when none is)""",
        examples=[("graphviz-nn shot --example scalar --phase backward --step 4 -o step4.png",
                   "the first example's graph after four steps of the backward pass"),
                  ("graphviz-nn shot --example layer_net --phase backward --step 6 --size 1280x720 --zoom 1 "
                   "--report step6.json -o step6.png",
                   "a 1280x720 projector's view, zoomed in on the sixth step, with what is on screen"),
                  ("graphviz-nn shot --example nan --debug nan -o nan.png", "where the first NaN appears"),
                  ("graphviz-nn shot -o - | display", "the PNG on standard output, for another program")],
        exit_status=[("0", "the PNG was written"), ("2", "bad options, or the window could not be drawn")],
    )
    s.add_argument("--example", choices=tuple(EXAMPLES), default="scalar", metavar="NAME",
                   help=f"the gallery example: {', '.join(EXAMPLES)} (default: scalar)")
    s.add_argument("--phase", choices=PHASES, help="the pass to show (default: none played yet)")
    s.add_argument("--step", type=int, help="show the state after K steps (default: the end of the pass)")
    s.add_argument("--size", default="1600x1000", help="window size WIDTHxHEIGHT (default 1600x1000)")
    s.add_argument("--select", metavar="NODE", help="a node (name or id) to show in the inspector")
    s.add_argument("--debug", choices=("check", "magnitude", "nan"),
                   help="gradient check colours, gradient magnitudes, or run to the first NaN")
    s.add_argument("--zoom", type=float, metavar="Z",
                   help="the view's scale, centred on the current step's node: 1 draws labels at their "
                        "full 14 pixels (default: the whole graph fitted)")
    s.add_argument("--report", metavar="FILE.json",
                   help="also write what the graph view shows as JSON (see above), atomically")
    s.add_argument("-o", "--output", required=True, metavar="FILE.png",
                   help="the PNG file to write; - for standard output")
    s.set_defaults(run=take_shot)


def open_window(args: argparse.Namespace) -> int:
    problem = qt_platform_problem()
    if problem:
        print(f"graphviz-nn: cannot open the window: {problem}", file=sys.stderr)
        return 1
    return _run_window(getattr(args, "example", "scalar"))


def open_file(args: argparse.Namespace) -> int:
    from ..io import SessionError, load_session

    if args.file is None:
        return open_window(args)
    try:  # read once here, so a bad file is one line on the terminal and no window
        load_session(args.file)
    except SessionError as error:
        print(f"graphviz-nn open: error: {error}", file=sys.stderr)
        return 1
    problem = qt_platform_problem()
    if problem:
        print(f"graphviz-nn: cannot open the window: {problem}", file=sys.stderr)
        return 1
    return _run_window(None, session=args.file)


def _run_window(example: str | None, session: str | None = None) -> int:
    """The window until it is closed, by hand or by Ctrl+C in the terminal (status 130);
    errors nobody caught are logged and shown meanwhile (see ``gui/error_hook.py``)."""
    from ..gui import app
    from ..gui.error_hook import errors_logged
    from .interrupt import interrupt_closes_windows

    # A window started from a desktop launcher has no terminal: an uncaught error is logged
    # in the application's data folder and shown, not printed to nowhere.
    with interrupt_closes_windows(app.application()) as interrupted, errors_logged():
        status = app.run(example, session=session)
    return INTERRUPTED if interrupted else status


def take_shot(args: argparse.Namespace) -> int:
    match = re.fullmatch(r"(\d+)x(\d+)", args.size)
    if not match:
        print(f"graphviz-nn shot: error: --size takes WIDTHxHEIGHT, got {args.size!r}", file=sys.stderr)
        return 2
    if args.step is not None and args.step < 0:
        print("graphviz-nn shot: error: --step must be 0 or more", file=sys.stderr)
        return 2
    zoom = getattr(args, "zoom", None)
    if zoom is not None and not 0.05 <= zoom <= 10:
        print(f"graphviz-nn shot: error: --zoom takes a scale from 0.05 to 10, got {zoom:g}", file=sys.stderr)
        return 2
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ..gui.app import shot

    size = (int(match[1]), int(match[2]))
    options = dict(select=args.select, debug=args.debug, zoom=zoom, report=getattr(args, "report", None))
    try:
        if is_stdout(args.output):
            with tempfile.TemporaryDirectory(prefix="graphviz-nn-shot-") as folder:
                path = shot(args.example, str(Path(folder) / "shot.png"), args.phase, args.step, size, **options)
                write_stdout(Path(path).read_bytes(), "png", binary=True)
            return 0
        path = shot(args.example, args.output, args.phase, args.step, size, **options)
    except (ValueError, RuntimeError, OSError) as error:
        print(f"graphviz-nn shot: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}" + (f" and {args.report}" if getattr(args, "report", None) else ""))
    return 0
