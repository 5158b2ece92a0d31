// Posting a resource request: a form built from the vocabularies, times in Hangzhou, every
// problem the API names shown next to its field; one Idempotency-Key per submission.
import { Problem, all, describe, get, newIdempotencyKey, post } from '../api.js';
import { announce, h, replace } from '../dom.js';
import { UNITS, label, terms } from '../labels.js';

const HANGZHOU_OFFSET = '+08:00';

function field(name, text, control, help) {
  control.id = `f-${name}`;
  control.name = name;
  const error = h('p', { class: 'error', id: `e-${name}`, hidden: true });
  control.setAttribute('aria-describedby', [help ? `h-${name}` : null, `e-${name}`].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: name } },
    h('label', { for: control.id }, text), control,
    help ? h('p', { class: 'muted', id: `h-${name}` }, help) : null, error);
}

function choices(name, legend, vocabulary) {
  const error = h('p', { class: 'error', id: `e-${name}`, hidden: true });
  return h('fieldset', { dataset: { field: name }, 'aria-describedby': `e-${name}` },
    h('legend', {}, legend),
    h('div', { class: 'choices' }, terms(vocabulary).map(([code, text]) =>
      h('label', {}, h('input', { type: 'checkbox', name, value: code }), ` ${text}`))),
    error);
}

// "2026-12-05T09:30" typed in Hangzhou time, as the API wants it.
const hangzhouInstant = (local) => (local ? `${local}:00${HANGZHOU_OFFSET}` : '');

function hangzhouLocal(date) {
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(date);
  return parts.replace(' ', 'T');
}

export async function showPost(main, session) {
  const station = await get(`/v1/stations/${session.stationId}`);
  const communities = await all('/v1/divisions', { level: 'community', parent_code: station.township_code });

  const category = h('select', { required: true },
    terms('service_category').map(([code, text]) => h('option', { value: code }, text)));
  const unit = h('select', { required: true });
  const fillUnits = () => {
    replace(unit, (UNITS[category.value] || []).map((code) => h('option', { value: code }, label('quantity_unit', code))));
  };
  category.addEventListener('change', fillUnits);
  fillUnits();
  const start = new Date(Date.now() + 24 * 3600 * 1000);
  start.setMinutes(0, 0, 0);

  const form = h('form', { id: 'post-request', novalidate: true },
    field('title', '需求标题', h('input', { type: 'text', required: true, maxlength: '128' })),
    field('description', '需求说明（可选）', h('textarea', { rows: '3', maxlength: '2000' })),
    field('category', '需求类别', category),
    choices('required_skills', '所需技能', 'skill'),
    choices('target_groups', '服务对象', 'target_group'),
    h('div', { class: 'window' },
      field('quantity', '数量', h('input', { type: 'number', min: '1', step: '1', required: true, inputmode: 'numeric' })),
      field('unit', '单位', unit)),
    field('division_code', '服务社区', h('select', { required: true },
      communities.map((c) => h('option', { value: c.code }, c.name)))),
    field('urgency', '紧急程度', h('select', {},
      terms('urgency').map(([code, text]) => h('option', { value: code, selected: code === 'normal' }, text)))),
    h('div', { class: 'window' },
      field('window.starts_at', '开始时间（杭州时间）', h('input', { type: 'datetime-local', required: true, value: hangzhouLocal(start) })),
      field('window.ends_at', '结束时间（杭州时间）', h('input', { type: 'datetime-local', required: true, value: hangzhouLocal(new Date(start.getTime() + 2 * 3600 * 1000)) }))),
    h('p', { class: 'error', id: 'form-error', role: 'alert' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '发布需求')));

  // A new key whenever the form changes: the same submission sent twice is one request.
  let idempotencyKey = newIdempotencyKey();
  form.addEventListener('input', () => { idempotencyKey = newIdempotencyKey(); });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit(form, session, idempotencyKey);
  });

  replace(main, h('h1', {}, '发布资源需求'),
    h('p', { class: 'muted' }, `${station.name}。时间均为杭州时间（UTC+8）。`), form);
}

function body(form, session) {
  const value = (name) => form.elements[name].value;
  const checked = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
  const quantity = value('quantity').trim();
  return {
    station_id: session.stationId,
    title: value('title'),
    ...(value('description').trim() ? { description: value('description') } : {}),
    category: value('category'),
    required_skills: checked('required_skills'),
    target_groups: checked('target_groups'),
    quantity: /^\d+$/.test(quantity) ? Number(quantity) : quantity,
    unit: value('unit'),
    division_code: value('division_code'),
    urgency: value('urgency'),
    window: { starts_at: hangzhouInstant(value('window.starts_at')), ends_at: hangzhouInstant(value('window.ends_at')) },
  };
}

// What the API checks first, checked here too so that a slip costs no round trip.
function check(sent) {
  const problems = [];
  if (!sent.title.trim()) problems.push({ field: 'body.title', message: '请填写需求标题。' });
  if (!Number.isInteger(sent.quantity) || sent.quantity < 1) problems.push({ field: 'body.quantity', message: '数量须为正整数。' });
  if (!sent.window.starts_at) problems.push({ field: 'body.window.starts_at', message: '请选择开始时间。' });
  if (!sent.window.ends_at) problems.push({ field: 'body.window.ends_at', message: '请选择结束时间。' });
  return problems;
}

function show(form, problems, general) {
  for (const error of form.querySelectorAll('.field .error, fieldset .error')) {
    error.hidden = true;
    error.textContent = '';
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  const unplaced = [];
  let first = null;
  for (const problem of problems) {
    const name = String(problem.field || '').replace(/^body\./, '');
    const holder = [...form.querySelectorAll('[data-field]')]
      .filter((el) => name === el.dataset.field || name.startsWith(`${el.dataset.field}.`) || name.startsWith(`${el.dataset.field}[`))
      .sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
    if (!holder) { unplaced.push(problem.message); continue; }
    const error = holder.querySelector('.error');
    error.hidden = false;
    error.textContent = error.textContent ? `${error.textContent} ${problem.message}` : problem.message;
    const control = holder.querySelector('input, select, textarea');
    if (control && holder.tagName !== 'FIELDSET') control.setAttribute('aria-invalid', 'true');
    first = first || control;
  }
  form.querySelector('#form-error').textContent = [general, ...unplaced].filter(Boolean).join(' ');
  if (first) first.focus();
}

async function submit(form, session, idempotencyKey) {
  const button = form.querySelector('button[type="submit"]');
  if (button.disabled) return;
  const sent = body(form, session);
  const local = check(sent);
  if (local.length) { show(form, local, '请更正标出的内容。'); return; }
  button.disabled = true;
  try {
    const created = await post('/v1/resource-requests', sent, idempotencyKey);
    announce('需求已发布');
    window.location.hash = `#/requests/${created.id}`;
  } catch (failure) {
    if (failure instanceof Problem && failure.errors.length) show(form, failure.errors, '请更正标出的内容。');
    else show(form, [], describe(failure));
  } finally {
    button.disabled = false;
  }
}
