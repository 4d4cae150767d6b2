#!/usr/bin/env bash
# `make deploy`: start an embedded Anvil, deploy and wire the whole
# world with the forge script, and print the deployment manifest. Anvil stops when this exits.
set -euo pipefail
cd "$(dirname "$0")/.."
# A free port unless one is given: a busy 8545 must not break the demo.
port=${ANVIL_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
anvil --port "$port" --silent &
anvil_pid=$!
trap 'kill $anvil_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do cast chain-id --rpc-url "http://127.0.0.1:$port" >/dev/null 2>&1 && break; sleep 0.1; done
mkdir -p deployments
# Anvil's first default account: a well-known local-only key.
export PRIVATE_KEY=${PRIVATE_KEY:-0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80}
export DEPLOYMENT_OUT=${DEPLOYMENT_OUT:-deployments/local.json}
rm -f "$DEPLOYMENT_OUT" # never show a previous run's manifest as this one's
forge script script/Deploy.s.sol --rpc-url "http://127.0.0.1:$port" --broadcast --slow -q
if [ ! -f "$DEPLOYMENT_OUT" ]; then
  echo "demo: deployment failed: forge wrote no manifest to $DEPLOYMENT_OUT (see the error above)" >&2
  exit 1
fi
# forge can exit 0 after a failed broadcast: check the last step (the market's seed supply) landed.
market=$(node -e 'console.log(require(process.argv[1]).contracts.market)' "$PWD/$DEPLOYMENT_OUT")
supplied=$(cast call "$market" "totalSupplyAssets()(uint256)" --rpc-url "http://127.0.0.1:$port" 2>/dev/null || echo 0)
if [ "${supplied%% *}" = "0" ]; then
  echo "demo: deployment failed: the market at $market holds no seeded supply" >&2
  exit 1
fi
echo "Deployment manifest ($DEPLOYMENT_OUT):"
cat "$DEPLOYMENT_OUT"
