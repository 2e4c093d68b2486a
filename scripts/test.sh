#!/usr/bin/env bash
# The project's test command (the README's): every package, with the race detector.
# Hermetic: needs no network and no chain; integration tests against a real
# subtensor runtime run only when GOTENSOR_CHAIN_URL is set (see scripts/integration.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--mod=readonly}
exec go test -race -count=1 -timeout 20m ./...
