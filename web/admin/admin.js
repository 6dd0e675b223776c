// admin.js - the moderation client's shell: session, header, routing,
// keyboard dispatch, language.  The views live in their own modules.
//
// The place a moderator is at (view, filters, current comment) is the
// URL's hash, kept up to date with replaceState as they move.  So a
// reload comes back to the same place, and so does logging in again
// after the session ended: on a 401 the page is only hidden behind the
// login form, never torn down, and the live feed resumes from the last
// event it saw.
import { h, replaceChildren, isEditable } from './dom.js';
import { t, getLang, setLang, applyLang, onLangChange, LANGS, fmtNumber } from './i18n.js';
import { request, get, qs, setCsrf, onUnauthorized, errorText } from './api.js';
import { mountToasts, openDialog, toast } from './ui.js';
import * as live from './live.js';
import { createQueue } from './queue.js';
import { createArticles } from './articles.js';
import { createStats } from './stats.js';
import { createModerators } from './moderators.js';
import { createRules } from './rules.js';
import { createTokens } from './tokens.js';

const VIEWS = {
  queue: createQueue,
  articles: createArticles,
  stats: createStats,
  moderators: createModerators,
  rules: createRules,
  tokens: createTokens,
};
const STATS_REFRESH_MS = 60000;

// What the views may ask of the shell.
const app = {
  me: null,
  navigate,
  setPlace,
  params: () => ({ ...current.params }),
  loginShown: () => !loginBox.hidden,
  setPending,
};

let current = { name: null, view: null, params: {} };
let shell, header, main, loginBox, liveEl, pendingEl, langSel;
let pending = null;
let started = false;

// -- routing ---------------------------------------------------------------
// #/queue?status=spam&article=KEY&q=word&item=42, #/articles/KEY, ...
function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const qAt = raw.indexOf('?');
  const path = qAt >= 0 ? raw.slice(0, qAt) : raw;
  const params = Object.fromEntries(new URLSearchParams(qAt >= 0 ? raw.slice(qAt + 1) : ''));
  const [name, ...rest] = path.split('/');
  if (rest.length && rest.join('/')) {
    try { params.key = decodeURIComponent(rest.join('/')); } catch { /* a bad link: ignore */ }
  }
  return { name: VIEWS[name] ? name : 'queue', params };
}

function hashFor(name, params) {
  const p = { ...params };
  let path = '#/' + name;
  if (p.key) { path += '/' + encodeURIComponent(p.key); delete p.key; }
  return path + qs(p);
}

function navigate(name, params = {}) {
  clearTimeout(placeTimer);
  placeTimer = null;
  const target = hashFor(name, params);
  if (location.hash === target) route();
  else location.hash = target;
}

// The view's state changed without a new history entry (moving through
// the queue, typing a search).  Throttled: browsers ignore replaceState
// beyond a few hundred calls in ten seconds, which a moderator holding
// j would reach.  The first change is written at once, later ones at
// most every PLACE_EVERY_MS.
let placeTimer = null;
let placeWritten = 0;
// The address the current view was routed from (or last written by us).
// Any other address is a navigation whose hashchange has not run yet: a
// late write must not overwrite it.
let routedHash = null;
const PLACE_KEY = 'commentd.admin.place';
const PLACE_EVERY_MS = 300;
function setPlace(params) {
  current.params = { ...params };
  // Unthrottled copy for a reload that comes before the next write.
  try {
    sessionStorage.setItem(PLACE_KEY, hashFor(current.name, current.params));
  } catch { /* private mode */ }
  if (placeTimer) return;  // already due: it will write these params
  const wait = placeWritten + PLACE_EVERY_MS - Date.now();
  if (wait <= 0) writePlace();
  else placeTimer = setTimeout(writePlace, wait);
}

function writePlace() {
  clearTimeout(placeTimer);
  placeTimer = null;
  placeWritten = Date.now();
  if (location.hash !== routedHash) return;
  const target = hashFor(current.name, current.params);
  if (current.name && location.hash !== target) history.replaceState(null, '', target);
  routedHash = location.hash;
}

// On load: the saved place, if it is the same view with the same
// filters as the address (only the current comment may differ).
function restorePlace() {
  let saved = null;
  try { saved = sessionStorage.getItem(PLACE_KEY); } catch { /* private mode */ }
  if (!saved) return;
  const same = (a, b) => {
    const x = parseHash(a), y = parseHash(b);
    delete x.params.item;
    delete y.params.item;
    return x.name === y.name &&
      JSON.stringify(Object.entries(x.params).sort()) ===
      JSON.stringify(Object.entries(y.params).sort());
  };
  if (saved !== location.hash && same(saved, location.hash)) history.replaceState(null, '', saved);
}

function route() {
  clearTimeout(placeTimer);
  placeTimer = null;
  routedHash = location.hash;
  const { name, params } = parseHash();
  if (name === current.name && current.view) {
    current.params = params;
    current.view.update?.(params);
    return;
  }
  mountView(name, params);
}

function mountView(name, params) {
  current.view?.unmount();
  // Leaving a nav link focused would keep the keys away from the list.
  if (header.contains(document.activeElement)) document.activeElement.blur();
  current = { name, view: VIEWS[name](app), params };
  main.replaceChildren();
  current.view.mount(main, params);
  for (const a of header.querySelectorAll('nav a')) {
    if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

// -- header ----------------------------------------------------------------------
function buildHeader() {
  const link = (name, label, extra) =>
    h('a', { href: '#/' + name, dataset: { view: name } }, label, extra);
  pendingEl = h('span', { class: 'count', attrs: { 'aria-live': 'off' } });
  liveEl = h('span', { class: 'live', attrs: { role: 'status' } });
  langSel = languageSelect('lang-select');
  replaceChildren(header,
    h('a', {
      class: 'skip', href: '#main', on: { click: (e) => { e.preventDefault(); main.focus(); } },
      text: t('app.skip'),
    }),
    h('span', { class: 'brand', text: 'commentd' }),
    h('nav', { attrs: { 'aria-label': t('nav.label') } },
      link('queue', t('nav.queue'), pendingEl),
      link('articles', t('nav.articles')),
      link('stats', t('nav.stats')),
      link('rules', t('nav.rules')),
      app.me.role === 'admin' && link('moderators', t('nav.moderators')),
      link('tokens', t('nav.tokens'))),
    h('span', { class: 'spacer' }),
    liveEl,
    h('label', { class: 'lang' },
      h('span', { class: 'visually-hidden', text: t('lang.label') }), langSel),
    h('span', { class: 'who' }, h('bdi', { text: app.me.name }), ' · ', t('role.' + app.me.role)),
    h('button', {
      type: 'button', class: 'btn btn-link', id: 'logout', text: t('logout'),
      on: { click: logout },
    }));
  for (const a of header.querySelectorAll('nav a'))
    if (a.dataset.view === current.name) a.setAttribute('aria-current', 'page');
  showPending();
  showLive(liveUp);
}

function languageSelect(id) {
  const sel = h('select', { id, on: { change: () => setLang(sel.value) } },
    Object.entries(LANGS).map(([code, l]) =>
      h('option', { value: code, lang: code, text: l.name })));
  sel.value = getLang();
  return sel;
}

let liveUp = false;
function showLive(up) {
  liveUp = up;
  if (!liveEl) return;
  liveEl.textContent = up ? t('live.on') : t('live.off');
  liveEl.title = up ? t('live.title.on') : t('live.title.off');
  liveEl.classList.toggle('up', up);
}

function setPending(n) {
  pending = n;
  showPending();
}

function showPending() {
  if (!pendingEl) return;
  pendingEl.textContent = pending === null ? '' : fmtNumber(pending);
  pendingEl.title = pending === null ? '' : t('nav.pending', { n: pending });
  pendingEl.hidden = pending === null;
  document.title = (pending ? `(${fmtNumber(pending)}) ` : '') + t('app.title');
}

// The queue size in the header follows the live feed between refreshes.
function countEvent(ev) {
  if (pending === null) return;
  if (ev.kind === 'new' && ev.status === 'pending') pending++;
  else if (ev.kind === 'status') {
    if (ev.old_status === 'pending') pending--;
    if (ev.status === 'pending') pending++;
  } else return;
  pending = Math.max(0, pending);
  showPending();
}

async function refreshPending() {
  try { setPending((await get('/stats')).counts.pending); } catch { /* next time */ }
}

// -- keyboard -------------------------------------------------------------------------
// The key a shortcut means, whatever the keyboard layout: an Arabic
// layout sends "ت" for the J key, so letters fall back to the physical
// key (event.code).
function keyOf(e) {
  if (e.key === 'Escape') return 'Escape';
  if (e.key === '؟') return '?';
  if (e.key.length === 1 && e.key.charCodeAt(0) < 128) {
    // Caps Lock must not turn x (select) into X (select all).
    if (/^[A-Z]$/.test(e.key) && !e.shiftKey) return e.key.toLowerCase();
    return e.key;
  }
  const m = /^Key([A-Z])$/.exec(e.code || '');
  if (m) return e.shiftKey ? m[1] : m[1].toLowerCase();
  if (e.code === 'Slash') return e.shiftKey ? '?' : '/';
  return e.key;
}

function onKeydown(e) {
  if (!started || app.loginShown() || e.defaultPrevented ||
    e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  if (document.querySelector('dialog[open]')) return; // the dialog's own keys
  const key = keyOf(e);
  if (isEditable(e.target)) {
    if (key === 'Escape' && current.view?.onFieldEscape?.(e.target)) e.preventDefault();
    return;
  }
  if (key === '?') {
    e.preventDefault();
    showHelp();
    return;
  }
  current.view?.onKey?.(e, key);
}

const HELP_KEYS = [
  ['j', 'help.j'], ['k', 'help.k'], ['a', 'help.a'], ['r', 'help.r'], ['s', 'help.s'],
  ['d', 'help.d'], ['p', 'help.p'], ['x', 'help.x'], ['X', 'help.X'], ['Esc', 'help.esc'],
  ['u', 'help.u'], ['h', 'help.h'],
  ['e', 'help.e'], ['n', 'help.n'], ['/', 'help.slash'], ['?', 'help.question'],
];

function showHelp() {
  openDialog({
    title: t('help.title'),
    className: 'dialog-help',
    build: (close) => [
      h('dl', { class: 'keys' }, HELP_KEYS.map(([k, s]) =>
        [h('dt', {}, h('kbd', { text: k })), h('dd', { text: t(s) })])),
      h('div', { class: 'dialog-buttons' }, h('button', {
        type: 'button', class: 'btn', text: t('close'), autofocus: true,
        on: { click: () => close(true) },
      })),
    ],
    onKeydown: (e, close) => { if (keyOf(e) === '?') { e.preventDefault(); close(true); } },
  }).then(() => current.view?.focus?.());
}

// -- session ------------------------------------------------------------------------------
let loginExpired = false;

function buildLogin() {
  const user = h('input', {
    id: 'login-user', name: 'username', type: 'text', autocomplete: 'username', required: true,
    attrs: { dir: 'ltr', autocapitalize: 'none', spellcheck: 'false' },
  });
  const pass = h('input', {
    id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password',
    required: true, attrs: { dir: 'ltr' },
  });
  const err = h('p', { class: 'form-error', id: 'login-error', attrs: { role: 'alert' } });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: t('login.submit') });
  if (app.me) user.value = app.me.name;
  const form = h('form', {
    class: 'login-form', attrs: { 'aria-labelledby': 'login-h' },
    on: {
      submit: async (e) => {
        e.preventDefault();
        err.textContent = '';
        submit.disabled = true;
        submit.textContent = t('login.busy');
        try {
          const res = await request('POST', '/session',
            { username: user.value.trim(), password: pass.value }, { noAuthRedirect: true });
          pass.value = '';
          loggedIn(res.moderator, res.csrf_token);
        } catch (er) {
          if (er.status === 401) err.textContent = t('login.wrong');
          else if (er.status === 429) {
            const minutes = Math.max(1, Math.ceil((er.retryAfter || 60) / 60));
            err.textContent = t('login.throttled', { minutes });
          } else err.textContent = errorText(er);
          pass.select();
        } finally {
          submit.disabled = false;
          submit.textContent = t('login.submit');
        }
      },
    },
  },
  h('h1', { id: 'login-h', text: t('login.title') }),
  loginExpired && h('p', { class: 'notice', id: 'login-expired', text: t('login.expired') }),
  h('div', { class: 'field' }, h('label', { for: 'login-user', text: t('login.username') }), user),
  h('div', { class: 'field' },
    h('label', { for: 'login-password', text: t('login.password') }), pass),
  err,
  h('div', { class: 'form-buttons' }, submit),
  h('label', { class: 'lang' },
    h('span', { text: t('lang.label') + ' ' }), languageSelect('login-lang')));
  replaceChildren(loginBox, form);
  return { user, pass };
}

function showLogin(expired) {
  loginExpired = expired;
  shell.hidden = true;
  loginBox.hidden = false;
  const { user, pass } = buildLogin();
  (user.value ? pass : user).focus();
}

// Any 401: the session ended (expired, logged out elsewhere, account
// disabled).  Keep everything; ask for the password.
function sessionEnded() {
  if (app.loginShown()) return;
  live.stop();
  setCsrf(null);
  showLogin(true);
}

function loggedIn(moderator, csrf) {
  const previous = app.me;
  app.me = moderator;
  setCsrf(csrf);
  loginBox.hidden = true;
  loginBox.replaceChildren();
  shell.hidden = false;
  buildHeader();
  live.start();
  if (!started) {
    started = true;
    restorePlace();
    refreshPending();
    setInterval(refreshPending, STATS_REFRESH_MS);
    route();
  } else if (previous && previous.name === moderator.name && previous.role === moderator.role) {
    // Same person: the same place, as they left it.
    current.view?.resume?.();
  } else {
    mountView(current.name, parseHash().params);
  }
}

async function logout() {
  try {
    await request('DELETE', '/session');
  } catch (err) {
    if (!err.handled) { toast(errorText(err), 'error'); return; }
  }
  live.stop();
  // A clean page: nothing of this moderator's stays in memory.
  location.replace(location.pathname);
}

// -- start ---------------------------------------------------------------------------------------
async function boot() {
  applyLang();
  header = h('header', { class: 'top' });
  main = h('main', { id: 'main', tabIndex: -1 });
  shell = h('div', { class: 'shell', hidden: true }, header, main);
  loginBox = h('div', { class: 'login', id: 'login', hidden: true });
  document.body.append(shell, loginBox);
  mountToasts();
  onUnauthorized(sessionEnded);
  live.onState(showLive);
  live.onEvent(countEvent);
  window.addEventListener('hashchange', () => { if (started) route(); });
  window.addEventListener('pagehide', writePlace);
  document.addEventListener('keydown', onKeydown);
  onLangChange(() => {
    if (!loginBox.hidden) {
      const u = loginBox.querySelector('#login-user')?.value;
      const { user, pass } = buildLogin();
      if (u) user.value = u;
      (u ? pass : user).focus();
      return;
    }
    buildHeader();
    if (current.view?.rerender) current.view.rerender();
    else if (current.name) mountView(current.name, current.params);
    header.querySelector('#lang-select')?.focus();
  });
  try {
    const s = await get('/session', { noAuthRedirect: true });
    loggedIn(s.moderator, s.csrf_token);
  } catch (err) {
    if (err.status !== 401) toast(errorText(err), 'error');
    showLogin(false);
  }
}

boot();
