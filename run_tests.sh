#!/usr/bin/env bash
# Lint, format check and the test suite, in the locked dev environment (created when missing).
# Extra arguments go to pytest, e.g. ./run_tests.sh -m "not slow" -x
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/ensure_env.sh
source scripts/ensure_env.sh
ensure_env --dev
echo "==> ruff check" >&2
ruff check .
echo "==> ruff format --check" >&2
ruff format --check .
echo "==> pytest" >&2
mkdir -p reports
python -m pytest --junitxml=reports/junit.xml "$@"
