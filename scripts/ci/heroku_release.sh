#!/bin/sh
# Push IMAGE to Heroku's container registry as APP's web process and release it.
# Usage: scripts/ci/heroku_release.sh APP IMAGE   (needs HEROKU_API_KEY; docker logged in)
set -eu
app="$1"
image="$2"
target="registry.heroku.com/${app}/web"
echo "$HEROKU_API_KEY" | docker login --username=_ --password-stdin registry.heroku.com
docker tag "$image" "$target"
docker push "$target"
id=$(docker inspect "$target" --format='{{.Id}}')
curl --fail --silent --show-error -X PATCH "https://api.heroku.com/apps/${app}/formation" \
  -H "Content-Type: application/json" \
  -H "Accept: application/vnd.heroku+json; version=3.docker-releases" \
  -H "Authorization: Bearer ${HEROKU_API_KEY}" \
  -d "{\"updates\":[{\"type\":\"web\",\"docker_image\":\"${id}\"}]}"
echo "released $image to $app"
