// lib.mjs - what browser tests share: a counting assert, the server
// under test, accounts made with the real CLI, API calls, and page
// helpers.
//
// Environment (set by tests/run-tests.sh): COMMENTD_TEST_URL (the
// running server), COMMENTD_TEST_BIN (the commentd binary, for
// `moderator add` and `token create`), COMMENTD_TEST_DB (its database).
import strictAssert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

// Assertions made since run.mjs last reset the count: it fails a test
// that made none, as the C harness fails one that "made no checks".
let assertions = 0;
export function assertionCount() { return assertions; }
export function resetAssertionCount() { assertions = 0; }

// node:assert/strict that counts each call: assert(x), assert.equal,
// assert.match, assert.deepEqual, ...  Every function is wrapped, so a
// method tests start to use counts too; classes (AssertionError) are
// passed through.  Tests import this assert, never node:assert.
export const assert = new Proxy(strictAssert, {
  apply(target, self, args) {
    assertions++;
    return Reflect.apply(target, self, args);
  },
  get(target, prop) {
    const v = Reflect.get(target, prop);
    if (prop === 'strict') return assert;
    if (typeof v !== 'function' || /^[A-Z]/.test(String(prop))) return v;
    return (...args) => {
      assertions++;
      return Reflect.apply(v, target, args);
    };
  },
});

export const base = process.env.COMMENTD_TEST_URL;
const bin = process.env.COMMENTD_TEST_BIN;
const db = process.env.COMMENTD_TEST_DB;

// A name no other test (or earlier run) uses.
export function unique(prefix) {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

function cli(args, input) {
  return execFileSync(bin, args, {
    input,
    env: { ...process.env, COMMENTD_DATABASE_URL: db },
    encoding: 'utf8',
    // stderr ("token created") is kept out of the log; a failure's
    // error message carries it.
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 20000,
  });
}

// A new moderator account made with the real CLI: {name, password}.
export function createModerator(role = 'moderator', prefix = 'mod') {
  const name = unique(prefix);
  const password = randomBytes(12).toString('base64url');
  cli(['moderator', 'add', name, '--role', role], password + '\n');
  return { name, password };
}

// An API token for name (Bearer), made with the real CLI.
export function createToken(name) {
  return cli(['token', 'create', name]).trim();
}

// One API call: {status, headers, json}.  body is JSON-encoded.
export async function api(method, path, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text };
}

// Posts a reader's comment; returns the API's answer (202 when pending).
export async function postComment(article, fields, lang = 'en') {
  return api('POST', `/api/v1/articles/${encodeURIComponent(article)}/comments`,
    { body: fields, headers: { 'Accept-Language': lang } });
}

// A moderator's action through the API (approve, reject, ...).
export async function moderate(token, id, action, reason) {
  return api('POST', `/api/v1/admin/comments/${id}/${action}`,
    { token, body: reason === undefined ? {} : { reason } });
}

// Polls fn until it returns a truthy value or timeoutMs passes.
export async function eventually(fn, timeoutMs = 5000, what = 'condition') {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A server of the test's own (settings the shared one cannot have, e.g.
// a small COMMENTD_SUBMIT_RATE): the binary on the test database,
// listening on a free loopback port read from its "listening on" line.
// env adds COMMENTD_* settings.  Resolves to {base, stop()}; stop() kills
// it (call it in a finally).
export async function startServer(env = {}, timeoutMs = 30000) {
  const child = spawn(bin, ['serve'], {
    env: { ...process.env, COMMENTD_DATABASE_URL: db,
      COMMENTD_LISTEN: '127.0.0.1:0', COMMENTD_WORKERS: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
  let log = '';
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `the server did not say "listening on" within ${timeoutMs} ms: ${log}`)), timeoutMs);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d) => {
        log += d;
        const m = /listening on 127\.0\.0\.1:(\d+) with/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code}): ${log}`));
      });
      child.once('error', reject);
    });
    child.stderr.resume();	// keep draining its log
    return { base: `http://127.0.0.1:${port}`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
