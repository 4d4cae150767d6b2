#!/usr/bin/env node
// End-to-end test of the report page in headless Chromium (playwright-core, Debian's chromium).
//
//   node tools/report-browser-test.mjs                 # fixture report, checks, screenshot
//   node tools/report-browser-test.mjs --from FILE.json --docs docs/   # also the README's shots
//
// It renders a report itself (the report crate's `fixture_report` example: no lab run), opens
// index.html from disk, and checks: no console errors, the headline at the top, every chart, a
// legend toggle, a zoom, a policy switch and the tooltip. Screenshot: target/browser/report.png.
// Chromium: $CHROMIUM_PATH, else `chromium` or `chromium-browser` on PATH; none is an error.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function findChromium() {
  if (process.env.CHROMIUM_PATH) {
    if (existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
    throw new Error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist`);
  }
  for (const dir of (process.env.PATH || "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  throw new Error(
    "no Chromium found: install it (Debian/Ubuntu: `apt-get install -y chromium`) " +
      "or set CHROMIUM_PATH to a Chromium or Chrome executable",
  );
}

function renderReport(dir) {
  const cargoArgs = ["run", "-q", "--locked", "-p", "breakwater-report", "--example", "fixture_report", "--", dir];
  const from = opt("--from");
  if (from) cargoArgs.push("--from", resolve(from));
  execFileSync("cargo", cargoArgs, { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  return join(dir, "index.html");
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, null]);
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push([name, e]);
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// A hash of what a canvas shows, to tell whether an action changed the drawing.
const canvasHash = (page, id, k) =>
  page.evaluate(
    ([id, k]) => {
      const d = window.breakwater.timelines[id].charts[k].ctx.canvas.toDataURL();
      let h = 0;
      for (let i = 0; i < d.length; i++) h = (h * 31 + d.charCodeAt(i)) | 0;
      return h;
    },
    [id, k],
  );
const xRange = (page, id) =>
  page.evaluate((id) => {
    const s = window.breakwater.timelines[id].charts[0].scales.x;
    return [s.min, s.max];
  }, id);

async function main() {
  const executablePath = findChromium();
  const work = mkdtempSync(join(tmpdir(), "breakwater-browser-"));
  const artifacts = join(root, "target", "browser");
  mkdirSync(artifacts, { recursive: true });
  let browser;
  try {
    const html = renderReport(work);
    browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
    const external = [];
    page.on("request", (r) => !r.url().startsWith("file:") && external.push(r.url()));
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => window.breakwater && window.breakwater.ready, null, { timeout: 15000 });

    await check("the inlined uPlot is the npm package's", async () => {
      const vendored = readFileSync(join(root, "crates/report/assets/uPlot.iife.min.js"));
      const npm = readFileSync(join(root, "node_modules/uplot/dist/uPlot.iife.min.js"));
      assert(vendored.equals(npm), "crates/report/assets/uPlot.iife.min.js differs from node_modules/uplot: copy it over");
    });

    await check("page loads offline with no console errors", async () => {
      assert(errors.length === 0, `console errors: ${errors.join(" | ")}`);
      assert(external.length === 0, `fetched from outside the file: ${external.join(", ")}`);
    });

    const ids = await page.evaluate(() => Object.keys(window.breakwater.timelines));
    const scenarios = await page.locator("#headline article.headline").count();

    await check("headline comes first, one table per scenario with a number in view", async () => {
      assert(scenarios > 0, "no headline articles");
      const top = await page.locator("#headline table td").nth(1).boundingBox();
      assert(top && top.y < 400, `first headline figure at y=${top && top.y}, not in the first screen`);
      const order = await page.evaluate(() => {
        const y = (s) => document.querySelector(s).getBoundingClientRect().top;
        return [y("#headline"), y("#risk"), y("#timelines"), y("#contents"), y("#metrics")];
      });
      assert(order.every((v, i) => i === 0 || v > order[i - 1]), `section order ${order}`);
      const sentences = await page.locator("#headline article p:not(.unit)").count();
      assert(sentences >= 2 * scenarios, `${sentences} sentences for ${scenarios} scenarios`);
      const units = await page.locator("#headline article p.unit").allTextContents();
      assert(units.every((u) => /loan units/.test(u) && /real-world/.test(u)), "a scenario without its loan unit and scale");
    });

    await check("every chart is present", async () => {
      assert(ids.length === scenarios, `${ids.length} timelines for ${scenarios} scenarios`);
      const plots = await page.locator("#timelines .uplot").count();
      assert(plots === 3 * ids.length, `${plots} interactive charts, want ${3 * ids.length}`);
      const svgs = await page.locator("figure svg").count();
      assert(svgs >= 3 * scenarios, `${svgs} static charts`);
      for (const id of ids) {
        const axes = await page.locator(`#${id} .u-axis`).count();
        assert(axes >= 7, `${id}: ${axes} axes`);
      }
    });

    await check("the Monte Carlo: a risk frontier and bad debt's distributions per scenario", async () => {
      const frontiers = await page.locator("#risk figure.frontier svg").count();
      const histograms = await page.locator("#risk figure.histograms svg").count();
      assert(frontiers === scenarios && histograms === scenarios, `${frontiers} frontiers, ${histograms} histograms for ${scenarios} scenarios`);
      // One point per policy on each frontier, and bars in every distribution.
      const points = await page.locator("#risk figure.frontier circle").count();
      assert(points >= 2 * scenarios, `${points} frontier points`);
      const bars = await page.locator("#risk figure.histograms rect[stroke=none]").count();
      assert(bars >= 2 * scenarios, `${bars} histogram bars`);
      const heads = await page.locator("#headline th").allTextContents();
      assert(heads.some((h) => /VaR95/.test(h)), "the headline has no bad debt over the paths");
      const axis = await page.locator("#risk figure.frontier text").allTextContents();
      assert(axis.some((t) => /VaR95/.test(t)) && axis.some((t) => /borrow capacity/.test(t)), "frontier axes unlabelled");
    });

    const id = ids[0];
    const tl = page.locator(`#${id}`);
    await tl.scrollIntoViewIfNeeded();

    await check("a legend toggle hides a line and changes the drawing", async () => {
      const before = await canvasHash(page, id, 0);
      await tl.locator(".u-legend").first().locator(".u-series").nth(1).click();
      const shown = await page.evaluate((id) => window.breakwater.timelines[id].charts[0].series[1].show, id);
      assert(shown === false, "spot still shown after clicking its legend entry");
      assert((await canvasHash(page, id, 0)) !== before, "drawing unchanged after the toggle");
      await tl.locator(".u-legend").first().locator(".u-series").nth(1).click();
    });

    await check("zoom buttons and a drag change the range on all three charts", async () => {
      const shock = await xRange(page, id);
      const before = await canvasHash(page, id, 0);
      await tl.locator("button.zoom-whole").click();
      const whole = await xRange(page, id);
      assert(whole[1] - whole[0] > shock[1] - shock[0], `whole run ${whole} not wider than ${shock}`);
      assert((await canvasHash(page, id, 0)) !== before, "drawing unchanged after zooming out");
      const box = await tl.locator(".u-over").first().boundingBox();
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      const dragged = await xRange(page, id);
      assert(dragged[1] - dragged[0] < (whole[1] - whole[0]) * 0.5, `drag zoom gave ${dragged}`);
      const synced = await page.evaluate(
        (id) => window.breakwater.timelines[id].charts.map((c) => [c.scales.x.min, c.scales.x.max]),
        id,
      );
      assert(synced.every((r) => r[0] === dragged[0] && r[1] === dragged[1]), `charts out of sync ${JSON.stringify(synced)}`);
    });

    await check("hovering shows a tooltip with exact values", async () => {
      const box = await tl.locator(".u-over").first().boundingBox();
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
      const tip = tl.locator(".tip").first();
      await tip.waitFor({ state: "visible", timeout: 3000 });
      const text = await tip.textContent();
      assert(/t = .* h/.test(text) && /NAV \(reported\): [0-9]/.test(text), `tooltip: ${text}`);
    });

    await check("policy buttons show one policy at a time", async () => {
      const buttons = tl.locator(".bar button[data-policy]");
      const n = await buttons.count();
      assert(n >= 2, `${n} policy buttons`);
      const target = buttons.nth(0);
      const name = await target.getAttribute("data-policy");
      await target.click();
      assert((await target.getAttribute("aria-pressed")) === "true", "button not pressed");
      const title = await tl.locator(".panel h4").first().textContent();
      assert(title.endsWith(name), `chart title ${title} does not name ${name}`);
      assert((await tl.locator(".uplot").count()) === 3, "charts not replaced");
      assert(errors.length === 0, `console errors: ${errors.join(" | ")}`);
    });

    await tl.locator("button.zoom-shock, button.zoom-whole").first().click();
    await page.screenshot({ path: join(artifacts, "report.png"), fullPage: true });
    const docs = opt("--docs");
    if (docs) {
      mkdirSync(resolve(docs), { recursive: true });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(resolve(docs), "report-first-screen.png") });
      const impairment = page.locator("#risk article.risk", { hasText: "impairment" });
      const risk = (await impairment.count()) ? impairment.first() : page.locator("#risk article.risk").first();
      if (await risk.count()) await risk.screenshot({ path: join(resolve(docs), "report-risk.png") });
      const target = ids.find((i) => /flash|crash/.test(i)) || id;
      const t = page.locator(`#${target}`);
      const shock = t.locator("button.zoom-shock");
      if (await shock.count()) await shock.click();
      const safeguarded = t.locator('button[data-policy="safeguarded"]');
      if (await safeguarded.count()) await safeguarded.click();
      await page.mouse.move(0, 0);
      await t.screenshot({ path: join(resolve(docs), "report-zoomed-timeline.png") });
    }
  } finally {
    if (browser) await browser.close();
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  results.push(["setup", e]);
  console.error(`error: ${e.message}`);
}
const failed = results.filter((r) => r[1]).length;
console.log(`browser: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
