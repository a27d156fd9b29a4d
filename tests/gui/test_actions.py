"""The action table: every key does one thing, and none takes a key macOS keeps for itself."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from graphviz_nn.gui import actions as table


def _keys(mac: bool) -> dict[str, str]:
    found = {}
    for spec in table.ACTIONS:
        keys = spec.mac_keys if mac and spec.mac_keys is not None else spec.keys
        for key in table._key_list(keys):
            text = key.toString()
            assert text not in found, f"{text} is both {found[text]} and {spec.key}"
            found[text] = spec.key
    return found


def test_no_two_actions_share_a_key(qapp) -> None:
    assert _keys(mac=False) and _keys(mac=True)


def test_on_macos_the_system_keys_stay_the_systems(qapp) -> None:
    mac = _keys(mac=True)
    # Qt's Ctrl is the Command key on macOS: Cmd+M minimises, Cmd+G finds the next match,
    # F11 shows the desktop.
    for system in ("Ctrl+M", "Ctrl+G", "F11"):
        assert system not in mac, f"{mac[system]} takes {system}"
    assert mac[QKeySequence("Ctrl+Meta+F").toString()] == "fullscreen"  # the system's full-screen key


def test_every_action_reaches_a_method_of_the_window_or_its_controllers(open_window) -> None:
    window = open_window("scalar")
    for spec in table.ACTIONS:
        target = window
        for part in spec.slot.split("."):
            target = getattr(target, part, None)
        assert callable(target), spec.slot
