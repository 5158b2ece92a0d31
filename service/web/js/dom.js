// Building the page from data: elements and text nodes only, never markup from a string, so a
// partner's name or a problem's message is always text.
const SVG = 'http://www.w3.org/2000/svg';

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG, tag), attrs, children);

export function replace(parent, ...children) {
  parent.replaceChildren();
  return build(parent, {}, children);
}

export function announce(message) {
  const status = document.getElementById('status');
  status.textContent = '';
  window.setTimeout(() => { status.textContent = message; }, 50);
}

// A table: one card per row on a phone (each cell says its column), and otherwise scrolling
// sideways when it must, reachable by keyboard.
export function table(caption, heads, rows, numeric = []) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, heads.map((head, i) =>
        h('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, head)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, i) =>
        h('td', { class: numeric.includes(i) ? 'num' : null, 'data-label': heads[i] }, cell)))))));
}

const hangzhou = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', hour12: false,
});
export const inHangzhou = (instant) => (instant ? hangzhou.format(new Date(instant)) : '');
