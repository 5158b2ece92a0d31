// One request: its ranked candidates and why, offers to chosen ones or the top N, and the
// follow-up of every offer (polled), accepted on the provider's behalf, completed, rated.
import { all, describe, get, newIdempotencyKey, post } from '../api.js';
import { announce, h, inHangzhou, replace, table } from '../dom.js';
import { label } from '../labels.js';

const POLL_MS = 3000;
const REGISTRY = {
  volunteer: '/v1/volunteers', volunteer_team: '/v1/volunteer-teams', organisation: '/v1/organisations',
  charity_resource: '/v1/charity-resources', university: '/v1/universities', social_worker: '/v1/social-workers',
};
const names = new Map(); // provider id -> name as the API masks it

async function providerName(type, id) {
  if (!names.has(id)) {
    try {
      const record = await get(`${REGISTRY[type]}/${id}`);
      names.set(id, record.name || record.title || id);
    } catch {
      names.set(id, `${label('provider_type', type)} ${id.slice(0, 8)}`);
    }
  }
  return names.get(id);
}

export async function showRequest(main, session, id) {
  const summary = h('section', { 'aria-labelledby': 'request-title' });
  const candidates = h('section', { 'aria-labelledby': 'candidates-title' });
  const offers = h('section', { 'aria-labelledby': 'offers-title' },
    h('h2', { id: 'offers-title' }, '邀请与跟进'), h('div', { id: 'offers' }));
  replace(main, summary, candidates, offers);

  let seen = '';
  let status = '';
  const refresh = async (force = false) => {
    const [request, list] = await Promise.all([
      get(`/v1/resource-requests/${id}`), all('/v1/offers', { request_id: id }),
    ]);
    const signature = JSON.stringify([request.version, list.map((o) => [o.id, o.version, o.status])]);
    if (!force && signature === seen) return;
    const changed = seen !== '';
    seen = signature;
    status = request.status;
    renderSummary(summary, request);
    await renderOffers(offers.querySelector('#offers'), list, () => refresh(true).then(() => loadCandidates(candidates, id, refresh, status)));
    if (changed) announce('邀请状态已更新');
  };
  await refresh(true);
  await loadCandidates(candidates, id, refresh, status);
  const timer = window.setInterval(() => { refresh().catch(() => {}); }, POLL_MS);
  return () => window.clearInterval(timer);
}

function renderSummary(section, request) {
  replace(section,
    h('h1', { id: 'request-title' }, request.title),
    h('dl', { class: 'facts' },
      h('dt', {}, '状态'), h('dd', { id: 'request-status' }, label('request_status', request.status)),
      h('dt', {}, '类别'), h('dd', {}, label('service_category', request.category)),
      h('dt', {}, '数量'), h('dd', { id: 'quantity-left' }, `尚缺 ${request.quantity_left} / 共 ${request.quantity} ${label('quantity_unit', request.unit)}`),
      h('dt', {}, '时间'), h('dd', {}, `${inHangzhou(request.window.starts_at)} – ${inHangzhou(request.window.ends_at)}（杭州时间）`),
      h('dt', {}, '紧急程度'), h('dd', {}, label('urgency', request.urgency))));
}

function reasons(candidate) {
  // Every bar on one scale: a full bar is the heaviest component at its best (value 1).
  const scale = Math.max(...candidate.components.map((part) => part.weight), 0.0001);
  return h('div', { class: 'reasons' }, candidate.components.map((part) => {
    const fill = h('span');
    fill.style.width = `${Math.round(Math.max(0, Math.min(1, (part.value * part.weight) / scale)) * 100)}%`;
    return [
      h('span', {}, label('component', part.component)),
      h('span', { class: 'bar', role: 'img', 'aria-label': `${label('component', part.component)}贡献 ${part.contribution.toFixed(3)}` }, fill),
      h('span', { class: 'muted' }, `${part.value.toFixed(2)} × ${part.weight.toFixed(2)} = ${part.contribution.toFixed(3)}`),
    ];
  }));
}

function explainRemoved(removed) {
  const lines = removed.filter((r) => r.removed > 0).map((r) =>
    `${label('provider_type', r.provider_type)}：${r.removed} 个因“${label('filter', r.filter)}”被排除`);
  return lines.length
    ? h('div', { class: 'notice', id: 'removed' }, h('p', {}, '目前没有合适的服务方。筛选情况：'), h('ul', {}, lines.map((l) => h('li', {}, l))))
    : h('p', { class: 'notice', id: 'removed' }, '目前没有合适的服务方：登记的服务方中没有提供此类服务的。');
}

const MATCHABLE = ['open', 'partially_committed'];

async function loadCandidates(section, id, refresh, status) {
  if (!MATCHABLE.includes(status)) {
    replace(section, h('h2', { id: 'candidates-title' }, '候选服务方'),
      h('p', { class: 'muted' }, `需求${label('request_status', status)}，不再匹配服务方。`));
    return;
  }
  replace(section, h('h2', { id: 'candidates-title' }, '候选服务方'), h('p', { class: 'muted' }, '正在匹配…'));
  let list;
  try {
    list = await get(`/v1/resource-requests/${id}/candidates`, { limit: 10 });
  } catch (failure) {
    replace(section, h('h2', { id: 'candidates-title' }, '候选服务方'), h('p', { class: 'notice bad' }, describe(failure)));
    return;
  }
  for (const c of list.candidates) names.set(c.provider_id, c.name);
  const error = h('p', { class: 'error', role: 'alert', id: 'offer-error' });
  if (!list.candidates.length) {
    replace(section, h('h2', { id: 'candidates-title' }, '候选服务方'), explainRemoved(list.removed));
    return;
  }
  const form = h('form', { id: 'offer-form', novalidate: true },
    h('ol', { class: 'candidates' }, list.candidates.map((c, i) => h('li', { class: 'candidate' },
      h('div', { class: 'head' },
        h('input', { type: 'checkbox', id: `c-${i}`, name: 'chosen', value: `${c.provider_type}:${c.provider_id}` }),
        h('label', { for: `c-${i}` }, h('strong', {}, h('bdi', {}, c.name)), ` · ${label('provider_type', c.provider_type)}`),
        h('span', {}, `得分 ${c.score.toFixed(3)}`),
        h('span', { class: 'muted' }, `可提供 ${c.capacity_left}`)),
      reasons(c)))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', name: 'mode', value: 'chosen' }, '邀请选中的服务方'),
      h('label', { for: 'top-n' }, '或前'),
      h('input', { type: 'number', id: 'top-n', min: '1', max: String(list.candidates.length), value: String(Math.min(3, list.candidates.length)), inputmode: 'numeric' }),
      h('span', {}, '名'),
      h('button', { type: 'submit', name: 'mode', value: 'top', class: 'secondary' }, '邀请前 N 名')),
    error);
  let key = newIdempotencyKey();
  form.addEventListener('change', () => { key = newIdempotencyKey(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const buttons = form.querySelectorAll('button');
    if ([...buttons].some((b) => b.disabled)) return;
    const mode = event.submitter ? event.submitter.value : 'chosen';
    const chosen = [...form.querySelectorAll('input[name="chosen"]:checked')].map((i) => {
      const [provider_type, provider_id] = i.value.split(':');
      return { provider_type, provider_id };
    });
    if (mode === 'chosen' && !chosen.length) { error.textContent = '请先勾选服务方。'; return; }
    const sent = mode === 'chosen' ? { providers: chosen } : { top: Number(form.querySelector('#top-n').value) };
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await post(`/v1/resource-requests/${id}/offers`, sent, key);
      key = newIdempotencyKey();
      announce('邀请已发出');
      await refresh(true);
      const request = await get(`/v1/resource-requests/${id}`);
      await loadCandidates(section, id, refresh, request.status);
    } catch (failure) {
      error.textContent = [describe(failure), ...failure.errors?.map((e) => e.message) || []].join(' ');
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
  replace(section, h('h2', { id: 'candidates-title' }, '候选服务方'),
    h('p', { class: 'muted' }, '按匹配得分排列；条形为各项的贡献（数值 × 权重）。姓名已按规定遮蔽。'), form);
}

function action(text, run, problemHolder) {
  return h('button', {
    type: 'button', class: 'secondary',
    onclick: async (event) => {
      event.target.disabled = true;
      try { await run(); } catch (failure) { problemHolder.textContent = describe(failure); event.target.disabled = false; }
    },
  }, text);
}

function completionForm(offer, done, error) {
  const i = offer.id.slice(0, 8);
  const volunteer = offer.provider_type === 'volunteer';
  const form = h('form', { novalidate: true, 'aria-label': '登记完成情况' },
    h('div', { class: 'field' }, h('label', { for: `q-${i}` }, '实际数量'), h('input', { id: `q-${i}`, name: 'actual_quantity', type: 'number', min: '0', value: String(offer.quantity) })),
    volunteer ? h('div', { class: 'field' }, h('label', { for: `hours-${i}` }, '服务时长（小时）'), h('input', { id: `hours-${i}`, name: 'volunteer_hours', type: 'number', min: '0', step: '0.5' })) : null,
    h('div', { class: 'field' }, h('label', { for: `b-${i}` }, '受益人数'), h('input', { id: `b-${i}`, name: 'beneficiaries', type: 'number', min: '0' })),
    h('div', { class: 'field' }, h('label', { for: `note-${i}` }, '服务成效'), h('input', { id: `note-${i}`, name: 'outcome_note', type: 'text' })),
    h('button', { type: 'submit' }, '登记完成'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const number = (name) => (form.elements[name] && form.elements[name].value !== '' ? Number(form.elements[name].value) : null);
    const sent = { actual_quantity: number('actual_quantity') };
    if (volunteer) sent.volunteer_hours = number('volunteer_hours');
    if (number('beneficiaries') !== null) sent.beneficiaries = number('beneficiaries');
    if (form.elements.outcome_note.value.trim()) sent.outcome_note = form.elements.outcome_note.value;
    try { await post(`/v1/offers/${offer.id}/complete`, sent); announce('已登记完成'); await done(); } catch (failure) {
      error.textContent = [describe(failure), ...(failure.errors || []).map((e) => e.message)].join(' ');
    }
  });
  return form;
}

function ratingForm(offer, done, error) {
  const i = offer.id.slice(0, 8);
  const form = h('form', { novalidate: true, 'aria-label': '评价服务' },
    h('div', { class: 'field' }, h('label', { for: `r-${i}` }, '评分'), h('select', { id: `r-${i}`, name: 'rating' },
      [5, 4, 3, 2, 1].map((n) => h('option', { value: String(n) }, `${n} 分`)))),
    h('div', { class: 'field' }, h('label', { for: `rn-${i}` }, '评价'), h('input', { id: `rn-${i}`, name: 'note', type: 'text' })),
    h('button', { type: 'submit' }, '提交评价'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sent = { rating: Number(form.elements.rating.value) };
    if (form.elements.note.value.trim()) sent.note = form.elements.note.value;
    try { await post(`/v1/offers/${offer.id}/rate`, sent); announce('评价已提交'); await done(); } catch (failure) {
      error.textContent = describe(failure);
    }
  });
  return form;
}

async function renderOffers(holder, offers, done) {
  if (!offers.length) { replace(holder, h('p', { class: 'muted' }, '尚未发出邀请。')); return; }
  const rows = await Promise.all(offers.map(async (offer) => {
    const error = h('p', { class: 'error', role: 'alert' });
    const controls = [];
    if (offer.status === 'proposed') {
      controls.push(action('代为接受', () => post(`/v1/offers/${offer.id}/accept`).then(done), error));
      controls.push(action('撤回', () => post(`/v1/offers/${offer.id}/withdraw`).then(done), error));
    } else if (offer.status === 'accepted') {
      controls.push(completionForm(offer, done, error));
    } else if (offer.status === 'completed' && offer.rating === null) {
      controls.push(ratingForm(offer, done, error));
    }
    const outcome = offer.status === 'completed'
      ? [`实际 ${offer.actual_quantity ?? '—'}`, offer.volunteer_hours !== null ? `，${offer.volunteer_hours} 小时` : '', offer.rating !== null ? `，评分 ${offer.rating}` : ''].join('')
      : { proposed: `请于 ${inHangzhou(offer.expires_at)} 前答复`, accepted: '服务后登记完成情况' }[offer.status] || '—';
    return [
      h('bdi', {}, await providerName(offer.provider_type, offer.provider_id)),
      label('provider_type', offer.provider_type),
      `${offer.quantity} ${label('quantity_unit', offer.unit)}`,
      h('span', { class: 'offer-status', dataset: { status: offer.status } }, label('offer_status', offer.status), offer.responded_on_behalf ? '（工作站代答）' : ''),
      outcome,
      h('div', { class: 'offer-actions' }, controls, error),
    ];
  }));
  replace(holder, table('邀请', ['服务方', '类型', '数量', '状态', '情况', '操作'], rows));
}
