#!/usr/bin/env bash
# Debian packages the test suite drives: chromium (page test), prometheus + promtool and
# alertmanager's amtool (monitoring tests), rsync (gitlab-ci-local's shell executor), wrk
# (the load benchmark), gcc and libc6-dev (the forest kernel; Python's headers come with the
# interpreter, pyenv's or the python:3.11 images').
# Skips apt when everything is already there.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v promtool >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
command -v rsync >/dev/null || need+=(rsync)
command -v wrk >/dev/null || need+=(wrk)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
if [[ ${#need[@]} -gt 0 ]]; then
  echo "==> apt-get install ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
