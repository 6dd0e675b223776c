// comment-panel.js - one comment's history, and editing its text.
import { h } from './dom.js';
import { t, tNodes, fmtDate, fmtAge, actorName } from './i18n.js';
import { get, request, errorText, fieldText } from './api.js';
import { openDialog, toast } from './ui.js';

function when(iso) {
  return h('time', {
    attrs: { datetime: iso, title: fmtDate(iso) }, text: `${fmtDate(iso)} (${fmtAge(iso)})`,
  });
}

// The audit trail of a comment, oldest first, in a dialog.
export async function showHistory(c) {
  let events;
  try {
    events = (await get(`/comments/${c.id}/history`)).events;
  } catch (err) {
    if (!err.handled) toast(errorText(err), 'error');
    return;
  }
  const status = (s) => (s ? t('status.' + s) : '');
  await openDialog({
    title: t('history.title', { id: c.id }),
    className: 'dialog-history',
    build: (close) => [
      h('div', { class: 'history-comment' },
        h('p', { class: 'history-meta' },
          h('bdi', { class: 'author', text: c.author }), ' · ', when(c.created_at)),
        h('p', { class: 'body', attrs: { dir: 'auto' }, text: c.body })),
      events.length === 0 ? h('p', { class: 'history-empty', text: t('history.empty') })
        : h('ol', { class: 'history' }, events.map((e) => h('li', { class: 'history-event' },
          h('p', { class: 'history-head' },
            tNodes('history.event',
              { actor: actorName(e.actor), action: t('history.action.' + e.action) }),
            e.from_status !== e.to_status && h('span', {
              class: 'history-move',
              text: ' — ' + t('history.move',
                { from: status(e.from_status), to: status(e.to_status) }),
            }),
            ' · ', when(e.created_at)),
          e.reason && h('p', { class: 'history-reason' },
            tNodes('history.reason', { reason: e.reason })),
          e.old_body !== null && e.old_body !== undefined && h('div', { class: 'history-old' },
            h('p', { class: 'label', text: t('history.old-body') }),
            h('p', { class: 'body old-body', attrs: { dir: 'auto' }, text: e.old_body }))))),
      h('div', { class: 'dialog-buttons' },
        h('button', {
          type: 'button', class: 'btn', text: t('close'), autofocus: true,
          on: { click: () => close(true) },
        })),
    ],
  });
}

// Edits a comment's text; resolves the updated comment, or null.
export function editComment(c) {
  return openDialog({
    title: t('edit.title', { id: c.id }),
    className: 'dialog-edit',
    build: (close) => {
      const body = h('textarea', {
        id: 'edit-body', rows: 8, autofocus: true, attrs: { dir: 'auto' },
      });
      body.value = c.body;
      const reason = h('input', {
        id: 'edit-reason', type: 'text', maxLength: 500, attrs: { dir: 'auto' },
      });
      const bodyErr = h('p', {
        class: 'field-error', id: 'edit-body-err', attrs: { 'aria-live': 'polite' },
      });
      const formErr = h('p', { class: 'form-error', attrs: { role: 'alert' } });
      const save = async () => {
        bodyErr.textContent = '';
        formErr.textContent = '';
        const payload = { body: body.value };
        if (reason.value.trim()) payload.reason = reason.value.trim();
        try {
          const res = await request('PATCH', `/comments/${c.id}`, payload);
          toast(t('toast.saved'), 'ok');
          close(res.comment);
        } catch (err) {
          if (err.handled) { close(null); return; }
          if (err.fields?.body) {
            bodyErr.textContent = fieldText(err.fields.body);
            body.setAttribute('aria-invalid', 'true');
            body.focus();
          } else formErr.textContent = errorText(err);
        }
      };
      body.setAttribute('aria-describedby', 'edit-body-err');
      return [
        h('form', { class: 'form', on: { submit: (e) => { e.preventDefault(); save(); } } },
          h('label', { for: 'edit-body', text: t('edit.body') }), body, bodyErr,
          h('label', { for: 'edit-reason', text: t('edit.reason') }), reason,
          h('p', { class: 'dialog-hint', text: t('edit.hint') }),
          formErr,
          h('div', { class: 'dialog-buttons' },
            h('button', { type: 'submit', class: 'btn btn-primary', text: t('save') }),
            h('button', {
              type: 'button', class: 'btn', text: t('cancel'),
              on: { click: () => close(null) },
            }))),
      ];
    },
    onKeydown: (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        e.currentTarget.querySelector('form').requestSubmit();
      }
    },
  });
}
