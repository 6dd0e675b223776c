// tokens.js - the live credentials: API tokens (for commentctl and
// scripts) and login sessions.  A moderator sees and revokes their own,
// an admin everyone's.  A new token's secret is shown once, in a
// dialog, and kept nowhere; the server keeps only its hash.
import { h, replaceChildren } from './dom.js';
import { t, fmtDate } from './i18n.js';
import { get, post, request, qs, errorText, fieldText } from './api.js';
import { toast, confirmDialog, secretDialog } from './ui.js';

export function createTokens(app) {
  let root, tbody, moreBtn, next = null, gen = 0;
  const admin = app.me.role === 'admin';

  function mount(container) {
    root = h('section', { class: 'view tokens-view' });
    container.append(root);
    tbody = h('tbody');
    moreBtn = h('button', {
      type: 'button', class: 'btn', hidden: true, text: t('queue.more'),
      on: { click: () => load(true) },
    });
    const cols = ['tokens.kind', 'tokens.label', 'tokens.created', 'tokens.expires', ''];
    if (admin) cols.unshift('tokens.moderator');
    replaceChildren(root,
      h('h1', { text: t('tokens.title') }),
      h('p', { class: 'muted', text: admin ? t('tokens.intro.admin') : t('tokens.intro') }),
      addForm(),
      h('table', { class: 'table tokens' },
        h('thead', {}, h('tr', {},
          cols.map((k) => h('th', { scope: 'col', text: k ? t(k) : '' })))),
        tbody),
      moreBtn);
    load(false);
  }

  function unmount() { gen++; root?.remove(); }

  async function load(more) {
    const my = ++gen;
    try {
      const res = await get('/tokens' + qs({ before: more ? next : null }));
      if (my !== gen) return;
      const rows = res.tokens.map(row);
      if (more) tbody.append(...rows);
      else if (rows.length) replaceChildren(tbody, rows);
      else {
        replaceChildren(tbody, h('tr', {}, h('td', {
          colSpan: admin ? 6 : 5, class: 'muted', text: t('tokens.none'),
        })));
      }
      next = res.next;
      moreBtn.hidden = !next;
    } catch (err) {
      if (!err.handled) toast(errorText(err), 'error');
    }
  }

  const time = (ts) => h('time', { attrs: { datetime: ts }, text: fmtDate(ts) });

  function row(tok) {
    const name = tok.label || t('tokens.kind.' + tok.kind);
    return h('tr', { dataset: { id: tok.id, kind: tok.kind } },
      admin && h('td', {}, h('bdi', { text: tok.moderator })),
      h('td', { class: 'kind', text: t('tokens.kind.' + tok.kind) }),
      h('th', { scope: 'row' },
        tok.label ? h('bdi', { attrs: { dir: 'auto' }, text: tok.label })
          : h('span', { class: 'muted', text: '—' }),
        tok.current && h('span', { class: 'muted current', text: ` (${t('tokens.current')})` })),
      h('td', {}, time(tok.created_at)),
      h('td', {}, time(tok.expires_at)),
      h('td', {}, h('button', {
        type: 'button', class: 'btn', dataset: { act: 'revoke' }, text: t('tokens.revoke'),
        attrs: { 'aria-label': `${t('tokens.revoke')}: ${name} #${tok.id}` },
        on: { click: () => revoke(tok, name) },
      })));
  }

  async function revoke(tok, name) {
    const ok = await confirmDialog({
      title: t('tokens.revoke'),
      text: tok.current ? t('tokens.confirm-revoke.current')
        : t('tokens.confirm-revoke', { name, id: tok.id }),
      yes: t('tokens.revoke'),
    });
    if (!ok) return;
    try {
      await request('DELETE', '/tokens/' + tok.id);
      // Revoking the session in use logs out: the next call's 401
      // brings the login form.
      toast(t('tokens.revoked'), 'ok');
      await load(false);
    } catch (err) {
      if (!err.handled) toast(errorText(err), 'error');
    }
  }

  function addForm() {
    const label = h('input', {
      id: 'token-label', type: 'text', autocomplete: 'off', required: true, maxLength: 100,
      attrs: { dir: 'auto' },
    });
    const days = h('input', {
      id: 'token-days', type: 'number', min: 1, max: 3650, value: 365, required: true,
      attrs: { dir: 'ltr' },
    });
    const errs = {
      label: h('p', { class: 'field-error', attrs: { 'aria-live': 'polite' } }),
      days: h('p', { class: 'field-error', attrs: { 'aria-live': 'polite' } }),
    };
    const formErr = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    const form = h('form', {
      class: 'form add-token',
      on: {
        submit: async (e) => {
          e.preventDefault();
          for (const el of Object.values(errs)) el.textContent = '';
          formErr.textContent = '';
          try {
            const res = await post('/tokens', {
              label: label.value.trim(), days: Number(days.value),
            });
            form.reset();
            await load(false);
            await secretDialog({
              title: t('tokens.secret.title', { name: res.token.label }),
              text: t('tokens.secret.once'),
              secret: res.secret,
            });
            label.focus();
          } catch (err) {
            if (err.handled) return;
            for (const [f, code] of Object.entries(err.fields || {})) {
              if (errs[f]) errs[f].textContent = fieldText(code);
            }
            formErr.textContent = errorText(err);
          }
        },
      },
    },
    h('h2', { text: t('tokens.add') }),
    h('div', { class: 'field' },
      h('label', { for: 'token-label', text: t('tokens.add.label') }), label, errs.label),
    h('div', { class: 'field' },
      h('label', { for: 'token-days', text: t('tokens.add.days') }), days, errs.days),
    formErr,
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', text: t('tokens.add.submit') })));
    return form;
  }

  return { mount, unmount, update: () => load(false) };
}
