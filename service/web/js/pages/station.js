// The station page: who it is, its five-society network, its open requests, its verdicts.
import { all, describe, get } from '../api.js';
import { h, inHangzhou, replace, table } from '../dom.js';
import { label } from '../labels.js';

const STILL_OPEN = ['open', 'partially_committed', 'committed'];

export async function showStation(main, session) {
  const id = session.stationId;
  const [station, network, requests] = await Promise.all([
    get(`/v1/stations/${id}`),
    get(`/v1/stations/${id}/network`),
    all('/v1/resource-requests', { station_id: id }),
  ]);
  const compliance = h('section', { 'aria-labelledby': 'compliance-title' },
    h('h2', { id: 'compliance-title' }, '合规评价'), h('p', { class: 'muted' }, '正在加载…'));

  replace(main,
    h('h1', { id: 'station-name' }, station.name),
    h('dl', { class: 'facts' },
      h('dt', {}, '状态'), h('dd', { id: 'station-status' }, label('station_status', station.status)),
      h('dt', {}, '运营方式'), h('dd', {}, label('operating_mode', station.operating_mode)),
      h('dt', {}, '示范站'), h('dd', {}, station.is_demonstration ? `是（${station.demonstration_year || ''}）` : '否'),
      h('dt', {}, '社会工作者'), h('dd', {},
        `${network.social_workers.count} 人，持证 ${network.social_workers.certified} 人，专职持证 ${network.social_workers.full_time_certified} 人`),
      h('dt', {}, '社区社会工作室'), h('dd', {}, `${network.offices.count} 个`)),
    h('div', { class: 'actions' }, h('a', { href: '#/post' }, '发布资源需求')),
    requestsSection(requests.filter((r) => STILL_OPEN.includes(r.status))),
    networkSection(network),
    compliance);

  try {
    const verdicts = await get(`/v1/stations/${id}/compliance`);
    replace(compliance, h('h2', { id: 'compliance-title' }, '合规评价'),
      h('p', {}, `截至 ${verdicts.as_of}，总体：`, verdictText(verdicts.overall)),
      table('各项规则的评价', ['规则', '要求', '评价', '说明'],
        verdicts.verdicts.map((v) => [v.rule, v.title_zh, verdictText(v.verdict), v.message])));
  } catch (failure) {
    replace(compliance, h('h2', { id: 'compliance-title' }, '合规评价'),
      h('p', { class: 'muted' }, `暂无合规评价：${describe(failure)}`));
  }
}

export function verdictText(verdict) {
  return h('span', { class: `verdict-${verdict}` }, label('verdict', verdict));
}

function requestsSection(requests) {
  const body = requests.length
    ? table('进行中的资源需求', ['需求', '状态', '尚缺', '时间'],
      requests.map((r) => [
        h('a', { href: `#/requests/${r.id}` }, r.title),
        label('request_status', r.status),
        `${r.quantity_left} / ${r.quantity} ${label('quantity_unit', r.unit)}`,
        `${inHangzhou(r.window.starts_at)} – ${inHangzhou(r.window.ends_at)}`,
      ]), [2])
    : h('p', { class: 'muted' }, '没有进行中的需求。');
  return h('section', { 'aria-labelledby': 'requests-title' },
    h('h2', { id: 'requests-title' }, '进行中的资源需求'), body);
}

function networkSection(network) {
  const kinds = network.active_linkages_by_kind.filter((k) => k.count > 0);
  return h('section', { 'aria-labelledby': 'network-title' },
    h('h2', { id: 'network-title' }, '五社联动网络'),
    table('按类型的联动伙伴', ['伙伴类型', '数量', '名称'],
      network.partners.map((group) => [
        label('partner_type', group.partner_type),
        String(group.count),
        group.items.length ? group.items.map((p, i) => [i ? '、' : '', h('bdi', {}, p.name || '—')]) : '—',
      ]), [1]),
    h('h3', {}, '有效联动（按类型）'),
    kinds.length
      ? h('ul', {}, kinds.map((k) => h('li', {}, `${label('linkage_kind', k.kind)}：${k.count}`)))
      : h('p', { class: 'muted' }, '暂无有效联动。'));
}
