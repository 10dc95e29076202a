#!/usr/bin/env bash
# One step of the pipeline, in the project's environment. The single definition of each step's
# command: run_all.sh runs its steps through this script and so does DVC (each cmd in dvc.yaml),
# so both build the same things the same way (same virtualenv, PYTHONHASHSEED=0).
# Usage: scripts/step.sh STEP [ARG ...]     ARGs go to the step's command.
# The step's start, end and exit status go to ${REPORTS_DIR:-reports}/steps/STEP.json, where the
# track step finds the durations of the run. The exit status is the command's.
set -euo pipefail
cd "$(dirname "$0")/.."

STEPS="passwords_prepare passwords_train hat_train promote summary track"
step="${1:-}"
if [[ $# -gt 0 ]]; then shift; fi
case "$step" in
  passwords_prepare) cmd=(python -m pipeline.passwords prepare) ;;
  passwords_train) cmd=(python -m pipeline.passwords train) ;;
  hat_train) cmd=(python -m pipeline.hat train) ;;
  promote) cmd=(python -m pipeline.registry.gate) ;;   # the decision file; CI adds --gate
  summary) cmd=(python -m pipeline.runs.summary) ;;
  track) cmd=(python -m pipeline.runs.tracking) ;;   # MLflow; a logging failure only warns
  *)
    echo "step.sh: unknown step \"${step}\"; steps: ${STEPS}" >&2
    exit 2
    ;;
esac

if [[ -n "${DVC_STAGE:-}" ]]; then  # run by dvc repro: dvc.yaml's outputs are the default folders
  for var in DATA_DIR MODELS_DIR REPORTS_DIR; do
    if [[ -n "${!var:-}" ]]; then
      echo "step.sh: unset ${var} for dvc repro: dvc.yaml's outputs are data/, models/, reports/" >&2
      exit 2
    fi
  done
fi

# shellcheck source=scripts/ensure_env.sh
source scripts/ensure_env.sh
ensure_env

started=$(date +%s.%N)
rc=0
"${cmd[@]}" "$@" || rc=$?
finished=$(date +%s.%N)

record_dir="${REPORTS_DIR:-reports}/steps"
mkdir -p "$record_dir"
tmp=$(mktemp "${record_dir}/.${step}.XXXXXX")
printf '{"step": "%s", "started_at": %s, "finished_at": %s, "exit_code": %d}\n' \
  "$step" "$started" "$finished" "$rc" >"$tmp"
mv -f "$tmp" "${record_dir}/${step}.json"
exit "$rc"
