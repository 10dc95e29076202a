#!/bin/sh
# Restore the deployed production models into DIR (default models/) from the project's GitLab
# generic package registry, where deploy-production uploads them. No package yet (first run) is
# fine: training then starts without a production model. Needs CI_API_V4_URL, CI_PROJECT_ID and
# CI_JOB_TOKEN (set by GitLab). Writes DIR/.deployed.json, a copy of the deployed registry.
set -eu
dir="${1:-models}"
url="${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/packages/generic/models/production/models.tar.gz"
mkdir -p "$dir"
if curl --fail --silent --show-error --location --header "JOB-TOKEN: ${CI_JOB_TOKEN}" \
    --output /tmp/models.tar.gz "$url"; then
  tar -xzf /tmp/models.tar.gz -C "$dir"
  cp "$dir/registry.json" "$dir/.deployed.json"
  echo "production models restored from $url"
else
  echo "no production models published yet ($url): starting without"
fi
