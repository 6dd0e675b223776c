// stats.js - the desk at a glance: queue size, the oldest waiting
// comment, and today's decisions per moderator.  Refreshed by the live
// feed (at most once a second) while it is on screen.
import { h, replaceChildren } from './dom.js';
import { t, fmtNumber, fmtDate, fmtSeconds } from './i18n.js';
import { get, errorText } from './api.js';
import { toast } from './ui.js';
import * as live from './live.js';
import { STATUSES } from './moderation.js';

export function createStats(app) {
  let root, content, unsubscribe, timer, gen = 0;

  function mount(container) {
    content = h('div', { class: 'stats', attrs: { 'aria-live': 'polite' } });
    root = h('section', { class: 'view stats-view' },
      h('div', { class: 'view-head' },
        h('h1', { text: t('stats.title') }),
        h('button', { type: 'button', class: 'btn', text: t('refresh'), on: { click: load } })),
      content);
    container.append(root);
    unsubscribe = live.onEvent(() => {
      clearTimeout(timer);
      timer = setTimeout(load, 1000);
    });
    load();
  }

  function unmount() { gen++; unsubscribe?.(); clearTimeout(timer); root?.remove(); }

  async function load() {
    const my = ++gen;
    let s;
    try {
      s = await get('/stats');
    } catch (err) {
      if (!err.handled) toast(errorText(err), 'error');
      return;
    }
    if (my !== gen) return;
    app.setPending(s.counts.pending);
    const decisions = Object.entries(s.decisions_today || {})
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    replaceChildren(content,
      h('div', { class: 'cards' },
        h('div', { class: 'card' },
          h('p', { class: 'card-label', text: t('stats.queue') }),
          h('p', { class: 'card-value', id: 'stat-pending' },
            h('a', { href: '#/queue', text: fmtNumber(s.counts.pending) }))),
        h('div', { class: 'card' },
          h('p', { class: 'card-label', text: t('stats.oldest') }),
          s.oldest_pending_at
            ? h('p', { class: 'card-value', id: 'stat-oldest' },
              h('time', {
                attrs: { datetime: s.oldest_pending_at, title: fmtDate(s.oldest_pending_at) },
                text: fmtSeconds(-s.oldest_pending_age_s),
              }))
            : h('p', { class: 'card-value', id: 'stat-oldest', text: t('stats.oldest.none') }))),
      h('h2', { text: t('stats.today') }),
      decisions.length === 0 ? h('p', { class: 'muted', text: t('stats.today.none') })
        : h('table', { class: 'table decisions', id: 'stat-decisions' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col', text: t('stats.moderator') }),
            h('th', { scope: 'col', class: 'num', text: t('stats.decisions') }))),
          h('tbody', {}, decisions.map(([name, n]) => h('tr', { dataset: { moderator: name } },
            h('th', { scope: 'row' }, h('bdi', { text: name })),
            h('td', { class: 'num', text: fmtNumber(n) }))))),
      h('h2', { text: t('stats.counts') }),
      h('table', { class: 'table counts', id: 'stat-counts' },
        h('tbody', {}, STATUSES.map((st) => h('tr', { dataset: { status: st } },
          h('th', { scope: 'row', text: t('status.' + st) }),
          h('td', { class: 'num', text: fmtNumber(s.counts[st] ?? 0) }))))));
  }

  return { mount, unmount, update: () => load() };
}
