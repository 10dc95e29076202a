#!/usr/bin/env bash
# The whole pipeline: environment, data, checks, training, evaluation, versioned artifacts.
# Usage: ./run_all.sh [STAGE ...]   stages: passwords, hat; none = all.
# Offline: DATA_MIRROR=DIR takes the source files from DIR instead of the network.
set -euo pipefail
cd "$(dirname "$0")"

ALL_STAGES=(passwords hat)
stage="setup"
trap 'rc=$?; echo "run_all.sh: failed in stage \"${stage}\" (exit ${rc}); the error is above" >&2' ERR

usage() {
  echo "usage: ./run_all.sh [${ALL_STAGES[*]}] ... (no stage = all stages)" >&2
}

stages=("$@")
if [[ ${#stages[@]} -eq 0 ]]; then
  stages=("${ALL_STAGES[@]}")
fi
for s in "${stages[@]}"; do
  case "$s" in
    -h|--help) usage; exit 0 ;;
    passwords|hat) ;;
    *) trap - ERR; echo "run_all.sh: unknown stage \"$s\"" >&2; usage; exit 2 ;;
  esac
done

# shellcheck source=scripts/ensure_env.sh
source scripts/ensure_env.sh
ensure_env

started=$(date +%s)
for s in "${stages[@]}"; do
  stage="$s"
  echo "==> stage ${s}: started $(date -u +%H:%M:%SZ)" >&2
  case "$s" in
    passwords)
      python -m pipeline.passwords prepare
      python -m pipeline.passwords train
      ;;
    hat)
      python -m pipeline.hat train
      ;;
  esac
done
stage="promotion"
python -m pipeline.promote "${stages[@]}"   # the decision file; CI adds --gate
stage="summary"
python -m pipeline.summary "${stages[@]}"
echo "==> done in $(( $(date +%s) - started ))s" >&2
