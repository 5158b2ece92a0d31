// The page's frame: key entry, navigation between views (the URL's fragment), sign-out.
import { describe, get } from './api.js';
import { h, replace } from './dom.js';
import { loadVocabularies } from './labels.js';
import { begin, current, end } from './session.js';
import { showStation } from './pages/station.js';
import { showPost } from './pages/post.js';
import { showRequest } from './pages/request.js';
import { showLedger } from './pages/ledger.js';
import { showReports } from './pages/reports.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let leave = null; // what the current view stops when the page moves on (its polling)
let generation = 0; // a view that finishes loading after the user moved on is dropped

const ROUTES = [
  [/^#\/station$/, showStation],
  [/^#\/post$/, showPost],
  [/^#\/requests\/([0-9a-f-]{36})$/, showRequest],
  [/^#\/ledger$/, showLedger],
  [/^#\/reports$/, showReports],
];

function signIn(problem) {
  nav.hidden = true;
  const keyField = h('input', { id: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const stationField = h('input', { id: 'station-id', type: 'text', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'station-help' });
  const error = h('p', { class: 'error', id: 'sign-in-error', role: 'alert' }, problem || '');
  const form = h('form', { id: 'sign-in', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'key' }, 'API 密钥'), keyField),
    h('div', { class: 'field' }, h('label', { for: 'station-id' }, '工作站编号'), stationField,
      h('p', { id: 'station-help', class: 'muted' }, '由区民政局随密钥一并发放（形如 0c6f…-…）。')),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '进入')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = keyField.value.trim();
    const stationId = stationField.value.trim().toLowerCase();
    if (!key || !/^[0-9a-f-]{36}$/.test(stationId)) {
      error.textContent = '请填写密钥和 36 位的工作站编号。';
      return;
    }
    begin(key, stationId);
    try {
      await get(`/v1/stations/${stationId}`);
      if (window.location.hash === '#/station') route(); else window.location.hash = '#/station';
    } catch (failure) {
      end();
      error.textContent = describe(failure);
    }
  });
  replace(main, h('h1', {}, '登录工作站'),
    h('p', {}, '密钥只保存在本浏览器标签页中，关闭标签页即失效。'), form);
  keyField.focus();
}

async function route() {
  if (leave) { leave(); leave = null; }
  const mine = ++generation;
  const session = current();
  if (!session) { signIn(); return; }
  nav.hidden = false;
  const hash = window.location.hash || '#/station';
  for (const link of nav.querySelectorAll('a')) {
    link.toggleAttribute('aria-current', false);
    if (hash.startsWith(link.getAttribute('href'))) link.setAttribute('aria-current', 'page');
  }
  const match = ROUTES.map(([pattern, show]) => [hash.match(pattern), show]).find(([m]) => m);
  if (!match) { window.location.hash = '#/station'; return; }
  // Each view draws into its own container: one left behind draws where nobody looks.
  const view = h('div', {}, h('p', { class: 'loading' }, '正在加载…'));
  replace(main, view);
  main.setAttribute('aria-busy', 'true');
  delete main.dataset.view;
  try {
    await loadVocabularies();
    const [found, show] = match;
    const stop = (await show(view, session, ...found.slice(1))) || null;
    if (mine !== generation) { if (stop) stop(); return; }
    leave = stop;
  } catch (failure) {
    if (mine !== generation) return;
    if (!current()) { signIn(describe(failure)); return; }
    replace(view, h('h1', {}, '出错了'), h('p', { class: 'notice bad', role: 'alert' }, describe(failure)));
  }
  main.dataset.view = hash;
  main.setAttribute('aria-busy', 'false');
  main.focus({ preventScroll: true });
}

document.getElementById('sign-out').addEventListener('click', () => {
  end();
  window.location.hash = '';
  route();
});
window.addEventListener('hashchange', route);
// A key revoked mid-session: back to key entry, and whatever the view polled stops.
window.addEventListener('linkage:signed-out', () => { if (!main.querySelector('#sign-in')) route(); });
route();
