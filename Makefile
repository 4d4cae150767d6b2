# Breakwater: the two commands a newcomer needs are `make demo` and `make test`.
# Each installs what is missing first (npm packages: Foundry, solc, OpenZeppelin, forge-std).
SHELL := /bin/bash
BIN := $(CURDIR)/node_modules/.bin
export PATH := $(BIN):$(PATH)
export FOUNDRY_SOLC := $(CURDIR)/tools/solc

.PHONY: demo deploy test test-forge test-cargo test-browser setup setup-browser snapshot clean

## Main job: the scenario lab's demo (every scenario x policy, the sweep) on embedded Anvils,
## writing reports/demo/ (report.json, report.md, charts, index.html).
demo: setup
	cargo run --release --locked -p breakwater-cli -- demo

## The world alone: deploy it to an embedded Anvil with the forge script, print the manifest.
deploy: setup
	./script/deploy-local.sh

## Every test: forge (ci profile when CI=true), cargo, then the report page in headless Chromium.
test: setup test-forge test-cargo test-browser

# forge's own summary shares its line with other text; print the plain one CI reads as well.
# Then the gas check: forge writes what it measured to cache/gas-snapshots/ (foundry.toml), and
# every row must stay within 1% of the committed snapshots/ (tools/gas-snapshots.js).
test-forge:
	@mkdir -p cache && rm -rf cache/gas-snapshots
	set -o pipefail; FOUNDRY_PROFILE=$(if $(CI),ci,default) forge test 2>&1 | tee cache/forge-test.log
	@sed -nE 's/.*: ([0-9]+) tests passed, ([0-9]+) failed, ([0-9]+) skipped.*/forge: \1 passed, \2 failed, \3 skipped/p' cache/forge-test.log | tail -1
	node tools/gas-snapshots.js check

test-cargo:
	@if [ -f Cargo.toml ]; then cargo test --workspace --locked; else echo "no Rust crates yet"; fi

# Renders a fixture report and drives its index.html in Chromium; ends with `browser: N passed, M failed`.
test-browser: setup setup-browser
	node tools/report-browser-test.mjs

## Accepts new gas figures: measures every row (the `test_gas*` tests) and writes snapshots/*.json,
## the baseline `make test` holds each row to (within 1%). Commit them with the change they price.
snapshot: setup
	@mkdir -p cache && rm -rf cache/gas-snapshots
	forge test --match-test "test_gas"
	node tools/gas-snapshots.js accept

## npm ci when node_modules is missing or older than the lock file.
setup: node_modules/.installed
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian's chromium for the browser test, installed only when none is found (CI runs as root).
setup-browser:
	@if [ -z "$$CHROMIUM_PATH" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then \
		echo "no chromium found: apt-get install -y chromium"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

clean:
	rm -rf out cache target reports deployments node_modules
