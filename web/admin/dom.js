// dom.js - building elements without ever parsing data as HTML.
//
// Every comment, name and title in this client comes from readers or
// other people, so text goes in through text nodes only: there is no
// innerHTML/insertAdjacentHTML anywhere in web/admin.  The page's CSP
// (no inline script or style) is the second line of defence, not the
// first.

// h('li', {class: 'x', dataset: {id: 3}, on: {click: f}, attrs: {...}}, child...)
// Children are nodes or strings (strings become text nodes); null,
// undefined and false are skipped so conditional children read simply.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'on') {
        for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
      } else if (k === 'attrs') {
        for (const [a, av] of Object.entries(v)) {
          if (av !== undefined && av !== null && av !== false)
            el.setAttribute(a, av === true ? '' : String(av));
        }
      } else if (k in el && typeof v !== 'string') el[k] = v; // hidden, checked, value...
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// Replaces an element's children.
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// Only http(s) addresses become links: an article URL is data too, and a
// "javascript:" URL would be a script.
export function safeUrl(u) {
  if (typeof u !== 'string') return null;
  try {
    const url = new URL(u, location.href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

// True when a key press belongs to a text field rather than to the
// keyboard shortcuts.
export function isEditable(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(el.type);
}

// Calls fn at most once per animation frame (scroll handlers).
export function perFrame(fn) {
  let queued = false;
  return (...args) => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fn(...args); });
  };
}
