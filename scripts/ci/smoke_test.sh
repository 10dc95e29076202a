#!/bin/sh
# Smoke-test a running service at URL: health, one prediction, the two Hat calls.
# Usage: scripts/ci/smoke_test.sh URL [SECONDS_TO_WAIT]
set -eu
url="$1"
wait="${2:-60}"
i=0
until curl --fail --silent "$url/health" >/dev/null; do
  i=$((i + 1))
  if [ "$i" -ge "$wait" ]; then echo "smoke: $url/health not healthy after ${wait}s" >&2; exit 1; fi
  sleep 1
done
check() {  # name, expected substring, curl args...
  name="$1"; expect="$2"; shift 2
  body=$(curl --fail --silent --show-error --max-time 5 "$@")
  case "$body" in
    *"$expect"*) echo "smoke: $name ok" ;;
    *) echo "smoke: $name answered: $body" >&2; exit 1 ;;
  esac
}
check health '"status":"ok"' "$url/health"
check predict '"strength"' -X POST -H 'Content-Type: application/json' \
  -d '{"password": "correct horse battery staple"}' "$url/predict"
check explain '[' --get --data-urlencode word=computer --data-urlencode n_words=5 "$url/explain"
check guess '[' --get --data-urlencode words=space --data-urlencode words=rocket \
  --data-urlencode n_words=5 "$url/guess"
echo "smoke: $url passed"
