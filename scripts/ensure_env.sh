# Sourced by run_all.sh and run_tests.sh: build the virtualenv from Pipfile.lock when it is missing
# or stale, put it first on PATH and compile the forest kernel. Usage: ensure_env [--dev]
# The venv lives in .venv (PIPENV_VENV_IN_PROJECT) so every script and the README agree on it.

ensure_env() {
  local want="runtime" flags=(--deploy)
  if [[ "${1:-}" == "--dev" ]]; then
    want="dev"
    flags+=(--dev)
  fi
  export PIPENV_VENV_IN_PROJECT=1 PIPENV_VERBOSITY=-1 PIPENV_NOSPIN=1
  if ! command -v pipenv >/dev/null 2>&1; then
    echo "pipenv is not installed: run 'python3.11 -m pip install pipenv' first" >&2
    return 1
  fi
  local lock_sha stamp
  lock_sha=$(sha256sum Pipfile.lock | cut -c1-16)
  stamp=".venv/.installed-${want}-${lock_sha}"
  if [[ ! -x .venv/bin/python || ! -f "$stamp" ]]; then
    echo "==> creating the ${want} environment from Pipfile.lock (once; about a minute)" >&2
    pipenv install "${flags[@]}" >&2
    rm -f .venv/.installed-"${want}"-*
    touch "$stamp"
    if [[ "$want" == "dev" ]]; then  # dev includes runtime
      rm -f .venv/.installed-runtime-*
      touch ".venv/.installed-runtime-${lock_sha}"
    fi
  fi
  export PATH="$PWD/.venv/bin:$PATH"
  export PYTHONHASHSEED=0  # reproducible runs: set ordering and anything hashed by Python
  build_kernel
}

# The password model's compiled kernels (its forest's and its features'), rebuilt when a source (a
# .pyx or a .pxi it includes) is newer than its module. Not fatal: without them the service predicts
# through the numpy and Python paths (same numbers, slower under load); under CI the tests fail
# without them.
build_kernel() {
  local name src built stale=0
  for name in forest_kernel features_kernel; do
    built=$(compgen -G "pipeline/passwords/$name.*.so" | head -n 1 || true)
    for src in pipeline/passwords/"$name".pyx pipeline/passwords/"$name"_*.pxi; do
      if [[ -e "$src" && (-z "$built" || ! "$built" -nt "$src") ]]; then
        stale=1
      fi
    done
  done
  if ((stale == 0)); then
    return 0
  fi
  echo "==> compiling the password model's kernels (scripts/build_kernel.py)" >&2
  if ! python scripts/build_kernel.py >&2; then
    echo "warning: the kernels did not compile (they need gcc and Python's headers);" \
      "the service will predict through the slower numpy and Python paths" >&2
  fi
}
