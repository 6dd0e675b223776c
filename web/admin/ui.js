// ui.js - what every view shares: notices (toasts) and modal dialogs.
//
// Dialogs are native <dialog> elements opened with showModal(): the
// browser keeps focus inside, makes the rest inert, closes on Esc and
// gives focus back to where it was.  Each helper returns a promise of
// the moderator's answer, so the keyboard flows read top to bottom.
import { h } from './dom.js';
import { t } from './i18n.js';

const TOAST_MS = 7000;
const TOAST_ERROR_MS = 12000;
const TOASTS_MAX = 4;

let toastBox = null;

// The live region must be in the page before a notice is put in it,
// or screen readers don't announce it.
export function mountToasts() {
  toastBox = h('div', { class: 'toasts', attrs: { 'aria-live': 'polite' } });
  document.body.append(toastBox);
}

// kind: 'info' | 'ok' | 'warn' | 'error'.  Errors are role=alert.
export function toast(text, kind = 'info') {
  if (!toastBox) mountToasts();
  const el = h('div', {
    class: `toast toast-${kind}`,
    attrs: { role: kind === 'error' || kind === 'warn' ? 'alert' : 'status' },
  }, h('span', { class: 'toast-text', text }),
  h('button', {
    type: 'button', class: 'toast-close', text: '×',
    attrs: { 'aria-label': t('close') },
    on: { click: () => el.remove() },
  }));
  toastBox.append(el);
  while (toastBox.children.length > TOASTS_MAX) toastBox.firstElementChild.remove();
  setTimeout(() => el.remove(), kind === 'error' || kind === 'warn' ? TOAST_ERROR_MS : TOAST_MS);
  return el;
}

// Opens a modal dialog.  build(close) returns the body's nodes; close(v)
// closes it and resolves the promise with v (Esc resolves null).
export function openDialog({ title, className = '', build, onKeydown }) {
  return new Promise((resolve) => {
    const titleId = 'dlg-' + Math.random().toString(36).slice(2);
    const dlg = h('dialog', {
      class: `dialog ${className}`, attrs: { 'aria-labelledby': titleId },
    });
    let value = null;
    const close = (v) => { value = v; dlg.close(); };
    dlg.append(h('h2', { id: titleId, class: 'dialog-title', text: title }),
      ...[].concat(build(close)));
    dlg.addEventListener('close', () => { dlg.remove(); resolve(value); });
    if (onKeydown) dlg.addEventListener('keydown', (e) => onKeydown(e, close));
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector('[autofocus]');
    if (first) first.focus();
  });
}

// A yes/no question; Enter says yes.  Resolves true or false.
export async function confirmDialog({ title, text, yes, danger = true }) {
  const answer = await openDialog({
    title,
    className: 'dialog-confirm',
    build: (close) => [
      h('p', { text }),
      h('div', { class: 'dialog-buttons' },
        h('button', {
          type: 'button', class: danger ? 'btn btn-danger' : 'btn btn-primary', text: yes,
          autofocus: true, on: { click: () => close(true) },
        }),
        h('button', {
          type: 'button', class: 'btn', text: t('cancel'),
          on: { click: () => close(false) },
        })),
    ],
  });
  return answer === true;
}

export const REASONS = ['reason.1', 'reason.2', 'reason.3', 'reason.4', 'reason.5'];

// The reject reason picker.  Digits 1-5 choose a listed reason, 6 the
// typed one, 0 none; Enter rejects; Esc cancels.  Resolves {reason}
// (reason may be null) or null when cancelled.  The reason is stored in
// the moderator's language: it is read by people, in the history.
export function reasonPicker(count) {
  const name = 'reason-' + Math.random().toString(36).slice(2);
  let other;
  const radios = [];
  const choice = (i, label, extra) => {
    const input = h('input', { type: 'radio', name, value: String(i) });
    radios[i] = input;
    return h('label', { class: 'reason' },
      input, h('kbd', { text: String(i) }), h('span', { text: label }), extra);
  };
  const chosen = () => {
    const r = radios.find((x) => x && x.checked);
    if (!r || r.value === '0') return null;
    if (r.value === '6') return other.value.trim() || null;
    return t(REASONS[Number(r.value) - 1]);
  };
  return openDialog({
    title: count > 1 ? t('reason.batch', { n: count }) : t('reason.title'),
    className: 'dialog-reason',
    build: (close) => {
      other = h('input', {
        type: 'text', class: 'reason-other', maxLength: 500,
        attrs: {
          placeholder: t('reason.other.placeholder'), 'aria-label': t('reason.other'), dir: 'auto',
        },
        on: { input: () => { radios[6].checked = true; } },
      });
      const list = h('div',
        { class: 'reasons', attrs: { role: 'radiogroup', 'aria-label': t('reason.title') } },
        REASONS.map((k, i) => choice(i + 1, t(k))),
        choice(6, t('reason.other'), other),
        choice(0, t('reason.none')));
      radios[0].checked = true;
      radios[0].autofocus = true;
      return [
        h('p', { class: 'dialog-hint', text: t('reason.hint') }),
        list,
        h('div', { class: 'dialog-buttons' },
          h('button', {
            type: 'button', class: 'btn btn-danger', text: t('reason.confirm'),
            on: { click: () => close({ reason: chosen() }) },
          }),
          h('button', {
            type: 'button', class: 'btn', text: t('cancel'),
            on: { click: () => close(null) },
          })),
      ];
    },
    onKeydown: (e, close) => {
      if (e.key === 'Enter' && !e.isComposing && e.target.tagName !== 'BUTTON') {
        e.preventDefault();
        close({ reason: chosen() });
        return;
      }
      if (e.target === other) return; // digits are text there
      const d = digit(e);
      if (d !== null && radios[d]) {
        e.preventDefault();
        radios[d].checked = true;
        if (d === 6) other.focus(); else radios[d].focus();
      }
    },
  });
}

// The digit a key stands for, from the key itself or (Arabic-Indic
// digits, other layouts) from the physical key.
export function digit(e) {
  if (/^[0-9]$/.test(e.key)) return Number(e.key);
  const ai = '٠١٢٣٤٥٦٧٨٩'.indexOf(e.key);
  if (ai >= 0) return ai;
  const m = /^(?:Digit|Numpad)([0-9])$/.exec(e.code || '');
  return m ? Number(m[1]) : null;
}

// Shows a secret once (a new password), with a copy button.
export function secretDialog({ title, text, secret }) {
  return openDialog({
    title,
    className: 'dialog-secret',
    build: (close) => {
      const field = h('input', {
        type: 'text', class: 'secret', value: secret, readOnly: true,
        attrs: { 'aria-label': title, dir: 'ltr' },
      });
      return [
        h('p', { text }),
        field,
        h('div', { class: 'dialog-buttons' },
          h('button', {
            type: 'button', class: 'btn btn-primary', text: t('close'), autofocus: true,
            on: { click: () => close(true) },
          })),
      ];
    },
  });
}
