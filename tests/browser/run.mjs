// run.mjs - runs the browser tests in Debian's headless Chromium through
// playwright-core, and ends with "N passed, N failed".
//
//   node tests/browser/run.mjs [FILE.test.mjs ...]
//
// Each *.test.mjs file exports `tests`: an array of [name, async fn(ctx)],
// where ctx = {browser, base, newContext(options)} and contexts made by
// newContext are closed after the test.  A test fails by throwing; it
// asserts with lib.mjs's `assert` (node:assert/strict, counted), and one
// that made no assertion fails, as does a file that cannot be imported,
// exports no tests or imports node:assert itself: nothing passes empty.
// Each test's result is a line of its own ("ok NAME", "FAIL NAME"), so
// tests/tally.sh can count them should the run die before its summary.
// Files are checked before Chromium starts (without a runnable test it
// does not); if Chromium cannot start, every test fails: a machine that
// cannot run the browser never passes them empty.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { assertionCount, base, resetAssertionCount } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const TEST_TIMEOUT_MS = 60000;

const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort()
    .map((f) => join(here, f));

let passed = 0;
let failed = 0;

// A test file's tests, or what is wrong with the file as a whole.
async function loadSuite(file) {
  if (/from\s+['"]node:assert/.test(readFileSync(file, 'utf8')))
    return { problem: "imports node:assert: use lib.mjs's counting assert" };
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    return { problem: `cannot be imported: ${e.stack || e}` };
  }
  const { tests } = mod;
  if (!Array.isArray(tests) || tests.length === 0)
    return { problem: 'exports no tests' };
  if (!tests.every((t) => Array.isArray(t) && typeof t[0] === 'string' &&
      typeof t[1] === 'function'))
    return { problem: 'exports tests that are not [name, async fn(ctx)]' };
  return { tests };
}

const suites = [];
for (const f of files) {
  const { tests, problem } = await loadSuite(f);
  if (problem) {
    failed++;
    console.log(`FAIL ${f.replace(here + '/', '')}: ${problem}`);
  } else {
    suites.push({ file: f, tests });
  }
}
const total = suites.reduce((n, s) => n + s.tests.length, 0);

if (total === 0 && failed === 0) {
  console.log('FAIL: no test files');
  failed++;
}
if (total === 0) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}

if (!base) {
  console.log('FAIL: COMMENTD_TEST_URL is not set');
  console.log(`0 passed, ${failed + total} failed`);
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
  console.log(`0 passed, ${failed + total} failed`);
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
    resetAssertionCount();
    try {
      await withTimeout(fn(ctx), TEST_TIMEOUT_MS);
      // An uncaught exception in a page is a failure too.
      if (pageErrors.length > 0)
        throw new Error(`uncaught error in the page: ${pageErrors[0].stack || pageErrors[0]}`);
      const n = assertionCount();
      if (n === 0) {
        failed++;
        console.log(`FAIL ${name}: made no assertions (lib.mjs's assert)`);
      } else {
        passed++;
        console.log(`ok   ${name} (${n} assertions, ${Date.now() - started} ms)`);
      }
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
