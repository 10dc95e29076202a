#!/usr/bin/env bash
# Debian packages the test suite drives: chromium (page test), prometheus + promtool and
# alertmanager's amtool (monitoring tests), rsync (gitlab-ci-local's shell executor), wrk
# (the load benchmark), gcc and libc6-dev (the forest kernel; Python's headers come with the
# interpreter, pyenv's or the python:3.11 images'), and npm for gitlab-ci-local (.ci/run's
# validator, and the second reading of the CI rules in tests/test_gitlab_ci.py).
# Skips apt and npm when everything is already there.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v rsync >/dev/null || need+=(rsync)
command -v wrk >/dev/null || need+=(wrk)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
command -v npm >/dev/null || need+=(nodejs npm)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "==> apt-get install ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if ! command -v gitlab-ci-local >/dev/null; then
  # the newest release needs Node 22; 4.56.0 runs on Node 20 and declares Node >= 18 (Debian 12's)
  echo "==> npm install --global gitlab-ci-local@4.56.0" >&2
  npm install --global --silent gitlab-ci-local@4.56.0 >/dev/null
fi
