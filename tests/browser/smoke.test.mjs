// smoke.test.mjs - the served pages load in Chromium under their CSP.
import { assert } from './lib.mjs';

export const tests = [
  ['the demo article and the admin client load without errors', async (ctx) => {
    const c = await ctx.newContext();
    const page = await c.newPage();
    const violations = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
    });
    for (const path of ['/', '/en', '/admin']) {
      const res = await page.goto(path);
      assert.equal(res.status(), 200, path);
      assert.match(res.headers()['content-security-policy'] || '', /script-src 'self'/);
    }
    assert.deepEqual(violations, []);
  }],
];
