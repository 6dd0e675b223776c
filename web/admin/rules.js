// rules.js - the site's rules a moderator keeps: bans (any moderator)
// and the word lists (admins; the server refuses others anyway).  A
// banned author's comments are stored as spam behind the usual notice;
// a banned word rejects the comment, a suspect word holds it with the
// word shown in the queue.  The server folds entries as it folds
// comments (Arabic letter variants, diacritics, spaced letters), so an
// entry that folds like one already listed is refused.
import { h, replaceChildren } from './dom.js';
import { t, fmtDate } from './i18n.js';
import { get, post, request, errorText, fieldText } from './api.js';
import { toast, confirmDialog } from './ui.js';

const LISTS = ['banned', 'suspect'];
// A site's lists run to thousands of entries: the table shows this many
// of those the search matches.
const WORDS_SHOWN = 200;
const BAN_KINDS = ['ip', 'email', 'email_domain'];

export function createRules(app) {
  let root, wordsBody, wordsSearch, bansBody, gen = 0;
  let allWords = [];

  function mount(container) {
    root = h('section', { class: 'view rules-view' });
    container.append(root);
    bansBody = h('tbody');
    const parts = [h('h1', { text: t('rules.title') }),
      h('h2', { text: t('rules.bans') }),
      banForm(),
      table('bans', ['rules.ban.kind', 'rules.ban.value', 'rules.ban.reason',
        'rules.ban.expires', 'rules.by', ''], bansBody)];
    if (app.me.role === 'admin') {
      wordsBody = h('tbody');
      parts.push(h('h2', { text: t('rules.words') }),
        h('p', { class: 'muted', text: t('rules.words.hint') }),
        wordForm(),
        wordsSearch = h('input', {
          type: 'search', id: 'f-words', autocomplete: 'off',
          attrs: { dir: 'auto', placeholder: t('rules.words.search'),
            'aria-label': t('rules.words.search') },
          on: { input: renderWords },
        }),
        table('words', ['rules.word', 'rules.list', 'rules.by', 'rules.since', ''], wordsBody));
    }
    replaceChildren(root, ...parts);
    load();
  }

  function unmount() { gen++; root?.remove(); }

  function table(cls, heads, body) {
    return h('table', { class: `table ${cls}` },
      h('thead', {}, h('tr', {},
        heads.map((k) => h('th', { scope: 'col', text: k ? t(k) : '' })))),
      body);
  }

  async function load() {
    const my = ++gen;
    try {
      const [bans, words] = await Promise.all([get('/bans'),
        wordsBody ? get('/words') : Promise.resolve(null)]);
      if (my !== gen) return;
      replaceChildren(bansBody, bans.bans.length ? bans.bans.map(banRow)
        : h('tr', {}, h('td', { colSpan: 6, class: 'muted', text: t('rules.bans.none') })));
      if (words) {
        allWords = words.words;
        renderWords();
      }
    } catch (err) {
      if (!err.handled) toast(errorText(err), 'error');
    }
  }

  function removeButton(label, confirmText, path) {
    return h('button', {
      type: 'button', class: 'btn', dataset: { act: 'remove' }, text: label,
      on: {
        click: async () => {
          if (!await confirmDialog({ title: label, text: confirmText, yes: label })) return;
          try {
            await request('DELETE', path);
            toast(t('toast.saved'), 'ok');
            await load();
          } catch (err) {
            if (!err.handled) toast(errorText(err), 'error');
          }
        },
      },
    });
  }

  function banRow(b) {
    return h('tr', { dataset: { id: b.id } },
      h('td', { text: t('rules.ban.kind.' + b.kind) }),
      // A ban's address or e-mail is the admins' (personal data): absent,
      // the row says so.
      h('th', { scope: 'row' }, 'value' in b
        ? h('bdi', { attrs: { dir: 'ltr' }, text: b.value })
        : h('span', { class: 'muted hidden-value', text: t('rules.ban.hidden') })),
      h('td', {}, h('bdi', { attrs: { dir: 'auto' }, text: b.reason || '' })),
      h('td', {}, b.expires_at
        ? h('time', { attrs: { datetime: b.expires_at }, text: fmtDate(b.expires_at) })
        : t('rules.ban.forever')),
      h('td', {}, h('bdi', { text: b.created_by || '' })),
      h('td', {}, removeButton(t('rules.ban.lift'),
        t('rules.ban.confirm-lift', { value: b.value ?? t('rules.ban.kind.' + b.kind) }),
        `/bans/${b.id}`)));
  }

  // The entries the search matches (by their text, case aside), at
  // most WORDS_SHOWN of them, and a note saying how many there are.
  function renderWords() {
    const q = wordsSearch.value.trim().toLocaleLowerCase();
    const found = q ? allWords.filter((w) => w.word.toLocaleLowerCase().includes(q))
      : allWords;
    const note = (key, vars) =>
      h('tr', {}, h('td', { colSpan: 5, class: 'muted', text: t(key, vars) }));
    const rows = found.slice(0, WORDS_SHOWN).map(wordRow);
    if (!allWords.length) rows.push(note('rules.words.none'));
    else if (!found.length) rows.push(note('rules.words.no-match'));
    else if (found.length > WORDS_SHOWN) {
      rows.push(note('rules.words.more', { shown: WORDS_SHOWN, total: found.length }));
    }
    replaceChildren(wordsBody, rows);
  }

  function wordRow(w) {
    return h('tr', { dataset: { id: w.id } },
      h('th', { scope: 'row' }, h('bdi', { attrs: { dir: 'auto' }, text: w.word })),
      h('td', { text: t('rules.list.' + w.list) }),
      h('td', {}, h('bdi', { text: w.created_by || '' })),
      h('td', {}, h('time', { attrs: { datetime: w.created_at }, text: fmtDate(w.created_at) })),
      h('td', {}, removeButton(t('rules.remove'),
        t('rules.word.confirm-remove', { word: w.word }), `/words/${w.id}`)));
  }

  // A form of fields {name: element}, posted to path as build() says.
  function form(cls, title, fields, path, build, done) {
    const errs = {};
    const formErr = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    const el = h('form', {
      class: `form ${cls}`,
      on: {
        submit: async (e) => {
          e.preventDefault();
          for (const x of Object.values(errs)) x.textContent = '';
          formErr.textContent = '';
          try {
            const res = await post(path, build());
            el.reset();
            done(res);
            await load();
          } catch (err) {
            if (err.handled) return;
            for (const [f, code] of Object.entries(err.fields || {})) {
              if (errs[f]) errs[f].textContent = fieldText(code);
            }
            formErr.textContent = errorText(err);
          }
        },
      },
    }, h('h3', { text: title }),
    Object.entries(fields).map(([name, [label, input]]) => {
      errs[name] = h('p', { class: 'field-error', attrs: { 'aria-live': 'polite' } });
      return h('div', { class: 'field' }, h('label', { for: input.id, text: label }), input,
        errs[name]);
    }),
    formErr,
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', text: t('rules.add') })));
    return el;
  }

  function banForm() {
    const kind = h('select', { id: 'ban-kind' },
      BAN_KINDS.map((k) => h('option', { value: k, text: t('rules.ban.kind.' + k) })));
    const value = h('input', {
      id: 'ban-value', type: 'text', required: true, autocomplete: 'off',
      attrs: { dir: 'ltr', placeholder: '203.0.113.0/24, name@example.com, example.com' },
    });
    const reason = h('input', {
      id: 'ban-reason', type: 'text', autocomplete: 'off', maxLength: 500,
      attrs: { dir: 'auto' },
    });
    const expires = h('input', { id: 'ban-expires', type: 'datetime-local' });
    return form('add-ban', t('rules.ban.add'), {
      kind: [t('rules.ban.kind'), kind],
      value: [t('rules.ban.value'), value],
      reason: [t('rules.ban.reason'), reason],
      expires_at: [t('rules.ban.expires.optional'), expires],
    }, '/bans', () => {
      const body = { kind: kind.value, value: value.value.trim() };
      if (reason.value.trim()) body.reason = reason.value.trim();
      // datetime-local is the moderator's local time; the API wants UTC.
      if (expires.value) body.expires_at = new Date(expires.value).toISOString();
      return body;
    }, (res) => toast(t('rules.ban.added', { value: res.ban.value }), 'ok'));
  }

  function wordForm() {
    const word = h('input', {
      id: 'word-word', type: 'text', required: true, autocomplete: 'off', maxLength: 200,
      attrs: { dir: 'auto' },
    });
    const list = h('select', { id: 'word-list' },
      LISTS.map((l) => h('option', { value: l, text: t('rules.list.' + l) })));
    return form('add-word', t('rules.word.add'), {
      word: [t('rules.word'), word],
      list: [t('rules.list'), list],
    }, '/words', () => ({ word: word.value.trim(), list: list.value }),
    (res) => toast(t('rules.word.added', { word: res.word.word }), 'ok'));
  }

  return { mount, unmount, update: () => load() };
}

// "Ban this author" from a comment: the server bans its e-mail, or its
// address when it has none.  Returns the ban, or null if not confirmed.
export async function banAuthor(comment) {
  const ok = await confirmDialog({
    title: t('rules.ban-author'),
    text: t('rules.ban-author.confirm', { author: comment.author }),
    yes: t('rules.ban-author'),
  });
  if (!ok) return null;
  const res = await post('/bans', { comment_id: comment.id });
  toast(t('rules.ban.added', { value: res.ban.value ?? comment.author }), 'ok');
  return res.ban;
}
