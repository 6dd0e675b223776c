// api.js - every call to /api/v1/admin goes through request().
//
// The session is the HttpOnly cookie the login sets; the CSRF token the
// login (or GET /session) answers is kept here, in memory only, and sent
// as X-CSRF-Token on every call that changes something.  A 401 on any
// call means the session is gone: the app is told (onUnauthorized) so
// it can ask for the password again without throwing away the page.
import { t } from './i18n.js';

const BASE = '/api/v1/admin';
let csrfToken = null;
let unauthorizedHandler = () => {};

export function setCsrf(token) { csrfToken = token || null; }
export function onUnauthorized(fn) { unauthorizedHandler = fn; }

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;       // 0: the request never got an answer
    this.code = e.code || (status === 0 ? 'network' : 'http_' + status);
    this.fields = e.fields || null;
    this.current = e.current || null;   // a 409's state of the comment
    this.retryAfter = null;
  }
}

// request('POST', '/comments/3/approve', {from: 'pending'}) -> parsed
// JSON (null for 204).  Throws ApiError.
export async function request(method, path, body, { signal, noAuthRedirect } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  let json = null;
  if (res.status !== 204) {
    try { json = await res.json(); } catch { /* not JSON: keep null */ }
  }
  if (res.ok) return json;
  const err = new ApiError(res.status, json);
  const ra = res.headers.get('Retry-After');
  if (ra) err.retryAfter = Number(ra);
  if (res.status === 401 && !noAuthRedirect) {
    // Handled by the app (login form); callers just stop.
    err.handled = true;
    unauthorizedHandler();
  }
  throw err;
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body ?? {}, opts);

// Query string from an object, leaving out empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

export const enc = encodeURIComponent;

// The moderator-facing sentence for an error: never "Error 409", always
// what happened.  (Conflicts on comments are worded by the queue, which
// knows what the moderator tried.)
export function errorText(err) {
  if (!(err instanceof ApiError)) {
    return t('err.generic', { status: '-', message: String(err && err.message || err) });
  }
  switch (err.code) {
    case 'network': return t('err.network');
    case 'database_unavailable': return t('err.unavailable');
    case 'busy': case 'too_many_streams': return t('err.busy');
    case 'forbidden': return t('err.forbidden');
    case 'csrf_failed': return t('err.csrf');
    case 'not_found': return t('err.not_found');
    case 'parent_not_approved': return t('err.parent_not_approved');
    case 'validation_failed': return t('err.validation');
    case 'self_lockout': return t('err.self_lockout');
    case 'name_taken': return t('err.name_taken');
    case 'session_required': return t('err.session_required');
    default: return t('err.generic', { status: err.status, message: err.message });
  }
}

// Per-field messages of a 422, for forms.
export function fieldText(code) {
  const s = t('field.' + code);
  return s === 'field.' + code ? t('field.invalid') : s;
}
