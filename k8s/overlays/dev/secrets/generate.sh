#!/usr/bin/env bash
# Generates the dev overlay's license signing key (Ed25519). Private keys are
# never committed: run this once before `kubectl apply -k k8s/overlays/dev`
# (the k8s tests run it too). Production keys come from a Secret you create
# (docs/KUBERNETES.md).
set -euo pipefail
key="$(cd "$(dirname "$0")" && pwd)/dev-only-license-signing-key.pem"
if [ ! -s "$key" ]; then
  openssl genpkey -algorithm ed25519 -out "$key"
  chmod 600 "$key"
fi
