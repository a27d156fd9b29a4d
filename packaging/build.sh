#!/usr/bin/env bash
# Build the one-folder Linux app from a clean checkout, check it, and report its size.
#
#     packaging/build.sh            -> dist/graphviz-nn/ and dist/graphviz-nn-VERSION-linux-ARCH.tar.gz
#
# Needs python3 (3.10 or newer, with venv) and a package index for pip. Everything is
# installed into a fresh virtual environment in a temporary folder, removed at the end.
# Environment: DIST (where the app goes, default dist/ in the checkout), PYTHON (python3),
# PYINSTALLER_VERSION.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$(mkdir -p "${DIST:-$root/dist}" && cd "${DIST:-$root/dist}" && pwd)
python=${PYTHON:-python3}
pyinstaller_version=${PYINSTALLER_VERSION:-6.22.3}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS

echo "== a fresh virtual environment with graphviz-nn and PyInstaller $pyinstaller_version"
"$python" -m venv "$work/venv"
venv="$work/venv/bin"
"$venv/pip" install --quiet --upgrade pip
# The wheel first, then the app from what it installed: the app holds what the wheel holds.
# It is built from a copy, so that no earlier build/ folder in the checkout can leak into it.
mkdir "$work/src"
tar -C "$root" --exclude=./.git --exclude=./build --exclude=./dist --exclude='*.egg-info' \
    --exclude=__pycache__ --exclude=.venv --exclude=.hypothesis --exclude=.pytest_cache -cf - . \
    | tar -C "$work/src" -xf -
"$venv/pip" wheel --quiet --no-deps --wheel-dir "$work/wheel" "$work/src"
"$venv/pip" install --quiet "$work"/wheel/graphviz_nn-*.whl "pyinstaller==$pyinstaller_version"
version=$("$venv/python" -c "import graphviz_nn; print(graphviz_nn.__version__)")

echo "== PyInstaller"
rm -rf "$dist/graphviz-nn"
"$venv/pyinstaller" --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work/build" "$root/packaging/graphviz-nn.spec"
app="$dist/graphviz-nn"

echo "== desktop integration files (share/), as a system install lays them out"
install -Dm644 "$root/packaging/io.github.graphviz_nn.GraphvizNN.desktop" \
    "$app/share/applications/io.github.graphviz_nn.GraphvizNN.desktop"
install -Dm644 "$root/packaging/io.github.graphviz_nn.GraphvizNN.metainfo.xml" \
    "$app/share/metainfo/io.github.graphviz_nn.GraphvizNN.metainfo.xml"
install -Dm644 "$root/packaging/graphviz-nn-session.xml" "$app/share/mime/packages/graphviz-nn-session.xml"
icons="$root/graphviz_nn/assets/icons"
install -Dm644 "$icons/graphviz-nn.svg" "$app/share/icons/hicolor/scalable/apps/graphviz-nn.svg"
for png in "$icons"/graphviz-nn-*.png; do
    size=${png##*-}; size=${size%.png}
    install -Dm644 "$png" "$app/share/icons/hicolor/${size}x${size}/apps/graphviz-nn.png"
done

echo "== the frozen app's self-test (offscreen)"
# A clean environment: the frozen app must not lean on this checkout or the build's venv.
clean=(env -i HOME="$work" PATH=/usr/bin:/bin LANG=C.UTF-8)
begun=$(date +%s%N)
"${clean[@]}" QT_QPA_PLATFORM=offscreen "$app/graphviz-nn" --self-test
echo "(the frozen app's self-test took $(( ($(date +%s%N) - begun) / 1000000 )) ms from start to exit)"
"${clean[@]}" "$app/graphviz-nn" --version

echo "== the frozen app on X11 (Xvfb): the window opens, draws and is saved as a PNG"
if command -v xvfb-run >/dev/null; then
    "${clean[@]}" QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$app/graphviz-nn" shot --example scalar --phase backward --size 1200x800 -o "$work/x11.png"
    echo "X11 start-up passed"
else
    echo "xvfb-run is missing (Debian/Ubuntu: apt install xvfb xauth): X11 start-up not checked"
fi

echo "== archive"
archive="$dist/graphviz-nn-$version-linux-$(uname -m).tar.gz"
tar -C "$dist" -czf "$archive" graphviz-nn

echo "== done in $((SECONDS - started)) s"
echo "app folder: $app ($(du -sh "$app" | cut -f1), $(find "$app" -type f | wc -l) files)"
echo "archive:    $archive ($(du -sh "$archive" | cut -f1))"
