#!/usr/bin/env bash
# Install evoforge with the given extras ("llm", "dev", ...) and the system sandbox it uses.
#   bash scripts/install.sh llm     # the embedded models
#   bash scripts/install.sh dev     # everything the tests exercise
# bubblewrap (Debian/Ubuntu package `bubblewrap`) is installed where this user may (root, or sudo without
# a password); elsewhere evoforge falls back to its Python guard and `evoforge doctor` says so. With
# "dev", Chromium (package `chromium`) is installed the same way for the dashboard's browser tests.
# llama-cpp-python is compiled for a portable x86-64 level (AVX2) unless CMAKE_ARGS says otherwise: a
# native build picks up instructions (AMX, AVX-512 variants) that some virtual machines advertise but
# do not allow, and then dies with "Illegal instruction" at the first generated token.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-llm}"
if ! command -v bwrap >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq bubblewrap) || echo "warning: could not install bubblewrap"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
    (sudo apt-get update -qq && sudo apt-get install -y -qq bubblewrap) || echo "warning: could not install bubblewrap"
  else
    echo "warning: bubblewrap (bwrap) is not installed and cannot be installed by this user;" \
         "programs will run behind the Python guard only (not a security boundary)"
  fi
fi
if [ "$extras" = dev ] && ! command -v chromium >/dev/null 2>&1; then
  # headless Chromium for the dashboard's browser tests (tests/ui); they are skipped without it
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && apt-get install -y -qq chromium) || echo "warning: could not install chromium"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
    (sudo apt-get update -qq && sudo apt-get install -y -qq chromium) || echo "warning: could not install chromium"
  else
    echo "warning: chromium is not installed; the dashboard's browser tests will be skipped"
  fi
fi
if [ "$(uname -m)" = x86_64 ]; then
  export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
# the one long step: pip is quiet, so say what it is doing, and that it is still doing it
case ",$extras," in *,llm,* | *,llm-large,* | *,dev,*) model_layer=1 ;; *) model_layer=0 ;; esac
if [ "$model_layer" = 1 ] && ! python -c "import llama_cpp" >/dev/null 2>&1; then
  echo "install: compiling llama-cpp-python (llama.cpp, CMAKE_ARGS: ${CMAKE_ARGS:-default}); this takes" \
       "several minutes (about 10 on 2 cores)"
else
  echo "install: evoforge[${extras}] with pip"
fi
started=$SECONDS
( while sleep 60 >/dev/null 2>&1; do echo "install: still installing ($(( (SECONDS - started) / 60 )) min so far)"; done ) &
ticker=$!
trap 'kill "$ticker" 2>/dev/null || true' EXIT
python -m pip install -q -e ".[${extras}]"
echo "install: done in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
