#!/usr/bin/env bash
# The project's test command (the README's): every package, with the race detector.
# Hermetic: needs no network and no chain; integration tests against a real
# subtensor runtime run only when GOTENSOR_CHAIN_URL is set (see scripts/integration.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--mod=readonly}
go test -race -count=1 -timeout 20m ./...
# The axon's tests once more with Start on net/http's server
# (WithNetHTTPServer), so that both of its servers pass the same suite.
GOTENSOR_AXON_NETHTTP=1 go test -race -count=1 -timeout 10m ./axon
