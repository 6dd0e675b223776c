// run.mjs - runs the browser tests in Debian's headless Chromium through
// playwright-core, and ends with "N passed, N failed".
//
//   node tests/browser/run.mjs [FILE.test.mjs ...]
//
// Each *.test.mjs file exports `tests`: an array of [name, async fn(ctx)],
// where ctx = {browser, base, newContext(options)} and contexts made by
// newContext are closed after the test.  A test fails by throwing
// (node:assert).  If Chromium cannot start, every test fails: a machine
// that cannot run the browser never passes them empty.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { base } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const TEST_TIMEOUT_MS = 60000;

const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort()
    .map((f) => join(here, f));

let passed = 0;
let failed = 0;

const suites = [];
for (const f of files) {
  const mod = await import(pathToFileURL(f).href);
  suites.push({ file: f, tests: mod.tests || [] });
}
const total = suites.reduce((n, s) => n + s.tests.length, 0);

if (!base) {
  console.log('FAIL: COMMENTD_TEST_URL is not set');
  console.log(`0 passed, ${Math.max(total, 1)} failed`);
  process.exit(1);
}

let browser;
try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 30000,
  });
} catch (e) {
  console.log(`FAIL: Chromium (${executablePath}) did not start: ${e.message}`);
  console.log(`0 passed, ${Math.max(total, 1)} failed`);
  process.exit(1);
}

function withTimeout(p, ms) {
  let timer;
  return Promise.race([
    p,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

for (const suite of suites) {
  console.log(`-- ${suite.file.replace(here + '/', '')}`);
  for (const [name, fn] of suite.tests) {
    const contexts = [];
    const pageErrors = [];
    const ctx = {
      browser,
      base,
      // A fresh browser profile (cookies, localStorage) for one user.
      async newContext(options = {}) {
        const c = await browser.newContext({ baseURL: base, ...options });
        c.on('page', (p) => p.on('pageerror', (e) => pageErrors.push(e)));
        contexts.push(c);
        return c;
      },
      pageErrors,
    };
    const started = Date.now();
    try {
      await withTimeout(fn(ctx), TEST_TIMEOUT_MS);
      // An uncaught exception in a page is a failure too.
      if (pageErrors.length > 0)
        throw new Error(`uncaught error in the page: ${pageErrors[0].stack || pageErrors[0]}`);
      passed++;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.stack || e}`);
    }
    for (const c of contexts)
      await c.close().catch(() => {});
  }
}

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
