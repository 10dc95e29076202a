#!/usr/bin/env bash
# The whole pipeline: environment, data, checks, training, evaluation, versioned artifacts.
# Usage: ./run_all.sh [STAGE ...]   one stage per model of pipeline/catalog.py; none = all.
# Offline: DATA_MIRROR=DIR takes the source files from DIR instead of the network.
# Each step's command is defined once, in scripts/step.sh, which dvc.yaml's stages run too.
set -euo pipefail
cd "$(dirname "$0")"

# the models, and each one's steps, from the one list of models (standard library only, so the
# system python3 reads it before the virtualenv exists)
mapfile -t ALL_STAGES < <(python3 -m pipeline.catalog)
if [[ ${#ALL_STAGES[@]} -eq 0 ]]; then
  echo "run_all.sh: 'python3 -m pipeline.catalog' listed no models; is python3 (3.11) on PATH?" >&2
  exit 2
fi
stage="setup"
on_error() {
  local rc=$1
  echo "run_all.sh: failed in stage \"${stage}\" (exit ${rc}); the error is above" >&2
  if [[ "$stage" != "setup" && "$stage" != "tracking" ]]; then
    # every run is tracked, a failed one too; the exit status stays the failure's
    scripts/step.sh track --status FAILED --failed-stage "$stage" "${stages[@]}" || true
  fi
  exit "$rc"
}
trap 'on_error $?' ERR

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
  esac
  if [[ " ${ALL_STAGES[*]} " != *" $s "* ]]; then
    trap - ERR; echo "run_all.sh: unknown stage \"$s\"" >&2; usage; exit 2
  fi
done

# shellcheck source=scripts/ensure_env.sh
source scripts/ensure_env.sh
ensure_env
export PIPELINE_RUNNER="run_all.sh"  # recorded with the MLflow run

started=$(date +%s)
for s in "${stages[@]}"; do
  stage="$s"
  echo "==> stage ${s}: started $(date -u +%H:%M:%SZ)" >&2
  mapfile -t steps < <(python3 -m pipeline.catalog steps "$s")
  for step in "${steps[@]}"; do
    scripts/step.sh "$step"
  done
done
stage="promotion"
scripts/step.sh promote "${stages[@]}"
stage="summary"
scripts/step.sh summary "${stages[@]}"
stage="tracking"
# a tracking failure warns and never changes the run's exit status: the models are saved already
scripts/step.sh track "${stages[@]}" || echo "run_all.sh: warning: tracking the run failed" >&2
echo "==> done in $(( $(date +%s) - started ))s" >&2
