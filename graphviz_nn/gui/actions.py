"""The window's actions, menus and shortcuts, as data.

Each action is one row of :data:`ACTIONS`: its key, text, shortcuts, the method it calls
(a controller's or a widget's, with an argument for the phase and palette rows), a tip, and
whether it is a toggle. :func:`build_actions` makes the QActions, :func:`connect_actions`
connects them once what they call exists (a name that is not there fails then, not when the
key is pressed); :func:`build_menus` lays out the menus and the toolbar. On macOS, three of the usual keys belong to the system (Cmd+M minimises, Cmd+G finds
the next match, F11 shows the desktop): the rows say what is used there instead.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QStyle

from ..session import EXAMPLES
from .canvas.theme import PALETTES
from .docks.playback_dock import PHASE_TITLES

Keys = Any  # a key text, a QKeySequence.StandardKey, or a list of those

MAC = sys.platform == "darwin"


@dataclass(frozen=True)
class ActionSpec:
    key: str
    text: str
    keys: Keys
    slot: str  # "target.method": a controller's or a widget's ("exports.export_dialog", "view.fit")
    tip: str
    checkable: bool = False
    argument: Any = None
    mac_keys: Keys = None  # instead of ``keys`` on macOS, where those belong to the system


PALETTE_ROWS = (("standard", "Standard colours", "The system's light or dark colours"),
                ("high-contrast", "High contrast", "Black on white with thick lines, for projectors"),
                ("colour-blind", "Colour-blind safe", "Blue against orange wherever colours differ"))

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("play", "Play", "Space", "stepping.toggle_play", "Play or pause the pass"),
    ActionSpec("step", "Step", ["Right", "PgDown"], "stepping.step_forward", "Show the next step (a presentation clicker's next)"),
    ActionSpec("back", "Back", ["Left", "PgUp"], "stepping.step_back", "Show the previous step"),
    ActionSpec("restart", "Restart", "Home", "stepping.restart", "Back to before the first step"),
    ActionSpec("end", "End", "End", "stepping.to_end", "Jump to the end of the pass"),
    ActionSpec("fit", "Fit graph", "F", "view.fit", "Show the whole graph"),
    ActionSpec("find", "Find node…", QKeySequence.StandardKey.Find, "find_bar.open", "Find a node by name and centre it"),
    ActionSpec("zoom_in", "Zoom in", ["Ctrl++", "Ctrl+="], "presentation.zoom", "Larger graph (and its text)", argument=1.15),
    ActionSpec("zoom_out", "Zoom out", "Ctrl+-", "presentation.zoom", "Smaller graph (and its text)", argument=1 / 1.15),
    # Not Ctrl+Shift+plus: on a US keyboard that is how Ctrl+plus is typed, and Qt would
    # find both actions for it and run neither. Ctrl+] and Ctrl+[ size text in word processors.
    ActionSpec("panel_larger", "Larger panel text", "Ctrl+]", "presentation.scale_panels",
               "Larger text in the panels and the chain-rule panel; the graph keeps its zoom", argument=1.15),
    ActionSpec("panel_smaller", "Smaller panel text", "Ctrl+[", "presentation.scale_panels",
               "Smaller text in the panels and the chain-rule panel; the graph keeps its zoom", argument=1 / 1.15),
    ActionSpec("zoom_reset", "Actual size", "Ctrl+0", "presentation.reset_zoom", "Panel text at its usual size, whole graph in view"),
    *(ActionSpec(f"phase_{phase}", title, f"Ctrl+{i}", "stepping.set_phase", title, argument=phase)
      for i, (phase, title) in enumerate(PHASE_TITLES.items(), start=1)),
    ActionSpec("check", "Check gradients", "Ctrl+G", "debugging.check_gradients",
               "Colour each variable by its finite-difference error", checkable=True, mac_keys="Ctrl+Shift+G"),
    ActionSpec("magnitude", "Gradient magnitudes", "Ctrl+M", "debugging.toggle_magnitudes",
               "Colour every node by log₁₀ ‖gradient‖", checkable=True, mac_keys="Ctrl+Shift+M"),
    ActionSpec("nan", "Run to NaN", "Ctrl+N", "debugging.run_to_nan", "Stop on the first node that produced inf or nan"),
    ActionSpec("breakpoint", "Toggle breakpoint", "B", "debugging.toggle_breakpoint",
               "Pause playback when the pass reaches the selected node"),
    ActionSpec("open", "Open session…", QKeySequence.StandardKey.Open, "sessions.open_dialog", "Open a saved session (.gnn)"),
    ActionSpec("save", "Save session", QKeySequence.StandardKey.Save, "sessions.save",
               "Save the graph, its values, the network and the view"),
    ActionSpec("save_as", "Save session as…", "Ctrl+Shift+S", "sessions.save_as_dialog", "Save the session to a new file"),
    ActionSpec("export", "Export graph…", "Ctrl+E", "exports.export_dialog", "Save the graph as SVG, PNG, PDF or DOT"),
    ActionSpec("export_animation", "Export animation…", "Ctrl+Shift+E", "exports.export_animation_dialog",
               "Save the current pass as an animated GIF or a numbered PNG sequence, as drawn"),
    ActionSpec("export_history", "Export loss history…", [], "exports.export_history_dialog",
               "Save the training history as a CSV table"),
    ActionSpec("fullscreen", "Full screen", "F11", "presentation.toggle_full_screen", "Full screen, for a projector",
               checkable=True, mac_keys="Ctrl+Meta+F"),  # macOS: Cmd+Ctrl+F
    ActionSpec("present", "Presentation mode", "F5", "presentation.toggle_presentation",
               "Full screen, only the graph and the chain rule on it; → / PageDown step, B blacks out, Esc leaves",
               checkable=True),
    ActionSpec("chain_panel", "Chain-rule panel on the graph", "C", "presentation.toggle_chain_panel",
               "The current step's chain rule with its numbers, in large type on the graph", checkable=True),
    ActionSpec("blackout", "Black screen", ".", "presentation.toggle_black",
               "Black out the screen while presenting (B or .); any key brings it back"),
    ActionSpec("reveal", "Reveal values as the pass reaches them", "R", "presentation.toggle_reveal",
               "Hide every number until the pass being played reaches its node", checkable=True),
    *(ActionSpec(f"palette_{palette}", title, [], "presentation.set_palette", tip, checkable=True, argument=palette)
      for palette, title, tip in PALETTE_ROWS),
    ActionSpec("quit", "Quit", QKeySequence.StandardKey.Quit, "sessions.request_close",
               "Close the window (asks first when there is unsaved work)"),
)

ICONS = {"play": QStyle.StandardPixmap.SP_MediaPlay, "step": QStyle.StandardPixmap.SP_MediaSeekForward,
         "back": QStyle.StandardPixmap.SP_MediaSeekBackward, "restart": QStyle.StandardPixmap.SP_MediaSkipBackward,
         "end": QStyle.StandardPixmap.SP_MediaSkipForward}

MENUS = {
    "&View": ("fit", "find", "zoom_in", "zoom_out", "panel_larger", "panel_smaller", "zoom_reset", None,
              "fullscreen", "present", "chain_panel", "blackout", "reveal"),
    "&Playback": ("play", "step", "back", "restart", "end", None, *(f"phase_{p}" for p in PHASE_TITLES)),
    "&Debug": ("check", "magnitude", "nan", "breakpoint"),
}
TOOLBAR = ("restart", "back", "play", "step", "end", None, "fit", "check", "magnitude", "nan")


def _key_list(keys: Keys) -> list[QKeySequence]:
    if isinstance(keys, (str, QKeySequence.StandardKey)):
        keys = [keys]
    found = []
    for key in keys:
        found.extend(QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)])
    return found


def _slot(targets: dict[str, object], spec: ActionSpec):
    """What the action calls: ``targets[name].method`` for a slot "name.method"."""
    name, method_name = spec.slot.split(".")
    method = getattr(targets[name], method_name)

    def call(checked=False):
        return method() if spec.argument is None else method(spec.argument)

    return call


def connect_actions(actions: dict[str, QAction], targets: dict[str, object]) -> None:
    """Connect each action to what its row names, in ``targets`` by name ("stepping",
    "view"...); KeyError or AttributeError at once for a row that names nothing there."""
    for spec in ACTIONS:
        actions[spec.key].triggered.connect(_slot(targets, spec))


def build_actions(window: QMainWindow) -> dict[str, QAction]:
    """The window's QActions by key, each added to the window so its keys work everywhere
    (connected by :func:`connect_actions`)."""
    actions = {}
    for spec in ACTIONS:
        action = QAction(spec.text, window)
        action.setObjectName(f"action_{spec.key}")
        keys = _key_list(spec.mac_keys if MAC and spec.mac_keys is not None else spec.keys)
        action.setShortcuts(keys)
        shown = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
        action.setToolTip(f"{spec.tip} ({shown})" if shown else spec.tip)
        action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        window.addAction(action)
        actions[spec.key] = action
    group = QActionGroup(window)
    for palette in PALETTES:
        group.addAction(actions[f"palette_{palette}"])
    for key, icon in ICONS.items():
        actions[key].setIcon(window.style().standardIcon(icon))
    actions["blackout"].setEnabled(False)  # presentation mode's
    return actions


def build_menus(window: QMainWindow, actions: dict[str, QAction], docks) -> None:
    """The menu bar (File, View, Playback, Debug, Help) and the toolbar."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(actions["open"])
    window.recent_menu = recent = file_menu.addMenu("Open &recent")
    recent.setObjectName("recent_menu")
    recent.aboutToShow.connect(lambda: window.sessions.fill_recent_menu(recent))
    file_menu.addAction(actions["save"])
    file_menu.addAction(actions["save_as"])
    file_menu.addSeparator()
    examples = file_menu.addMenu("&Examples")
    for key, example in EXAMPLES.items():
        action = examples.addAction(example.title)
        action.setObjectName(f"example_{key}")
        action.triggered.connect(partial(lambda k, checked=False: window.open_example(k), key))
    train = file_menu.addAction("Train a network…")
    train.setObjectName("action_train")
    train.setShortcut(QKeySequence("Ctrl+T"))
    train.triggered.connect(lambda checked=False: window.show_training_dock())
    for key in ("export", "export_animation", "export_history", None, "quit"):
        file_menu.addSeparator() if key is None else file_menu.addAction(actions[key])
    for title, keys in MENUS.items():
        menu = bar.addMenu(title)
        for key in keys:
            menu.addSeparator() if key is None else menu.addAction(actions[key])
        if title == "&View":
            palettes = menu.addMenu("&Palette")
            for palette in PALETTES:
                palettes.addAction(actions[f"palette_{palette}"])
            menu.addSeparator()
            for dock in docks:
                menu.addAction(dock.toggleViewAction())
    help_menu = bar.addMenu("&Help")
    help_menu.addAction("Keyboard shortcuts", window.show_shortcuts)
    about = help_menu.addAction("About graphviz-nn", window.show_about)
    about.setObjectName("action_about")
    about.setMenuRole(QAction.MenuRole.AboutRole)  # in the application menu on macOS
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("toolbar")
    for key in TOOLBAR:
        toolbar.addSeparator() if key is None else toolbar.addAction(actions[key])
