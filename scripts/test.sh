#!/usr/bin/env bash
# Install everything the test suite needs on a fresh machine, then run it all:
# lint (ruff), types (mypy) and the tests (pytest), notebooks included.
# CI runs exactly this script through .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PIP=".venv/bin/python -m pip"
$PIP install --quiet --upgrade pip
# CPU torch first, pinned, so the embeddings extra does not pull a multi-gigabyte GPU build.
$PIP install --quiet "torch==2.13.0"
$PIP install --quiet -e ".[embeddings,dask,test]"

# A system browser and its driver for the report rendering tests (Debian's chromium, chromium-driver).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
