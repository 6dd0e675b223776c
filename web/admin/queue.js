// queue.js - the moderation queue: the view a moderator spends the shift
// in.  Keyboard first (j/k/a/r/s/d/x/u...), live, and built to stay fast
// with thousands of comments loaded.
//
// How it stays fast: each comment is one <li> created once and kept in
// `items` (id -> {data, el, busy}).  An action or a live event touches
// only that element (removed, replaced by a note, or refilled); the list
// is never rebuilt.  Moving with j/k walks DOM siblings.  Pages come
// from the keyset cursor when a sentinel below the list nears the
// viewport (IntersectionObserver), and items off screen skip rendering
// (content-visibility in admin.css).
//
// How it stays honest: an action is shown at once (the item dims and
// the next one becomes current, so a moderator can keep pressing keys)
// but the item only leaves the list when the server says it moved.  A
// 409 (someone was first) says who and what, in words.  An item another
// moderator handles leaves the list with a note saying who did it.
import { h, replaceChildren, safeUrl, perFrame } from './dom.js';
import { t, tNodes, fmtAge, fmtDate, excerpt, actorName, flagText } from './i18n.js';
import { get, post, qs, errorText } from './api.js';
import { toast, confirmDialog, reasonPicker } from './ui.js';
import * as live from './live.js';
import { showHistory, editComment } from './comment-panel.js';
import { banAuthor } from './rules.js';
// The server's state machine (ALLOWED: checked here only to say
// "restore it first" without a round trip) and batch limit.
import * as moderation from './moderation.js';

const { ACTIONS, ALLOWED, BATCH_MAX, REASONS } = moderation;
const PAGE = 100;              // comments per request (the API allows 200)
const NOTE_MS = 12000;         // how long "approved by X" notes stay
const SEARCH_DEBOUNCE_MS = 350;
const INCOMING_DEBOUNCE_MS = 200;
const RESTORE_MAX_PAGES = 10;  // pages loaded to find the saved item again
export const STATUSES = [...moderation.STATUSES, 'all'];

const KEYS = { approve: 'a', reject: 'r', spam: 's', delete: 'd', restore: 'p' };

export function createQueue(app) {
  // -- state --------------------------------------------------------------
  let filters = { status: 'pending', article: '', q: '', flag: '' };
  let asc = true;                 // pending: oldest first; others newest first
  const items = new Map();        // id -> {data, el, busy}
  const selection = new Set();
  let currentId = null;
  let next = null;                // the keyset cursor of the next page
  let maxId = 0;                  // highest id ever loaded (new ones are above)
  let loading = false;
  let firstLoad = true;           // live events wait until the first page is in
  let pageLoaded = false;         // the first page has come (next === null: all in)
  let buffered = [];
  let generation = 0;             // a filter change makes older answers stale
  let lastAction = null;          // {action, entries: [{data, status}]}
  const incoming = new Set();     // ids announced live, to fetch
  let incomingTimer = null;
  let held = [];                  // newest-first views: new items behind the badge
  const unseen = new Set();       // oldest-first: appended below the viewport
  let reloadCount = 0;            // a search is on: new items need a reload
  let searchTimer = null;
  const myEdits = new Set();      // ids edited here, whose live echo is skipped

  // -- DOM ------------------------------------------------------------------
  let root, toolbar, list, foot, sentinel, badge, batchBar, batchButtons, countEl, selectAll;
  let statusSel, flagSel, articleIn, searchIn, articleList;
  let observer, unsubscribe, ageTimer;
  const onScroll = perFrame(() => { checkUnseen(); });

  function mount(container, params) {
    root = h('section', { class: 'view queue-view', attrs: { 'aria-labelledby': 'queue-h' } });
    list = h('ol', {
      class: 'queue-list', id: 'queue-list', attrs: { 'aria-labelledby': 'queue-h' },
    });
    foot = h('p', { class: 'queue-foot', attrs: { role: 'status' } });
    sentinel = h('div', { class: 'sentinel', attrs: { 'aria-hidden': 'true' } });
    badge = h('button', {
      type: 'button', class: 'new-badge', hidden: true, on: { click: showNew },
    });
    toolbar = h('div', { class: 'toolbar' });
    root.append(toolbar, badge, list, foot, sentinel);
    container.append(root);
    buildToolbar();
    list.addEventListener('click', onListClick);
    list.addEventListener('change', onListChange);
    observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) loadMore();
    }, { rootMargin: '0px 0px 800px 0px' });
    observer.observe(sentinel);
    window.addEventListener('scroll', onScroll, { passive: true });
    unsubscribe = live.onEvent(onLive);
    ageTimer = setInterval(refreshAges, 30000);
    loadArticleChoices();
    setFilters(params);
    reload(params.item);
  }

  function unmount() {
    generation++;
    observer?.disconnect();
    window.removeEventListener('scroll', onScroll);
    unsubscribe?.();
    clearInterval(ageTimer);
    clearTimeout(incomingTimer);
    clearTimeout(searchTimer);
    root?.remove();
  }

  // The route changed while this view stays: reload only if the
  // filters did (not when only the current item moved).
  function update(params) {
    const f = normFilters(params);
    if (f.status === filters.status && f.article === filters.article && f.q === filters.q
        && f.flag === filters.flag) {
      if (params.item && Number(params.item) !== currentId && items.has(Number(params.item)))
        setCurrent(Number(params.item));
      return;
    }
    setFilters(params);
    reload(params.item);
  }

  function normFilters(p) {
    return {
      status: STATUSES.includes(p.status) ? p.status : 'pending',
      article: p.article || '',
      q: p.q || '',
      flag: REASONS.includes(p.flag) ? p.flag : '',
    };
  }

  function setFilters(params) {
    filters = normFilters(params);
    asc = filters.status === 'pending';
    statusSel.value = filters.status;
    flagSel.value = filters.flag;
    if (document.activeElement !== articleIn) articleIn.value = filters.article;
    if (document.activeElement !== searchIn) searchIn.value = filters.q;
    buildBatchButtons();
  }

  function place(extra = {}) {
    return {
      status: filters.status === 'pending' ? '' : filters.status,
      article: filters.article, q: filters.q, flag: filters.flag, ...extra,
    };
  }

  function buildToolbar() {
    statusSel = h('select', { id: 'f-status', on: { change: applyFilters } },
      STATUSES.map((s) => h('option', { value: s, text: t('status.' + s) })));
    // Why the server held a comment (the site's rules, readers' reports).
    flagSel = h('select', { id: 'f-flag', on: { change: applyFilters } },
      h('option', { value: '', text: t('filter.reason.any') }),
      REASONS.map((r) => h('option', { value: r, text: t('reason.' + r) })));
    articleList = articleList || h('datalist', { id: 'f-article-list' });
    articleIn = h('input', {
      id: 'f-article', type: 'text', autocomplete: 'off',
      attrs: { list: 'f-article-list', placeholder: t('filter.article.placeholder'), dir: 'auto' },
      on: {
        change: applyFilters,
        keydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); applyFilters(); } },
      },
    });
    searchIn = h('input', {
      id: 'f-search', type: 'search', autocomplete: 'off',
      attrs: { placeholder: t('filter.search.placeholder'), dir: 'auto', 'aria-keyshortcuts': '/' },
      on: {
        input: () => {
          clearTimeout(searchTimer);
          searchTimer = setTimeout(applyFilters, SEARCH_DEBOUNCE_MS);
        },
        keydown: (e) => {
          if (e.key === 'Enter') { e.preventDefault(); clearTimeout(searchTimer); applyFilters(); }
        },
      },
    });
    selectAll = h('input', {
      type: 'checkbox', id: 'select-all', on: { change: () => toggleSelectAll(selectAll.checked) },
    });
    countEl = h('span', { class: 'batch-count', attrs: { 'aria-live': 'polite' } });
    batchButtons = h('span', { class: 'batch-buttons' });
    batchBar = h('div', { class: 'batch-bar' },
      h('label', { class: 'select-all' }, selectAll, h('span', { text: t('queue.select-all') })),
      countEl,
      batchButtons,
      h('span', { class: 'batch-hint', text: t('queue.batch.hint') }));
    const field = (id, label, input) =>
      h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
    replaceChildren(toolbar,
      h('h1', { id: 'queue-h', class: 'visually-hidden', text: t('nav.queue') }),
      h('form', { class: 'filters', attrs: { role: 'search' },
        on: { submit: (e) => { e.preventDefault(); applyFilters(); } } },
        field('f-status', t('filter.status'), statusSel),
        field('f-flag', t('filter.reason'), flagSel),
        field('f-article', t('filter.article'), articleIn),
        field('f-search', t('filter.search'), searchIn),
        articleList,
        h('button', {
          type: 'button', class: 'btn btn-link', text: t('filter.clear'),
          on: { click: clearFilters },
        })),
      batchBar);
    statusSel.value = filters.status;
    flagSel.value = filters.flag;
    articleIn.value = filters.article;
    searchIn.value = filters.q;
    buildBatchButtons();
  }

  // The batch buttons of the status on view: the actions that can move
  // a comment in it (every action for "all").
  function buildBatchButtons() {
    const actions = filters.status === 'all' ? ACTIONS : ALLOWED[filters.status];
    replaceChildren(batchButtons, actions.map((action) => h('button', {
      type: 'button', class: `btn btn-${action}`, dataset: { batch: action },
      attrs: { 'aria-keyshortcuts': KEYS[action] },
      on: { click: () => act(action, [...selection]) },
    }, t('action.' + action), ' ', h('kbd', { text: KEYS[action] }))));
    updateBatchBar();
  }

  function applyFilters() {
    app.navigate('queue', {
      status: statusSel.value === 'pending' ? '' : statusSel.value,
      article: articleIn.value.trim(),
      q: searchIn.value.trim(),
      flag: flagSel.value,
    });
  }

  function clearFilters() {
    statusSel.value = 'pending';
    flagSel.value = '';
    articleIn.value = '';
    searchIn.value = '';
    applyFilters();
  }

  async function loadArticleChoices() {
    try {
      const res = await get('/articles?limit=100');
      replaceChildren(articleList,
        res.articles.map((a) => h('option', { value: a.key, text: a.title || a.key })));
    } catch { /* only suggestions */ }
  }

  // -- loading ----------------------------------------------------------------
  function clearList() {
    items.clear();
    selection.clear();
    list.replaceChildren();
    currentId = null;
    next = null;
    maxId = 0;
    held = [];
    unseen.clear();
    incoming.clear();
    reloadCount = 0;
    lastAction = null;
    updateBadge();
    updateBatchBar();
  }

  async function reload(wantItem) {
    const gen = ++generation;
    clearList();
    firstLoad = true;
    pageLoaded = false;
    buffered = [];
    loading = false;
    await loadMore(gen);
    if (gen !== generation) return;
    // Find the item the moderator was on (a reload, or logging in again
    // after the session ended): it may be a few pages down.
    const want = Number(wantItem);
    for (let i = 0; want && !items.has(want) && next !== null && i < RESTORE_MAX_PAGES; i++) {
      await loadMore(gen);
      if (gen !== generation) return;
    }
    firstLoad = false;
    const evs = buffered;
    buffered = [];
    evs.forEach(onLive);
    if (want && items.has(want)) setCurrent(want, { focus: 'auto', scroll: 'center' });
    else setCurrent(firstItemId(), { focus: 'auto' });
  }

  let inflight = null;
  function loadMore(gen = generation) {
    if (loading) return inflight;
    if (pageLoaded && next === null) return Promise.resolve();
    inflight = loadPage(gen);
    return inflight;
  }

  async function loadPage(gen) {
    loading = true;
    updateFoot();
    try {
      const res = await get('/comments' + qs({
        status: filters.status, article: filters.article, q: filters.q,
        flag: filters.flag, before: next ?? '', limit: PAGE,
      }));
      if (gen !== generation) return;
      appendItems(res.comments);
      next = res.next ?? null;
      pageLoaded = true;
      if (currentId === null) setCurrent(firstItemId(), { focus: 'auto' });
    } catch (err) {
      if (gen === generation && !err.handled) toast(errorText(err), 'error');
      return;
    } finally {
      if (gen === generation) {
        loading = false;
        updateFoot();
      }
    }
    // Still near the bottom (a short page, or items were removed while
    // loading): the observer won't fire again by itself.
    if (next !== null && sentinel.getBoundingClientRect().top < innerHeight + 800)
      requestAnimationFrame(() => loadMore());
  }

  function appendItems(comments) {
    const frag = document.createDocumentFragment();
    for (const d of comments) {
      if (items.has(d.id)) continue;
      frag.append(addItem(d).el);
    }
    list.append(frag);
  }

  function addItem(d) {
    const it = {
      data: d, el: h('li', { class: 'item', tabIndex: -1, dataset: { id: d.id } }), busy: false,
    };
    fill(it);
    items.set(d.id, it);
    if (d.id > maxId) maxId = d.id;
    return it;
  }

  function updateFoot() {
    let text = '';
    if (loading) text = t('queue.loading');
    else if (items.size === 0) {
      text = filters.status === 'pending' && !filters.q
        ? t('queue.empty.pending')
        : t('queue.empty');
    } else if (next === null) text = t('queue.end');
    foot.textContent = text;
    foot.classList.toggle('empty', !loading && items.size === 0);
  }

  // -- one comment's element ----------------------------------------------------
  function fill(it) {
    const d = it.data;
    const el = it.el;
    const isCurrent = d.id === currentId;
    el.classList.toggle('selected', selection.has(d.id));
    el.setAttribute('aria-label', `${d.author}: ${excerpt(d.body, 80)}`);
    const check = h('input', {
      type: 'checkbox', class: 'item-check', checked: selection.has(d.id),
      tabIndex: isCurrent ? 0 : -1,
      attrs: { 'aria-label': `${t('action.select')} #${d.id}`, 'aria-keyshortcuts': 'x' },
    });
    const hist = d.author_history || { approved: 0, rejected: 0, spam: 0 };
    const hasRecord = hist.approved + hist.rejected + hist.spam > 0;
    const recordClass = hasRecord
      ? 'record' + (hist.rejected + hist.spam > 0 ? ' record-bad' : '') : 'record record-none';
    const meta = h('div', { class: 'item-meta' },
      h('bdi', { class: 'author', text: d.author }),
      d.email && h('div', { class: 'email' },
        h('span', { class: 'label', text: t('item.email') + ': ' }), h('bdi', { text: d.email })),
      d.ip && h('div', { class: 'ip' },
        h('span', { class: 'label', text: t('item.ip') + ': ' }), h('bdi', { text: d.ip })),
      // Absent, not null: the server keeps them from this account.
      !('ip' in d) && h('div', { class: 'personal-hidden muted', text: t('item.personal-hidden') }),
      h('time', {
        class: 'age', dataset: { ts: d.created_at },
        attrs: { datetime: d.created_at, title: fmtDate(d.created_at) },
        text: fmtAge(d.created_at),
      }),
      h('div', { class: recordClass },
        hasRecord ? t('item.record', hist) : t('item.record.none')),
      (d.spam_flags?.length > 0 || d.spam_score > 0) && h('ul', { class: 'flags' },
        d.spam_score > 0 && h('li', {
          class: 'flag', text: t('item.spam-score', { score: d.spam_score }),
        }),
        (d.spam_flags || []).map((f) => h('li', {
          class: `flag flag-${f.replace(/[^a-z0-9_-]/gi, '')}`,
          text: flagText(f, d.flag_details),
        }))));
    const url = safeUrl(d.article?.url);
    const articleTitle = d.article?.title || d.article?.key || t('item.no-title');
    const main = h('div', { class: 'item-main' },
      h('div', { class: 'item-article' },
        url ? h('a', {
          href: url, target: '_blank', rel: 'noopener noreferrer', tabIndex: -1,
          attrs: { title: t('item.open-article') },
        }, h('bdi', { text: articleTitle }))
          : h('bdi', { class: 'article-title', text: articleTitle }),
        !filters.article && h('button', {
          type: 'button', class: 'btn-link filter-article', tabIndex: -1,
          dataset: { article: d.article.key }, text: t('filter.this-article'),
        })),
      d.parent && h('blockquote', { class: 'parent' },
        h('span', { class: 'parent-label' },
          tNodes('item.reply-to', { author: d.parent.author })), ' ',
        h('span', { class: 'parent-text', attrs: { dir: 'auto' }, text: d.parent.excerpt })),
      h('p', { class: 'body', attrs: { dir: 'auto' }, text: d.body }),
      d.status !== 'pending' && h('p', { class: `status-line status-${d.status}` },
        d.moderated_by
          ? tNodes(d.moderated_by === app.me.name ? 'item.moderated.you' : 'item.moderated',
            { status: t('status.' + d.status), actor: actorName(d.moderated_by) })
          : t('status.' + d.status),
        d.moderated_at && h('time', {
          class: 'age', dataset: { ts: d.moderated_at },
          attrs: { datetime: d.moderated_at, title: fmtDate(d.moderated_at) },
          text: ' · ' + fmtAge(d.moderated_at),
        })),
      it.note && h('p', { class: 'item-note', attrs: { role: 'status' } },
        typeof it.note === 'string' ? it.note : it.note.cloneNode(true)));
    const btn = (action, key) => h('button', {
      type: 'button', class: `btn btn-${action}`, dataset: { action }, tabIndex: isCurrent ? 0 : -1,
      attrs: { 'aria-keyshortcuts': key },
    }, t('action.' + action), ' ', h('kbd', { text: key }));
    const allowed = ALLOWED[d.status] || [];
    // The author's standing: approve and trust them (later comments are
    // published at once unless a rule holds them), or ban them.
    const more = (action) => h('button', {
      type: 'button', class: `btn btn-${action}`, dataset: { action },
      tabIndex: isCurrent ? 0 : -1, text: t('action.' + action),
    });
    const actions = h('div', { class: 'item-actions' },
      allowed.map((action) => btn(action, KEYS[action])),
      btn('history', 'h'),
      btn('edit', 'e'),
      allowed.includes('approve') && !d.author_trusted && more('trust'),
      more('ban'));
    el.replaceChildren(h('div', { class: 'item-select' }, check), meta, main, actions);
  }

  function setBusy(it, busy) {
    it.busy = busy;
    it.el.classList.toggle('busy', busy);
    if (busy) it.el.setAttribute('aria-busy', 'true'); else it.el.removeAttribute('aria-busy');
  }

  function refreshAges() {
    for (const el of list.querySelectorAll('time[data-ts]')) {
      const s = fmtAge(el.dataset.ts);
      el.textContent = el.textContent.startsWith(' · ') ? ' · ' + s : s;
    }
  }

  // -- current item and moving ---------------------------------------------------
  function isItem(el) {
    return el && el.classList.contains('item') && !el.classList.contains('busy');
  }

  function firstItemId() {
    for (let el = list.firstElementChild; el; el = el.nextElementSibling)
      if (isItem(el)) return Number(el.dataset.id);
    return null;
  }

  function neighbour(el, dir) {
    let n = dir > 0 ? el.nextElementSibling : el.previousElementSibling;
    while (n && !isItem(n)) n = dir > 0 ? n.nextElementSibling : n.previousElementSibling;
    return n;
  }

  // focus: true, false, or 'auto' (only if the moderator isn't typing
  // somewhere else or looking at a dialog).
  function setCurrent(id, { focus = true, scroll = 'nearest' } = {}) {
    const old = currentId !== null ? items.get(currentId) : null;
    if (old && old.el) {
      old.el.classList.remove('current');
      old.el.removeAttribute('aria-current');
      old.el.tabIndex = -1;
      for (const c of old.el.querySelectorAll('button, input')) c.tabIndex = -1;
    }
    const it = id !== null ? items.get(id) : null;
    currentId = it ? id : null;
    app.setPlace(place({ item: currentId ?? '' }));
    if (!it) return;
    it.el.classList.add('current');
    it.el.setAttribute('aria-current', 'true');
    it.el.tabIndex = 0;
    for (const c of it.el.querySelectorAll('.item-actions button, .item-check')) c.tabIndex = 0;
    const active = document.activeElement;
    const may = focus === true || (focus === 'auto' && !document.querySelector('dialog[open]') &&
      !app.loginShown() && (!active || active === document.body || list.contains(active)));
    if (may) it.el.focus({ preventScroll: true });
    it.el.scrollIntoView({ block: scroll });
  }

  // Puts the focus back on the current comment (after a dialog, a
  // login, or leaving a field with Esc).
  function focusCurrent() {
    const it = currentId !== null ? items.get(currentId) : null;
    if (it) it.el.focus({ preventScroll: true });
    else list.focus?.();
  }

  // Moves run one after another: a j pressed while the next page is
  // loading waits for it instead of being lost.
  let moves = Promise.resolve();
  function move(dir) {
    // A failed move must not stop the ones after it (a rejected chain
    // would skip them all); the error is still reported.
    moves = moves.then(() => moveNow(dir)).catch((e) => { setTimeout(() => { throw e; }); });
    return moves;
  }

  async function moveNow(dir) {
    const it = currentId !== null ? items.get(currentId) : null;
    if (!it) { setCurrent(firstItemId()); return; }
    let n = neighbour(it.el, dir);
    if (!n && dir > 0 && next !== null) {
      await loadMore();
      n = neighbour(it.el, dir);
    }
    if (n) setCurrent(Number(n.dataset.id));
    else it.el.scrollIntoView({ block: 'nearest' });
  }

  // The current item is leaving (or busy): the next one down becomes
  // current, or the one above at the end of the list.
  function advanceFrom(el) {
    const n = neighbour(el, 1) || neighbour(el, -1);
    setCurrent(n ? Number(n.dataset.id) : null, { focus: 'auto' });
  }

  // -- selection -------------------------------------------------------------------
  function toggleSelect(id, on = !selection.has(id)) {
    const it = items.get(id);
    if (!it || it.busy) return;
    if (on) selection.add(id); else selection.delete(id);
    it.el.classList.toggle('selected', on);
    const c = it.el.querySelector('.item-check');
    if (c) c.checked = on;
    updateBatchBar();
  }

  function toggleSelectAll(on) {
    for (const [id, it] of items) {
      if (it.busy) continue;
      if (on) selection.add(id); else selection.delete(id);
      it.el.classList.toggle('selected', on);
      const c = it.el.querySelector('.item-check');
      if (c) c.checked = on;
    }
    updateBatchBar();
  }

  function clearSelection() { if (selection.size) toggleSelectAll(false); }

  function updateBatchBar() {
    if (!countEl) return;
    for (const id of selection) if (!items.has(id)) selection.delete(id);
    countEl.textContent = t('queue.selected', { n: selection.size });
    countEl.title = t('queue.batch.hint');
    batchBar.classList.toggle('active', selection.size > 0);
    for (const b of batchBar.querySelectorAll('[data-batch]')) b.disabled = selection.size === 0;
    const n = [...items.values()].filter((it) => !it.busy).length;
    selectAll.checked = n > 0 && selection.size === n;
    selectAll.indeterminate = selection.size > 0 && selection.size < n;
  }

  // -- actions -----------------------------------------------------------------------
  // The targets of a key: the selection when there is one, else the
  // current comment.
  function targets() {
    if (selection.size > 0) return [...selection];
    return currentId !== null ? [currentId] : [];
  }

  async function act(action, ids) {
    await moves;   // after the j/k pressed before it
    ids = ids || targets();
    const its = ids.map((id) => items.get(id)).filter((it) => it && !it.busy);
    if (its.length === 0) { toast(t('toast.no-current')); return; }
    // Only what the status allows; say so plainly instead of asking the
    // server to refuse.
    const bad = its.find((it) => !(ALLOWED[it.data.status] || []).includes(action));
    if (bad) {
      toast(t('err.invalid_transition', { from: t('status.' + bad.data.status) }), 'warn');
      return;
    }
    let reason;
    if (action === 'reject') {
      const r = await reasonPicker(its.length);
      if (!r) { focusCurrent(); return; }
      reason = r.reason;
    } else if (action === 'delete') {
      const ok = await confirmDialog({
        title: its.length > 1
          ? t('confirm.delete.batch', { n: its.length }) : t('confirm.delete.title'),
        text: t('confirm.delete.body'), yes: t('confirm.yes'),
      });
      if (!ok) { focusCurrent(); return; }
    }
    // Still there after the dialog?  (A live event may have taken some.)
    const still = its.filter((it) => items.get(it.data.id) === it && !it.busy);
    if (still.length === 0) return;
    if (still.length === 1) await actOne(still[0], action, reason);
    else await actMany(still, action, reason);
  }

  async function actOne(it, action, reason, extra = {}) {
    const id = it.data.id;
    const wasCurrent = id === currentId;
    setBusy(it, true);
    selection.delete(id);
    if (wasCurrent) advanceFrom(it.el);
    updateBatchBar();
    const body = { from: it.data.status, ...extra };
    if (reason) body.reason = reason;
    try {
      const res = await post(`/comments/${id}/${action}`, body);
      const c = res.comment;
      lastAction = { action, entries: [{ data: { ...it.data }, status: c.status }] };
      moved(it, c.status, c.moderated_by, c.moderated_at);
      toast(t('toast.done', {
        n: 1, done: t('done.' + c.status), noun: t('noun.' + c.status),
        excerpt: excerpt(it.data.body, 40),
      }), 'ok');
    } catch (err) {
      if (err.status === 409 && err.current) {
        conflicted(it, err.current);
        return;
      }
      setBusy(it, false);
      updateBatchBar();
      if (items.has(id)) setCurrent(id, { focus: 'auto' });
      if (!err.handled) toast(actionErrorText(err, it), 'error');
    }
  }

  // Several comments: pending ones in batch requests (up to 200 ids
  // each); others one by one, since a batch cannot say which status the
  // moderator saw.
  async function actMany(its, action, reason) {
    for (const it of its) setBusy(it, true);
    const cur = currentId !== null ? items.get(currentId) : null;
    if (cur && cur.busy) advanceFrom(cur.el);
    selection.clear();
    for (const it of items.values()) it.el.classList.remove('selected');
    for (const c of list.querySelectorAll('.item-check:checked')) c.checked = false;
    updateBatchBar();
    const done = [];
    let conflicts = 0;
    let failure = null;
    const pending = its.filter((it) => it.data.status === 'pending');
    const others = its.filter((it) => it.data.status !== 'pending');
    for (let i = 0; i < pending.length; i += BATCH_MAX) {
      const chunk = pending.slice(i, i + BATCH_MAX);
      const body = { ids: chunk.map((it) => it.data.id), action };
      if (reason) body.reason = reason;
      let res;
      try {
        res = await post('/comments/batch', body);
      } catch (err) {
        failure = failure || err;
        for (const it of chunk) setBusy(it, false);
        continue;
      }
      const byId = new Map(chunk.map((it) => [it.data.id, it]));
      for (const r of res.results) {
        const it = byId.get(r.id);
        if (!it) continue;
        if (r.ok) {
          done.push({ data: { ...it.data }, status: r.status });
          moved(it, r.status, app.me.name, new Date().toISOString());
        } else if (r.error?.code === 'conflict' && r.error.current) {
          conflicts++;
          conflicted(it, r.error.current, true);
        } else {
          setBusy(it, false);
          failure = failure || { message: r.error?.message, code: r.error?.code };
        }
      }
    }
    for (const it of others) {
      const body = { from: it.data.status };
      if (reason) body.reason = reason;
      try {
        const res = await post(`/comments/${it.data.id}/${action}`, body);
        done.push({ data: { ...it.data }, status: res.comment.status });
        moved(it, res.comment.status, res.comment.moderated_by, res.comment.moderated_at);
      } catch (err) {
        if (err.status === 409 && err.current) {
          conflicts++;
          conflicted(it, err.current, true);
        } else {
          setBusy(it, false);
          failure = failure || err;
        }
      }
    }
    updateBatchBar();
    if (done.length) {
      lastAction = { action, entries: done };
      const st = done[0].status;
      toast(t('toast.done', {
        n: done.length, done: t('done.' + st), noun: t('noun.' + st),
        excerpt: excerpt(done[0].data.body, 40),
      }), 'ok');
    }
    if (conflicts) toast(t('toast.batch-conflicts', { n: conflicts }), 'warn');
    if (failure && !failure.handled)
      toast(failure instanceof Error ? errorText(failure) : actionErrorText(failure), 'error');
    if (currentId === null) setCurrent(firstItemId(), { focus: 'auto' });
  }

  function actionErrorText(err, it) {
    if (err.code === 'invalid_transition')
      return t('err.invalid_transition', { from: t('status.' + (it?.data.status || '')) });
    if (err.code === 'parent_not_approved') return t('err.parent_not_approved');
    return err instanceof Error
      ? errorText(err)
      : (err.message || t('err.generic', { status: '', message: err.code }));
  }

  // The server moved a comment (our action, or someone else's): it
  // leaves a filtered list, or is refilled in place in "all".
  function moved(it, status, by, at, note) {
    it.data = {
      ...it.data, status,
      moderated_by: by ?? it.data.moderated_by, moderated_at: at ?? it.data.moderated_at,
    };
    if (matches(it.data)) {
      it.note = note || null;
      setBusy(it, false);
      fill(it);
      return;
    }
    removeItem(it, note);
  }

  // A 409: someone else was first.  Say who, plainly, where the comment
  // was and in a notice.
  function conflicted(it, current, quiet = false) {
    const mine = current.moderated_by === app.me.name;
    const text = current.status === 'pending'
      ? t('err.not_found')
      : t(mine ? 'toast.conflict.you' : 'toast.conflict',
        { done: t('done.' + current.status), actor: actorName(current.moderated_by) });
    if (!quiet) toast(text, 'warn');
    moved(it, current.status, current.moderated_by, current.moderated_at, text);
  }

  function removeItem(it, note) {
    const id = it.data.id;
    if (currentId === id) advanceFrom(it.el);
    items.delete(id);
    selection.delete(id);
    unseen.delete(id);
    if (note) {
      const li = h('li', {
        class: 'note', dataset: { noteFor: id }, attrs: { role: 'status' },
      }, note);
      it.el.replaceWith(li);
      setTimeout(() => li.remove(), NOTE_MS);
    } else {
      it.el.remove();
    }
    updateBatchBar();
    updateFoot();
    updateBadge();
  }

  function matches(d) {
    if (filters.article && d.article?.key !== filters.article) return false;
    if (filters.flag && !(d.spam_flags || []).includes(filters.flag)) return false;
    return filters.status === 'all' || d.status === filters.status;
  }

  // u: the last action, undone (its comments go back to pending).
  async function undo() {
    const la = lastAction;
    if (!la) { toast(t('toast.nothing-to-undo')); return; }
    lastAction = null;
    const back = [];
    let conflicts = 0;
    try {
      if (la.entries.length === 1) {
        const e = la.entries[0];
        try {
          const res = await post(`/comments/${e.data.id}/restore`, { from: e.status });
          back.push({
            ...e.data, status: res.comment.status,
            moderated_by: res.comment.moderated_by, moderated_at: res.comment.moderated_at,
          });
        } catch (err) {
          if (err.status !== 409 || !err.current) throw err;
          const mine = err.current.moderated_by === app.me.name;
          toast(t(mine ? 'toast.conflict.you' : 'toast.conflict', {
            done: t('done.' + err.current.status), actor: actorName(err.current.moderated_by),
          }), 'warn');
          return;
        }
      } else {
        for (let i = 0; i < la.entries.length; i += BATCH_MAX) {
          const chunk = la.entries.slice(i, i + BATCH_MAX);
          const res = await post('/comments/batch',
            { ids: chunk.map((e) => e.data.id), action: 'restore' });
          const byId = new Map(chunk.map((e) => [e.data.id, e]));
          for (const r of res.results) {
            if (r.ok)
              back.push({ ...byId.get(r.id).data, status: r.status, moderated_by: app.me.name });
            else conflicts++;
          }
        }
      }
    } catch (err) {
      lastAction = la;
      if (!err.handled) toast(errorText(err), 'error');
      return;
    }
    let first = null;
    for (const d of back.sort((a, b) => (asc ? a.id - b.id : b.id - a.id))) {
      const existing = items.get(d.id);
      if (existing) {
        moved(existing, d.status, d.moderated_by, d.moderated_at);
        first = first ?? d.id;
        continue;
      }
      if (matches(d) && insertSorted(d)) first = first ?? d.id;
    }
    if (first !== null) setCurrent(first, { focus: 'auto' });
    toast(t('toast.undone', { n: back.length }), 'ok');
    if (conflicts) toast(t('toast.batch-conflicts', { n: conflicts }), 'warn');
    updateFoot();
  }

  // Puts a comment where the list's order says, if that place is
  // loaded (otherwise the next page brings it).  True if inserted.
  function insertSorted(d) {
    if (items.has(d.id)) return false;
    if (next !== null && (asc ? d.id > Number(next) : d.id < Number(next))) return false;
    let ref = null;
    for (let el = list.firstElementChild; el; el = el.nextElementSibling) {
      if (!el.classList.contains('item')) continue;
      const cid = Number(el.dataset.id);
      if (asc ? cid > d.id : cid < d.id) { ref = el; break; }
    }
    const it = addItem(d);
    list.insertBefore(it.el, ref);
    updateFoot();
    updateBatchBar();
    return true;
  }

  // -- live --------------------------------------------------------------------------
  function onLive(ev) {
    if (ev.kind !== 'new' && ev.kind !== 'status' && ev.kind !== 'edit') return;
    if (firstLoad) { buffered.push(ev); return; }
    const id = ev.comment_id;
    const it = items.get(id);
    if (ev.kind === 'edit') {
      // Edits made here are shown already (edit()); others are fetched.
      if (myEdits.delete(id)) return;
      if (it && !it.busy) refreshItem(it, ev.actor);
      return;
    }
    if (filters.article && ev.article !== filters.article) return;
    if (it) {
      // Our own action is on its way: its answer decides.
      if (it.busy || ev.status === it.data.status) return;
      const actor = ev.actor === app.me.name ? t('mods.you') : actorName(ev.actor);
      const note = tNodes('note.by-other',
        { excerpt: excerpt(it.data.body, 40), done: t('done.' + ev.status), actor });
      moved(it, ev.status, ev.actor, ev.created_at, note);
      return;
    }
    const heldAt = held.findIndex((d) => d.id === id);
    if (heldAt >= 0 && ev.status !== held[heldAt].status) {
      held.splice(heldAt, 1);
      updateBadge();
    }
    if (filters.status !== 'all' && ev.status !== filters.status) return;
    if (filters.q || filters.flag) {
      // A search or a reason: only the server knows whether the new
      // comment matches (Arabic folding, the rules); offer a reload.
      reloadCount++;
      updateBadge();
      return;
    }
    incoming.add(id);
    clearTimeout(incomingTimer);
    incomingTimer = setTimeout(fetchIncoming, INCOMING_DEBOUNCE_MS);
  }

  async function refreshItem(it, actor) {
    try {
      const res = await get(`/comments/${it.data.id}`);
      if (items.get(it.data.id) !== it) return;
      it.data = res.comment;
      it.note = actor ? tNodes('item.edited-by', { actor }) : null;
      fill(it);
      if (it.data.id === currentId) setCurrent(it.data.id, { focus: 'auto' });
    } catch { /* the next reload shows it */ }
  }

  // New comments (and ones sent back to the queue) announced live.  The
  // ones above everything loaded come in one list request; older ids
  // (restored comments) one by one.
  async function fetchIncoming() {
    const gen = generation;
    const ids = [...incoming].filter((id) => !items.has(id));
    incoming.clear();
    const newer = ids.filter((id) => id > maxId);
    const older = ids.filter((id) => id <= maxId);
    try {
      if (newer.length && asc && next === null) {
        // An empty list has no cursor (the API takes no "before=0").
        const res = await get('/comments' + qs({
          status: filters.status, article: filters.article, before: maxId || '', limit: PAGE,
        }));
        if (gen !== generation) return;
        appendNewAtEnd(res.comments);
        if (res.next !== null && res.next !== undefined) next = res.next;
      } else if (newer.length && !asc) {
        const res = await get('/comments' +
          qs({ status: filters.status, article: filters.article, limit: PAGE }));
        if (gen !== generation) return;
        const fresh = res.comments.filter((d) =>
          d.id > maxId && !items.has(d.id) && !held.some((x) => x.id === d.id));
        addNewAtTop(fresh);
      }
      for (const id of older) {
        const res = await get(`/comments/${id}`);
        if (gen !== generation) return;
        if (matches(res.comment)) insertSorted(res.comment);
      }
    } catch (err) {
      if (!err.handled && gen === generation) toast(errorText(err), 'error');
    }
    if (currentId === null) setCurrent(firstItemId(), { focus: 'auto' });
    updateFoot();
  }

  // Oldest-first: new comments belong at the end.  Nothing moves on
  // screen; the badge says how many arrived out of view.
  function appendNewAtEnd(comments) {
    const fresh = comments.filter((d) => !items.has(d.id));
    if (!fresh.length) return;
    appendItems(fresh);
    for (const d of fresh) {
      const r = items.get(d.id).el.getBoundingClientRect();
      if (r.top > innerHeight) unseen.add(d.id);
    }
    updateBadge();
    updateBatchBar();
  }

  // Newest-first: new comments belong at the top.  If the moderator has
  // scrolled down they wait behind the badge instead of pushing the page
  // under their eyes.
  function addNewAtTop(fresh) {
    if (!fresh.length) return;
    if (scrollY < 80 && held.length === 0) insertTop(fresh);
    else { held = fresh.concat(held); updateBadge(); }
  }

  function insertTop(ds) {
    const frag = document.createDocumentFragment();
    for (const d of ds.sort((a, b) => b.id - a.id))
      if (!items.has(d.id)) frag.append(addItem(d).el);
    list.prepend(frag);
    updateFoot();
    updateBatchBar();
  }

  function checkUnseen() {
    if (!unseen.size) return;
    for (const id of unseen) {
      const it = items.get(id);
      if (!it || it.el.getBoundingClientRect().top < innerHeight) unseen.delete(id);
    }
    updateBadge();
  }

  function updateBadge() {
    if (!badge) return;
    let text = '';
    if (reloadCount) text = t('queue.new.reload', { n: reloadCount });
    else if (held.length) text = '↑ ' + t('queue.new', { n: held.length });
    else if (unseen.size) text = '↓ ' + t('queue.new', { n: unseen.size });
    badge.hidden = !text;
    badge.textContent = text;
    if (text) badge.append(' ', h('kbd', { text: 'n' }));
  }

  // n, or a click on the badge: show what arrived.
  function showNew() {
    if (reloadCount) { reload(); return; }
    if (held.length) {
      const ds = held;
      held = [];
      insertTop(ds);
      updateBadge();
      scrollTo({ top: 0 });
      setCurrent(ds.reduce((m, d) => Math.max(m, d.id), 0));
      return;
    }
    if (unseen.size) {
      const first = Math.min(...unseen);
      unseen.clear();
      updateBadge();
      setCurrent(first, { scroll: 'center' });
    }
  }

  // -- mouse ---------------------------------------------------------------------------
  function onListClick(e) {
    const li = e.target.closest('li.item');
    if (!li) return;
    const id = Number(li.dataset.id);
    const b = e.target.closest('button');
    if (b && b.dataset.action) {
      setCurrent(id, { focus: false });
      itemCommand(b.dataset.action, id);
      return;
    }
    if (b && b.dataset.article) {
      app.navigate('queue', {
        status: filters.status === 'pending' ? '' : filters.status,
        article: b.dataset.article, q: filters.q, flag: filters.flag,
      });
      return;
    }
    if (e.target.closest('a, input')) return;
    setCurrent(id);
  }

  function onListChange(e) {
    if (!e.target.classList.contains('item-check')) return;
    const li = e.target.closest('li.item');
    if (li) toggleSelect(Number(li.dataset.id), e.target.checked);
  }

  function itemCommand(cmd, id) {
    const it = items.get(id);
    if (!it) return;
    if (cmd === 'history') showHistory(it.data).then(focusCurrent);
    else if (cmd === 'edit') edit(it);
    else if (cmd === 'trust' && !it.busy) actOne(it, 'approve', null, { trust_author: true });
    else if (cmd === 'ban') {
      banAuthor(it.data).catch((err) => {
        if (!err.handled) toast(errorText(err), 'error');
      }).finally(focusCurrent);
    } else act(cmd, [id]);
  }

  async function edit(it) {
    const updated = await editComment(it.data);
    if (updated) myEdits.add(updated.id);
    if (updated && items.get(it.data.id) === it) {
      it.data = { ...it.data, body: updated.body };
      it.note = null;
      fill(it);
      if (it.data.id === currentId) setCurrent(it.data.id);
    } else focusCurrent();
  }

  // -- keyboard ------------------------------------------------------------------------
  // The app sends every key press not meant for a field or a dialog.
  function onKey(e, key) {
    const cur = currentId;
    switch (key) {
      case 'j': move(1); break;
      case 'k': move(-1); break;
      case 'a': act('approve'); break;
      case 'r': act('reject'); break;
      case 's': act('spam'); break;
      case 'd': act('delete'); break;
      case 'p': act('restore'); break;
      case 'x': if (cur !== null) toggleSelect(cur); break;
      case 'X':
        toggleSelectAll(selection.size === 0 ||
          selection.size < [...items.values()].filter((i) => !i.busy).length);
        break;
      case 'u': undo(); break;
      case 'h': if (cur !== null) itemCommand('history', cur); break;
      case 'e': if (cur !== null) itemCommand('edit', cur); break;
      case 'n': showNew(); break;
      case '/': searchIn.focus(); searchIn.select(); break;
      case 'Escape': clearSelection(); break;
      default: return false;
    }
    e.preventDefault();
    return true;
  }

  // Esc in a filter field: back to the list.
  function onFieldEscape(el) {
    if (!root.contains(el)) return false;
    el.blur();
    focusCurrent();
    return true;
  }

  function rerender() {
    buildToolbar();
    for (const it of items.values()) fill(it);
    if (currentId !== null) setCurrent(currentId, { focus: 'auto' });
    updateFoot();
    updateBadge();
  }

  // After logging in again: the same place, the focus back on it.
  function resume() {
    // The session ended before the first page came: load it now.
    if (!pageLoaded) { reload(app.params().item); return; }
    if (currentId !== null && items.has(currentId))
      setCurrent(currentId, { focus: true, scroll: 'center' });
    else focusCurrent();
  }

  return { mount, unmount, update, onKey, onFieldEscape, rerender, resume, focus: focusCurrent };
}
