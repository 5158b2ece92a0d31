// Chinese labels: the API's vocabularies (GET /v1/vocabularies), and the few terms the API
// leaves to its clients (statuses, provider types, match components and filters).
import { get } from './api.js';

const OWN = {
  request_status: { open: '待响应', partially_committed: '部分落实', committed: '已落实', fulfilled: '已完成', closed: '已关闭', cancelled: '已取消', expired: '已过期' },
  offer_status: { proposed: '待答复', accepted: '已接受', declined: '已婉拒', withdrawn: '已撤回', expired: '已过期', completed: '已完成' },
  urgency: { low: '低', normal: '一般', high: '较急', critical: '紧急' },
  provider_type: { volunteer: '志愿者', volunteer_team: '志愿服务队', organisation: '社会组织', charity_resource: '慈善资源', university: '高校', social_worker: '社会工作者' },
  component: { skill_coverage: '技能匹配', distance: '距离', capacity_headroom: '余量', reliability: '可靠性', fairness: '公平轮换', linkage: '既有联动', proximity: '就近' },
  filter: { kind: '类型不适合该需求类别', active: '未处于活跃状态', area: '不在服务范围或 3 公里内', availability: '该时段没有空闲', capacity: '已无剩余容量', qualification: '资质不符' },
};

// The units each category counts in (the API's rule, in the contract's words).
export const UNITS = {
  volunteer_service: ['people', 'hours'], professional_service: ['people', 'hours', 'sessions'],
  funds: ['yuan'], goods: ['items'], venue: ['hours', 'sessions', 'square_metres'],
  supervision: ['hours', 'sessions'], training: ['people', 'hours', 'sessions'],
  university_support: ['people', 'hours', 'sessions'],
};

let vocabularies = null;

export async function loadVocabularies() {
  if (!vocabularies) {
    const answer = await get('/v1/vocabularies');
    vocabularies = {};
    for (const [name, terms] of Object.entries(answer.vocabularies)) {
      vocabularies[name] = Object.fromEntries(terms.map((t) => [t.code, t.label_zh]));
    }
  }
  return vocabularies;
}

export const terms = (name) => Object.entries((vocabularies && vocabularies[name]) || OWN[name] || {});

export function label(name, code) {
  if (code === null || code === undefined) return '—';
  const own = vocabularies && vocabularies[name];
  return (own && own[code]) || (OWN[name] && OWN[name][code]) || code;
}
