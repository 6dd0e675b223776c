// widget.test.mjs - the reader's comment widget (web/embed) and the demo
// pages in headless Chromium against the real server.
//
// The demo pages use fixed article keys (demo-ar, demo-en) shared by
// every run, so the one test on `/` itself asserts only on its own
// comments.  The other tests open pages of their own: the served demo
// page (or a small page) with a unique article key, fulfilled by
// context.route() at a URL of the server's origin, so the widget, its
// API origin and the CSP are those of a real page.
import { get as httpGet } from 'node:http';
import {
  api, assert, base, createModerator, createToken, eventually, moderate,
  postComment, startServer, unique,
} from './lib.mjs';

// The demo pages' policy (src/assets.c): nothing inline.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; " +
  "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'";
const SIZE_LIMIT = 15000;	// bytes: "under 15 KB", as make bench counts
// Deadlines for what a page must show, not speeds: generous for a busy
// machine, three times that under the sanitizers (make test SANITIZE=1).
const deadline = (ms) => ms * (process.env.SANITIZE === '1' ? 3 : 1);

let modToken = null;
function moderator() {
  if (!modToken) modToken = createToken(createModerator().name);
  return modToken;
}

// Posts a comment through the API and approves it; returns its id.
async function approved(article, fields) {
  const r = await postComment(article, fields);
  assert.equal(r.status, 202, r.text);
  const m = await moderate(moderator(), r.json.comment.id, 'approve');
  assert.equal(m.status, 200, m.text);
  return r.json.comment.id;
}

// The served demo page of lang with its widget on article key.
async function demoHtml(lang, key) {
  const r = await api('GET', lang === 'ar' ? '/' : '/en');
  assert.equal(r.status, 200);
  const from = `data-commentd-article="demo-${lang}"`;
  assert.ok(r.text.includes(from));
  return r.text.replace(from, `data-commentd-article="${key}"`);
}

// A page of our own: html served at origin + path in context.
async function openPage(context, path, html, { csp = CSP, origin = base } = {}) {
  await context.route(origin + path, (route) => route.fulfill({
    status: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8',
      ...(csp ? { 'Content-Security-Policy': csp } : {}) },
    body: html,
  }));
  const page = await context.newPage();
  await page.goto(origin + path);
  return page;
}

function smallPage(lang, body, { script = '/embed.js' } = {}) {
  return `<!doctype html><html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">` +
    `<head><meta charset="utf-8"><title>t</title></head><body>${body}` +
    `<script src="${script}" defer></script></body></html>`;
}

// Waits for every widget of the page to have loaded its comments.
async function ready(page) {
  const states = await (await page.waitForFunction(() => {
    const w = [...document.querySelectorAll('[data-commentd-article]')]
      .map((e) => e.getAttribute('data-commentd-state'));
    return w.length > 0 && w.every((s) => s === 'ready' || s === 'error') && w;
  }, null, { timeout: deadline(15000) })).jsonValue();
  assert.ok(states.every((s) => s === 'ready'), `widget states: ${states}`);
}

async function waitText(locator, want, what = 'text') {
  return eventually(async () => {
    const t = (await locator.textContent()) || '';
    return typeof want === 'string' ? t.trim() === want : want.test(t);
  }, deadline(15000), `${what} ${want}`);
}

// Fills the widget's main form (or the one inside scope) and submits it;
// returns the POST's answer.
async function submitForm(page, { author, email, body }, scope = '.commentd > .commentd-form') {
  const form = page.locator(scope);
  if (author !== undefined) await form.locator('input[name=author]').fill(author);
  if (email !== undefined) await form.locator('input[name=email]').fill(email);
  if (body !== undefined) await form.locator('textarea[name=body]').fill(body);
  const handle = await form.elementHandle();
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' &&
      /\/api\/v1\/articles\/[^/]+\/comments$/.test(new URL(r.url()).pathname)),
    form.locator('button[type=submit]').click(),
  ]);
  // The widget has handled the answer: the form is no longer busy (it
  // was from the click on), or it went (a reply form, once sent).
  await page.waitForFunction(
    (f) => !f.isConnected || f.getAttribute('aria-busy') === 'false', handle);
  return res;
}

// The thread structure of a rendered list: "1(2(4),3),5".
function threadShape(root, idOf) {
  const walk = (ol) => [...ol.children].filter((li) => li.matches('li.commentd-comment'))
    .map((li) => {
      // Its own replies: the first list of replies whose comment it is.
      const sub = [...li.querySelectorAll('ol.commentd-replies')]
        .find((ol) => ol.parentElement.closest('li.commentd-comment') === li);
      const inner = sub ? walk(sub) : '';
      return idOf(li) + (inner ? `(${inner})` : '');
    }).join(',');
  return walk(root);
}

function jsonShape(comments) {
  return comments.map((c) => c.id + (c.replies.length ? `(${jsonShape(c.replies)})` : ''))
    .join(',');
}

// Bytes of path as the server sends it to a client that accepts gzip.
function gzippedSize(path) {
  return new Promise((resolve, reject) => {
    httpGet(base + path, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
      let n = 0;
      res.on('data', (d) => { n += d.length; });
      res.on('end', () => resolve({ bytes: n, encoding: res.headers['content-encoding'] }));
    }).on('error', reject);
  });
}

export const tests = [
  ['Arabic demo page: a new comment is pending for its author only, ' +
    'then published for all', async (ctx) => {
    const a = await ctx.newContext();
    const page = await a.newPage();
    await page.goto('/');
    await ready(page);
    assert.equal(await page.locator('.commentd').getAttribute('dir'), 'rtl');

    const author = unique('ليلى');
    const body = `تعليق للتجربة ${unique('نص')}\nسطر ثانٍ`;
    const res = await submitForm(page, { author, body });
    assert.equal(res.status(), 202);
    const posted = await res.json();
    const id = posted.comment.id;
    // The site's own notice, from the server, in the form's polite live
    // region.
    assert.equal(posted.notice,
      'تم أضافة تعليقك سوف يظهر بعد المراجعة');
    const live = page.locator('.commentd > .commentd-form [role=status][aria-live=polite]');
    await waitText(live, posted.notice, 'notice');

    const mine = page.locator(`#commentd-c-${id}`);
    await mine.waitFor();
    assert.match(await mine.getAttribute('class'), /commentd-pending/);
    await waitText(mine.locator('.commentd-badge'), 'بانتظار المراجعة');
    assert.equal(await mine.locator('.commentd-author').textContent(), author);
    assert.equal(await mine.locator('.commentd-body p').innerText(), body);

    // Still there, still pending, after a reload (token in localStorage).
    await page.reload();
    await ready(page);
    assert.match(await mine.getAttribute('class'), /commentd-pending/);

    // Another reader does not see it.
    const b = await ctx.newContext();
    const other = await b.newPage();
    await other.goto('/');
    await ready(other);
    assert.equal(await other.locator(`#commentd-c-${id}`).count(), 0);
    assert.equal(await other.getByText(body.split('\n')[0]).count(), 0);

    const m = await moderate(moderator(), id, 'approve');
    assert.equal(m.status, 200);

    for (const p of [page, other]) {
      await p.reload();
      await ready(p);
      assert.equal(await p.locator(`[data-id="${id}"]`).count(), 1, 'shown once');
      const li = p.locator(`#commentd-c-${id}`);
      assert.doesNotMatch(await li.getAttribute('class'), /commentd-pending/);
      assert.equal(await li.locator('.commentd-badge').count(), 0);
      assert.equal(await li.locator('.commentd-author').textContent(), author);
    }
    // Published: the author's browser forgot the token.
    const kept = await page.evaluate(() => Object.keys(localStorage)
      .filter((k) => k.startsWith('commentd:own:')).map((k) => localStorage.getItem(k)));
    assert.deepEqual(kept, []);
  }],

  ['a rejected own comment is quietly dropped and its token forgotten', async (ctx) => {
    const key = unique('w-rej');
    const c = await ctx.newContext();
    const page = await openPage(c, `/t/${key}`, await demoHtml('en', key));
    await ready(page);
    const res = await submitForm(page, { author: 'Sam', body: 'Will be rejected' });
    assert.equal(res.status(), 202);
    const { comment } = await res.json();
    await page.locator(`#commentd-c-${comment.id}.commentd-pending`).waitFor();
    assert.equal((await moderate(moderator(), comment.id, 'reject')).status, 200);
    await page.reload();
    await ready(page);
    assert.equal(await page.locator(`[data-id="${comment.id}"]`).count(), 0);
    assert.equal(await page.evaluate(() => Object.keys(localStorage)
      .filter((k) => k.startsWith('commentd:own:')).length), 0);
    await waitText(page.locator('.commentd-empty'), /No comments yet/);
  }],

  ['an approved own comment beyond the first page shows at once, ' +
    'then once in its place', async (ctx) => {
    const key = unique('w-late');
    const first = await approved(key, { author: 'First', body: 'The first comment' });
    const html = smallPage('en',
      `<div data-commentd-article="${key}" data-commentd-limit="1"></div>`);
    const c = await ctx.newContext();
    const page = await openPage(c, `/t/${key}`, html);
    await ready(page);
    const res = await submitForm(page, { author: 'Me', body: 'Mine, on page two' });
    const { comment } = await res.json();
    assert.equal((await moderate(moderator(), comment.id, 'approve')).status, 200);
    await page.reload();
    await ready(page);
    const ids = () => page.locator('.commentd-list > li')
      .evaluateAll((l) => l.map((x) => +x.dataset.id));
    // Page one has only the first; the reader's own approved one is shown
    // after it, not pending, and its token is forgotten.
    assert.deepEqual(await ids(), [first, comment.id]);
    assert.equal(await page.locator('.commentd-pending').count(), 0);
    assert.ok(await page.locator('.commentd-more').isVisible());
    await page.locator('.commentd-more').click();
    await eventually(async () => !(await page.locator('.commentd-more').isVisible()),
      deadline(15000), 'the last page');
    assert.deepEqual(await ids(), [first, comment.id]);
    assert.equal(await page.locator(`#commentd-c-${comment.id}`).count(), 1);
  }],

  ['field errors from the 422 beside their fields, described and marked invalid', async (ctx) => {
    const key = unique('w-err');
    const c = await ctx.newContext();
    const page = await openPage(c, `/t/${key}`, await demoHtml('ar', key));
    await ready(page);
    const res = await submitForm(page, { author: 'ليلى', body: '   ' });
    assert.equal(res.status(), 422);
    const bodyField = page.locator('.commentd > .commentd-form textarea[name=body]');
    const authorField = page.locator('.commentd > .commentd-form input[name=author]');
    assert.equal(await bodyField.getAttribute('aria-invalid'), 'true');
    assert.equal(await authorField.getAttribute('aria-invalid'), null);
    const errId = await bodyField.getAttribute('aria-describedby');
    const err = page.locator(`[id="${errId}"]`);
    assert.ok(await err.isVisible());
    assert.equal((await err.textContent()).trim(), 'هذا الحقل مطلوب.');
    // Focus goes to the first invalid field.
    assert.equal(await page.evaluate(() => document.activeElement.name), 'body');

    const res2 = await submitForm(page, { author: '', body: '' });
    assert.equal(res2.status(), 422);
    assert.equal(await authorField.getAttribute('aria-invalid'), 'true');
    assert.equal(await bodyField.getAttribute('aria-invalid'), 'true');

    // Fixed: the errors go, the comment is taken.
    const res3 = await submitForm(page, { author: 'ليلى', body: 'نص صحيح' });
    assert.equal(res3.status(), 202);
    assert.equal(await bodyField.getAttribute('aria-invalid'), null);
    assert.ok(!(await err.isVisible()));
  }],

  ['an English comment reads left to right inside the right-to-left Arabic page', async (ctx) => {
    const key = unique('w-bidi');
    const en = await approved(key, { author: 'John Smith', body: 'I agree with this.' });
    const ar = await approved(key, { author: 'ليلى', body: 'أتفق مع هذا.' });
    const c = await ctx.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await openPage(c, `/t/${key}`, await demoHtml('ar', key));
    await ready(page);
    const m = await page.evaluate(({ en, ar }) => {
      const dir = (el) => getComputedStyle(el).direction;
      const boxes = (el) => {
        const r = document.createRange();
        r.selectNodeContents(el);
        const rs = [...r.getClientRects()];
        const b = el.getBoundingClientRect();
        return { left: b.left, right: b.right,
          textLeft: Math.min(...rs.map((x) => x.left)),
          textRight: Math.max(...rs.map((x) => x.right)) };
      };
      const p = (id) => document.querySelector(`#commentd-c-${id} .commentd-body p`);
      const author = (id) => document.querySelector(`#commentd-c-${id} .commentd-author`);
      return {
        page: dir(document.documentElement),
        widget: dir(document.querySelector('.commentd')),
        enP: dir(p(en)), enAuthor: dir(author(en)), arP: dir(p(ar)), arAuthor: dir(author(ar)),
        en: boxes(p(en)), ar: boxes(p(ar)), h1: boxes(document.querySelector('h1')),
      };
    }, { en, ar });
    assert.equal(m.page, 'rtl');
    assert.equal(m.widget, 'rtl');
    assert.equal(m.enP, 'ltr');
    assert.equal(m.enAuthor, 'ltr');
    assert.equal(m.arP, 'rtl');
    assert.equal(m.arAuthor, 'rtl');
    // The English text starts at the left edge of its paragraph, the
    // Arabic one at the right edge; the page's headline is right-aligned.
    assert.ok(Math.abs(m.en.textLeft - m.en.left) < 2, JSON.stringify(m.en));
    assert.ok(m.en.right - m.en.textRight > 100, JSON.stringify(m.en));
    assert.ok(Math.abs(m.ar.right - m.ar.textRight) < 2, JSON.stringify(m.ar));
    assert.ok(m.ar.textLeft - m.ar.left > 100, JSON.stringify(m.ar));
    assert.ok(Math.abs(m.h1.right - m.h1.textRight) < 2, JSON.stringify(m.h1));
  }],

  ['markup in a name or comment shows as text and runs nothing', async (ctx) => {
    const key = unique('w-xss');
    const author = '<img src=x onerror="window.__xss=1">';
    const body = '<script>window.__xss=2</script>\n<img src=x onerror="window.__xss=3">\n' +
      'see https://example.com/a?b=1&c=2. and javascript:window.__xss=4 <b>bold</b>';
    // No CSP on this host page: only the widget stands in the way.
    const html = (await demoHtml('en', key));
    const c = await ctx.newContext();
    const page = await openPage(c, `/t/${key}`, html, { csp: null });
    await ready(page);
    const res = await submitForm(page, { author, body });
    assert.equal(res.status(), 202);
    const { comment } = await res.json();
    assert.equal((await moderate(moderator(), comment.id, 'approve')).status, 200);

    const c2 = await ctx.newContext();
    const reader = await openPage(c2, `/t/${key}`, html, { csp: null });
    await ready(reader);
    // Rendered twice: the author's own (just posted, then from the
    // list), and a fresh reader's.
    for (const p of [page, reader]) {
      if (p === page) { await p.reload(); await ready(p); }
      const li = p.locator(`#commentd-c-${comment.id}`);
      await li.waitFor();
      assert.equal(await li.locator('.commentd-author').textContent(), author);
      const text = await li.locator('.commentd-body').innerText();
      assert.ok(text.includes('<script>window.__xss=2</script>'), text);
      assert.ok(text.includes('<img src=x onerror="window.__xss=3">'), text);
      assert.ok(text.includes('<b>bold</b>'), text);
      assert.equal(await p.locator('.commentd img, .commentd script, .commentd b').count(), 0);
      const links = await li.locator('.commentd-body a').evaluateAll((as) => as.map((a) => ({
        href: a.getAttribute('href'), text: a.textContent, rel: a.rel, target: a.target })));
      assert.deepEqual(links, [{
        href: 'https://example.com/a?b=1&c=2', text: 'https://example.com/a?b=1&c=2',
        rel: 'nofollow ugc noopener', target: '_blank' }]);
      // A broken image's error event: by then an injected one's handler
      // would have run (a sleep could end first on a busy machine).
      await p.evaluate(() => new Promise((done) => {
        const img = new Image();
        img.onerror = img.onload = done;
        img.src = `/x-probe-${Date.now()}`;
      }));
      assert.equal(await p.evaluate(() => window.__xss), undefined);
    }
  }],

  ['replies nest under their parent; keyboard opens and closes the reply form', async (ctx) => {
    const key = unique('w-reply');
    const parent = await approved(key, { author: 'Sam', body: 'The parent comment' });
    const c = await ctx.newContext();
    const page = await openPage(c, `/t/${key}`, await demoHtml('en', key));
    await ready(page);
    const replyButton = page.locator(`#commentd-c-${parent} .commentd-reply`);
    await replyButton.focus();
    await page.keyboard.press('Enter');
    assert.equal(await replyButton.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.name), 'author');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.commentd-reply-form').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement.className),
      'commentd-link commentd-reply');

    await replyButton.click();
    const res = await submitForm(page, { author: 'Laila', body: 'A reply to Sam' },
      '.commentd-reply-form');
    assert.equal(res.status(), 202);
    const { comment, notice } = await res.json();
    assert.equal(comment.parent_id, parent);
    const pending = page.locator(`#commentd-c-${parent} > ol.commentd-replies > ` +
      `#commentd-c-${comment.id}.commentd-pending`);
    await pending.waitFor();
    await waitText(page.locator(`#commentd-c-${parent} > .commentd-c > [role=status]`), notice);
    assert.equal(await page.locator('.commentd-reply-form').count(), 0);

    assert.equal((await moderate(moderator(), comment.id, 'approve')).status, 200);
    const c2 = await ctx.newContext();
    const reader = await openPage(c2, `/t/${key}`, await demoHtml('en', key));
    await ready(reader);
    const li = reader.locator(
      `#commentd-c-${parent} > ol.commentd-replies > #commentd-c-${comment.id}`);
    await li.waitFor();
    assert.equal(await li.locator('.commentd-body').innerText(), 'A reply to Sam');
    assert.doesNotMatch(await li.getAttribute('class'), /pending/);
  }],

  ['report: confirm, POST reports, thanks; past the threshold it leaves the list', async (ctx) => {
    // The test server runs with COMMENTD_REPORT_THRESHOLD=1.
    const key = unique('w-report');
    const id = await approved(key, { author: 'Troll', body: 'Something reportable' });
    const keep = await approved(key, { author: 'Fine', body: 'Something fine' });
    const c = await ctx.newContext();
    const page = await openPage(c, `/t/${key}`, await demoHtml('ar', key));
    await ready(page);
    const li = page.locator(`#commentd-c-${id}`);
    await li.locator('.commentd-report').click();
    // A confirmation first, focused; Cancel puts the button back.
    assert.equal(await page.evaluate(() => document.activeElement.className), 'commentd-yes');
    await li.locator('.commentd-confirm button:not(.commentd-yes)').click();
    assert.equal(await li.locator('.commentd-confirm').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement.className),
      'commentd-link commentd-report');
    await li.locator('.commentd-report').click();
    await page.keyboard.press('Escape');
    assert.equal(await li.locator('.commentd-confirm').count(), 0);
    await li.locator('.commentd-report').click();
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/comments/${id}/reports`)),
      li.locator('.commentd-confirm .commentd-yes').click(),
    ]);
    assert.equal(res.request().method(), 'POST');
    assert.equal(res.status(), 202);
    const j = await res.json();
    assert.equal(j.report.comment_id, id);
    assert.match(j.notice, /[\u0600-\u06ff]/, 'an Arabic thank-you');
    await waitText(li.locator('.commentd-c > [role=status]'), j.notice);
    assert.equal(await li.locator('.commentd-report').count(), 0);

    const r = await api('GET', `/api/v1/articles/${key}/comments`);
    assert.deepEqual(r.json.comments.map((x) => x.id), [keep]);
    await page.reload();
    await ready(page);
    assert.equal(await page.locator(`#commentd-c-${id}`).count(), 0);
    assert.equal(await page.locator(`#commentd-c-${keep}`).count(), 1);
  }],

  ['counts: every link filled from one request, with Arabic and English plurals', async (ctx) => {
    const k = [0, 1, 2, 3, 11].map((n) => [n, unique(`w-count${n}`)]);
    for (const [n, key] of k)
      for (let i = 0; i < n; i++)
        await approved(key, { author: 'a', body: `comment ${i}` });
    const links = k.map(([, key]) =>
      `<li><a href="#" data-commentd-count="${key}">…</a></li>`).join('') +
      `<li><a href="#" id="dup" data-commentd-count="${k[2][1]}">…</a></li>`;
    const want = {
      ar: [/^لا تعليقات$/, /^تعليق واحد$/, /^تعليقان$/,
        /^[3٣] تعليقات$/, /^(11|١١) تعليقًا$/],
      en: [/^No comments$/, /^1 comment$/, /^2 comments$/, /^3 comments$/, /^11 comments$/],
    };
    for (const lang of ['ar', 'en']) {
      const c = await ctx.newContext();
      const requests = [];
      c.on('request', (r) => { if (r.url().includes('/api/v1/counts')) requests.push(r.url()); });
      const page = await openPage(c, `/t/counts-${lang}`, smallPage(lang, `<ul>${links}</ul>`));
      await page.waitForFunction(() => [...document.querySelectorAll('[data-commentd-count]')]
        .every((a) => a.hasAttribute('data-commentd-n')));
      const texts = await page.locator('[data-commentd-count]').allTextContents();
      want[lang].forEach((re, i) => assert.match(texts[i], re, `${lang} ${i}`));
      assert.equal(texts[5], texts[2]);
      assert.equal(requests.length, 1, requests.join('\n'));
      const asked = new URL(requests[0]).searchParams.getAll('article');
      assert.deepEqual(asked.sort(), k.map(([, key]) => key).sort());
    }
  }],

  ['the no-JS fragment lists the same comments, nested the same way, ' +
    'as the API and the widget', async (ctx) => {
    const key = unique('w-frag');
    const t1 = await approved(key, { author: 'A', body: 'first <b>not bold</b>' });
    const t2 = await approved(key, { author: 'B', body: 'second' });
    const r1 = await approved(key, { author: 'C', body: 'reply 1', parent_id: t1 });
    const rr = await approved(key, { author: 'D', body: 'reply to reply', parent_id: r1 });
    const r2 = await approved(key, { author: 'E', body: 'reply 2', parent_id: t1 });
    const r3 = await approved(key, { author: 'F', body: 'reply to second', parent_id: t2 });
    await postComment(key, { author: 'G', body: 'pending, never shown', parent_id: t1 });
    const expected = `${t1}(${r1}(${rr}),${r2}),${t2}(${r3})`;

    const json = await api('GET', `/api/v1/articles/${key}/comments`);
    assert.equal(json.status, 200);
    assert.equal(jsonShape(json.json.comments), expected);

    const frag = await api('GET', `/api/v1/articles/${key}/comments.html`);
    assert.equal(frag.status, 200, frag.text);
    assert.match(frag.headers.get('content-type'), /^text\/html/);
    assert.ok(!frag.text.includes('<b>'), 'markup escaped');
    const c = await ctx.newContext();
    const page = await c.newPage();
    await page.setContent(`<!doctype html><body>${frag.text}</body>`);
    const fragShape = await page.evaluate(`(${threadShape.toString()})(
      document.querySelector('ol.commentd-list'), (li) => li.id.replace('commentd-c-', ''))`);
    assert.equal(fragShape, expected);

    // The demo page's widget lists newest first, as the API does then.
    const newest = await api('GET', `/api/v1/articles/${key}/comments?order=newest`);
    assert.equal(jsonShape(newest.json.comments), `${t2}(${r3}),${t1}(${r1}(${rr}),${r2})`);
    const w = await openPage(c, `/t/${key}`, await demoHtml('en', key));
    await ready(w);
    const widgetShape = await w.evaluate(`(${threadShape.toString()})(
      document.querySelector('.commentd ol.commentd-list'), (li) => li.dataset.id)`);
    assert.equal(widgetShape, jsonShape(newest.json.comments));

    // The fragment included in the container (server-side, for readers
    // without JavaScript) is replaced by one widget, not mounted twice.
    const lists = [];
    c.on('request', (r) => {
      if (r.url().includes(`/articles/${key}/comments?`)) lists.push(r.url());
    });
    const inc = await openPage(c, `/t/inc-${key}`, smallPage('en',
      `<div id="w" data-commentd-article="${key}">${frag.text}</div>`));
    await ready(inc);
    assert.equal(await inc.locator('#w .commentd').count(), 1);
    assert.equal(await inc.locator('#w section.commentd-comments').count(), 0);
    assert.equal(await inc.evaluate(`(${threadShape.toString()})(
      document.querySelector('.commentd ol.commentd-list'), (li) => li.dataset.id)`), expected);
    assert.equal(lists.length, 1, lists.join('\n'));
  }],

  ['load more follows the cursor; two widgets on one page; relative dates', async (ctx) => {
    const a = unique('w-more');
    const b = unique('w-other');
    const ids = [];
    for (let i = 0; i < 5; i++)
      ids.push(await approved(a, { author: `Reader ${i}`, body: `Comment number ${i}` }));
    const only = await approved(b, { author: 'Other', body: 'On the other article' });
    const c = await ctx.newContext();
    const page = await openPage(c, '/t/more', smallPage('en',
      `<div id="a" data-commentd-article="${a}" data-commentd-limit="2"></div>` +
      `<div id="b" data-commentd-article="${b}" data-commentd-order="newest" ` +
      `data-commentd-lang="ar"></div>`));
    await ready(page);
    const shown = () => page.locator('#a .commentd-list > li')
      .evaluateAll((l) => l.map((x) => +x.dataset.id));
    assert.deepEqual(await shown(), ids.slice(0, 2));
    const more = page.locator('#a .commentd-more');
    await more.click();
    await eventually(async () => (await shown()).length === 4, deadline(15000), 'page 2');
    await more.click();
    await eventually(async () => (await shown()).length === 5, deadline(15000), 'page 3');
    assert.deepEqual(await shown(), ids);
    assert.ok(!(await more.isVisible()));
    assert.equal(await page.evaluate(() => document.activeElement.dataset.id), String(ids[4]));
    await waitText(page.locator('#a .commentd-heading'), '5 comments');

    assert.deepEqual(await page.locator('#b .commentd-list > li')
      .evaluateAll((l) => l.map((x) => +x.dataset.id)), [only]);
    assert.equal(await page.locator('#b .commentd').getAttribute('dir'), 'rtl');
    await waitText(page.locator('#b .commentd-heading'), 'تعليق واحد');
    // Just posted: "now" in the widget's language, the full date as title.
    const times = await page.locator('time')
      .evaluateAll((t) => t.map((x) => [x.textContent, x.dateTime, x.title]));
    assert.ok(times.slice(0, 5).every(([t]) => /now|second|minute/.test(t)), JSON.stringify(times));
    assert.match(times[5][0], /[\u0600-\u06ff]/);
    assert.ok(times.every(([, dt, title]) => !isNaN(Date.parse(dt)) && title.length > 0));
  }],

  ['a retry after a network error sends the same Idempotency-Key ' +
    'and makes one comment', async (ctx) => {
    const key = unique('w-idem');
    const c = await ctx.newContext();
    const page = await openPage(c, `/t/${key}`, await demoHtml('en', key));
    await ready(page);
    const keys = [];
    let disabledWhilePosting = null;
    let n = 0;
    await page.route(`${base}/api/v1/articles/${key}/comments`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key']);
      disabledWhilePosting = await page.locator('.commentd > .commentd-form button[type=submit]')
        .isDisabled();
      if (n++ === 0) {
        await route.fetch();	// the server took it...
        return route.abort('connectionreset');	// ...the answer was lost
      }
      return route.continue();
    });
    const form = page.locator('.commentd > .commentd-form');
    await form.locator('input[name=author]').fill('Retry');
    await form.locator('textarea[name=body]').fill('Posted once only');
    await form.locator('button[type=submit]').click();
    await waitText(form.locator('[role=status]'), /Not sent/);
    assert.equal(disabledWhilePosting, true);
    assert.equal(await form.locator('button[type=submit]').isDisabled(), false);
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      form.locator('button[type=submit]').click(),
    ]);
    assert.equal(res.status(), 202);
    assert.equal(res.headers()['idempotent-replayed'], 'true');
    assert.equal(keys.length, 2);
    assert.ok(keys[0] && keys[0] === keys[1]);
    const q = await api('GET', `/api/v1/admin/comments?status=all&article=${key}`,
      { token: moderator() });
    assert.equal(q.json.comments.length, 1);
    await page.locator(`#commentd-c-${q.json.comments[0].id}.commentd-pending`).waitFor();
    assert.equal(await page.locator('.commentd-pending').count(), 1);
  }],

  ['the widget on another origin: reads, posts, shows its pending comment, ' +
    'reports, counts', async (ctx) => {
    const key = unique('w-xo');
    // An origin in the test server's COMMENTD_ALLOWED_ORIGINS.  HTTPS:
    // Chromium lets only a secure page reach a loopback address.
    const origin = process.env.COMMENTD_TEST_ORIGIN || 'https://news.example';
    const id = await approved(key, { author: 'Sam', body: 'Seen from another origin' });
    const csp = `default-src 'none'; script-src ${base}; style-src ${base}; connect-src ${base}; ` +
      "img-src 'self' data:; base-uri 'none'";
    const html = smallPage('ar', `<main><h1>مقال</h1><a data-commentd-count="${key}">…</a>` +
      `<div data-commentd-article="${key}"></div></main>`, { script: `${base}/embed.js` });
    // The page is fulfilled by route(), so Chromium counts it as public
    // and asks before it may reach a loopback address (Local Network
    // Access); a real site and API are both public.
    const c = await ctx.newContext({ permissions: ['local-network-access'] });
    const violations = [];
    c.on('console', (m) => {
      if (/Content.Security.Policy|CORS/i.test(m.text())) violations.push(m.text());
    });
    const page = await openPage(c, `/xo/${key}`, html, { csp, origin });
    await ready(page);
    assert.equal(new URL(page.url()).origin, origin);
    await page.locator(`#commentd-c-${id}`).waitFor();
    // embed.css came from the API origin.
    assert.equal(
      await page.locator('.commentd-send').evaluate((b) => getComputedStyle(b).backgroundColor),
      'rgb(11, 92, 173)');
    await waitText(page.locator(`[data-commentd-count="${key}"]`), 'تعليق واحد');

    const res = await submitForm(page, { author: 'ليلى', body: 'من موقع آخر' });
    assert.equal(res.status(), 202);
    const { comment, notice } = await res.json();
    await waitText(page.locator('.commentd > .commentd-form [role=status]'), notice);
    await page.reload();
    await ready(page);
    await page.locator(`#commentd-c-${comment.id}.commentd-pending`).waitFor();

    await page.locator(`#commentd-c-${id} .commentd-report`).click();
    const [rep] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/comments/${id}/reports`)),
      page.locator(`#commentd-c-${id} .commentd-yes`).click(),
    ]);
    assert.ok([200, 202].includes(rep.status()));
    assert.deepEqual(violations, []);
  }],

  ['the English demo page is left to right with English labels and filled counts', async (ctx) => {
    const c = await ctx.newContext();
    const page = await c.newPage();
    await page.goto('/en');
    await ready(page);
    assert.equal(await page.evaluate(
      () => getComputedStyle(document.querySelector('.commentd')).direction), 'ltr');
    assert.equal(await page.getByLabel('Name').count(), 1);
    assert.equal(await page.getByLabel('Comment', { exact: true }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Post comment' }).count(), 1);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-commentd-count]')]
      .every((a) => a.hasAttribute('data-commentd-n')));
    const counts = await page.locator('.rail [data-commentd-count]').allTextContents();
    assert.match(counts[0], /comment/i);
    assert.match(counts[1], /تعليق|تعليقات|تعليقان|لا تعليقات/);
  }],

  ['rate-limited: the reader is told in Arabic when they may post again; ' +
    'the post carries the page fields and an empty honeypot', async (ctx) => {
    // One comment a minute, one at once: the second post is refused.
    const srv = await startServer({ COMMENTD_SUBMIT_RATE: '1', COMMENTD_SUBMIT_BURST: '1' });
    try {
      const key = unique('w-429');
      const c = await ctx.newContext();
      const page = await openPage(c, `/t/${key}`, smallPage('ar',
        `<div data-commentd-article="${key}" data-commentd-title="عنوان المقال"` +
        ` data-commentd-url="/news/${key}?a=1"></div>`), { origin: srv.base });
      await ready(page);
      const posts = [];
      page.on('request', (r) => {
        if (r.method() === 'POST') posts.push(r.postDataJSON());
      });
      const form = page.locator('.commentd > .commentd-form');
      const status = form.locator('[role=status]');
      // The honeypot: out of sight, out of the tab order, not announced.
      const hp = form.locator('input[name=website]');
      assert.equal(await hp.getAttribute('tabindex'), '-1');
      assert.equal(await hp.getAttribute('autocomplete'), 'off');
      assert.equal(await form.locator('.commentd-hp').getAttribute('aria-hidden'), 'true');
      const box = await hp.boundingBox();
      const width = await page.evaluate(() => window.innerWidth);
      assert.ok(!box || box.x + box.width <= 0 || box.x >= width, JSON.stringify(box));

      let res = await submitForm(page, { author: 'ليلى', body: 'التعليق الأول' });
      assert.equal(res.status(), 202);
      res = await submitForm(page, { body: 'التعليق الثاني' });
      assert.equal(res.status(), 429);
      const j = await res.json();
      assert.equal(j.error.code, 'rate_limited');
      const n = j.error.retry_after;
      assert.ok(n >= 1 && n <= 60, `retry_after ${n}`);
      assert.equal(res.headers()['retry-after'], String(n));
      // 60 s is a minute; under a minute, seconds (11..59: "ثانية").
      const wait = n === 60 ? 'دقيقة واحدة' : n > 10
        ? `${new Intl.NumberFormat('ar').format(n)} ثانية` : null;
      if (wait) {
        await waitText(status, `أرسلت كثيرًا في وقت قصير. يمكنك الإرسال مجددًا بعد ${wait}.`,
          'the Arabic wait');
      } else {
        await waitText(status, /^أرسلت كثيرًا في وقت قصير\. يمكنك الإرسال مجددًا بعد /,
          'the Arabic wait');
      }
      // Nothing of the refused comment was shown as posted.
      assert.equal(await page.locator('.commentd-comment').count(), 1);

      // What the widget sent with each post.
      assert.equal(posts.length, 2);
      for (const b of posts) {
        assert.equal(b.article_title, 'عنوان المقال');
        assert.equal(b.article_url, `${srv.base}/news/${key}?a=1`);
        assert.equal(b.website, '');
        assert.equal(typeof b.form_ms, 'number');
        assert.ok(b.form_ms >= 0 && Number.isInteger(b.form_ms), String(b.form_ms));
      }
      assert.ok(posts[1].form_ms >= posts[0].form_ms);

      // Longer waits are in minutes, with Arabic plurals (3: "دقائق");
      // a duplicate is said so.
      let routed = 0;
      await page.route(`${srv.base}/api/v1/articles/${key}/comments`, (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const first = routed++ === 0;
        return route.fulfill({
          status: first ? 429 : 409,
          contentType: 'application/json',
          body: JSON.stringify(first
            ? { error: { code: 'rate_limited', message: 'x', retry_after: 150 } }
            : { error: { code: 'duplicate', message: 'x' } }),
        });
      });
      await submitForm(page, { body: 'التعليق الثالث' });
      await waitText(status, `أرسلت كثيرًا في وقت قصير. يمكنك الإرسال مجددًا بعد ${
        new Intl.NumberFormat('ar').format(3)} دقائق.`, 'minutes');
      await submitForm(page, { body: 'التعليق الرابع' });
      await waitText(status, 'سبق أن أرسلت هذا التعليق.', 'the duplicate notice');
    } finally {
      await srv.stop();
    }
  }],

  ['embed.js + embed.css are under 15 KB gzipped', async () => {
    const js = await gzippedSize('/embed.js');
    const css = await gzippedSize('/embed.css');
    assert.equal(js.encoding, 'gzip');
    assert.equal(css.encoding, 'gzip');
    const total = js.bytes + css.bytes;
    console.log(`     embed.js ${js.bytes} B + embed.css ${css.bytes} B = ${total} B gzipped ` +
      `(limit ${SIZE_LIMIT} B)`);
    assert.ok(total < SIZE_LIMIT, `${total} bytes`);
  }],
];
