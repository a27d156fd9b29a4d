"""The command line's own documentation: the version, the command list, each command's manual."""

from __future__ import annotations

import argparse
import re
import shlex

import pytest

import graphviz_nn
from graphviz_nn import cli


def _commands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _summaries() -> dict[str, str]:
    action = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in action._choices_actions}


def _run(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    return stopped.value.code, capsys.readouterr().out


def _examples(help_text: str) -> list[str]:
    """The example commands of a manual, their continuation lines joined."""
    section = help_text.split("\nexamples:\n", 1)[1].split("\nexit status:\n", 1)[0]
    commands, current = [], None
    for line in section.splitlines():
        if line.startswith("    graphviz-nn"):
            current = line.strip()
        elif current is not None and line.startswith("        "):
            current += " " + line.strip()
        if current is not None and not current.endswith("\\"):
            commands.append(current)
            current = None
        elif current is not None:
            current = current[:-1].rstrip()
    return commands


def test_version_is_the_package_version(capsys) -> None:
    code, out = _run(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"graphviz-nn {graphviz_nn.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)?", graphviz_nn.__version__)


def test_help_lists_every_command_with_one_line(capsys) -> None:
    code, out = _run(["--help"], capsys)
    assert code == 0
    summaries = _summaries()
    assert {"demo", "train", "render", "window", "shot"} <= set(summaries)
    for name, summary in summaries.items():
        assert summary and "\n" not in summary, f"{name} has no one-line summary"
        # argparse may wrap a long summary: compare with the whitespace squeezed.
        assert re.search(rf"^\s+{name}\s+{re.escape(summary.split()[0])}", out, re.M), name
        assert " ".join(summary.split()) in " ".join(out.split())
    assert "--self-test" in out and "--version" in out
    assert "--layout-worker" not in out  # the frozen app's internal flag stays hidden


@pytest.mark.parametrize("name", sorted(_commands()))
def test_each_command_has_a_manual(name: str, capsys) -> None:
    parser = _commands()[name]
    code, out = _run([name, "--help"], capsys)
    assert code == 0
    assert out.startswith(f"usage: graphviz-nn {name}")
    assert parser.description, f"{name} has no description"
    assert parser.description.splitlines()[0] in out
    assert "\noptions:\n" in out and "\nexamples:\n" in out and "\nexit status:\n" in out
    assert all(len(line) <= 100 for line in out.splitlines()), "a manual line is too long to read"
    examples = _examples(out)
    assert examples, f"{name}'s manual shows no example"
    for example in examples:
        words = shlex.split(example)
        words = words[: next((i for i, w in enumerate(words) if w in (">", "|")), len(words))]
        assert words[0] == "graphviz-nn"
        parsed = cli.build_parser().parse_args(words[1:])  # each example is a valid command
        assert parsed.command in (name, None)


def test_self_test_runs_alone(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--self-test", "demo"])
    assert stopped.value.code == 2
    assert "--self-test runs alone" in capsys.readouterr().err
