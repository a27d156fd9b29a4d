"""What ships: the wheel with its assets, the desktop entry, AppStream metadata, the icon, the
frozen app. The slow tests build the wheel and the app as a user would and run their self-test."""

from __future__ import annotations

import configparser
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import graphviz_nn

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "graphviz_nn" / "assets" / "icons"
APP_ID = "io.github.graphviz_nn.GraphvizNN"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
NOT_SOURCE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".venv",
                                    ".hypothesis", ".pytest_cache")


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(PACKAGING / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would let a child find this checkout's code."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return {**env, **extra}


def _assets() -> set[str]:
    """Every file under graphviz_nn/assets, as a path inside the package."""
    folder = ROOT / "graphviz_nn" / "assets"
    return {p.relative_to(ROOT).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def test_desktop_entry_runs_the_command_with_the_packaged_icon() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[:2] == ["graphviz-nn", "open"] and entry["Exec"].endswith("%f")
    # Files of the session type open in the app from a file manager.
    mime = ET.parse(PACKAGING / "graphviz-nn-session.xml").getroot()
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    kind = mime.find("m:mime-type", ns)
    assert entry["MimeType"] == kind.get("type") + ";"
    assert kind.find("m:glob", ns).get("pattern") == "*.gnn"
    assert re.search(r'^graphviz-nn = "graphviz_nn\.cli:main"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert entry["Icon"] == "graphviz-nn"
    assert (ICONS / f"{entry['Icon']}.svg").is_file()
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";") and "Education" in entry["Categories"].split(";")


def test_metainfo_describes_the_same_application() -> None:
    root = ET.parse(PACKAGING / f"{APP_ID}.metainfo.xml").getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert (PACKAGING / root.findtext("launchable")).is_file()
    assert root.findtext("icon") == _desktop_entry()["Icon"]
    assert root.findtext("provides/binary") == "graphviz-nn"
    assert root.findtext("name") == _desktop_entry()["Name"]
    newest = root.find("releases/release")
    assert newest.get("version") == graphviz_nn.__version__, "add a <release> for the new version"
    assert root.find("description/p") is not None and root.findtext("summary")


def test_icon_pngs_are_the_svg_rendered_at_every_size() -> None:
    done = subprocess.run([sys.executable, str(PACKAGING / "make_icons.py"), "--check"],
                          capture_output=True, text=True, env=_clean_env(QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr
    assert sorted(int(p.stem.rsplit("-", 1)[1]) for p in ICONS.glob("graphviz-nn-*.png")) == list(ICON_SIZES)


def test_the_application_carries_its_icon_and_desktop_entry_name() -> None:
    code = ("from graphviz_nn.gui.app import application\n"
            "app = application()\n"
            "print(app.desktopFileName())\n"
            "print(sorted(s.width() for s in app.windowIcon().availableSizes()))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env=_clean_env(QT_QPA_PLATFORM="offscreen"), timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [APP_ID, str(list(ICON_SIZES))]


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_project_declares_its_licence_pythons_systems_and_bounds() -> None:
    project, build = _pyproject()["project"], _pyproject()["build-system"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "setuptools>=77.0.3" in build["requires"]  # the first to take an SPDX licence
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]  # refused beside it
    pythons = {c.rsplit(" ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")}
    assert pythons == {"3.10", "3.11", "3.12", "3.13"} and project["requires-python"] == ">=3.10"
    systems = {c for c in project["classifiers"] if c.startswith("Operating System ::")}
    assert systems == {"Operating System :: Microsoft :: Windows", "Operating System :: MacOS",
                       "Operating System :: POSIX :: Linux"}
    assert project["gui-scripts"] == {"graphviz-nn-window": "graphviz_nn.cli:main"}
    assert project["scripts"]["graphviz-nn"] == "graphviz_nn.cli:main"
    needs = project["dependencies"]
    assert "numpy>=2.2" in needs and "Pillow>=9.1" in needs
    assert sorted(d for d in needs if d.startswith("PySide6")) == [
        "PySide6-Essentials>=6.5,<6.12; python_version < '3.12'", "PySide6-Essentials>=6.6; python_version >= '3.12'"]
    assert (ROOT / "graphviz_nn" / "py.typed").is_file()


def test_the_sdist_takes_every_file_of_the_tests_the_examples_and_the_packaging() -> None:
    """MANIFEST.in names files by kind; a new kind of file would be left out silently."""
    kinds = {}
    for line in (ROOT / "MANIFEST.in").read_text(encoding="utf-8").splitlines():
        if line.startswith("recursive-include "):
            folder, *patterns = line.split()[1:]
            kinds[folder] = patterns
    assert set(kinds) == {"tests", "packaging", "examples"}
    left_out = [p.relative_to(ROOT).as_posix() for folder, patterns in kinds.items()
                for p in (ROOT / folder).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
                and not any(fnmatch.fnmatch(p.name, pattern) for pattern in patterns)]
    assert left_out == [], f"add their kinds to MANIFEST.in: {left_out}"


@pytest.mark.slow
def test_the_wheel_carries_the_assets_and_passes_its_self_test_in_a_fresh_venv(tmp_path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--verbose", "--no-deps",
                            "--wheel-dir", str(tmp_path / "wheel"), str(source)],
                           capture_output=True, text=True, env=_clean_env(), timeout=300)
    assert built.returncode == 0, built.stderr
    said = built.stdout + built.stderr
    assert not re.search(r"deprecat|SetuptoolsWarning|no previously-included|no files found", said, re.I), said
    (wheel,) = (tmp_path / "wheel").glob("graphviz_nn-*.whl")
    assert wheel.name.startswith(f"graphviz_nn-{graphviz_nn.__version__}-py3-none-any")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert _assets() <= names, f"missing from the wheel: {sorted(_assets() - names)}"
    assert {f"graphviz_nn/assets/datasets/{n}.csv" for n in ("breast_cancer", "digits", "iris")} <= names
    assert {f"graphviz_nn/assets/icons/graphviz-nn-{s}.png" for s in ICON_SIZES} <= names
    assert {"graphviz_nn/assets/text/persuasion.txt", "graphviz_nn/assets/text/PROVENANCE.md"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    info = f"graphviz_nn-{graphviz_nn.__version__}.dist-info"
    assert {"graphviz_nn/py.typed", f"{info}/licenses/LICENSE"} <= names
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "License-Expression: MIT" in metadata.splitlines()
    assert "[gui_scripts]\ngraphviz-nn-window = graphviz_nn.cli:main" in entry_points

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    installed = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                               capture_output=True, text=True, env=_clean_env(), timeout=600)
    assert installed.returncode == 0, installed.stderr

    # Run from an empty folder with a clean environment: only the installed wheel can answer.
    env = _clean_env(QT_QPA_PLATFORM="offscreen")
    command = str(bin_dir / "graphviz-nn")
    tested = subprocess.run([command, "--self-test"], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=300)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    lines = tested.stdout.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == ["ok"] * 7, tested.stdout
    assert "datasets breast_cancer (569 rows), digits (1797 rows), iris (150 rows)" in lines[1]
    assert lines[-1].startswith("self-test passed")
    where = subprocess.run([str(bin_dir / "python"), "-c", "import graphviz_nn; print(graphviz_nn.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=env, check=True)
    assert Path(where.stdout.strip()).is_relative_to(venv)
    version = subprocess.run([command, "--version"], capture_output=True, text=True, env=env, check=True)
    assert version.stdout.strip() == f"graphviz-nn {graphviz_nn.__version__}"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="packaging/build.sh builds the Linux app")
def test_build_script_freezes_an_app_that_passes_its_self_test(tmp_path) -> None:
    done = subprocess.run(["bash", str(PACKAGING / "build.sh")], capture_output=True, text=True,
                          env=_clean_env(DIST=str(tmp_path), PYTHON=sys.executable), timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    app = tmp_path / "graphviz-nn"
    assert (app / "graphviz-nn").is_file() and os.access(app / "graphviz-nn", os.X_OK)
    assert "self-test passed" in done.stdout
    assert f"graphviz-nn {graphviz_nn.__version__}" in done.stdout
    if shutil.which("xvfb-run"):  # the build checks the window on X11 where it can
        assert "X11 start-up passed" in done.stdout
    assert (app / "share" / "applications" / f"{APP_ID}.desktop").is_file()
    assert (app / "share" / "icons" / "hicolor" / "512x512" / "apps" / "graphviz-nn.png").is_file()
    assert re.search(r"^app folder: .+ \(\d+(\.\d+)?M, \d+ files\)$", done.stdout, re.M)
    assert list(tmp_path.glob(f"graphviz-nn-{graphviz_nn.__version__}-linux-*.tar.gz"))


def test_the_package_index_page_shows_no_picture_it_cannot_reach() -> None:
    """The index shows the readme of pyproject.toml; a relative image path is a broken picture."""
    found = re.search(r'^readme = \{ file = "([^"]+)", content-type = "text/markdown" \}$',
                      (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    assert found, "pyproject.toml names its readme as a markdown file"
    text = (ROOT / found.group(1)).read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)
    assert all(re.match(r"https?://", src) for src in images), images
    assert "pip install graphviz-nn" in text
