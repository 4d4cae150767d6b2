#!/usr/bin/env node
// Gas snapshots: the one check on every `vm.snapshotGas*` row, and the one way to accept new figures.
//
// forge writes what it measured to cache/gas-snapshots/<group>.json (foundry.toml `snapshots`), never
// to the committed baseline in snapshots/, so a test run cannot overwrite the figures it is checked
// against. Rows live in `test_gas*` tests (that is what `make snapshot` runs).
//
//   node tools/gas-snapshots.js check    fresh vs baseline: fails when a row grew by more than the
//                                        tolerance (1%), or when a row is new or gone (no baseline
//                                        to hold it to); improvements pass
//   node tools/gas-snapshots.js accept   copies the fresh figures over the baseline (make snapshot)
//
// Options: --fresh DIR (cache/gas-snapshots), --baseline DIR (snapshots), --tolerance FRACTION (0.01).
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const args = process.argv.slice(2);
const command = args[0];
function option(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const freshDir = path.resolve(root, option("--fresh", "cache/gas-snapshots"));
const baselineDir = path.resolve(root, option("--baseline", "snapshots"));
const tolerance = Number(option("--tolerance", "0.01"));

function fail(message) {
  console.error(`gas-snapshots: ${message}`);
  process.exit(2);
}

// group name -> { row: gas }
function readDir(dir) {
  const groups = {};
  if (!fs.existsSync(dir)) return groups;
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith(".json")) continue;
    const group = file.slice(0, -".json".length);
    let rows;
    try {
      rows = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    } catch (e) {
      fail(`${path.relative(root, path.join(dir, file))}: not JSON (${e.message})`);
    }
    groups[group] = {};
    for (const [row, value] of Object.entries(rows)) {
      if (!/^\d+$/.test(String(value))) fail(`${group}.${row}: "${value}" is not a gas figure`);
      groups[group][row] = Number(value);
    }
  }
  return groups;
}

function pct(from, to) {
  const p = ((to - from) / from) * 100;
  return `${p >= 0 ? "+" : ""}${p.toFixed(2)}%`;
}

function check() {
  if (!Number.isFinite(tolerance) || tolerance < 0) fail(`bad --tolerance ${tolerance}`);
  const fresh = readDir(freshDir);
  const baseline = readDir(baselineDir);
  if (Object.keys(fresh).length === 0) {
    fail(`nothing measured in ${path.relative(root, freshDir)}/: run the forge tests first`);
  }
  const problems = [];
  const improved = [];
  let compared = 0;
  const groups = [...new Set([...Object.keys(baseline), ...Object.keys(fresh)])].sort();
  for (const group of groups) {
    const base = baseline[group] || {};
    const now = fresh[group] || {};
    const rows = [...new Set([...Object.keys(base), ...Object.keys(now)])].sort();
    for (const row of rows) {
      const name = `${group}.${row}`;
      if (!(row in base)) {
        problems.push(`${name}: ${now[row]}: new row with no baseline (run \`make snapshot\`, commit snapshots/)`);
      } else if (!(row in now)) {
        problems.push(`${name}: ${base[row]} in the baseline, not measured (run \`make snapshot\` to drop it)`);
      } else {
        compared++;
        const [from, to] = [base[row], now[row]];
        if (to > from * (1 + tolerance)) {
          problems.push(`${name}: ${from} -> ${to} (${pct(from, to)}, over the ${tolerance * 100}% tolerance)`);
        } else if (to < from) {
          improved.push(`${name}: ${from} -> ${to} (${pct(from, to)})`);
        }
      }
    }
  }
  for (const line of improved) console.log(`gas improved  ${line}`);
  if (improved.length > 0) console.log("gas: record the improvements with `make snapshot`");
  if (problems.length > 0) {
    for (const line of problems) console.error(`gas FAIL      ${line}`);
    console.error(
      `gas: ${problems.length} row(s) fail against ${path.relative(root, baselineDir)}/ ` +
        "(if the new figures are intended: `make snapshot`, then commit snapshots/)"
    );
    process.exit(1);
  }
  console.log(`gas: ${compared} rows within ${tolerance * 100}% of ${path.relative(root, baselineDir)}/`);
}

function accept() {
  const fresh = readDir(freshDir);
  if (Object.keys(fresh).length === 0) {
    fail(`nothing measured in ${path.relative(root, freshDir)}/: run the gas tests first`);
  }
  fs.mkdirSync(baselineDir, { recursive: true });
  for (const file of fs.readdirSync(baselineDir)) {
    if (file.endsWith(".json") && !(file.slice(0, -5) in fresh)) {
      fs.unlinkSync(path.join(baselineDir, file));
      console.log(`gas: dropped ${file} (no row measured)`);
    }
  }
  for (const [group, rows] of Object.entries(fresh)) {
    const sorted = {};
    for (const row of Object.keys(rows).sort()) sorted[row] = String(rows[row]);
    // forge's own format: two-space indent, string figures, no trailing newline.
    fs.writeFileSync(path.join(baselineDir, `${group}.json`), JSON.stringify(sorted, null, 2));
  }
  console.log(`gas: ${Object.keys(fresh).length} groups written to ${path.relative(root, baselineDir)}/`);
}

if (command === "check") check();
else if (command === "accept") accept();
else fail("usage: gas-snapshots.js check|accept [--fresh DIR] [--baseline DIR] [--tolerance FRACTION]");
