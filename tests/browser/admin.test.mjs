// admin.test.mjs - the moderation client (/admin) in headless Chromium
// against the real server: log in and out, the keyboard, live updates
// between two moderators, races, Arabic right-to-left layout, hostile
// comments, an expired session, a long queue, articles, statistics,
// moderator accounts, API tokens, and personal data kept from moderators.
//
// Every test makes its own article keys and accounts (unique()), so
// tests never see each other's comments; the queue is opened filtered
// by article.  Waiting is done by polling the page (eventually, locator
// waits), never by fixed sleeps.
import {
  api, assert, createModerator, createToken, eventually, moderate, postComment, unique,
} from './lib.mjs';

// -- helpers --------------------------------------------------------------

// A fresh browser profile in English (navigator.language decides the
// default language; an English test must not depend on the machine).
async function newPage(ctx, { locale = 'en-US', viewport = { width: 1280, height: 900 } } = {}) {
  const c = await ctx.newContext({ locale, viewport });
  return { context: c, page: await c.newPage() };
}

async function login(page, user) {
  await page.locator('#login-user').waitFor();
  await page.fill('#login-user', user.name);
  await page.fill('#login-password', user.password);
  await page.press('#login-password', 'Enter');
  await page.locator('.shell').waitFor({ state: 'visible' });
}

// Opens the client at hash (e.g. '#/queue?article=x') and logs in.
async function openAs(ctx, user, hash = '', opts) {
  const { context, page } = await newPage(ctx, opts);
  await page.goto('/admin' + hash);
  await login(page, user);
  return { context, page };
}

const queueHash = (article, extra = {}) =>
  '#/queue?' + new URLSearchParams({ article, ...extra }).toString();

// Posts n comments to article (a few at a time); returns their ids in
// order of creation.
async function seed(article, n,
  make = (i) => ({ author: `Reader ${i}`, body: `Comment ${i} on ${article}` })) {
  const ids = [];
  for (let i = 0; i < n; i += 20) {
    const chunk = [];
    for (let j = i; j < Math.min(n, i + 20); j++) chunk.push(postComment(article, make(j)));
    for (const res of await Promise.all(chunk)) {
      assert.equal(res.status, 202, res.text);
      ids.push(res.json.comment.id);
    }
  }
  return ids.sort((a, b) => a - b);
}

const item = (page, id) => page.locator(`li.item[data-id="${id}"]`);

// Deadlines for what a page must show, not speeds: generous for a busy
// machine, three times that under the sanitizers (make test SANITIZE=1).
const deadline = (ms) => ms * (process.env.SANITIZE === '1' ? 3 : 1);

async function waitCurrent(page, id) {
  await page.locator(`li.item.current[data-id="${id}"]`).waitFor();
}

// Waits until the locator's text matches re; returns the text.
async function waitText(locator, re, what = String(re)) {
  return eventually(async () => {
    const s = await locator.first().textContent().catch(() => null);
    return s && re.test(s) ? s : false;
  }, deadline(15000), what);
}

async function publicIds(article) {
  const res = await api('GET',
    `/api/v1/articles/${encodeURIComponent(article)}/comments?limit=200`);
  if (res.status === 404) return [];
  assert.equal(res.status, 200);
  return res.json.comments.map((c) => c.id);
}

async function statusOf(token, id) {
  const res = await api('GET', `/api/v1/admin/comments/${id}`, { token });
  assert.equal(res.status, 200);
  return res.json.comment.status;
}

// The session cookie's token: the browser's session, for revoking it
// behind the page's back.
async function sessionToken(context) {
  const c = (await context.cookies()).find((x) => x.name === 'commentd_session');
  assert.ok(c, 'the session cookie is set');
  return c.value;
}

let admin;       // one admin account shared by the tests that need one
let adminToken;
function theAdmin() {
  if (!admin) {
    admin = createModerator('admin', 'boss');
    adminToken = createToken(admin.name);
  }
  return admin;
}

// -- tests -------------------------------------------------------------------

export const tests = [
  ['log in (a wrong password is refused plainly), log out', async (ctx) => {
    const mod = createModerator('moderator');
    const { page, context } = await newPage(ctx);
    await page.goto('/admin');
    await page.fill('#login-user', mod.name);
    await page.fill('#login-password', 'not-the-password');
    await page.press('#login-password', 'Enter');
    await waitText(page.locator('#login-error'), /Wrong user name or password/);
    assert.equal(await page.locator('.shell').isVisible(), false);

    await login(page, mod);
    await waitText(page.locator('header .who'), new RegExp(mod.name));
    await page.locator('.queue-list').waitFor();
    // A moderator (not an admin) has no moderators link.
    assert.equal(await page.locator('nav a[data-view="moderators"]').count(), 0);

    const token = await sessionToken(context);
    assert.equal((await api('GET', '/api/v1/admin/session', { token })).status, 200);
    await page.click('#logout');
    await page.locator('#login-user').waitFor();
    assert.equal((await api('GET', '/api/v1/admin/session', { token })).status, 401,
      'the session ended on the server');
    assert.equal((await context.request.get('/api/v1/admin/session')).status(), 401);
  }],

  ['approve from the queue by keyboard only; the comment is public', async (ctx) => {
    const article = unique('kbd');
    const [first, second] = await seed(article, 2);
    const mod = createModerator('moderator');
    const token = createToken(mod.name);
    const { page } = await openAs(ctx, mod, queueHash(article));
    await waitCurrent(page, first);
    // Oldest first; j/k move.
    await page.keyboard.press('j');
    await waitCurrent(page, second);
    await page.keyboard.press('k');
    await waitCurrent(page, first);
    await page.keyboard.press('a');
    // It leaves the queue, the next one is current and has the focus.
    await item(page, first).waitFor({ state: 'detached' });
    await waitCurrent(page, second);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.id), String(second));
    assert.deepEqual(await publicIds(article), [first]);

    // u undoes it: back in the queue, pending, current.
    await page.keyboard.press('u');
    await waitCurrent(page, first);
    assert.equal(await statusOf(token, first), 'pending');
    assert.deepEqual(await publicIds(article), []);
    await page.keyboard.press('a');
    await item(page, first).waitFor({ state: 'detached' });
    assert.deepEqual(await publicIds(article), [first]);
  }],

  ['reject with a reason picked by digit; the reason is in the history', async (ctx) => {
    const article = unique('reason');
    const [id] = await seed(article, 1);
    const mod = createModerator('moderator');
    const token = createToken(mod.name);
    const { page } = await openAs(ctx, mod, queueHash(article));
    await waitCurrent(page, id);
    await page.keyboard.press('r');
    const dlg = page.locator('dialog.dialog-reason');
    await dlg.waitFor();
    // Esc cancels: nothing happens.
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached' });
    assert.equal(await statusOf(token, id), 'pending');
    await page.keyboard.press('r');
    await dlg.waitFor();
    await page.keyboard.press('2');
    assert.equal(await dlg.locator('input[value="2"]').isChecked(), true);
    await page.keyboard.press('Enter');
    await item(page, id).waitFor({ state: 'detached' });
    assert.equal(await statusOf(token, id), 'rejected');

    // The rejected list, then the history panel (h).
    await page.goto('/admin' + queueHash(article, { status: 'rejected' }));
    await waitCurrent(page, id);
    await waitText(item(page, id).locator('.status-line'), new RegExp(`Rejected by you`));
    await page.keyboard.press('h');
    const hist = page.locator('dialog.dialog-history');
    await hist.waitFor();
    await waitText(hist.locator('.history-event'), new RegExp(`${mod.name}: rejected`));
    await waitText(hist.locator('.history-reason'), /Reason: Insults or abuse/);
    const res = await api('GET', `/api/v1/admin/comments/${id}/history`, { token });
    assert.equal(res.json.events.at(-1).reason, 'Insults or abuse');
  }],

  ['edit a comment\'s text (the old text stays in the history); ' +
    'delete after confirming', async (ctx) => {
    const article = unique('edit');
    const [id, other] = await seed(article, 2,
      (i) => ({ author: 'Writer', body: `first draft ${i}` }));
    const mod = createModerator('moderator');
    const token = createToken(mod.name);
    const { page } = await openAs(ctx, mod, queueHash(article));
    await waitCurrent(page, id);
    // Seeded in parallel: which draft got the lower id is not known.
    const before = await item(page, id).locator('.body').textContent();
    assert.match(before, /^first draft [01]$/);
    await page.keyboard.press('e');
    const area = page.locator('dialog.dialog-edit textarea');
    await area.waitFor();
    await area.fill('edited text, كلمة');
    await page.keyboard.press('Control+Enter');
    await page.locator('dialog.dialog-edit').waitFor({ state: 'detached' });
    await waitText(item(page, id).locator('.body'), /^edited text, كلمة$/);
    const c = await api('GET', `/api/v1/admin/comments/${id}`, { token });
    assert.equal(c.json.comment.body, 'edited text, كلمة');
    await page.keyboard.press('h');
    assert.equal(await waitText(page.locator('dialog.dialog-history .old-body'), /^first draft/),
      before);
    await page.keyboard.press('Escape');

    // d asks first; Esc keeps the comment, Enter deletes it.
    await page.keyboard.press('d');
    await page.locator('dialog.dialog-confirm').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('dialog.dialog-confirm').waitFor({ state: 'detached' });
    assert.equal(await statusOf(token, id), 'pending');
    await page.keyboard.press('d');
    await page.locator('dialog.dialog-confirm').waitFor();
    await page.keyboard.press('Enter');
    await item(page, id).waitFor({ state: 'detached' });
    await waitCurrent(page, other);
    assert.equal(await statusOf(token, id), 'deleted');
  }],

  ['two moderators: one approves, the other\'s queue drops it live ' +
    'with who did it', async (ctx) => {
    const article = unique('two');
    const [id, other] = await seed(article, 2);
    const a = createModerator('moderator', 'alice');
    const b = createModerator('moderator', 'bob');
    const A = await openAs(ctx, a, queueHash(article));
    const B = await openAs(ctx, b, queueHash(article));
    await waitCurrent(A.page, id);
    await waitCurrent(B.page, id);
    await B.page.locator('.live.up').waitFor();
    await A.page.keyboard.press('a');
    await item(B.page, id).waitFor({ state: 'detached' });
    assert.equal(await item(B.page, id).count(), 0, 'gone from the other queue');
    const note = await waitText(B.page.locator(`li.note[data-note-for="${id}"]`),
      new RegExp(`approved by ${a.name}`));
    assert.match(note, new RegExp(`approved by ${a.name}`));
    // Bob's place moves on to the next comment.
    await waitCurrent(B.page, other);
    assert.equal(await B.page.getAttribute('li.item.current', 'data-id'), String(other));

    // And a new comment appears in both queues without a reload.
    const [fresh] = await seed(article, 1,
      () => ({ author: 'Late reader', body: 'Arrived while the queue was open' }));
    await item(A.page, fresh).waitFor();
    await item(B.page, fresh).waitFor();
    assert.equal(await item(A.page, fresh).count(), 1);
    assert.equal(await item(B.page, fresh).count(), 1);
  }],

  ['new comments arrive live; out of view they wait behind an "N new" badge', async (ctx) => {
    const article = unique('badge');
    const ids = await seed(article, 30);
    const mod = createModerator('moderator');
    const { page } = await openAs(ctx, mod, queueHash(article));
    await waitCurrent(page, ids[0]);
    await page.locator('.live.up').waitFor();
    // Oldest first: a new comment goes at the end, below the fold; the
    // badge says so and n jumps to it.
    const [late] = await seed(article, 1, () => ({ author: 'Late', body: 'below the fold' }));
    await item(page, late).waitFor({ state: 'attached' });
    await waitText(page.locator('.new-badge'), /1 new comment/);
    await waitCurrent(page, ids[0]);
    await page.keyboard.press('n');
    await waitCurrent(page, late);
    assert.equal(await page.locator('.new-badge').isVisible(), false);
    assert.ok(await item(page, late).isVisible());

    // Newest first (all statuses), scrolled down: new comments are held
    // rather than pushing the page; n shows them at the top.
    await page.goto('/admin' + queueHash(article, { status: 'all' }));
    await waitCurrent(page, late);
    for (let i = 0; i < 12; i++) await page.keyboard.press('j');
    await waitCurrent(page, ids[18]);
    const [newest] = await seed(article, 1,
      () => ({ author: 'Newest', body: 'held behind the badge' }));
    await waitText(page.locator('.new-badge'), /1 new comment/);
    assert.equal(await item(page, newest).count(), 0, 'not inserted while scrolled down');
    await page.keyboard.press('n');
    await waitCurrent(page, newest);
    assert.equal(await page.locator('li.item').first().getAttribute('data-id'), String(newest));
  }],

  ['a published comment reported by readers comes back to the queue, flagged', async (ctx) => {
    theAdmin();
    const article = unique('report');
    const [id] = await seed(article, 1, () => ({ author: 'Troll', body: 'reported later' }));
    assert.equal((await moderate(adminToken, id, 'approve')).status, 200);
    const mod = createModerator('moderator');
    const { page } = await openAs(ctx, mod, queueHash(article));
    await waitText(page.locator('.queue-foot'), /Nothing to moderate/);
    await page.locator('.live.up').waitFor();
    // make test runs the server with COMMENTD_REPORT_THRESHOLD=1: one
    // report sends it back.
    const rep = await api('POST', `/api/v1/comments/${id}/reports`, { body: { reason: 'rude' } });
    assert.equal(rep.status, 202, rep.text);
    await waitCurrent(page, id);
    await waitText(item(page, id).locator('.flag'), /Reported by readers/);
    await page.keyboard.press('h');
    await waitText(page.locator('dialog.dialog-history .history-event').last(),
      /readers: reported it: back to the queue/);
  }],

  ['a comment held by a suspect word says why in Arabic; the queue filters by reason',
    async (ctx) => {
      theAdmin();
      const article = unique('rules');
      // A word of random Arabic letters: no other test's comment has it.
      const letters = 'بتثجحخدذرزسشصضطظعغفقكلمنهوي';
      const word = Array.from({ length: 6 },
        () => letters[Math.floor(Math.random() * letters.length)]).join('');
      const added = await api('POST', '/api/v1/admin/words',
        { token: adminToken, body: { word, list: 'suspect' } });
      assert.equal(added.status, 201, added.text);
      try {
        const [plain] = await seed(article, 1, () => ({ author: 'قارئ', body: 'تعليق عادي' }));
        // Every worker reloads the list when told: post until one was
        // judged with it (each text differs: repeats are refused).
        let n = 0;
        const held = await eventually(async () => {
          n++;
          // The word with its article and a prefix: "والـ" + word.
          const res = await postComment(article,
            { author: 'قارئ آخر', body: `محاولة ${n}: وال${word} هنا` }, 'ar');
          assert.equal(res.status, 202, res.text);
          const it = await api('GET', `/api/v1/admin/comments/${res.json.comment.id}`,
            { token: adminToken });
          return it.json?.comment?.spam_flags?.includes('suspect_word') && it.json.comment;
        }, deadline(15000), 'a comment flagged suspect_word');
        assert.equal(held.flag_details.suspect_word, word);
        const mod = createModerator('moderator');
        const { page } = await openAs(ctx, mod, queueHash(article, { flag: 'suspect_word' }),
          { locale: 'ar' });
        await waitText(item(page, held.id).locator('.flag'), new RegExp(`كلمة مشبوهة: ${word}`));
        assert.equal(await page.locator('#f-flag').inputValue(), 'suspect_word');
        assert.equal(await page.locator('#f-flag option:checked').textContent(), 'كلمة مشبوهة');
        // The filter leaves the comment no rule touched out.
        assert.equal(await item(page, plain).count(), 0);
        await page.selectOption('#f-flag', '');
        await item(page, plain).waitFor();
      } finally {
        const del = await api('DELETE', `/api/v1/admin/words/${added.json.word.id}`,
          { token: adminToken });
        assert.equal(del.status, 204, del.text);
      }
    }],

  ['a long word list shows 200 entries at a time and a search finds the rest', async (ctx) => {
    const boss = theAdmin();
    // Letters no comment of any test holds: the entries judge nothing.
    const tag = 'qzx' + Math.random().toString(36).slice(2, 8);
    const ids = [];
    try {
      for (let i = 0; i < 205; i += 41) {
        const batch = await Promise.all(Array.from({ length: 41 }, (_, j) =>
          api('POST', '/api/v1/admin/words',
            { token: adminToken, body: { word: `${tag}-${i + j}`, list: 'suspect' } })));
        for (const res of batch) {
          assert.equal(res.status, 201, res.text);
          ids.push(res.json.word.id);
        }
      }
      const { page } = await openAs(ctx, boss, '#/rules');
      const rows = page.locator('table.words tbody tr[data-id]');
      const note = page.locator('table.words tbody td.muted');
      await waitText(note, /Showing 200 of \d+ entries/);
      assert.equal(await rows.count(), 200);
      await page.fill('#f-words', tag);
      await waitText(note, /Showing 200 of 205 entries/);
      // 1, 10..19, 100..199: 111 entries, all shown, no note.
      await page.fill('#f-words', `${tag.toUpperCase()}-1`);
      await page.waitForFunction(() =>
        document.querySelectorAll('table.words tbody tr[data-id]').length === 111);
      assert.equal(await note.count(), 0);
      const shown = await rows.locator('th').allTextContents();
      assert.ok(shown.every((w) => new RegExp(`^${tag}-1\\d*$`).test(w)), shown.join(' '));
      assert.ok(shown.includes(`${tag}-1`) && shown.includes(`${tag}-199`));
      await page.fill('#f-words', `${tag}-x`);
      await waitText(note, /No entry matches/);
      assert.equal(await rows.count(), 0);
    } finally {
      for (const id of ids) {
        const del = await api('DELETE', `/api/v1/admin/words/${id}`, { token: adminToken });
        assert.equal(del.status, 204, del.text);
      }
    }
  }],

  ['a 409 is said plainly: "already approved by X"', async (ctx) => {
    const article = unique('race');
    const [id] = await seed(article, 1);
    const mod = createModerator('moderator');
    const rival = createModerator('moderator', 'rival');
    const rivalToken = createToken(rival.name);
    const { context, page } = await newPage(ctx);
    // No live feed: the page cannot know the rival was first.
    await context.route('**/api/v1/admin/events**', (route) => route.abort());
    await page.goto('/admin' + queueHash(article));
    await login(page, mod);
    await waitCurrent(page, id);
    assert.equal((await moderate(rivalToken, id, 'approve')).status, 200);
    await page.keyboard.press('a');
    const alert = page.locator('.toast[role="alert"]');
    const text = await waitText(alert, new RegExp(`Already approved by ${rival.name}`));
    assert.doesNotMatch(text, /went wrong|409|error/i);
    await waitText(page.locator(`li.note[data-note-for="${id}"]`),
      new RegExp(`Already approved by ${rival.name}`));
    assert.equal(await item(page, id).count(), 0);
  }],

  ['the Arabic UI is laid out right to left', async (ctx) => {
    const article = unique('rtl');
    const [id] = await seed(article, 1,
      () => ({ author: 'ليلى', body: 'تعليق للتجربة' }));
    const mod = createModerator('moderator');
    // The browser's language picks Arabic.
    const { page } = await openAs(ctx, mod, queueHash(article), { locale: 'ar-EG' });
    await waitCurrent(page, id);
    await waitText(page.locator('nav a[data-view="queue"]'), /قائمة المراجعة/);
    const box = async (sel) => page.locator(sel).first().boundingBox();
    const width = page.viewportSize().width;
    const meta = await box(`li.item[data-id="${id}"] .item-meta`);
    const body = await box(`li.item[data-id="${id}"] .item-main`);
    // The author column is the first column: on the right, in Arabic.
    assert.ok(meta.x > body.x + body.width - 1,
      `author column (${meta.x}) right of the text (${body.x}+${body.width})`);
    const brand = await box('header .brand');
    assert.ok(brand.x + brand.width > width - 60,
      `the header starts at the right edge (${brand.x + brand.width} of ${width})`);
    const check = await box(`li.item[data-id="${id}"] .item-check`);
    assert.ok(check.x > width / 2, 'the checkbox is at the right');

    // Switching to English mirrors it back, and the choice is kept.
    await page.selectOption('#lang-select', 'en');
    await waitText(page.locator('nav a[data-view="queue"]'), /Queue/);
    const meta2 = await box(`li.item[data-id="${id}"] .item-meta`);
    const body2 = await box(`li.item[data-id="${id}"] .item-main`);
    assert.ok(meta2.x + meta2.width <= body2.x + 1, 'author column left of the text in English');
    await page.reload();
    await waitText(page.locator('nav a[data-view="queue"]'), /Queue/);
  }],

  ['markup in a comment, author, title and reply renders as text and runs nothing', async (ctx) => {
    theAdmin();
    const article = unique('xss');
    const author = '<img src=x onerror="window.__xss=1">';
    const body = '<script>window.__xss=2</script><img src=x onerror="window.__xss=3"> <b>bold?</b>';
    const title = '<img src=x onerror="window.__xss=4">Title';
    const [parent] = await seed(article, 1, () => ({ author, body }));
    assert.equal((await moderate(adminToken, parent, 'approve')).status, 200);
    const put = await api('PUT', `/api/v1/admin/articles/${encodeURIComponent(article)}`,
      { token: adminToken, body: { title, url: 'https://example.com/<script>' } });
    assert.equal(put.status, 200);
    const reply = await postComment(article, { author, body: 'reply: ' + body, parent_id: parent });
    assert.equal(reply.status, 202);
    const id = reply.json.comment.id;

    const mod = createModerator('moderator');
    const { page } = await openAs(ctx, mod, queueHash(article));
    await waitCurrent(page, id);
    const it = item(page, id);
    assert.equal(await it.locator('.body').textContent(), 'reply: ' + body);
    assert.equal(await it.locator('.author').textContent(), author);
    assert.match(await it.locator('.parent').textContent(), /<script>window.__xss=2<\/script>/);
    assert.match(await it.locator('.item-article').textContent(),
      /<img src=x onerror="window.__xss=4">Title/);
    assert.ok(await it.locator('.body').isVisible());
    // The history and edit dialogs show the same text as text.
    await page.keyboard.press('h');
    await page.locator('dialog.dialog-history').waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('e');
    await page.locator('dialog.dialog-edit textarea').waitFor();
    assert.equal(await page.locator('dialog.dialog-edit textarea').inputValue(), 'reply: ' + body);
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    // Also in the approved list, where the parent itself is shown.
    await page.goto('/admin' + queueHash(article, { status: 'approved' }));
    await waitCurrent(page, parent);
    assert.equal(await item(page, parent).locator('.author').textContent(), author);
    assert.equal(await page.locator('main img, main script, main b').count(), 0,
      'no element came from the data');
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'no script ran');
  }],

  ['an expired session asks for the password and comes back to the same place', async (ctx) => {
    const article = unique('place');
    const ids = await seed(article, 4,
      (i) => ({ author: `Reader ${i}`, body: `placetest comment ${i}` }));
    const mod = createModerator('moderator');
    const token = createToken(mod.name);
    const { context, page } = await openAs(ctx, mod, queueHash(article, { q: 'placetest' }));
    await waitCurrent(page, ids[0]);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await waitCurrent(page, ids[2]);

    // The session ends behind the page's back; the next action gets 401.
    let res = await api('DELETE', '/api/v1/admin/session', { token: await sessionToken(context) });
    assert.equal(res.status, 204);
    await page.keyboard.press('a');
    await page.locator('#login-expired').waitFor();
    assert.equal(await statusOf(token, ids[2]), 'pending', 'nothing was done without a session');
    assert.equal(await page.inputValue('#login-user'), mod.name);
    await page.fill('#login-password', mod.password);
    await page.press('#login-password', 'Enter');
    await page.locator('.shell').waitFor({ state: 'visible' });
    await waitCurrent(page, ids[2]);
    assert.equal(await page.inputValue('#f-article'), article);
    assert.equal(await page.inputValue('#f-search'), 'placetest');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.id), String(ids[2]));

    // Same after a reload with an ended session.
    res = await api('DELETE', '/api/v1/admin/session', { token: await sessionToken(context) });
    assert.equal(res.status, 204);
    await page.reload();
    await login(page, mod);
    await waitCurrent(page, ids[2]);
    assert.equal(await page.inputValue('#f-search'), 'placetest');
    // And it works: approve it now.
    await page.keyboard.press('a');
    await item(page, ids[2]).waitFor({ state: 'detached' });
    assert.equal(await statusOf(token, ids[2]), 'approved');
  }],

  ['a queue of 250 comments worked from the keyboard (j/k/a/x, batches)', async (ctx) => {
    const article = unique('many');
    const N = 250;
    const ids = await seed(article, N);
    const mod = createModerator('moderator');
    const token = createToken(mod.name);
    const { page } = await openAs(ctx, mod, queueHash(article));
    await waitCurrent(page, ids[0]);
    // Mark an element further down: actions must leave it as it is (one
    // element changes per comment, the list is never rebuilt).
    await page.evaluate((id) => {
      document.querySelector(`li.item[data-id="${id}"]`).probe = 'kept';
    }, ids[50]);
    // One approved, three chosen with x and marked spam in one batch.
    await page.keyboard.press('a');
    await waitCurrent(page, ids[1]);
    for (const k of ['x', 'j', 'x', 'j', 'x']) await page.keyboard.press(k);
    await waitText(page.locator('.batch-count'), /3 selected/);
    await page.keyboard.press('s');
    for (const id of ids.slice(1, 4)) await item(page, id).waitFor({ state: 'detached' });
    await waitCurrent(page, ids[4]);
    assert.equal(await page.evaluate(
      (id) => document.querySelector(`li.item[data-id="${id}"]`).probe, ids[50]), 'kept');
    // Moving far down loads the next page (the keyset cursor).
    for (let i = 0; i < 110; i++) await page.keyboard.press('j');
    await waitCurrent(page, ids[114]);
    for (let i = 0; i < 10; i++) await page.keyboard.press('k');
    await waitCurrent(page, ids[104]);
    // The rest: select all loaded (Shift+X), reject with reason 1, until
    // the queue is empty.
    for (let round = 0; round < 10; round++) {
      if (await page.locator('li.item').count() === 0) break;
      await page.keyboard.press('Shift+X');
      // Everything loaded is selected, and the bar says how many (a page
      // arriving just after the key press is not, and waits its turn).
      await eventually(async () => {
        const m = /(\d+) selected/.exec(await page.locator('.batch-count').textContent());
        const selected = await page.locator('li.item.selected').count();
        return m && Number(m[1]) === selected && selected > 0;
      }, deadline(15000), 'all loaded comments selected');
      await page.keyboard.press('r');
      await page.locator('dialog.dialog-reason').waitFor();
      await page.keyboard.press('1');
      await page.keyboard.press('Enter');
      // The batch starts when the dialog has closed.
      await page.locator('dialog.dialog-reason').waitFor({ state: 'detached' });
      await eventually(async () => (await page.locator('li.item.busy').count()) === 0,
        deadline(20000), 'the batch to finish');
      await eventually(async () => (await page.locator('li.item').count()) > 0 ||
        /Nothing to moderate/.test(await page.locator('.queue-foot').textContent()),
        deadline(15000), 'the next page');
    }
    await waitText(page.locator('.queue-foot'), /Nothing to moderate/);
    const art = await api('GET',
      `/api/v1/admin/articles/${encodeURIComponent(article)}`, { token });
    assert.equal(art.json.article.pending, 0);
    assert.equal(art.json.article.approved, 1);
    const spam = await api('GET',
      `/api/v1/admin/comments?status=spam&article=${encodeURIComponent(article)}`, { token });
    assert.deepEqual(spam.json.comments.map((c) => c.id).sort((x, y) => x - y), ids.slice(1, 4));
    const rejected = await api('GET',
      `/api/v1/admin/comments?status=rejected&limit=200&article=${encodeURIComponent(article)}`,
      { token });
    assert.equal(rejected.json.comments.length, 200);
    assert.equal(rejected.json.comments[0].status, 'rejected');
  }],

  ['an admin changes an article\'s mode; a moderator cannot', async (ctx) => {
    const boss = theAdmin();
    const article = unique('mode');
    await seed(article, 1);
    const { page } = await openAs(ctx, boss, '#/articles');
    await page.fill('#articles-q', article);
    const row = page.locator(`tr[data-key="${article}"]`);
    await row.waitFor();
    await row.locator('.settings-link').click();
    await page.locator('#art-title').waitFor();
    await page.fill('#art-title', 'A closed debate');
    await page.check('input[name="mode"][value="closed"]');
    await page.click('.article-form button[type="submit"]');
    await waitText(page.locator('.toast'), /Saved/);
    const pub = await api('GET', `/api/v1/articles/${encodeURIComponent(article)}/comments`);
    assert.equal(pub.json.article.mode, 'closed');
    assert.equal(pub.json.article.title, 'A closed debate');
    assert.equal((await postComment(article, { author: 'x', body: 'too late' })).status, 403);

    const mod = createModerator('moderator');
    const M = await openAs(ctx, mod, '#/articles/' + encodeURIComponent(article));
    await M.page.locator('#art-title').waitFor();
    assert.equal(await M.page.isDisabled('input[name="mode"][value="premoderated"]'), true);
    assert.equal(await M.page.locator('.article-form button[type="submit"]').count(), 0);
    await waitText(M.page.locator('.article-form .notice'), /Only admins/);
  }],

  ['statistics: queue size, oldest pending, decisions per moderator today', async (ctx) => {
    const article = unique('stats');
    const ids = await seed(article, 3);
    const mod = createModerator('moderator', 'counter');
    const token = createToken(mod.name);
    assert.equal((await moderate(token, ids[0], 'approve')).status, 200);
    assert.equal((await moderate(token, ids[1], 'reject', 'test')).status, 200);
    const { page } = await openAs(ctx, mod, '#/stats');
    const row = page.locator(`#stat-decisions tr[data-moderator="${mod.name}"] td`);
    await waitText(row, /^2$/);
    const stats = (await api('GET', '/api/v1/admin/stats', { token })).json;
    await waitText(page.locator('#stat-pending'),
      new RegExp(`^${stats.counts.pending.toLocaleString('en-US')}$`));
    await waitText(page.locator('#stat-counts tr[data-status="approved"] td'), /\d/);
    assert.notEqual(await page.locator('#stat-oldest').textContent(), '');
    // Live: a decision elsewhere updates the view.
    assert.equal((await moderate(token, ids[2], 'spam')).status, 200);
    await waitText(row, /^3$/);
  }],

  ['moderators: an admin adds, disables, enables, resets; ' +
    'a moderator cannot see them', async (ctx) => {
    const boss = theAdmin();
    const { page } = await openAs(ctx, boss, '#/moderators');
    const name = unique('newbie');
    await page.fill('#mod-name', name);
    await page.selectOption('#mod-role', 'moderator');
    await page.click('.add-moderator button[type="submit"]');
    const secret = page.locator('dialog.dialog-secret input.secret');
    await secret.waitFor();
    const password = await secret.inputValue();
    assert.ok(password.length >= 12);
    await page.keyboard.press('Escape');
    const loginAs = (pw) =>
      api('POST', '/api/v1/admin/session', { body: { username: name, password: pw } });
    assert.equal((await loginAs(password)).status, 200);

    const row = page.locator(`tr[data-name="${name}"]`);
    await row.waitFor();
    await row.locator('[data-act="disable"]').click();
    await waitText(row.locator('.state'), /Disabled/);
    assert.equal((await loginAs(password)).status, 401);
    await row.locator('[data-act="enable"]').click();
    await waitText(row.locator('.state'), /Active/);
    assert.equal((await loginAs(password)).status, 200);

    await row.locator('[data-act="reset"]').click();
    await page.locator('dialog.dialog-confirm').waitFor();
    await page.keyboard.press('Enter');
    await secret.waitFor();
    const password2 = await secret.inputValue();
    assert.notEqual(password2, password);
    await page.keyboard.press('Escape');
    assert.equal((await loginAs(password)).status, 401);
    assert.equal((await loginAs(password2)).status, 200);

    // An admin cannot lock themselves out: the buttons say so (the
    // server would answer 409).
    const own = page.locator(`tr[data-name="${boss.name}"]`);
    assert.equal(await own.locator('[data-act="disable"]').isDisabled(), true);
    assert.equal(await own.locator('[data-act="role"]').isDisabled(), true);
    assert.match(await own.locator('[data-act="disable"]').getAttribute('title'),
      /cannot disable or demote your own account/);

    // A moderator gets no link and no list.
    const mod = createModerator('moderator');
    const M = await openAs(ctx, mod, '#/moderators');
    await waitText(M.page.locator('.moderators-view'), /Only admins can manage moderators/);
    assert.equal(await M.page.locator('nav a[data-view="moderators"]').count(), 0);
    assert.equal(await M.page.locator('.moderators-view table').count(), 0);
  }],

  ['tokens: a moderator makes an API token (shown once), revokes it; ' +
    'an admin sees everyone\'s; Arabic right to left', async (ctx) => {
    const mod = createModerator('moderator', 'tok');
    const cliToken = createToken(mod.name);
    const { page } = await openAs(ctx, mod, '#/tokens');
    await waitText(page.locator('.tokens-view h1'), /Tokens and sessions/);
    // The login session in use is listed, marked; no moderator column.
    await waitText(page.locator('tr[data-kind="session"]'), /this one/);
    assert.equal(await page.locator('tr[data-kind="api"]').count(), 1);
    assert.equal(await page.locator('.tokens-view thead th').count(), 5);

    await page.fill('#token-label', 'commentctl on my laptop');
    await page.fill('#token-days', '30');
    await page.click('.add-token button[type="submit"]');
    const secretBox = page.locator('dialog.dialog-secret input.secret');
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    assert.ok(secret.length >= 40);
    await page.keyboard.press('Escape');
    const who = await api('GET', '/api/v1/admin/session', { token: secret });
    assert.equal(who.status, 200);
    assert.equal(who.json.moderator.name, mod.name);
    const row = page.locator('tr[data-kind="api"]', { hasText: 'commentctl on my laptop' });
    await row.waitFor();
    assert.equal((await page.content()).includes(secret), false, 'the secret is not on the page');

    await row.locator('[data-act="revoke"]').click();
    await page.locator('dialog.dialog-confirm').waitFor();
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
    assert.equal((await api('GET', '/api/v1/admin/session', { token: secret })).status, 401);
    assert.equal((await api('GET', '/api/v1/admin/session', { token: cliToken })).status, 200);

    // An admin sees the moderator's tokens with the name, in Arabic.
    const boss = theAdmin();
    const A = await openAs(ctx, boss, '#/tokens', { locale: 'ar-EG' });
    await waitText(A.page.locator('.tokens-view h1'), /رموز الدخول والجلسات/);
    assert.equal(await A.page.evaluate(() => document.documentElement.dir), 'rtl');
    const theirs = A.page.locator('tr[data-kind="api"]', { hasText: mod.name });
    await theirs.waitFor();
    await waitText(theirs.locator('.kind'), /رمز وصول برمجي/);
    // Right to left: the name column on the right, Revoke on the left.
    const name = await theirs.locator('td').first().boundingBox();
    const revoke = await theirs.locator('[data-act="revoke"]').boundingBox();
    assert.ok(revoke.x + revoke.width < name.x,
      `Revoke (${revoke.x}) left of the name (${name.x})`);
    await theirs.locator('[data-act="revoke"]').click();
    await A.page.locator('dialog.dialog-confirm').waitFor();
    await A.page.keyboard.press('Enter');
    await theirs.waitFor({ state: 'detached' });
    assert.equal((await api('GET', '/api/v1/admin/session', { token: cliToken })).status, 401);
  }],

  ['a moderator sees no e-mail or address, and is told so; an admin sees them', async (ctx) => {
    const article = unique('personal');
    const res = await postComment(article,
      { author: 'Laila', email: 'laila-private@example.com', body: 'A private reader' });
    assert.equal(res.status, 202, res.text);
    const id = res.json.comment.id;
    const mod = createModerator('moderator');
    const { page } = await openAs(ctx, mod, queueHash(article));
    await waitCurrent(page, id);
    await waitText(item(page, id).locator('.personal-hidden'), /admins only/);
    assert.equal(await item(page, id).locator('.email').count(), 0);
    assert.equal((await page.content()).includes('laila-private@example.com'), false);

    const A = await openAs(ctx, theAdmin(), queueHash(article));
    await waitCurrent(A.page, id);
    await waitText(item(A.page, id).locator('.email'), /laila-private@example\.com/);
    assert.equal(await item(A.page, id).locator('.personal-hidden').count(), 0);
  }],
];
