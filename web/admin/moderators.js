// moderators.js - admins manage the desk's accounts: add, disable or
// enable, change role, reset a password.  A generated password is shown
// once, in a dialog, and kept nowhere.  Moderators who are not admins
// don't get this view (nor its link); the server refuses them anyway.
import { h, replaceChildren } from './dom.js';
import { t, fmtDate } from './i18n.js';
import { get, post, request, enc, errorText, fieldText } from './api.js';
import { toast, confirmDialog, secretDialog } from './ui.js';

export function createModerators(app) {
  let root, tbody, gen = 0;

  function mount(container) {
    root = h('section', { class: 'view moderators-view' });
    container.append(root);
    if (app.me.role !== 'admin') {
      replaceChildren(root, h('h1', { text: t('mods.title') }),
        h('p', { class: 'notice', attrs: { role: 'alert' }, text: t('mods.forbidden') }));
      return;
    }
    tbody = h('tbody');
    replaceChildren(root,
      h('h1', { text: t('mods.title') }),
      addForm(),
      h('table', { class: 'table moderators' },
        h('thead', {}, h('tr', {},
          ['mods.name', 'mods.role', 'mods.state', 'mods.created', '']
            .map((k) => h('th', { scope: 'col', text: k ? t(k) : '' })))),
        tbody));
    load();
  }

  function unmount() { gen++; root?.remove(); }

  async function load() {
    const my = ++gen;
    try {
      const res = await get('/moderators');
      if (my !== gen) return;
      replaceChildren(tbody, res.moderators.map(row));
    } catch (err) {
      if (!err.handled) toast(errorText(err), 'error');
    }
  }

  function row(m) {
    const me = m.name === app.me.name;
    return h('tr', { dataset: { name: m.name }, class: m.disabled ? 'disabled' : '' },
      h('th', { scope: 'row' }, h('bdi', { text: m.name }),
        me && h('span', { class: 'muted', text: ` (${t('mods.you')})` })),
      h('td', { class: 'role', text: t('role.' + m.role) }),
      h('td', { class: 'state', text: m.disabled ? t('mods.disabled') : t('mods.enabled') }),
      h('td', {}, h('time', { attrs: { datetime: m.created_at }, text: fmtDate(m.created_at) })),
      h('td', {}, h('div', { class: 'row-actions' },
        // The server refuses an admin locking themselves out (409); the
        // buttons say so before anyone tries.
        h('button', {
          type: 'button', class: 'btn', dataset: { act: m.disabled ? 'enable' : 'disable' },
          text: m.disabled ? t('mods.enable') : t('mods.disable'), disabled: me,
          attrs: { title: me ? t('err.self_lockout') : null },
          on: { click: () => patch(m, { disabled: !m.disabled }) },
        }),
        h('button', {
          type: 'button', class: 'btn', dataset: { act: 'role' }, disabled: me,
          text: m.role === 'admin' ? t('mods.make-moderator') : t('mods.make-admin'),
          attrs: { title: me ? t('err.self_lockout') : null },
          on: { click: () => patch(m, { role: m.role === 'admin' ? 'moderator' : 'admin' }) },
        }),
        h('button', {
          type: 'button', class: 'btn', dataset: { act: 'reset' }, text: t('mods.reset'),
          on: { click: () => reset(m) },
        }))));
  }

  async function patch(m, body) {
    try {
      const res = await request('PATCH', '/moderators/' + enc(m.name), body);
      const tr = tbody.querySelector(`tr[data-name="${CSS.escape(m.name)}"]`);
      const fresh = row(res.moderator);
      if (tr) tr.replaceWith(fresh);
      const act = body.role ? 'role' : res.moderator.disabled ? 'enable' : 'disable';
      fresh.querySelector(`[data-act="${act}"]`)?.focus();
      toast(t('toast.saved'), 'ok');
    } catch (err) {
      // 409 self_lockout: said plainly by errorText.
      if (!err.handled) toast(errorText(err), 'error');
    }
  }

  async function reset(m) {
    const ok = await confirmDialog({
      title: t('mods.reset'), text: t('mods.confirm-reset', { name: m.name }),
      yes: t('mods.confirm-reset.yes'),
    });
    if (!ok) return;
    try {
      const res = await post('/moderators/' + enc(m.name) + '/password', {});
      await secretDialog({
        title: t('mods.password.title', { name: m.name }),
        text: t('mods.password.once', { name: m.name }),
        secret: res.password,
      });
    } catch (err) {
      if (!err.handled) toast(errorText(err), 'error');
    }
  }

  function addForm() {
    const name = h('input', {
      id: 'mod-name', type: 'text', autocomplete: 'off', required: true, maxLength: 64,
      attrs: { pattern: '[A-Za-z0-9_.\\-]+', dir: 'ltr' },
    });
    const role = h('select', { id: 'mod-role' },
      h('option', { value: 'moderator', text: t('role.moderator') }),
      h('option', { value: 'admin', text: t('role.admin') }));
    const password = h('input', {
      id: 'mod-password', type: 'password', autocomplete: 'new-password', attrs: { dir: 'ltr' },
    });
    const errs = {
      name: h('p', { class: 'field-error', attrs: { 'aria-live': 'polite' } }),
      role: h('p', { class: 'field-error', attrs: { 'aria-live': 'polite' } }),
      password: h('p', { class: 'field-error', attrs: { 'aria-live': 'polite' } }),
    };
    const formErr = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    const form = h('form', {
      class: 'form add-moderator',
      on: {
        submit: async (e) => {
          e.preventDefault();
          for (const el of Object.values(errs)) el.textContent = '';
          formErr.textContent = '';
          const body = { name: name.value.trim(), role: role.value };
          if (password.value) body.password = password.value;
          try {
            const res = await post('/moderators', body);
            form.reset();
            toast(t('mods.added', { name: res.moderator.name }), 'ok');
            await load();
            if (res.password) {
              await secretDialog({
                title: t('mods.password.title', { name: res.moderator.name }),
                text: t('mods.password.once', { name: res.moderator.name }),
                secret: res.password,
              });
            }
            name.focus();
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
    h('h2', { text: t('mods.add') }),
    h('div', { class: 'field' },
      h('label', { for: 'mod-name', text: t('mods.add.name') }), name, errs.name),
    h('div', { class: 'field' },
      h('label', { for: 'mod-role', text: t('mods.role') }), role, errs.role),
    h('div', { class: 'field' },
      h('label', { for: 'mod-password', text: t('mods.add.password') }), password, errs.password),
    formErr,
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', text: t('mods.add.submit') })));
    return form;
  }

  return { mount, unmount, update: () => load() };
}
