// articles.js - the articles list and one article's settings (title,
// address, comment mode).  Everyone may look; only admins may change
// (the server says 403 otherwise; the form says so before anyone tries).
import { h, replaceChildren, safeUrl } from './dom.js';
import { t, fmtDate, fmtNumber } from './i18n.js';
import { get, request, qs, enc, errorText, fieldText } from './api.js';
import { toast } from './ui.js';

const MODES = ['premoderated', 'postmoderated', 'closed'];
const PAGE = 50;

export function createArticles(app) {
  let root, gen = 0, searchTimer;
  let listQ = null;   // the list's search while the list is shown

  function mount(container, params) {
    root = h('section', { class: 'view articles-view' });
    container.append(root);
    render(params);
  }

  function unmount() { gen++; clearTimeout(searchTimer); root?.remove(); }

  function update(params) {
    // Typing in the search box already reloaded the list in place.
    if (!params.key && listQ !== null && (params.q || '') === listQ) return;
    render(params);
  }

  function render(params) {
    gen++;
    listQ = null;
    if (params.key) renderArticle(params.key);
    else renderList(params.q || '');
  }

  // -- the list -----------------------------------------------------------
  function renderList(q) {
    let my = gen;
    let next = null;
    listQ = q;
    // A new search reloads the rows only, so the field keeps its focus.
    const research = () => {
      q = listQ = search.value.trim();
      app.setPlace({ q });
      my = ++gen;
      next = null;
      body.replaceChildren();
      load();
    };
    const search = h('input', {
      id: 'articles-q', type: 'search', value: q, autocomplete: 'off',
      attrs: { dir: 'auto', placeholder: t('articles.search') },
      on: {
        input: () => { clearTimeout(searchTimer); searchTimer = setTimeout(research, 350); },
        keydown: (e) => {
          if (e.key === 'Enter') { e.preventDefault(); clearTimeout(searchTimer); research(); }
        },
      },
    });
    const body = h('tbody');
    const more = h('button', {
      type: 'button', class: 'btn', hidden: true, text: t('queue.more'),
      on: { click: () => load() },
    });
    const status = h('p', { class: 'queue-foot', attrs: { role: 'status' } });
    replaceChildren(root,
      h('h1', { text: t('articles.title') }),
      h('form',
        { class: 'filters', attrs: { role: 'search' }, on: { submit: (e) => e.preventDefault() } },
        h('div', { class: 'field' },
          h('label', { for: 'articles-q', text: t('filter.search') }), search)),
      h('table', { class: 'table articles' },
        h('thead', {}, h('tr', {},
          ['articles.name', 'articles.mode', 'articles.pending', 'articles.approved',
            'articles.created', 'articles.settings']
            .map((k) => h('th', { scope: 'col', text: t(k) })))),
        body),
      status, more);

    async function load() {
      status.textContent = t('queue.loading');
      try {
        const res = await get('/articles' + qs({ q, before: next ?? '', limit: PAGE }));
        if (my !== gen) return;
        for (const a of res.articles) body.append(row(a));
        next = res.next ?? null;
        more.hidden = next === null;
        status.textContent = body.childElementCount === 0 ? t('articles.empty') : '';
      } catch (err) {
        if (!err.handled) toast(errorText(err), 'error');
        status.textContent = '';
      }
    }
    load();
  }

  function row(a) {
    const url = safeUrl(a.url);
    const queueHref = '#/queue' + qs({ article: a.key });
    return h('tr', { dataset: { key: a.key } },
      h('td', {},
        h('div', {}, url
          ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' },
            h('bdi', { text: a.title || a.key }))
          : h('bdi', { text: a.title || t('item.no-title') })),
        h('div', { class: 'muted' }, h('bdi', { class: 'key', text: a.key }))),
      h('td', { class: 'mode', text: t('mode.' + a.mode) }),
      h('td', { class: 'num' }, h('a', { href: queueHref, text: fmtNumber(a.pending) })),
      h('td', { class: 'num', text: fmtNumber(a.approved) }),
      h('td', {}, h('time', { attrs: { datetime: a.created_at }, text: fmtDate(a.created_at) })),
      h('td', {}, h('a', {
        href: '#/articles/' + enc(a.key), class: 'settings-link', text: t('articles.settings'),
      })));
  }

  // -- one article -------------------------------------------------------------
  async function renderArticle(key) {
    const my = gen;
    let a;
    try {
      a = (await get('/articles/' + enc(key))).article;
    } catch (err) {
      if (err.handled) return;
      if (err.status !== 404) { toast(errorText(err), 'error'); return; }
      a = { key, title: null, url: null, mode: 'premoderated', pending: 0, approved: 0 };
    }
    if (my !== gen) return;
    const admin = app.me.role === 'admin';
    const title = h('input', {
      id: 'art-title', type: 'text', value: a.title ?? '', disabled: !admin, attrs: { dir: 'auto' },
    });
    const url = h('input', {
      id: 'art-url', type: 'url', value: a.url ?? '', disabled: !admin, attrs: { dir: 'ltr' },
    });
    const errs = {};
    const err = (name) => (errs[name] = h('p', {
      class: 'field-error', id: `art-${name}-err`, attrs: { 'aria-live': 'polite' },
    }));
    const modes = h('fieldset', { class: 'modes' },
      h('legend', { text: t('article.mode') }),
      MODES.map((m) => h('label', { class: 'mode-choice' },
        h('input', {
          type: 'radio', name: 'mode', value: m, checked: a.mode === m, disabled: !admin,
        }),
        h('span', { class: 'mode-name', text: t('mode.' + m) }),
        h('span', { class: 'muted', text: t(`mode.${m}.hint`) }))),
      err('mode'));
    const formErr = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    const form = h('form', {
      class: 'form article-form',
      on: {
        submit: async (e) => {
          e.preventDefault();
          for (const el of Object.values(errs)) el.textContent = '';
          formErr.textContent = '';
          const mode = form.querySelector('input[name=mode]:checked')?.value;
          const payload = { title: title.value.trim() || null, url: url.value.trim() || null };
          if (mode) payload.mode = mode;
          try {
            const res = await request('PUT', '/articles/' + enc(key), payload);
            toast(t('toast.saved'), 'ok');
            a = res.article;
          } catch (er) {
            if (er.handled) return;
            if (er.fields) {
              for (const [f, code] of Object.entries(er.fields)) {
                if (errs[f]) errs[f].textContent = fieldText(code);
              }
            }
            formErr.textContent = errorText(er);
          }
        },
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'art-key', text: t('article.key') }),
      h('input', {
        id: 'art-key', type: 'text', value: a.key, readOnly: true, attrs: { dir: 'ltr' },
      })),
    h('div', { class: 'field' },
      h('label', { for: 'art-title', text: t('article.name') }), title, err('title')),
    h('div', { class: 'field' },
      h('label', { for: 'art-url', text: t('article.url') }), url, err('url')),
    modes,
    !admin && h('p', { class: 'notice', text: t('article.admin-only') }),
    formErr,
    admin && h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', text: t('save') })));
    replaceChildren(root,
      h('p', { class: 'crumbs' }, h('a', { href: '#/articles', text: t('article.back') })),
      h('h1', {}, t('article.title'), ': ', h('bdi', { text: a.title || a.key })),
      h('p', {},
        h('a', { href: '#/queue' + qs({ article: a.key }), text: t('article.open-queue') }),
        ' · ', t('articles.pending'), ': ', fmtNumber(a.pending),
        ' · ', t('articles.approved'), ': ', fmtNumber(a.approved)),
      form);
    (admin ? title : form.querySelector('a, input'))?.focus();
  }

  return { mount, unmount, update, rerender: () => render(app.params()) };
}
