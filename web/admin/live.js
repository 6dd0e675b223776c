// live.js - the moderator's live feed (Server-Sent Events).
//
// EventSource reconnects by itself after a dropped connection and sends
// Last-Event-ID, so nothing is missed.  It gives up for good when the
// server answers with an error status (a 401 after the session ended, a
// 503 when the server is full); then we ask the session endpoint what
// is wrong and, unless the moderator must log in again, open a new
// stream with ?last_event_id= so the catch-up still covers the gap.
import { get } from './api.js';

const URL_EVENTS = '/api/v1/admin/events';
const RETRY_MS = [1000, 2000, 5000, 10000];
// Event ids seen lately: a replayed catch-up must not count twice.
const SEEN_MAX = 2000;

let source = null;
let lastId = null;
let retries = 0;
let retryTimer = null;
let stopped = true;
const seen = new Set();
const handlers = new Set();
const stateHandlers = new Set();

export function onEvent(fn) { handlers.add(fn); return () => handlers.delete(fn); }
export function onState(fn) { stateHandlers.add(fn); }

function setState(up) { for (const fn of stateHandlers) fn(up); }

export function start() {
  stopped = false;
  connect();
}

// Stops the stream (logout, or the session ended); start() resumes from
// the last event seen.
export function stop() {
  stopped = true;
  clearTimeout(retryTimer);
  if (source) source.close();
  source = null;
  setState(false);
}

function connect() {
  clearTimeout(retryTimer);
  if (source) source.close();
  const url = lastId !== null
    ? `${URL_EVENTS}?last_event_id=${encodeURIComponent(lastId)}` : URL_EVENTS;
  const es = new EventSource(url);
  source = es;
  es.onopen = () => { retries = 0; setState(true); };
  es.addEventListener('comment', (m) => {
    let ev;
    try { ev = JSON.parse(m.data); } catch { return; }
    if (m.lastEventId) lastId = m.lastEventId;
    if (seen.has(ev.id)) return;
    seen.add(ev.id);
    if (seen.size > SEEN_MAX) seen.delete(seen.values().next().value);
    for (const fn of handlers) {
      try { fn(ev); } catch (e) { setTimeout(() => { throw e; }); }
    }
  });
  es.onerror = () => {
    if (source !== es) return;
    setState(false);
    if (es.readyState !== EventSource.CLOSED) return; // the browser retries
    es.close();
    source = null;
    if (stopped) return;
    // A 401 here shows the login form (api.js) and the app calls start()
    // again after the login; anything else: try again, more slowly.
    get('/session').then(() => scheduleRetry(), (err) => {
      if (!err.handled) scheduleRetry();
    });
  };
}

function scheduleRetry() {
  if (stopped) return;
  const base = RETRY_MS[Math.min(retries++, RETRY_MS.length - 1)];
  // Half the delay plus a random share of the other half: every desk's
  // page that lost the server together does not come back at one instant.
  const ms = base / 2 + Math.random() * (base / 2);
  retryTimer = setTimeout(() => { if (!stopped) connect(); }, ms);
}
