// Lighthouse (mobile and desktop) and axe-core on the public pages of a running site; prints a
// table of the scores and every axe violation. `make audit` starts the site and calls this.
//
//   node audit.mjs --base http://127.0.0.1:8040 [--runs 2] [--out DIR] [PATH ...]
//
// Chromium: CHROME_PATH, else /usr/bin/chromium (Debian's). Exit status 1 when a category is
// under 100 (performance excepted: it depends on the machine's load) or axe finds a violation.

import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const run = promisify(execFile);
const here = new URL(".", import.meta.url).pathname;

const args = process.argv.slice(2);
function option(name, fallback) {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const [value] = args.splice(at, 2).slice(1);
  return value;
}
const base = option("--base", "http://127.0.0.1:8040").replace(/\/$/, "");
const runs = Number(option("--runs", "2"));
const out = option("--out", join(here, "..", "..", "var", "audit"));
const paths = args.length ? args : ["/", "/reports/huaian/2023/"];
const chromePath = process.env.CHROME_PATH || "/usr/bin/chromium";
const chromeFlags = "--headless=new --no-sandbox";
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
// Lighthouse's own emulated screens: a Moto G Power (mobile) and its desktop preset.
const FORMS = {
  mobile: { preset: [], viewport: { width: 412, height: 823, isMobile: true, hasTouch: true, deviceScaleFactor: 1.75 } },
  desktop: { preset: ["--preset=desktop"], viewport: { width: 1350, height: 940, deviceScaleFactor: 1 } },
};

mkdirSync(out, { recursive: true });
const lighthouseBin = join(here, "node_modules", ".bin", "lighthouse");
const lighthouseVersion = require("lighthouse/package.json").version;
const axeVersion = require("axe-core/package.json").version;
const chromeVersion = (await run(chromePath, ["--version"])).stdout.trim();

function slug(path) {
  return path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "index";
}

async function lighthouse(path, form, n) {
  const file = join(out, `lighthouse-${slug(path)}-${form}-${n}.json`);
  // Under load the trace is now and then lost (NO_NAVSTART, NO_FCP): that run is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await lighthouseOnce(path, form, file);
    } catch (error) {
      if (attempt === 3) throw error;
      process.stderr.write(`lighthouse ${path} ${form}: ${error.message.split("\n")[1] || error.message}; again\n`);
    }
  }
}

async function lighthouseOnce(path, form, file) {
  await run(
    lighthouseBin,
    [
      base + path,
      `--chrome-path=${chromePath}`,
      `--chrome-flags=${chromeFlags}`,
      ...FORMS[form].preset,
      "--output=json",
      `--output-path=${file}`,
      "--quiet",
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const lhr = JSON.parse(readFileSync(file, "utf8"));
  if (lhr.runtimeError) throw new Error(`${path} ${form}: ${lhr.runtimeError.message}`);
  const scores = Object.fromEntries(
    CATEGORIES.map((c) => [c, Math.round((lhr.categories[c].score ?? 0) * 100)]),
  );
  // What keeps a category under 100: its audits that scored below 1 and weigh in it.
  const failing = [];
  for (const c of CATEGORIES) {
    if (scores[c] === 100) continue;
    for (const ref of lhr.categories[c].auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        failing.push(`${c}: ${ref.id} (${audit.displayValue || audit.score})`);
      }
    }
  }
  return { scores, failing, file };
}

async function axe(browser, path, form) {
  const page = await browser.newPage();
  try {
    await page.setViewport(FORMS[form].viewport);
    await page.goto(base + path, { waitUntil: "load" });
    // Evaluated through the DevTools protocol, so the page's CSP (script-src 'self') allows it.
    await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
    const result = await page.evaluate(() =>
      // All rules but the experimental ones (axe's default), every impact.
      window.axe.run(document, { resultTypes: ["violations"] }),
    );
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((node) => node.target.join(" ")),
    }));
  } finally {
    await page.close();
  }
}

const rows = [];
let failed = false;
for (const path of paths) {
  for (const form of Object.keys(FORMS)) {
    for (let n = 1; n <= runs; n++) {
      const { scores, failing } = await lighthouse(path, form, n);
      rows.push({ path, form, n, scores, failing });
      process.stderr.write(`lighthouse ${path} ${form} #${n}: ${CATEGORIES.map((c) => scores[c]).join(" ")}\n`);
      if (CATEGORIES.slice(1).some((c) => scores[c] < 100)) failed = true;
    }
  }
}

const browser = await puppeteer.launch({
  executablePath: chromePath,
  headless: true,
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const violations = [];
try {
  for (const path of paths) {
    for (const form of Object.keys(FORMS)) {
      const found = await axe(browser, path, form);
      violations.push({ path, form, found });
      if (found.length) failed = true;
    }
  }
} finally {
  await browser.close();
}

const pad = (text, width) => String(text).padEnd(width);
console.log(`\nLighthouse ${lighthouseVersion}, axe-core ${axeVersion}, ${chromeVersion}; ${base}`);
console.log(`${pad("page", 24)}${pad("form", 9)}${pad("run", 5)}${pad("perf", 6)}${pad("a11y", 6)}${pad("best", 6)}seo`);
for (const { path, form, n, scores, failing } of rows) {
  console.log(
    `${pad(path, 24)}${pad(form, 9)}${pad(n, 5)}` +
      CATEGORIES.map((c, i) => (i < 3 ? pad(scores[c], 6) : scores[c])).join(""),
  );
  for (const line of failing) console.log(`${" ".repeat(38)}${line}`);
}
console.log(`\naxe-core ${axeVersion} (all rules but experimental, every impact)`);
for (const { path, form, found } of violations) {
  console.log(`${pad(path, 24)}${pad(form, 9)}${found.length} violation(s)`);
  for (const v of found) console.log(`  ${v.impact} ${v.id}: ${v.help} — ${v.targets.join(", ")}`);
}
console.log(`\nLighthouse reports (JSON): ${out}`);
process.exit(failed ? 1 : 0);
