#!/bin/sh
# Deploy IMAGE to a Kubernetes cluster with the kustomize overlay k8s/overlays/OVERLAY, wait for
# the rollout, then smoke-test the Service through a port-forward (scripts/ci/smoke_test.sh).
# Usage: scripts/ci/k8s_deploy.sh OVERLAY IMAGE [--dry-run]
#   KUBE_CONFIG: the cluster's kubeconfig, its content or (a GitLab "File" variable) its path.
#   --dry-run: print the manifests that would be applied; needs kubectl, not a cluster.
# kubectl is installed (pinned, checksum-verified) when missing.
set -eu
overlay="$1"
image="$2"
dry_run="${3:-}"
root=$(cd "$(dirname "$0")/../.." && pwd)
dir="$root/k8s/overlays/$overlay"
if [ ! -f "$dir/kustomization.yaml" ]; then
  echo "k8s: no overlay '$overlay' (k8s/overlays: $(ls "$root/k8s/overlays" | tr '\n' ' '))" >&2
  exit 2
fi

KUBECTL_VERSION="${KUBECTL_VERSION:-v1.32.4}"
if ! command -v kubectl >/dev/null; then
  url="https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl"
  curl --fail --silent --show-error --location --output /usr/local/bin/kubectl "$url"
  echo "$(curl --fail --silent --show-error --location "$url.sha256")  /usr/local/bin/kubectl" \
    | sha256sum -c -
  chmod +x /usr/local/bin/kubectl
fi

# The overlay with its image replaced by IMAGE: a kustomization of its own, so the overlay's
# patches and namespace apply exactly as `kubectl apply -k k8s/overlays/OVERLAY` applies them
# (beside k8s/overlays: kustomize takes only relative paths; git ignores k8s/.deploy-*).
work="$root/k8s/.deploy-$overlay"
secrets=$(mktemp -d)
trap 'rm -rf "$work" "$secrets"' EXIT
mkdir -p "$work"
from=$(sed -n 's/^ *newName: *\([^ #]*\).*$/\1/p' "$dir/kustomization.yaml" | head -n 1)
cat > "$work/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../overlays/$overlay
images:
  - name: $from
    newName: ${image%:*}
    newTag: ${image##*:}
YAML
kubectl kustomize "$work" > "$work/manifests.yaml"
if [ "$dry_run" = "--dry-run" ]; then
  cat "$work/manifests.yaml"
  exit 0
fi

: "${KUBE_CONFIG:?set KUBE_CONFIG (Settings > CI/CD > Variables) to the cluster's kubeconfig}"
if [ -f "$KUBE_CONFIG" ]; then
  KUBECONFIG="$KUBE_CONFIG"
else
  KUBECONFIG="$secrets/kubeconfig"
  printf '%s\n' "$KUBE_CONFIG" > "$KUBECONFIG"
fi
export KUBECONFIG
namespace=$(sed -n 's/^namespace: *//p' "$dir/kustomization.yaml")

kubectl apply -f "$work/manifests.yaml"
kubectl --namespace "$namespace" rollout status deployment/hat-service --timeout=300s
kubectl --namespace "$namespace" port-forward service/hat-service 18080:80 >/dev/null &
forward=$!
trap 'kill "$forward" 2>/dev/null || true; rm -rf "$work" "$secrets"' EXIT
sh "$root/scripts/ci/smoke_test.sh" http://127.0.0.1:18080 60
echo "deployed $image to $overlay (namespace $namespace)"
