#!/usr/bin/env bash
# Runs the integration tests against a real subtensor runtime (chopsticks running
# subtensor's own WASM, from ../shared/testnet). Starts the chain, runs every test
# whose name contains "Integration" (GOTENSOR_CHAIN_URL) and the examples'
# miner/validator run on the real runtime ("LocalRuntime",
# GOTENSOR_EXAMPLES_CHAIN_URL), and the axon and dendrite against Python's HTTP
# client and server (GOTENSOR_PYTHON), then stops the chain if this script started it.
# The first run installs the npm package @acala-network/chopsticks (a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${GOTENSOR_SHARED:-$root/../shared}
testnet="$shared/testnet"
if [ ! -x "$testnet/start.sh" ] && [ ! -f "$testnet/start.sh" ]; then
  echo "integration: $testnet/start.sh not found (set GOTENSOR_SHARED)" >&2
  exit 1
fi
command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl; }
# Python's HTTP stack for the interop tests (TestIntegrationPythonAiohttpClient:
# aiohttp, the client of Python's dendrite; TestIntegrationUvicornAxon: FastAPI on
# uvicorn, the server of Python's axon): Debian's packages, through Debian's python3.
if ! /usr/bin/python3 -c 'import aiohttp, fastapi, uvicorn' 2>/dev/null; then
  pkgs="python3-aiohttp python3-fastapi python3-uvicorn"
  apt-get install -y -qq $pkgs >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $pkgs >/dev/null; }
fi
export GOTENSOR_PYTHON=/usr/bin/python3

export TESTNET_HOME=${TESTNET_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/gotensor-testnet}
export PORT=${PORT:-9944}
started=0
cleanup() { if [ "$started" = 1 ]; then bash "$testnet/stop.sh" || true; fi; }
trap cleanup EXIT
# Stop the chain afterwards only if this run started it.
if [ -f "$TESTNET_HOME/chain.pid" ] && kill -0 "$(cat "$TESTNET_HOME/chain.pid")" 2>/dev/null; then
  started=0
else
  started=1
fi
url=$(bash "$testnet/start.sh" | tail -n 1)
echo "integration: chain at $url"
export GOFLAGS=${GOFLAGS:--mod=readonly}
log=$(mktemp)
status=0
# -p 1: the packages share one chain and fund their fresh keys from //Alice;
# run one package at a time so they never race for Alice's nonce.
GOTENSOR_CHAIN_URL="$url" GOTENSOR_EXAMPLES_CHAIN_URL="$url" \
  go test -p 1 -count=1 -timeout 20m -v -run 'Integration|LocalRuntime' ./... >"$log" 2>&1 || status=$?
grep -E '^(=== RUN|--- (PASS|FAIL|SKIP)|(ok|FAIL|panic)[[:space:]]|    )' "$log" | grep -v '^=== RUN' || true
passed=$(grep -cE '^\s*--- PASS' "$log" || true)
failed=$(grep -cE '^\s*--- FAIL' "$log" || true)
skipped=$(grep -cE '^\s*--- SKIP' "$log" || true)
if [ "$status" != 0 ]; then tail -50 "$log"; fi
rm -f "$log"
echo "integration: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" = 0 ] && [ "$status" = 0 ]; then
  echo "integration: no integration test ran" >&2; exit 1
fi
exit "$status"
